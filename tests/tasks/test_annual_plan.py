"""The annual plan's approval gate (minhang 4: the plan sets each item's 评估时限): the approver may move
an item's due date or take it out of the plan, with a reason; all changes apply together or none does."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import builders
import pytest
from builders import session_scope
from sqlmodel import col, select

from pinggu.forms.gates import AnnualPlanApprovalForm
from pinggu.models.tables import AuditEvent, PlanDecision, PlanEntry, now_beijing
from pinggu.tasks.annual_plan import (
    PlanStanding,
    PlanWaiting,
    plan_gate_status,
    record_plan_answer,
    start_planned_evaluations,
)

YEAR = 2026
TODAY = now_beijing().date()


@pytest.fixture
def plan():
    """A plan of two open items and one started, under a scope of its own; returns (scope, codes)."""
    scope = f"t-{uuid.uuid4().hex[:8]}"
    codes = []
    with session_scope() as session:
        for started in (False, False, True):
            decision = builders.add_decision(session, "minhang")
            session.add(
                PlanEntry(
                    year=YEAR,
                    scope=scope,
                    decision_code=decision.code,
                    type="ordinary",
                    reason="one_year",
                    trigger_date=date(2026, 3, 10),
                    due_date=date(2026, 6, 8),
                    evaluating_unit="区住房保障局（承办业务科室以外的其他科室）",
                    flow_run_id=str(uuid.uuid4()) if started else None,
                )
            )
            codes.append(decision.code)
    return scope, codes


@pytest.fixture(autouse=True)
def sample_people(settings):
    from pinggu.core.settings import SAMPLES_DIR
    from pinggu.people import import_people_file

    import_people_file(SAMPLES_DIR / "people.csv")


def _answer(choice="同意", comment="", changes=()) -> AnnualPlanApprovalForm:
    return AnnualPlanApprovalForm(choice=choice, comment=comment, changes=list(changes))


def _person_id(name: str) -> int:
    from pinggu.models.tables import Person

    with session_scope() as session:
        return session.exec(select(Person).where(Person.name == name)).one().id


def _record(scope: str, key: str, answer: AnnualPlanApprovalForm, signer: str | None = "张建国") -> dict:
    """The answer as the web app gives it: signed for the signed-in person (评估办公室), then judged by the flow."""
    from pinggu.services.signatures import sign_step

    if signer:
        sign_step(key=key, person_id=_person_id(signer), values=answer.model_dump(mode="json"), what="年度评估计划审定")
    return record_plan_answer.fn(YEAR, scope, key, answer)


def _entries(scope: str) -> dict[str, PlanEntry]:
    with session_scope() as session:
        rows = session.exec(select(PlanEntry).where(PlanEntry.scope == scope)).all()
        return {row.decision_code: row for row in rows}


def _changes_audited(scope: str) -> list[dict]:
    with session_scope() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "annual_plan_item_changed").order_by(col(AuditEvent.id))
        ).all()
        return [
            {**event.detail, "decision_code": event.decision_code}
            for event in events
            if event.detail.get("scope") == scope
        ]


@pytest.mark.rule("MH-4")
def test_agreeing_with_changes_moves_one_due_date_and_drops_another(plan):
    scope, (first, second, _) = plan
    new_due = TODAY + timedelta(days=200)
    changes = [
        {"decision": first, "due_date": new_due.isoformat(), "reason": "与区级预算执行评价同步开展"},
        {"decision": second, "drop": True, "reason": "该政策已纳入市级专项评估"},
    ]
    outcome = _record(scope, f"{scope}-1", _answer(changes=changes))
    assert outcome["accepted"] is True

    entries = _entries(scope)
    assert (entries[first].due_date, entries[first].due_date_reason) == (new_due, "与区级预算执行评价同步开展")
    assert (entries[first].dropped_reason, entries[second].dropped_reason) == (None, "该政策已纳入市级专项评估")
    assert entries[second].due_date == date(2026, 6, 8)  # a dropped item keeps its computed date on record
    audited = _changes_audited(scope)
    assert [(a["decision_code"], a["dropped"], a["due_before"], a["due_after"]) for a in audited] == [
        (first, False, "2026-06-08", new_due.isoformat()),
        (second, True, "2026-06-08", None),
    ]
    standing = plan_gate_status.fn(YEAR, scope)
    assert isinstance(standing, PlanStanding) and standing.choice == "同意"


@pytest.mark.rule("MH-4")
def test_all_dropped_starts_nothing_and_says_so(plan):
    scope, (first, second, _) = plan
    changes = [{"decision": code, "drop": True, "reason": "已按其他规定评估"} for code in (first, second)]
    assert _record(scope, f"{scope}-1", _answer(changes=changes))["accepted"]
    # The third item was started before: nothing reaches the Prefect server.
    result = start_planned_evaluations.fn(YEAR, scope)
    assert (result["started"], result["already_started"], result["dropped"]) == (0, 1, 2)


@pytest.mark.rule("MH-4")
@pytest.mark.parametrize(
    ("choice", "comment", "changes", "refusal"),
    [
        (
            "同意",
            "",
            [{"decision": "FIRST", "due_date": "2026-01-31", "reason": "提前完成"}],
            "决策 FIRST 调整后的完成期限 2026-01-31 早于 {today}（触发日与审定日中较晚者），计划中不能列入已逾期的事项",
        ),
        (
            "同意",
            "",
            [{"decision": "STARTED", "drop": True, "reason": "不再评估"}],
            "决策 STARTED 不在本计划尚未启动的事项中，无法调整",
        ),
        (
            "同意",
            "",
            [
                {"decision": "SECOND", "drop": True, "reason": "已评估"},
                {"decision": "FIRST", "reason": "只写了理由"},
            ],
            "决策 FIRST：请填写调整后的完成期限，或选择“不列入计划”",
        ),
        (
            "退回修改",
            "请核对评估单位",
            [{"decision": "FIRST", "drop": True, "reason": "x"}],
            "退回修改时不作逐项调整：请在“说明”中写明需要修改的内容，或选择“同意”并逐项调整",
        ),
        ("退回修改", "  ", [], "退回修改时须在“说明”中写明需要修改的内容"),
    ],
    ids=["a due date already past", "an item already started", "one bad change voids all", "send back", "no reason"],
)
def test_a_refused_answer_changes_nothing_and_the_gate_asks_again_saying_why(plan, choice, comment, changes, refusal):
    scope, (first, second, started) = plan
    names = {"FIRST": first, "SECOND": second, "STARTED": started}
    changes = [{**change, "decision": names[change["decision"]]} for change in changes]
    refusal = refusal.format(today=now_beijing().date().isoformat()).replace("FIRST", first).replace("STARTED", started)
    before = _entries(scope)

    outcome = _record(scope, f"{scope}-1", _answer(choice, comment, changes))

    assert (outcome["accepted"], outcome["refused"]) == (False, refusal)
    assert _entries(scope) == before and _changes_audited(scope) == []
    with session_scope() as session:
        stored = session.exec(select(PlanDecision).where(PlanDecision.scope == scope)).one()
        assert stored.refused == refusal
    status = plan_gate_status.fn(YEAR, scope)
    assert isinstance(status, PlanWaiting)
    assert status.key == f"annual-plan-{YEAR}-{scope}-2" and refusal in status.description


@pytest.mark.rule("MH-4")
def test_an_answer_recorded_before_a_lost_reply_is_not_recorded_twice(plan):
    scope, (first, _, _) = plan
    change = [{"decision": first, "due_date": (TODAY + timedelta(days=30)).isoformat(), "reason": "r"}]
    for _ in range(2):  # the task retried after its commit
        _record(scope, f"{scope}-1", _answer(changes=change))
    assert len(_changes_audited(scope)) == 1


@pytest.mark.rule("MH-4")
def test_an_unsigned_answer_or_one_signed_by_someone_not_entitled_is_refused_and_the_signer_is_recorded(plan):
    scope, _ = plan
    unsigned = _record(scope, f"{scope}-1", _answer(), signer=None)
    assert unsigned["accepted"] is False
    assert unsigned["refused"].startswith("年度评估计划须由评估办公室的人员登录网页办理后审定（")
    clerk = _record(scope, f"{scope}-2", _answer(), signer="赵敏")
    assert clerk["refused"] == "赵敏 不是评估办公室的人员，不能审定年度评估计划"
    changed = _answer()
    from pinggu.services.signatures import sign_step

    sign_step(key=f"{scope}-3", person_id=_person_id("张建国"), values=changed.model_dump(mode="json"), what="审定")
    tampered = _answer(choice="退回修改", comment="改了")  # not what was signed
    assert record_plan_answer.fn(YEAR, scope, f"{scope}-3", tampered)["accepted"] is False
    assert _record(scope, f"{scope}-4", _answer())["accepted"] is True
    with session_scope() as session:
        answers = session.exec(select(PlanDecision).where(PlanDecision.scope == scope).order_by(col(PlanDecision.id)))
        recorded = [(a.approver, a.approver_role, a.refused is None) for a in answers]
    assert recorded == [
        ("（未经本人签署）", "—", False),
        ("赵敏", "决策承办单位科员", False),
        ("（未经本人签署）", "—", False),
        ("张建国", "区人民政府办公室主任", True),
    ]
