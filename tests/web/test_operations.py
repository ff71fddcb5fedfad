"""The office's and the administrators' operations in the web app (issue 29): 人员名单导入 (administrators),
档案报备登记 (MH-A10) and 重发签署码 (the office), each recorded as the signed-in person; anyone else gets a 403
page and an audit event, and a bad people file changes nothing."""

from __future__ import annotations

import re

import builders
import pytest
import signin
from builders import session_scope
from sqlmodel import col, func, select

from pinggu.core.settings import SAMPLES_DIR
from pinggu.models.db import read_session
from pinggu.models.decisions import decision_deadlines, start_decision_deadlines
from pinggu.models.tables import AuditEvent, Person, now_beijing
from pinggu.services.signoff import outbox_messages

OFFICE, CLERK = "孙丽（区人民政府办公室）", "赵敏（决策承办单位）"


def _last(action: str) -> AuditEvent:
    with read_session() as session:
        found = session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id).desc())
        ).first()
    assert found is not None, action
    return found


def _people() -> list[tuple[str, str, bool]]:
    with read_session() as session:
        return sorted((p.name, p.unit, p.active) for p in session.exec(select(Person)))


@pytest.fixture(scope="module")
def office(app):
    return signin.signed_in_client(app, "孙丽")


@pytest.fixture(scope="module")
def clerk(app):
    return signin.signed_in_client(app, "赵敏")


@pytest.fixture(scope="module")
def admin(app):
    from pinggu.services.accounts import set_admin

    signin.give_password("张建国")
    set_admin("张建国")
    return signin.signed_in_client(app, "张建国")


def _upload(client, text: str, name: str = "名单.csv"):
    files = {"file": (name, text.encode("utf-8"), "text/csv")}
    return client.post("/people/import", data=signin.guard(client, "/people/import"), files=files)


def test_an_administrator_imports_the_people_file_and_the_counts_and_audit_name_them(admin):
    sample = (SAMPLES_DIR / "people.csv").read_text(encoding="utf-8")
    listed = {tuple(line.split(",")[:2]) for line in sample.splitlines()[1:]}
    # People other tests of the session added are not in the sample: the import deactivates them (the file is
    # the whole register); they are active again at the end, for the tests after this one.
    others = [(name, unit) for name, unit, active in _people() if active and (name, unit) not in listed]
    assert "人员名单导入" in admin.get("/").text  # the header's entry, for administrators
    try:
        added = _upload(admin, sample + "钱新宇,区档案馆,科员,评估单位,,本机发件箱\n")
        assert added.status_code == 200, added.text[-800:]
        # 更新: the sample's people as other tests of the session may have changed them (roles, contact).
        said = re.search(r"已导入人员名单：新增 (\d+) 人，更新 \d+ 人，停用 (\d+) 人", added.text)
        assert said is not None and "导入人 张建国（区人民政府办公室）" in added.text, added.text[-1500:]
        assert (int(said[1]), int(said[2])) == (1, len(others)), (said[0], others)
        event = _last("people_imported")
        assert event.actor == "张建国（区人民政府办公室）" and event.detail["created"] == 1
        back = _upload(admin, sample)  # the sample list again: the newcomer is deactivated, never deleted
        again = re.search(r"新增 (\d+) 人，更新 \d+ 人，停用 (\d+) 人", back.text)
        assert again is not None and (int(again[1]), int(again[2])) == (0, 1), back.text[-1500:]
        assert ("钱新宇", "区档案馆", False) in _people()
    finally:
        _reactivate(others)


def _reactivate(people: list[tuple[str, str]]) -> None:
    from builders import session_scope

    with session_scope() as session:
        for person in session.exec(select(Person)):
            if (person.name, person.unit) in people:
                person.active = True
                session.add(person)


def test_a_bad_people_file_is_refused_whole_and_changes_nothing(admin):
    before = _people()
    bad = _upload(admin, "姓名,单位,职务,角色,联系方式\n张三,办公室,主任,,本机发件箱\n")
    assert bad.status_code == 422
    assert "未导入任何人员" in bad.text and "第 2 行，“角色”列：不能为空" in bad.text
    assert _people() == before
    not_a_table = _upload(admin, "", name="名单.xlsx")
    assert not_a_table.status_code == 422 and _people() == before


def test_only_an_administrator_may_import_people_and_a_refusal_is_audited(office, admin):
    refused = office.get("/people/import")
    assert refused.status_code == 403 and "人员名单只能由管理员导入" in refused.text
    event = _last("access_refused")
    assert (event.actor, event.detail["path"]) == (OFFICE, "/people/import")
    assert "人员名单导入" not in office.get("/").text
    forged = admin.post("/people/import", files={"file": ("名单.csv", b"x", "text/csv")})
    assert forged.status_code == 403 and "页面已过期" in forged.text


@pytest.mark.rule("MH-A10")
def test_the_office_records_the_archive_filed_as_itself(office, clerk):
    today = now_beijing().date()
    with session_scope() as session:
        decision = builders.add_decision(session, "minhang", prefix="ARC", decided_on=today)
        start_decision_deadlines(session=session, decision=decision)
        code = decision.code
    page = office.get(f"/decisions/{code}/archived")
    assert page.status_code == 200 and "报备登记人：孙丽（区人民政府办公室）" in page.text
    future = signin.post(office, f"/decisions/{code}/archived", {"on": "2999-01-01"})
    assert future.status_code == 422 and "2999-01-01" in future.text
    done = signin.post(office, f"/decisions/{code}/archived", {"on": ""})
    assert done.status_code == 200 and f"已登记：决策 {code} 决策档案" in done.text and "按期" in done.text, done.text[
        -600:
    ]
    with read_session() as session:
        (deadline,) = decision_deadlines(session=session, decision_code=code)
    assert (deadline.met_on, deadline.recorded_by) == (today, OFFICE)
    assert _last("decision_deadline_met").actor == OFFICE

    assert clerk.get(f"/decisions/{code}/archived").status_code == 403
    refused = signin.post(clerk, f"/decisions/{code}/archived", {"on": ""}, page="/")
    assert refused.status_code == 403 and _last("access_refused").actor == CLERK


@pytest.mark.rule("MH-A5")
def test_the_office_resends_a_gates_codes_for_one_chosen_person(office, clerk, waiting):
    _, code, _ = waiting
    first = outbox_messages(code, "approval")
    assert [m["to"] for m in first] == ["刘志强"]
    page = office.get(f"/evaluations/{code}/resend")
    assert page.status_code == 200 and "刘志强（人民政府主要负责人）" in page.text
    assert f"/evaluations/{code}/resend" in office.get(f"/evaluations/{code}").text
    again = signin.post(office, f"/evaluations/{code}/resend", {"person": ""})
    assert again.status_code == 200 and "都持有有效签署码，未重发" in again.text
    with read_session() as session:
        chosen = session.exec(select(Person.id).where(Person.name == "刘志强")).one()
        count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    lost = signin.post(office, f"/evaluations/{code}/resend", {"person": str(chosen)})
    assert lost.status_code == 200, lost.text[-600:]
    assert "已作废 刘志强（人民政府） 持有的“" in lost.text and "签署码 1 个" in lost.text
    assert "已向 刘志强 发送" in lost.text and f"办理人 {OFFICE}" in lost.text
    second = outbox_messages(code, "approval")
    assert len(second) == 2 and second[-1]["code"] != first[0]["code"]
    event = _last("signoff_codes_resent")
    assert event.actor == OFFICE and event.detail["sent"] == ["刘志强"] and event.id > count

    nobody = signin.post(office, f"/evaluations/{code}/resend", {"person": "999999"})
    assert nobody.status_code == 422 and "请从可办理人员中选择" in nobody.text
    assert clerk.get(f"/evaluations/{code}/resend").status_code == 403
    assert _last("access_refused").actor == CLERK
