"""The annual plan on the real Prefect server: drafted as a PDF, approved through the API (after a
send-back), its evaluations started through their deployments — and a second run starts none twice."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from builders import team
from driving import plan_answer, signed

from pinggu.models.tables import now_beijing

pytestmark = pytest.mark.e2e

YEAR, PROFILE = 2026, "bazhou"


def _at_gate(run_id):
    from pinggu.services.orchestration import paused_at, wait_for

    return wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="年度计划审定")


def _completed(run_id):
    from pinggu.services.orchestration import wait_for

    return wait_for(run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成")


def settings_reports():
    from pinggu.core.settings import get_settings

    return get_settings().reports_dir


def _entries():
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models.tables import PlanEntry

    with session_scope() as session:
        return session.exec(select(PlanEntry).where(PlanEntry.year == YEAR, PlanEntry.scope == PROFILE)).all()


def _evaluation_runs() -> set[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["post-evaluation"])), limit=200)
    return {str(run.id) for run in runs}


@pytest.mark.rule("MH-4")
def test_annual_plan_is_approved_with_changes_then_starts_each_evaluation_once(prefect_server, sample_catalog):
    from pinggu.services.orchestration import answer_gate, paused_at, read_flow_run, start_annual_plan, wait_for
    from pinggu.services.planning import build_plan

    expected = {(item.decision, item.type) for item in build_plan(YEAR, now_beijing().date(), PROFILE).items}
    assert expected  # the sample catalog gives bazhou decisions to evaluate

    run_id = start_annual_plan(YEAR, PROFILE)
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-1"
    answer_gate(run_id, "annual_plan_2026_bazhou", {"choice": "同意", "comment": ""})  # refused: nobody signed it
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-2"
    plan_answer(run_id, "退回修改", comment="")  # refused: no reason
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-3"
    plan_answer(run_id, "退回修改", comment="请核对评估单位")
    assert _at_gate(run_id).state.state_details.pause_key == "annual-plan-2026-bazhou-4"
    assert _entries() and all(e.flow_run_id is None for e in _entries())  # nothing starts before approval
    # minhang 4: the approver sets an item's time limit differently and takes another out, with reasons.
    moved, dropped = sorted(_entries(), key=lambda e: e.decision_code)[:2]
    new_due = now_beijing().date() + timedelta(days=120)
    changes = [
        {"decision": moved.decision_code, "due_date": new_due.isoformat(), "reason": "与区级预算执行评价同步开展"},
        {"decision": dropped.decision_code, "drop": True, "reason": "该事项已纳入市级专项评估"},
    ]
    plan_answer(run_id, "同意", changes=changes)
    first = _completed(run_id)
    assert first.name == "年度评估计划·2026·bazhou"

    entries = {e.decision_code: e for e in _entries()}
    assert {(e.decision_code, e.type) for e in entries.values()} == expected
    assert entries[dropped.decision_code].dropped_reason == "该事项已纳入市级专项评估"
    assert not (entries[dropped.decision_code].flow_run_id or entries[dropped.decision_code].evaluation_code)
    assert (entries[moved.decision_code].due_date, entries[moved.decision_code].due_date_reason) == (
        new_due,
        "与区级预算执行评价同步开展",
    )
    started = {e.flow_run_id for e in entries.values() if e.flow_run_id}
    assert len(started) + sum(1 for e in entries.values() if e.evaluation_code) == len(entries) - 1
    if entries[moved.decision_code].flow_run_id:
        moved_run = read_flow_run(entries[moved.decision_code].flow_run_id)
        assert moved_run.parameters["due_date"] == new_due.isoformat()

    # the approved plan, as issued: the changes listed with their reasons
    issued = settings_reports() / "annual-plans" / "2026年度重大行政决策后评估计划-bazhou（已审定）.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(issued), "-"], capture_output=True, text=True, check=True).stdout
    assert "审定时的逐项调整" in text and "该事项已纳入市级专项评估" in text and moved.decision_code in text

    # a planned evaluation starts without a team: its first human step is forming one (an item whose
    # trigger date is still to come is scheduled for that day instead)
    today = now_beijing().date()
    some = next(e.flow_run_id for e in entries.values() if e.flow_run_id and e.trigger_date <= today)
    wait_for(some, lambda run: paused_at(run) == "team", timeout=120, what="组建评估小组")
    answer_gate(
        some, "team", signed(some, "team", {"members": team(), "submitter": "王明", "submitter_role": "评估办 科员"})
    )
    assert wait_for(some, lambda run: paused_at(run) == "plan_approval", timeout=120, what="方案审定")
    assert read_flow_run(some).parameters["due_date"]

    # running the plan again: the approval stands, nothing is started twice
    before = _evaluation_runs()
    again = start_annual_plan(YEAR, PROFILE)
    _completed(again)
    assert _evaluation_runs() == before
    assert {e.flow_run_id for e in _entries() if e.flow_run_id} == started


@pytest.mark.rule("T-PROMPT")
def test_a_controversy_proposes_a_single_item_plan_at_once_and_starts_it_on_approval(prefect_server, sample_catalog):
    # bazhou 15 ¶2 / ordos 12(1) / changli 62: a major controversy or risk during execution is evaluated
    # promptly ("及时"), not at next January's plan: recording it proposes a one-item plan for approval.
    import re

    import builders
    from builders import session_scope
    from sqlmodel import select
    from typer.testing import CliRunner

    from pinggu.models.tables import PlanEntry
    from pinggu.cli import app
    from pinggu.services.orchestration import paused_at, wait_for

    today = now_beijing().date()
    with session_scope() as session:  # an ordinary policy with no time trigger of its own
        code = builders.add_decision(session, "bazhou", category="重大公共政策", starts_on=date(2025, 12, 1)).code

    result = CliRunner().invoke(
        app,
        ["trigger", code, "--kind", "controversy_risk", "--date", today.isoformat()]
        + ["--note", "补贴发放引发集中信访，舆情持续发酵", "--by", "sunli"],
    )
    assert result.exit_code == 0, result.output
    assert f"已提出专项评估计划：{code}（一般程序），完成期限 " in result.output
    run_id = re.search(r"/runs/flow-run/([0-9a-f-]{36})", result.output).group(1)

    run = _at_gate(run_id)
    key = run.state.state_details.pause_key
    assert (run.name, key) == (
        f"专项评估计划·{today.year}·{code}",
        f"annual-plan-{today.year}-decision-{code.lower()}-1",
    )
    plan_answer(run_id, "同意")
    _completed(run_id)

    with session_scope() as session:
        (entry,) = session.exec(select(PlanEntry).where(PlanEntry.scope == f"decision-{code}")).all()
    assert (entry.decision_code, entry.type, entry.reason, entry.trigger_date) == (
        code,
        "ordinary",
        "controversy_risk",
        today,
    )
    assert entry.flow_run_id  # started at once, not scheduled: its trigger is today
    wait_for(entry.flow_run_id, lambda run: paused_at(run) == "team", timeout=120, what="组建评估小组")
