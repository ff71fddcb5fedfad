"""Redoing an evaluation from a stage on (MH-12: minhang 12; models/evaluations.reopen_evaluation).

Every record of the first attempt stays: steps and answers are marked superseded, never deleted.
Runs on the test home's database; the evaluations are of S-2021-038 (ordos), which no other test
evaluates.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import session_scope
from sqlmodel import select

from pinggu.core.errors import NotFound, StateConflict
from pinggu.models import evaluations as store
from pinggu.models.audit import events_for, verify_chain
from pinggu.models.tables import Approval, FollowUp, StepRecord, now_beijing
from pinggu.rules.gates import gate_stage

DECISION = "S-2021-038"
REASON = "评估小组未按方案开展问卷调查，严重违反评估程序"

STEPS = {
    "preparation": ("team", "plan"),
    "implementation": ("analysis", "scoring", "preliminary"),
    "conclusion": ("draft_report", "work_completed", "report_submitted", "follow_up", "final_report", "archive"),
}
GATES = ("plan_approval", "survey", "minutes", "expert_marks", "expert_review", "approval")


def _finished_evaluation(status: str = "completed") -> tuple[int, str]:
    """A finished evaluation: every step done, every gate answered, an open and a closed follow-up."""
    with session_scope() as session:
        evaluation = store.create_evaluation(
            session=session,
            decision=store.get_decision(session=session, code=DECISION),
            type="ordinary",
            scope="whole",
            scope_parts=[],
            methods=["问卷调查", "座谈会"],
            stage_targets={},
            flow_run_id=None,
        )
        for stage, steps in STEPS.items():
            store.mark_stage(session=session, evaluation_id=evaluation.id, stage=stage, status="done")
            for step in steps:
                session.add(
                    StepRecord(evaluation_id=evaluation.id, stage=stage, step=step, status="done", result={"ok": 1})
                )
        for gate in GATES:
            session.add(
                Approval(
                    evaluation_id=evaluation.id,
                    gate=gate,
                    attempt=1,
                    pause_key=f"{gate.replace('_', '-')}-1",
                    approver="王明",
                    approver_role="评估小组组长",
                    choice="通过" if gate == "approval" else "同意",
                    conclusion="调整" if gate == "approval" else None,
                )
            )
        for status_ in ("open", "done"):
            session.add(
                FollowUp(
                    evaluation_id=evaluation.id,
                    decision_code=DECISION,
                    conclusion="调整",
                    unit="市发展和改革委员会",
                    action="提出调整方案",
                    basis="鄂尔多斯市办法第二十条",
                    due_date=date(2027, 1, 15),
                    status=status_,
                )
            )
        evaluation.status, evaluation.conclusion = status, "调整"
        evaluation.report_path, evaluation.completed_at = "/tmp/评估报告.pdf", now_beijing()
        evaluation.waiting_for, evaluation.waiting_gate = (
            ("决策机关审定", "approval") if status == "waiting" else (None, None)
        )
        session.add(evaluation)
        return evaluation.id, evaluation.code


def _reopen(code: str, stage: str, reason: str = REASON, actor: str = "区长 刘志强"):
    with session_scope() as session:
        return store.reopen_evaluation(session=session, code=code, stage=stage, reason=reason, actor=actor)


def _steps(evaluation_id: int) -> dict[str, str]:
    with session_scope() as session:
        return {
            record.step: record.status for record in store.step_attempts(session=session, evaluation_id=evaluation_id)
        }


def _answers(evaluation_id: int) -> dict[str, bool]:
    with session_scope() as session:
        return {a.gate: a.superseded for a in store.approvals(session=session, evaluation_id=evaluation_id)}


def _stages(evaluation_id: int) -> dict[str, tuple[str, bool]]:
    with session_scope() as session:
        return {
            r.stage: (r.status, r.finished_at is not None)
            for r in store.stages(session=session, evaluation_id=evaluation_id)
        }


@pytest.mark.rule("MH-12")
def test_reopen_at_implementation_sets_aside_that_stage_and_the_next_keeping_every_record(sample_catalog):
    evaluation_id, code = _finished_evaluation()
    with session_scope() as session:
        rows_before = len(store.step_attempts(session=session, evaluation_id=evaluation_id))
        answers_before = len(store.approvals(session=session, evaluation_id=evaluation_id))

    reopened = _reopen(code, "implementation")
    assert reopened.code == code and reopened.status == "reopened"

    steps = _steps(evaluation_id)
    assert {step: steps[step] for step in STEPS["preparation"]} == {"team": "done", "plan": "done"}
    later = (*STEPS["implementation"], *STEPS["conclusion"])
    assert {step: steps[step] for step in later} == {step: "superseded" for step in later}
    with session_scope() as session:
        # Records kept: the same rows, their results intact.
        attempts = store.step_attempts(session=session, evaluation_id=evaluation_id)
        assert len(attempts) == rows_before and all(a.result == {"ok": 1} for a in attempts)
        assert len(store.approvals(session=session, evaluation_id=evaluation_id)) == answers_before
        # A superseded step is not done: the next run does it again.
        assert store.latest_step(session=session, evaluation_id=evaluation_id, step="analysis").status == "superseded"

    answers = _answers(evaluation_id)
    assert answers == {gate: gate_stage(gate) != "preparation" for gate in GATES}
    with session_scope() as session:
        assert store.current_approval(session=session, evaluation_id=evaluation_id, gate="plan_approval") is not None
        for gate in ("survey", "minutes", "expert_marks", "expert_review", "approval"):
            assert store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate) is None

    assert _stages(evaluation_id) == {
        "preparation": ("done", True),
        "implementation": ("running", False),
        "conclusion": ("pending", False),
    }


@pytest.mark.rule("MH-12")
def test_reopen_clears_the_conclusion_and_report_and_withdraws_open_follow_ups(sample_catalog):
    evaluation_id, code = _finished_evaluation()
    _reopen(code, "implementation", reason=f"  {REASON}  ")
    with session_scope() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        assert (evaluation.conclusion, evaluation.report_path, evaluation.completed_at) == (None, None, None)
        assert (evaluation.status, evaluation.waiting_for, evaluation.waiting_gate) == ("reopened", None, None)
        items = {item.status: item for item in store.follow_ups(session=session, evaluation_id=evaluation_id)}
    assert set(items) == {"withdrawn", "done"}  # the open one withdrawn, the finished one left alone
    assert REASON in items["withdrawn"].note and items["withdrawn"].note.startswith("评估重做")
    assert items["withdrawn"].closed_at is not None and items["done"].closed_at is None


@pytest.mark.rule("MH-12")
def test_reopen_is_audited_with_who_why_and_from_which_stage(sample_catalog):
    evaluation_id, code = _finished_evaluation()
    _reopen(code, "implementation", actor="  区长 刘志强 ")
    with session_scope() as session:
        reopened = events_for(session=session, evaluation_id=evaluation_id, action="evaluation_reopened")
        step_events = events_for(session=session, evaluation_id=evaluation_id, action="step_reopened")
        assert verify_chain(session=session) is None
    assert len(reopened) == 1
    assert reopened[0].actor == "区长 刘志强"
    assert reopened[0].detail == {"stage": "implementation", "reason": REASON, "rule": "MH-12"}
    assert [e.detail["step"] for e in step_events] == [*STEPS["implementation"], *STEPS["conclusion"]]


@pytest.mark.rule("MH-12")
def test_reopen_at_conclusion_keeps_the_evidence(sample_catalog):
    evaluation_id, code = _finished_evaluation()
    _reopen(code, "conclusion")
    steps = _steps(evaluation_id)
    assert all(steps[step] == "done" for step in (*STEPS["preparation"], *STEPS["implementation"]))
    assert all(steps[step] == "superseded" for step in STEPS["conclusion"])
    assert _answers(evaluation_id) == {gate: gate_stage(gate) == "conclusion" for gate in GATES}
    assert _stages(evaluation_id) == {
        "preparation": ("done", True),
        "implementation": ("done", True),
        "conclusion": ("running", False),
    }


@pytest.mark.rule("MH-12")
def test_reopen_at_preparation_redoes_the_plan_but_keeps_the_team(sample_catalog):
    evaluation_id, code = _finished_evaluation(status="waiting")
    _reopen(code, "preparation")
    steps = _steps(evaluation_id)
    assert steps["team"] == "done"
    assert all(status == "superseded" for step, status in steps.items() if step != "team")
    assert all(_answers(evaluation_id).values())  # every answer set aside, the plan approval too
    assert _stages(evaluation_id) == {
        "preparation": ("running", False),
        "implementation": ("pending", False),
        "conclusion": ("pending", False),
    }
    with session_scope() as session:
        assert store.get_evaluation(session=session, code=code).waiting_gate is None


@pytest.mark.rule("MH-12")
def test_reopen_twice_changes_nothing_more_and_keeps_the_records(sample_catalog):
    evaluation_id, code = _finished_evaluation()
    _reopen(code, "implementation")
    steps, answers = _steps(evaluation_id), _answers(evaluation_id)
    _reopen(code, "implementation", reason="再次核查")
    assert (_steps(evaluation_id), _answers(evaluation_id)) == (steps, answers)
    with session_scope() as session:
        assert len(events_for(session=session, evaluation_id=evaluation_id, action="evaluation_reopened")) == 2
        assert len(session.exec(select(StepRecord).where(StepRecord.evaluation_id == evaluation_id)).all()) == sum(
            len(steps) for steps in STEPS.values()
        )  # every step once, none added


@pytest.mark.rule("MH-12")
@pytest.mark.parametrize(
    ("stage", "reason", "actor", "message"),
    [
        ("analysis", REASON, "刘志强", "阶段应为 preparation、implementation、conclusion 之一"),
        ("实施阶段", REASON, "刘志强", "阶段应为"),
        ("", REASON, "刘志强", "阶段应为"),
        ("implementation", "", "刘志强", "须写明原因"),
        ("implementation", "   ", "刘志强", "须写明原因"),
        ("implementation", REASON, " ", "须写明原因"),
    ],
)
def test_reopen_refuses_an_unknown_stage_or_a_blank_reason_and_changes_nothing(
    sample_catalog, stage, reason, actor, message
):
    evaluation_id, code = _finished_evaluation()
    steps, answers = _steps(evaluation_id), _answers(evaluation_id)
    with pytest.raises(StateConflict, match=message):
        _reopen(code, stage, reason=reason, actor=actor)
    assert (_steps(evaluation_id), _answers(evaluation_id)) == (steps, answers)
    with session_scope() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        assert (evaluation.status, evaluation.conclusion) == ("completed", "调整")
        assert events_for(session=session, evaluation_id=evaluation_id, action="evaluation_reopened") == []
        assert [f.status for f in session.exec(select(FollowUp).where(FollowUp.evaluation_id == evaluation_id))] == [
            "open",
            "done",
        ]


@pytest.mark.rule("MH-12", "NX-10")
def test_an_evaluation_decided_against_cannot_be_redone(sample_catalog):
    _, code = _finished_evaluation(status="not_started")
    with pytest.raises(StateConflict, match="已决定不开展"):
        _reopen(code, "implementation")


def test_reopen_of_an_unknown_evaluation_is_not_found(sample_catalog):
    with pytest.raises(NotFound, match="PG-1999-0001 不存在"):
        _reopen("PG-1999-0001", "implementation")
