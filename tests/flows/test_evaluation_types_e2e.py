"""Every evaluation type end to end on the real Prefect server, the runs driven side by side.

One module-scoped fixture starts the runs of all scenarios and answers each one's gates as they
open (through the API, or the CLI for the simplified one); the tests then check what each produced.
Running them side by side keeps the suite quick: a resume costs a few seconds of process start.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from builders import (
    SAMPLES,
    acceptance,
    agreement,
    expert_marks_submission,
    expert_review,
    plan_approval,
    records_submission,
    report_approval,
    start_approval,
    survey_submission,
    team,
)
from driving import answers_of, done_counts, evaluation_of, pdf_text

pytestmark = pytest.mark.e2e

AGENCY = "北方公共政策研究院"
BAD_AGENCY = "某失信咨询公司"
CONFLICTED_EXPERT = "钱立群"
SKIP_REVIEW = {
    "organised": "不组织专家论证", "handling": "本次评估以问卷和意见征集为主，规定未要求专家论证",
    "submitter": "王明", "submitter_role": "评估小组组长",
}
DEPART = "结合实施情况综合判断"


def _cli(*args: str) -> None:
    from pinggu.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _cli_submit_minutes(run_id, tmp) -> None:
    form = records_submission(tmp / "座谈会纪要.txt")
    _cli("submit", evaluation_of(run_id).code, form["file"], "--kind", "minutes", "--summary", form["summary"],
         "--submitter", "赵敏", "--role", "承办单位 科员")


def _cli_approve(run_id) -> None:
    _cli("approve", evaluation_of(run_id).code, "--gate", "approval", "--approver", "刘志强", "--role", "市长",
         "--choice", "通过", "--conclusion", "继续执行")


def _drive(scripts: dict, timeout: float = 400) -> dict:
    """Answer each run's gates in its script's order as they open; return each run's final flow run."""
    from pinggu.orchestration import answer_gate, paused_at, read_flow_run

    last_key: dict[str, str | None] = {name: None for name in scripts}
    finished: dict = {}
    deadline = time.monotonic() + timeout
    while len(finished) < len(scripts):
        assert time.monotonic() < deadline, f"超时：{ {n: s[1][:1] for n, s in scripts.items() if n not in finished} }"
        for name, (run_id, steps) in scripts.items():
            if name in finished:
                continue
            flow_run = read_flow_run(run_id)
            if flow_run.state and flow_run.state.is_final():
                assert not steps, f"{name} ended ({flow_run.state.name}: {flow_run.state.message}) before {steps[0][0]}"
                finished[name] = flow_run
                continue
            gate = paused_at(flow_run)
            key = flow_run.state.state_details.pause_key if gate else None
            if gate is None or key == last_key[name]:
                continue
            assert steps, f"{name} waits at {gate} beyond its script"
            expected, form = steps.pop(0)
            assert gate == expected, f"{name} waits at {gate}, script expected {expected}"
            last_key[name] = key
            form(run_id) if callable(form) else answer_gate(run_id, gate, form)
        time.sleep(0.3)
    return finished


@pytest.fixture(scope="module")
def outcomes(prefect_server, sample_catalog, tmp_path_factory):
    """Start every scenario's run at once and drive them all to their end."""
    from models.agencies import register_agency
    from models.db import session_scope
    from models.tables import Decision
    from pinggu.orchestration import start_evaluation

    tmp = tmp_path_factory.mktemp("types")
    with session_scope() as session:
        register_agency(session=session, name=AGENCY, kind="科研机构")
        register_agency(session=session, name=BAD_AGENCY, kind="咨询机构", credit_status="不良")
        decision = session.get(Decision, "S-2020-020")
        decision.pre_decision_assessors = [CONFLICTED_EXPERT]
        session.add(decision)

    runs = {
        "simplified": start_evaluation("simplified", {"decision": "S-2021-018", "team": team(), "methods": ["座谈会"]}),
        "midterm": start_evaluation("midterm", {
            "decision": "S-2020-020", "team": team(), "methods": ["问卷调查", "意见征询"], "third_party": agreement(AGENCY),
        }),
        "final": start_evaluation("final", {"decision": "S-2019-016", "team": team()}),
        "ningxia_refused": start_evaluation("ningxia_90day", {"decision": "S-2022-002", "team": team()}),
        "ningxia": start_evaluation("ningxia_90day", {"decision": "S-2021-007", "team": team()}),
        "bad_agency": start_evaluation("midterm", {
            "decision": "S-2024-025", "team": team(), "third_party": agreement(BAD_AGENCY),
        }),
    }
    survey = survey_submission(SAMPLES / "survey.csv")
    opinions = survey_submission(SAMPLES / "opinions.csv")
    scripts = {
        "simplified": [("minutes", lambda run: _cli_submit_minutes(run, tmp)), ("approval", _cli_approve)],
        "midterm": [
            ("plan_approval", plan_approval()),
            ("survey", survey),
            ("opinions", opinions),
            ("expert_marks", expert_marks_submission("ordos", tmp / "ordos.csv")),
            ("expert_review", expert_review(f"{CONFLICTED_EXPERT}、周立平")),  # refused: TEAM-CONFLICT
            ("expert_review", SKIP_REVIEW),
            ("third_party_acceptance", acceptance("退回修改", "问卷样本代表性分析不足")),
            ("expert_review", SKIP_REVIEW),
            ("third_party_acceptance", acceptance()),
            ("approval", report_approval("通过", "继续执行", departure_reason=DEPART)),
        ],
        "final": [
            ("plan_approval", plan_approval()),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("bazhou", tmp / "bazhou.csv", mark=40, completion=30)),
            ("expert_review", expert_review()),
            ("approval", report_approval("退回修改", None, comment="补充第二轮问卷", rework="补充评估材料")),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("bazhou", tmp / "bazhou2.csv", mark=40, completion=30)),
            ("expert_review", expert_review()),
            ("approval", report_approval("通过", "终止执行", departure_reason=DEPART)),
        ],
        "ningxia_refused": [("start_approval", start_approval("不开展", "上级已部署同类评估"))],
        "ningxia": [
            ("start_approval", start_approval()),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("ningxia_commerce", tmp / "nx.csv")),
            ("expert_review", SKIP_REVIEW),
            ("approval", report_approval("通过", "继续执行", departure_reason=DEPART)),
        ],
        "bad_agency": [],
    }
    finished = _drive({name: (runs[name], scripts[name]) for name in runs})
    return {name: (finished[name], evaluation_of(runs[name])) for name in runs}


def _ended_well(outcomes, name):
    flow_run, evaluation = outcomes[name]
    assert flow_run.state.is_completed(), flow_run.state.message
    return flow_run, evaluation


@pytest.mark.rule("S-SIMPLE", "G-APPROVE")
def test_simplified_has_one_method_no_plan_gate_and_is_driven_from_the_cli(outcomes):
    flow_run, evaluation = _ended_well(outcomes, "simplified")
    assert flow_run.name == "后评估·S-2021-018·简易程序"
    assert evaluation.status == "completed" and evaluation.methods == ["座谈会"]
    assert [gate for gate, _, _ in answers_of(evaluation.id)] == ["minutes", "approval"]
    text = pdf_text(evaluation.report_path)
    assert "简易程序" in text and "2026年3月召开座谈会" in text


@pytest.mark.rule("S-MID", "OR-14", "OR-19", "TEAM-CONFLICT", "TP-AGREEMENT", "C-NOPRESET")
def test_midterm_with_a_third_party_its_acceptance_and_the_one_month_report_deadline(outcomes):
    from models import evaluations as store
    from models.agencies import current_entrustment
    from models.db import session_scope
    from rules.periods import add_months

    flow_run, evaluation = _ended_well(outcomes, "midterm")
    assert flow_run.name == "后评估·S-2020-020·中期评估"
    assert [(g, c) for g, c, _ in answers_of(evaluation.id)] == [
        ("plan_approval", "同意"), ("survey", "提交"), ("opinions", "提交"), ("expert_marks", "提交"),
        ("expert_review", "不组织"), ("third_party_acceptance", "退回修改"),
        ("expert_review", "不组织"), ("third_party_acceptance", "验收通过"), ("approval", "通过"),
    ]
    with session_scope() as session:
        refusals = store.rejections(session=session, evaluation_id=evaluation.id)
        deadlines = store.deadlines(session=session, evaluation_id=evaluation.id)
        entrustment = current_entrustment(session=session, evaluation_id=evaluation.id)
    assert [r.gate for r in refusals] == ["expert_review"] and CONFLICTED_EXPERT in refusals[0].reason
    assert "TEAM-CONFLICT" in refusals[0].reason
    assert entrustment is not None and entrustment.fee == "人民币8万元"
    assert done_counts(evaluation.id)["draft_report"] == 2  # redrafted after the acceptance sent it back

    (or19,) = deadlines
    completed_on = evaluation.work_completed_at.astimezone(or19.met_at.tzinfo).date()
    assert or19.rule == "OR-19" and or19.from_date == completed_on
    assert or19.due_date == add_months(completed_on, 1).due
    assert or19.met_at is not None
    text = pdf_text(evaluation.report_path)
    assert AGENCY in text and "决策实施以来的效果" in text and "OR-19" in text and "意见征集" in text


@pytest.mark.rule("S-FINAL", "C-FOLLOWUP", "G-APPROVE", "MH-14")
def test_final_goes_back_for_more_evidence_then_terminates_with_a_follow_up(outcomes):
    from models import evaluations as store
    from models.db import session_scope

    flow_run, evaluation = _ended_well(outcomes, "final")
    assert flow_run.name == "后评估·S-2019-016·终期评估"
    assert evaluation.conclusion == "终止执行"
    counts = done_counts(evaluation.id)
    assert counts["analysis"] == 2 and counts["scoring"] == 2 and counts["plan"] == 1 and counts["team"] == 1
    with session_scope() as session:
        (follow_up,) = store.follow_ups(session=session, evaluation_id=evaluation.id)
        approval = store.current_approval(session=session, evaluation_id=evaluation.id, gate="approval")
    assert follow_up.conclusion == "终止执行" and follow_up.status == "open"
    assert follow_up.due_date >= follow_up.created_at.date() + timedelta(days=30)
    assert approval.details["departure_reason"] == DEPART or approval.details.get("recommended") == "终止执行"
    text = pdf_text(evaluation.report_path)
    assert "终期评估须说明的内容" in text and "终止执行" in text


@pytest.mark.rule("NX-10")
def test_a_refused_ningxia_start_ends_the_evaluation_as_not_started(outcomes):
    flow_run, evaluation = _ended_well(outcomes, "ningxia_refused")
    assert evaluation.status == "not_started" and evaluation.report_path is None
    assert done_counts(evaluation.id) == {"team": 1, "plan": 1}
    assert answers_of(evaluation.id) == [("start_approval", "不开展", False)]


@pytest.mark.rule("NX-10", "NX-11", "NX-12")
def test_ningxia_90_and_15_day_deadlines_count_from_the_real_approval_and_completion(outcomes):
    from models import evaluations as store
    from models.db import session_scope
    from models.tables import BEIJING
    from rules.periods import add_days

    flow_run, evaluation = _ended_well(outcomes, "ningxia")
    with session_scope() as session:
        start = store.current_approval(session=session, evaluation_id=evaluation.id, gate="start_approval")
        deadlines = {d.rule: d for d in store.deadlines(session=session, evaluation_id=evaluation.id)}
        stages = store.stages(session=session, evaluation_id=evaluation.id)
    approved_on = start.decided_at.astimezone(BEIJING).date()
    completed_on = evaluation.work_completed_at.astimezone(BEIJING).date()
    assert evaluation.start_approved_on == approved_on
    assert deadlines["NX-11"].from_date == approved_on
    assert deadlines["NX-11"].due_date == add_days(approved_on, 90).due
    assert deadlines["NX-12"].from_date == completed_on
    assert deadlines["NX-12"].due_date == add_days(completed_on, 15).due
    assert all(d.met_at is not None for d in deadlines.values())
    assert stages[-1].target_date == deadlines["NX-11"].due_date  # the stages share the 90 days


@pytest.mark.rule("TP-CREDIT", "TP-QUALIFY")
def test_a_bad_credit_agency_is_refused_and_nothing_is_written(outcomes):
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import Evaluation

    flow_run, evaluation = outcomes["bad_agency"]
    assert flow_run.state.is_failed()
    assert evaluation is None
    with session_scope() as session:
        assert session.exec(select(Evaluation).where(Evaluation.decision_code == "S-2024-025")).first() is None
