"""The decision body's decision on a decision after its evaluation (MH-2: minhang 2(3); models/decisions.py).

MH-2 applies where the profile says so (safeguards.outcome_needs_evaluation: minhang only). Runs on
the test home's database with the sample catalog imported; each MH-2 test makes its own minhang
decision, so no other test's evaluations count.
"""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from sqlmodel import select

from pinggu.core.errors import NotFound, RuleViolation, StateConflict
from pinggu.models.decisions import record_outcome
from pinggu.models.evaluations import create_evaluation, get_decision
from pinggu.models.tables import AuditEvent, DecisionOutcome, Evaluation, now_beijing

DECIDED_ON = date(2026, 11, 20)


def _decision(profile: str = "minhang") -> str:
    """A new decision under `profile` that no other test touches; returns its code."""
    with session_scope() as session:
        return builders.add_decision(session, profile, prefix="MH2").code


def _evaluate(decision_code: str, status: str, type: str = "ordinary") -> str:
    """Open an evaluation of the decision and put it in `status`; returns its code."""
    with session_scope() as session:
        evaluation = create_evaluation(
            session=session,
            decision=get_decision(session=session, code=decision_code),
            type=type,
            scope="whole",
            scope_parts=[],
            methods=["问卷调查"],
            stage_targets={},
            flow_run_id=None,
        )
        evaluation.status = status
        evaluation.completed_at = now_beijing() if status == "completed" else None
        session.add(evaluation)
        return evaluation.code


def _decide(decision_code: str, outcome: str = "继续执行", **overrides) -> DecisionOutcome:
    arguments = dict(decided_by="刘志强", decided_by_role="区长", decided_on=DECIDED_ON, note="")
    arguments.update(overrides)
    with session_scope() as session:
        return record_outcome(session=session, decision_code=decision_code, outcome=outcome, **arguments)


def _outcomes(decision_code: str) -> list[DecisionOutcome]:
    with session_scope() as session:
        return list(session.exec(select(DecisionOutcome).where(DecisionOutcome.decision_code == decision_code)))


def _refused_for_mh2(decision_code: str) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        _decide(decision_code, "终止执行")
    assert refused.value.rule == "MH-2" and refused.value.context["decision"] == decision_code
    assert "不能作出继续执行、调整、中止执行或终止执行的决定" in str(refused.value)
    assert _outcomes(decision_code) == []  # nothing written
    return refused.value


@pytest.mark.rule("MH-2")
def test_no_decision_without_any_evaluation_then_once_it_is_completed(sample_catalog):
    code = _decision()
    refused = _refused_for_mh2(code)
    assert "尚无已完成的后评估" in str(refused)

    evaluation_code = _evaluate(code, "completed", type="ningxia_90day")
    entry = _decide(code, "调整", decided_by=" 马厅长 ", decided_by_role=" 厅长 ", note=" 按评估建议调整 ")
    assert (entry.outcome, entry.evaluation_code, entry.decided_on) == ("调整", evaluation_code, DECIDED_ON)
    assert (entry.decided_by, entry.decided_by_role, entry.note) == ("马厅长", "厅长", "按评估建议调整")
    assert [o.outcome for o in _outcomes(code)] == ["调整"]
    with session_scope() as session:
        audited = session.exec(
            select(AuditEvent).where(AuditEvent.action == "decision_outcome_recorded", AuditEvent.decision_code == code)
        ).all()
    assert len(audited) == 1
    assert audited[0].actor == "马厅长（厅长）"
    assert audited[0].detail["rule"] == "MH-2" and audited[0].detail["evaluation"] == evaluation_code


@pytest.mark.rule("MH-2")
@pytest.mark.parametrize("status", ["running", "waiting", "reopened", "failed"])
def test_no_decision_while_the_evaluation_is_unfinished(sample_catalog, status):
    code = _decision()
    evaluation_code = _evaluate(code, status)
    try:
        refused = _refused_for_mh2(code)
        assert f"评估 {evaluation_code} 尚未完成" in str(refused)
    finally:
        with session_scope() as session:  # the next parameter starts from a finished evaluation
            evaluation = session.exec(select(Evaluation).where(Evaluation.code == evaluation_code)).one()
            evaluation.status, evaluation.completed_at = "completed", now_beijing()
            session.add(evaluation)


@pytest.mark.rule("MH-2")
def test_a_later_unfinished_evaluation_blocks_the_decision_until_it_completes(sample_catalog):
    code = _decision()
    first = _evaluate(code, "completed")
    assert _decide(code).evaluation_code == first
    second = _evaluate(code, "running")  # e.g. a redo after new complaints
    with pytest.raises(RuleViolation) as refused:
        _decide(code, "中止执行")
    assert refused.value.rule == "MH-2" and f"评估 {second} 尚未完成" in str(refused.value)
    with session_scope() as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.code == second)).one()
        evaluation.status, evaluation.completed_at = "completed", now_beijing()
        session.add(evaluation)
    assert _decide(code, "中止执行").evaluation_code == second  # the latest completed evaluation is the basis
    assert [(o.outcome, o.evaluation_code) for o in _outcomes(code)] == [("继续执行", first), ("中止执行", second)]


@pytest.mark.rule("MH-2", "NX-10")
def test_an_evaluation_the_body_decided_not_to_carry_out_does_not_count(sample_catalog):
    code = _decision()
    _evaluate(code, "not_started")
    refused = _refused_for_mh2(code)
    assert "尚无已完成的后评估" in str(refused)
    # A completed evaluation counts; one decided against afterwards neither blocks nor becomes the basis.
    completed = _evaluate(code, "completed")
    _evaluate(code, "not_started")
    assert _decide(code, "继续执行").evaluation_code == completed


@pytest.mark.rule("C-CONCLUSION")
@pytest.mark.parametrize("outcome", ["暂停", "", "continue", "继续"])
def test_an_outcome_that_is_not_a_conclusion_is_refused(sample_catalog, outcome):
    with pytest.raises(StateConflict) as refused:
        _decide("S-2024-027", outcome)
    assert "继续执行、调整、中止执行、终止执行" in str(refused.value)
    assert _outcomes("S-2024-027") == []


@pytest.mark.parametrize(("by", "role"), [("", "区长"), ("刘志强", "  ")])
def test_who_decided_must_be_named(sample_catalog, by, role):
    with pytest.raises(StateConflict, match="作出决定的人员"):
        _decide("S-2024-027", decided_by=by, decided_by_role=role)


def test_an_unknown_decision_is_not_found(sample_catalog):
    with pytest.raises(NotFound, match="S-1999-999 不存在"):
        _decide("S-1999-999")


@pytest.mark.rule("MH-2")
def test_a_refusal_leaves_no_audit_trace(sample_catalog):
    code = _decision()
    with session_scope() as session:
        before = session.exec(select(AuditEvent).where(AuditEvent.decision_code == code)).all()
    with pytest.raises(RuleViolation):
        _decide(code)
    with session_scope() as session:
        after = session.exec(select(AuditEvent).where(AuditEvent.decision_code == code)).all()
    assert len(after) == len(before)


@pytest.mark.rule("MH-2")
def test_the_refusal_cites_minhang_2(sample_catalog):
    refusal = _refused_for_mh2(_decision())
    assert "《闵行区人民政府重大行政决策后评估程序实施细则》第二条第三款" in str(refusal)


@pytest.mark.rule("MH-2")
@pytest.mark.parametrize("profile", ["bazhou", "ordos", "ningxia_commerce", "changli"])
def test_where_the_regulation_does_not_require_the_evaluation_the_outcome_is_recorded(sample_catalog, profile):
    code = _decision(profile)
    entry = _decide(code, "调整")
    assert (entry.outcome, entry.evaluation_code) == ("调整", None)
    assert [o.outcome for o in _outcomes(code)] == ["调整"]
