"""A run started from the Prefect UI's run form with what the product refuses (issue 13 item 6): the run
ends Failed with the Chinese reason as its state message — what the run list and the run header show —
and one log line, not a traceback on the Logs tab."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

REASON = "决策事项 S-1999-999 不存在，请先导入决策目录（pinggu catalog import 文件）"


def _logs(run_id) -> list[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    return [log.message for log in logs]


def test_an_unknown_decision_typed_in_the_run_form_ends_the_run_with_the_reason(prefect_server, sample_catalog):
    from prefect.deployments import run_deployment

    from pinggu.services.orchestration import DEPLOYMENTS, wait_for

    # The UI's run form posts the parameters as typed; nothing checks them before the run starts.
    run = run_deployment(DEPLOYMENTS["ordinary"], parameters={"decision": "S-1999-999"}, timeout=0)
    final = wait_for(run.id, lambda r: r.state is not None and r.state.is_final(), timeout=120, what="结束")

    assert final.state.is_failed() and final.state.message == REASON
    deadline = time.monotonic() + 30
    messages = _logs(run.id)
    while not any(REASON in message for message in messages) and time.monotonic() < deadline:
        time.sleep(0.5)  # run logs reach the server in batches
        messages = _logs(run.id)
    assert [m for m in messages if REASON in m and "未能开始" in m] == [f"未能开始：{REASON}"]
    assert not any("Traceback" in message for message in messages), messages


def test_an_unknown_profile_typed_in_the_plans_run_form_ends_the_run_with_the_reason(prefect_server):
    from prefect.deployments import run_deployment

    from pinggu.services.orchestration import ANNUAL_PLAN, wait_for

    run = run_deployment(ANNUAL_PLAN, parameters={"year": 2026, "profile": "shanghai"}, timeout=0)
    final = wait_for(run.id, lambda r: r.state is not None and r.state.is_final(), timeout=120, what="结束")
    assert final.state.is_failed()
    assert final.state.message.startswith("未知的规则 shanghai，可选：") and "bazhou" in final.state.message
