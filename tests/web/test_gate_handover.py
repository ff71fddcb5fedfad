"""转办 of an evaluation's gate (issue 29: services/gate_handover.py over services/handover.py) through the web app,
without a Prefect server (the run's resume is played by the flow's own judge): the holder hands changli's 方案审定
to a colleague of the same unit who lacks the role; the colleague gets the notice and alone may answer — the former
holder is refused in the web and by the judge — and the judge records the colleague's answer; the 待办, the
reminders and the page follow the holder; an administrator reassigns; a handover to someone not entitled, or by
someone not holding the gate, is refused."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import builders
import pytest
import signin
from builders import session_scope
from driving import add_person
from sqlmodel import select

from pinggu.core.errors import SignoffRefused
from pinggu.forms.gates import GATE_FORMS
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Approval, AuditEvent, Person, SignoffCode
from pinggu.services import handover
from pinggu.services.signoff import outbox_messages

GATE = "plan_approval"  # changli: 承担评估具体工作的单位负责人 (张建国, 区人民政府办公室)


def _with_login(name: str, unit: str, *roles: str) -> int:
    """A person of the people file who can sign in (a login name derived from the name)."""
    from pinggu.rules.access import derive_login

    person_id = add_person(name, unit, *roles)

    def ensure(session) -> None:
        person = session.get(Person, person_id)
        if not person.login:
            person.login = derive_login(name, {p.login for p in session.exec(select(Person)) if p.login})
            session.add(person)

    transaction(ensure)
    return person_id


@pytest.fixture
def plan_waiting(monkeypatch):
    """A changli evaluation whose run waits at 方案审定: (evaluation id, code, the pause key, attempt)."""
    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "changli", prefix="HAND", flow_run_id=str(uuid.uuid4()))
        evaluation_id, code = evaluation.id, evaluation.code
    waiting = gate_status.fn(evaluation_id, GATE)
    return evaluation_id, code, waiting.key, waiting.attempt


def _play_the_run(monkeypatch, evaluation_id: int, key: str, attempt: int) -> list[str]:
    """The run as the web app sees it: waiting at the gate; an answer resumes it and the flow's own judge records
    it (pinggu.services.evaluation.gates.judge_answer, committed). The names the judge recorded."""
    import pinggu.services.orchestration as orchestration
    from pinggu.services.evaluation.gates import judge_answer

    recorded: list[str] = []

    def resume(run_id, gate, run_input) -> str:
        answer = GATE_FORMS[gate].model_validate(run_input)  # the form the run resumes with
        recorded.append(judge_answer(evaluation_id, gate, attempt, key, answer, str(run_id)).approver)
        return key

    run = SimpleNamespace(state=SimpleNamespace(state_details=SimpleNamespace(pause_key=key)))
    monkeypatch.setattr(orchestration, "read_flow_run", lambda run_id: run)
    monkeypatch.setattr(orchestration, "paused_at", lambda flow_run: GATE)
    monkeypatch.setattr(orchestration, "answer_gate", resume)
    monkeypatch.setattr(
        orchestration, "outcome_of", lambda code, key, timeout=0: orchestration.AnswerOutcome(accepted=True, key=key)
    )
    return recorded


def test_the_holder_hands_a_gate_to_a_colleague_who_alone_answers_it(app, plan_waiting, monkeypatch):
    from pinggu.services.evaluation.gates import judge_answer
    from pinggu.services.reminders import holders

    evaluation_id, code, key, attempt = plan_waiting
    page = f"/evaluations/{code}/gates/{GATE}"
    colleague = _with_login("钱卫东", "区人民政府办公室")  # 张建国's colleague, without the role
    outsider = add_person("孔繁星", "县交通运输局")
    holder = signin.signed_in_client(app, "张建国")
    taker = signin.signed_in_client(app, "钱卫东")
    shown = holder.get(page).text
    assert f'action="/evaluations/{code}/gates/plan_approval/handover"' in shown
    assert f'<option value="{colleague}">钱卫东（区人民政府办公室，科员）</option>' in shown
    assert "孔繁星" not in shown

    refused = signin.post(holder, f"{page}/handover", {"to_person": str(outsider), "reason": "出差"}, page=page)
    assert refused.status_code == 422 and "孔繁星（县交通运输局）不是可办理此环节的人员或本单位同事" in refused.text
    handed = signin.post(holder, f"{page}/handover", {"to_person": str(colleague), "reason": "本人出差"}, page=page)
    assert handed.status_code == 200 and "由 张建国（区人民政府办公室） 转交 钱卫东（区人民政府办公室）" in handed.text

    ref = handover.gate_ref(code, GATE)
    notice = [m for m in outbox_messages() if m.get("ref") == ref]
    assert [m["to"] for m in notice] == ["钱卫东"] and "转交您办理（理由：本人出差）" in notice[0]["text"]
    with read_session() as session:  # what was sent to others for this gate no longer serves
        live = [c for c in session.exec(select(SignoffCode).where(SignoffCode.evaluation_id == evaluation_id))]
        assert all(c.closed for c in live if c.person_id != colleague)
        reminded = SimpleNamespace(kind="gate", evaluation_code=code, ref=f"{code}/gate/{GATE}")
        assert [p.id for p in holders(session, reminded, None)] == [colleague]  # the watch's 催办 follows it too

    assert code in taker.get("/").text and code not in holder.get("/").text  # the 待办 follows the holder
    assert "本环节已转办给 钱卫东（区人民政府办公室），由其本人办理" in holder.get(page).text
    answered = signin.post(holder, page, {"choice": "同意"})
    assert answered.status_code == 422 and "已转办给 钱卫东（区人民政府办公室），由其本人办理" in answered.text
    again = signin.post(holder, f"{page}/handover", {"to_person": str(colleague), "reason": "再转"}, page=page)
    assert again.status_code == 403 and "不能转办“" in again.text
    with read_session() as session:
        assert session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first().action == "access_refused"

    # A code made for the former holder as the handover happened (his answer in flight): the flow's judge refuses it.
    from pinggu.models import evaluations as store
    from pinggu.models import people

    def issue(session):
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        former = session.exec(select(Person).where(Person.name == "张建国")).one()
        return people.session_code(
            session=session, evaluation=evaluation, gate=GATE, person=former, profile="changli",
            actor="承担评估具体工作的单位负责人", second_factor=False,
        )  # fmt: skip

    stray = transaction(issue)
    with pytest.raises(SignoffRefused, match="已转办给 钱卫东（区人民政府办公室），由其本人办理"):
        answer = GATE_FORMS[GATE].model_validate({"choice": "同意", "code": stray})
        judge_answer(evaluation_id, GATE, attempt, key, answer, None, commit=False)

    recorded = _play_the_run(monkeypatch, evaluation_id, key, attempt)
    mine = taker.get(page).text
    assert "张建国（区人民政府办公室）：张建国（区人民政府办公室） → 钱卫东（区人民政府办公室）（本人出差）" in mine
    assert "本环节现由 <strong>钱卫东（区人民政府办公室）</strong>办理" in mine and 'name="choice"' in mine
    accepted = signin.post(taker, page, {"choice": "同意"})
    assert accepted.status_code == 200 and "已受理" in accepted.text, accepted.text[-800:]
    assert recorded == ["钱卫东"]
    with read_session() as session:
        approval = session.exec(select(Approval).where(Approval.evaluation_id == evaluation_id)).one()
    assert approval.approver == "钱卫东" and approval.approver_role.startswith("区人民政府办公室")


def test_an_administrator_reassigns_and_someone_not_holding_the_gate_is_refused(app, plan_waiting):
    from pinggu.services.accounts import set_admin

    _, code, _, _ = plan_waiting
    page = f"/evaluations/{code}/gates/{GATE}"
    colleague = _with_login("钱卫东", "区人民政府办公室")
    admin_id = _with_login("吴海燕", "县政务服务数据管理局")
    with read_session() as session:
        zhang = session.exec(select(Person).where(Person.name == "张建国")).one().id
    holder = signin.signed_in_client(app, "张建国")
    handed = signin.post(holder, f"{page}/handover", {"to_person": str(colleague), "reason": "本人出差"}, page=page)
    assert handed.status_code == 200

    clerk = signin.signed_in_client(app, "赵敏")  # 评估单位: sees the evaluation, does not hold the gate
    refused = signin.post(clerk, f"{page}/handover", {"to_person": str(zhang), "reason": "代转"}, page=page)
    assert refused.status_code == 403 and "您（赵敏，决策承办单位）不能转办“" in refused.text

    signin.give_password("吴海燕")
    set_admin("吴海燕")
    admin = signin.signed_in_client(app, "吴海燕")
    assert admin_id and "管理员改派" in admin.get(page).text
    back = signin.post(admin, f"{page}/handover", {"to_person": str(zhang), "reason": "改派回原承办人"}, page=page)
    assert back.status_code == 200 and "由 钱卫东（区人民政府办公室） 转交 张建国（区人民政府办公室）" in back.text
    with read_session() as session:
        shown = handover.history(session, handover.gate_ref(code, GATE))
    assert [(h.to_name, h.by_name) for h in shown] == [
        ("钱卫东（区人民政府办公室）", "张建国（区人民政府办公室）"),
        ("张建国（区人民政府办公室）", "吴海燕（县政务服务数据管理局）"),
    ]
    assert "本环节现由 <strong>张建国（区人民政府办公室）</strong>办理" in holder.get(page).text
