"""Sign-off codes (models/people.py): who may answer a gate, and why an answer's code is refused.

MH-A5 (minhang 档案 5): every step recorded truly — the person recorded as answering is the holder of
a code sent to them, never a name typed into a form.
"""

from __future__ import annotations

from datetime import timedelta

import builders
import pytest
from builders import session_scope

from pinggu.core.errors import SignoffRefused
from pinggu.models import people
from pinggu.models.audit import events_for
from pinggu.models.db import build_engine
from pinggu.models.tables import SignoffCode
from pinggu.rules.people import LOCAL_OUTBOX, PersonSpec

pytestmark = pytest.mark.rule("MH-A5")

APPROVER = PersonSpec("刘志强", "市人民政府", "市长", ("决策机关",), (), LOCAL_OUTBOX)
DEPUTY = PersonSpec("孙副", "市人民政府", "副市长", ("决策机关",), ("bazhou",), LOCAL_OUTBOX)
ELSEWHERE = PersonSpec("钱某", "县政府", "县长", ("决策机关",), ("changli",), LOCAL_OUTBOX)
CLERK = PersonSpec("赵敏", "承办单位", "科员", ("评估单位", "评估小组"), (), LOCAL_OUTBOX)
ACTOR = "决策机关（市政府）"  # bazhou's approval gate


@pytest.fixture
def session(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path}/people.db")
    with session_scope(engine) as session:
        people.import_people(session=session, people=[APPROVER, DEPUTY, ELSEWHERE, CLERK], source="people.csv")
        yield session
    engine.dispose()


def _issue(session, evaluation):
    return people.issue_codes(
        session=session, evaluation=evaluation, gate="approval", profile="bazhou", actor=ACTOR, lifetime_days=30
    )


def test_codes_go_to_the_entitled_people_of_the_jurisdiction_once(session):
    evaluation = builders.add_evaluation(session)
    issued = _issue(session, evaluation)
    assert sorted(person.name for person, _ in issued) == ["刘志强", "孙副"]  # not 钱某 (changli), not 赵敏
    assert all(len(code) == 8 and set(code) <= set(people.CODE_ALPHABET) for _, code in issued)
    assert _issue(session, evaluation) == []  # asked again: everyone holds a live code
    stored = session.exec(SignoffCode.__table__.select()).all()
    assert {row.code_hash for row in stored} == {
        people.code_hash(evaluation.code, "approval", code) for _, code in issued
    }  # only hashes are kept
    assert len(events_for(session=session, evaluation_id=evaluation.id, action="signoff_code_issued")) == 2


def test_the_holder_of_a_code_is_the_signer_with_the_role_from_the_people_file(session):
    evaluation = builders.add_evaluation(session)
    code = dict((p.name, c) for p, c in _issue(session, evaluation))["刘志强"]
    signer = people.signer_of(
        session=session, evaluation=evaluation, gate="approval", code=code.lower()[:4] + "-" + code[4:]
    )
    assert (signer.name, signer.role, signer.override) == ("刘志强", "市人民政府市长", False)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "缺少签署码：请填写办理通知中发给您本人的一次性签署码"),
        ("ABCD2345", "签署码不正确：它不是本评估本环节发出的签署码"),
    ],
)
def test_a_missing_or_made_up_code_is_refused(session, code, message):
    evaluation = builders.add_evaluation(session)
    _issue(session, evaluation)
    with pytest.raises(SignoffRefused) as refused:
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code)
    assert refused.value.message == message


def test_a_code_is_worth_nothing_at_another_gate_or_evaluation(session):
    evaluation, other = builders.add_evaluation(session), builders.add_evaluation(session)
    code = _issue(session, evaluation)[0][1]
    for where, gate in ((evaluation, "plan_approval"), (other, "approval")):
        with pytest.raises(SignoffRefused, match="签署码不正确"):
            people.signer_of(session=session, evaluation=where, gate=gate, code=code)


def test_a_used_code_is_refused_and_the_others_of_the_gate_are_closed(session):
    evaluation = builders.add_evaluation(session)
    codes = dict((p.name, c) for p, c in _issue(session, evaluation))
    signer = people.signer_of(session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"])
    people.use_code(session=session, signer=signer, evaluation_id=evaluation.id, gate="approval")
    with pytest.raises(SignoffRefused, match="签署码已使用过：每个签署码只能使用一次"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"])
    with pytest.raises(SignoffRefused, match="签署码已失效：本环节已办理，或此签署码已被作废重发"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=codes["孙副"])
    assert sorted(p.name for p, _ in _issue(session, evaluation)) == ["刘志强", "孙副"]  # the gate asked again


def test_an_expired_code_is_refused_and_a_new_one_can_be_sent(session):
    evaluation = builders.add_evaluation(session)
    code = dict((p.name, c) for p, c in _issue(session, evaluation))["刘志强"]
    for row in session.exec(SignoffCode.__table__.select()).all():
        stored = session.get(SignoffCode, row.id)
        stored.expires_at = stored.issued_at - timedelta(seconds=1)
        session.add(stored)
    session.flush()
    with pytest.raises(SignoffRefused, match="签署码已过期：请联系评估办公室重新发送"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code)
    assert len(_issue(session, evaluation)) == 2


def test_a_typed_name_must_be_the_holders_and_a_removed_person_cannot_sign(session):
    evaluation = builders.add_evaluation(session)
    code = dict((p.name, c) for p, c in _issue(session, evaluation))["刘志强"]
    with pytest.raises(SignoffRefused) as refused:
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code, typed_name="孙副")
    assert refused.value.message == "签署码属于 刘志强，与填写的姓名 孙副 不一致"
    assert people.import_people(session=session, people=[DEPUTY, CLERK], source="new.csv") == (0, 0, 2)
    with pytest.raises(SignoffRefused, match="刘志强 已不在人员名单中，不能办理"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code)


def test_an_administrators_override_needs_a_name_and_a_reason_and_is_audited(session):
    evaluation = builders.add_evaluation(session)
    with pytest.raises(SignoffRefused, match="须写明代办人姓名"):
        people.override_code(session=session, evaluation=evaluation, gate="approval", by="王管理", reason=" ")
    code = people.override_code(
        session=session, evaluation=evaluation, gate="approval", by="王管理", reason="市长出差，经市政府授权代为录入"
    )
    signer = people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code)
    assert (signer.name, signer.role, signer.override) == ("王管理", "管理员代办", True)
    (event,) = events_for(session=session, evaluation_id=evaluation.id, action="signoff_override")
    assert event.actor == "王管理" and event.detail["reason"] == "市长出差，经市政府授权代为录入"


def test_reimporting_the_same_file_changes_nothing(session):
    assert people.import_people(session=session, people=[APPROVER, DEPUTY, ELSEWHERE, CLERK], source="x") == (0, 0, 0)
    changed = PersonSpec("赵敏", "承办单位", "副科长", ("评估单位",), (), LOCAL_OUTBOX)
    assert people.import_people(session=session, people=[APPROVER, DEPUTY, ELSEWHERE, changed], source="x") == (0, 1, 0)


def test_a_lost_code_is_withdrawn_and_a_new_one_sent_to_that_person_only(session):
    evaluation = builders.add_evaluation(session)
    codes = dict((p.name, c) for p, c in _issue(session, evaluation))
    assert people.withdraw_codes(session=session, evaluation=evaluation, gate="approval", person_name="刘志强") == 1
    with pytest.raises(SignoffRefused, match="签署码已失效"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"])
    assert [p.name for p, _ in _issue(session, evaluation)] == ["刘志强"]  # 孙副 keeps the one she has
    with pytest.raises(SignoffRefused, match="人员名单中没有 无名氏"):
        people.withdraw_codes(session=session, evaluation=evaluation, gate="approval", person_name="无名氏")


def _give_account(session, name: str) -> int:
    from sqlmodel import select

    from pinggu.models.tables import Account, Person

    person = session.exec(select(Person).where(Person.name == name)).one()
    session.add(Account(person_id=person.id, password_hash="$argon2id$stand-in"))
    session.flush()
    return person.id


def test_someone_who_signs_in_gets_a_notice_not_a_code_and_a_code_sent_before_is_refused(session):
    evaluation = builders.add_evaluation(session)
    before = dict((p.name, c) for p, c in _issue(session, evaluation))["刘志强"]
    _give_account(session, "刘志强")
    with pytest.raises(SignoffRefused, match="此签署码的持有人已开通个人账户，请本人登录网页办理"):
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=before)
    other = builders.add_evaluation(session)
    issued = dict((p.name, c) for p, c in _issue(session, other))
    assert issued["刘志强"] == "" and len(issued["孙副"]) == 8  # a notice to sign in; a code to someone without
    (notice,) = events_for(session=session, evaluation_id=other.id, action="signin_notice_sent")
    assert notice.detail["person"] == "刘志强（市人民政府）"


def test_a_session_code_is_made_only_for_someone_entitled_and_names_them_as_signed_in(session):
    from pinggu.models.tables import Person

    evaluation = builders.add_evaluation(session)
    approver = session.get(Person, _give_account(session, "刘志强"))
    clerk = session.get(Person, _give_account(session, "赵敏"))
    code = people.session_code(
        session=session, evaluation=evaluation, gate="approval", person=approver, profile="bazhou", actor=ACTOR,
        second_factor=False,
    )  # fmt: skip
    signer = people.signer_of(session=session, evaluation=evaluation, gate="approval", code=code)
    assert (signer.name, signer.signed_in, signer.second_factor) == ("刘志强", True, False)
    with pytest.raises(SignoffRefused, match="赵敏 不在可办理“决策机关（市政府）”环节的人员之列"):
        people.session_code(
            session=session, evaluation=evaluation, gate="approval", person=clerk, profile="bazhou", actor=ACTOR,
            second_factor=False,
        )  # fmt: skip


def test_a_second_factor_code_counts_only_for_the_signed_in_person_it_was_sent_to(session):
    evaluation = builders.add_evaluation(session)
    approver = _give_account(session, "刘志强")
    deputy = _give_account(session, "孙副")
    codes = dict(
        (p.name, c)
        for p, c in people.issue_codes(
            session=session, evaluation=evaluation, gate="approval", profile="bazhou", actor=ACTOR, lifetime_days=30,
            second_factor=True,
        )
    )  # fmt: skip
    assert len(codes["刘志强"]) == 8  # sent although he signs in: the gate asks for both
    mine = people.signer_of(
        session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"], for_person=approver
    )
    assert mine.name == "刘志强"
    with pytest.raises(SignoffRefused, match="签署码不属于当前登录的人员"):
        people.signer_of(
            session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"], for_person=deputy
        )
    with pytest.raises(SignoffRefused, match="请本人登录网页办理"):  # the same code typed elsewhere, without a session
        people.signer_of(session=session, evaluation=evaluation, gate="approval", code=codes["刘志强"])


def test_login_names_come_from_the_file_or_are_derived_once_and_kept(session):
    from sqlmodel import select

    from pinggu.models.tables import Person

    logins = {p.name: p.login for p in session.exec(select(Person))}
    assert logins == {"刘志强": "liuzhiqiang", "孙副": "sunfu", "钱某": "qianmou", "赵敏": "zhaomin"}
    renamed = PersonSpec("赵敏", "承办单位", "科员", ("评估单位",), (), LOCAL_OUTBOX, login="zhao.min")
    namesake = PersonSpec("刘志强", "县政府", "县长", ("决策机关",), (), LOCAL_OUTBOX)
    people.import_people(session=session, people=[APPROVER, namesake, renamed], source="people.csv")
    logins = {(p.name, p.unit): p.login for p in session.exec(select(Person))}
    assert logins[("赵敏", "承办单位")] == "zhao.min"  # the file's 登录名
    assert logins[("刘志强", "市人民政府")] == "liuzhiqiang"  # kept
    assert logins[("刘志强", "县政府")] == "liuzhiqiang2"  # a namesake numbered
    assert logins[("孙副", "市人民政府")] == "sunfu"  # removed from the file: kept, deactivated
