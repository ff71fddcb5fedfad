"""The annual plan on the real Prefect server: drafted as a PDF, approved through the API (after a
send-back), its evaluations started through their deployments — and a second run starts none twice."""

from __future__ import annotations

from datetime import date

import pytest
from builders import plan_approval, team

pytestmark = pytest.mark.e2e

YEAR, PROFILE = 2026, "bazhou"


def _at_gate(run_id):
    from services.orchestration import paused_at, wait_for

    return wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="年度计划审定")


def _completed(run_id):
    from services.orchestration import wait_for

    return wait_for(run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成")


def _entries():
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import PlanEntry

    with session_scope() as session:
        return session.exec(select(PlanEntry).where(PlanEntry.year == YEAR, PlanEntry.scope == PROFILE)).all()


def _evaluation_runs() -> set[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["post-evaluation"])), limit=200)
    return {str(run.id) for run in runs}


@pytest.mark.rule("MH-4")
def test_annual_plan_is_approved_then_starts_each_evaluation_once(prefect_server, sample_catalog):
    from services.orchestration import answer_gate, paused_at, read_flow_run, start_annual_plan, wait_for
    from services.planning import build_plan

    expected = {(item.decision, item.type) for item in build_plan(YEAR, date.today(), PROFILE).items}
    assert expected  # the sample catalog gives bazhou decisions to evaluate

    run_id = start_annual_plan(YEAR, PROFILE)
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-1"
    answer_gate(run_id, "annual_plan_2026_bazhou", plan_approval("退回修改", comment=""))  # refused: no reason
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-2"
    answer_gate(run_id, "annual_plan_2026_bazhou", plan_approval("退回修改", comment="请核对评估单位"))
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-3"
    assert _entries() and all(e.flow_run_id is None for e in _entries())  # nothing starts before approval
    answer_gate(run_id, "annual_plan_2026_bazhou", plan_approval("同意"))
    first = _completed(run_id)
    assert first.name == "年度评估计划·2026·bazhou"

    entries = _entries()
    assert {(e.decision_code, e.type) for e in entries} == expected
    started = {e.flow_run_id for e in entries if e.flow_run_id}
    assert len(started) + sum(1 for e in entries if e.evaluation_code) == len(entries)

    # a planned evaluation starts without a team: its first human step is forming one
    some = next(iter(started))
    wait_for(some, lambda run: paused_at(run) == "team", timeout=120, what="组建评估小组")
    answer_gate(some, "team", {"members": team(), "submitter": "王明", "submitter_role": "评估办 科员"})
    assert wait_for(some, lambda run: paused_at(run) == "plan_approval", timeout=120, what="方案审定")
    assert read_flow_run(some).parameters["due_date"]

    # running the plan again: the approval stands, nothing is started twice
    before = _evaluation_runs()
    again = start_annual_plan(YEAR, PROFILE)
    _completed(again)
    assert _evaluation_runs() == before
    assert {e.flow_run_id for e in _entries() if e.flow_run_id} == started
