"""Personal sign-in and the guards of every request (issue 28), through the web app without a browser:
who sees which 待办 tab and document, CSRF and cross-site POSTs, security headers, escaping of every
free-text field, the request-size cap, rate limits writing one audit event per burst, the idle timeout,
logout, and a double submission. The browser tests are in tests/web/test_signin_browser.py."""

from __future__ import annotations

import time

import pytest
import signin
from fastapi.testclient import TestClient
from sqlmodel import col, select

from pinggu.models.db import read_session
from pinggu.models.tables import AuditEvent

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']


def _events(action: str) -> list[AuditEvent]:
    with read_session() as session:
        # In the order they were recorded: without ORDER BY, PostgreSQL may return them in any order.
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def test_each_person_sees_their_own_todo_and_the_office_sees_every_tab(app, waiting):
    _, code, _ = waiting
    body = signin.signed_in_client(app, "刘志强")
    clerk = signin.signed_in_client(app, "赵敏")
    office = signin.signed_in_client(app, "张建国")
    assert code in body.get("/").text  # 决策机关 answers the approval
    assert code not in clerk.get("/").text  # 赵敏 does not
    assert 'href="/?tab=all"' not in clerk.get("/").text and code not in clerk.get("/?tab=all").text
    assert code in office.get("/?tab=all").text and code in office.get("/?tab=overdue").text
    assert code not in office.get("/?tab=soon").text  # overdue, not coming up


def test_an_outsider_is_refused_a_document_by_url_with_a_chinese_403_and_an_audit_event(app, waiting):
    _, _, (pdf_id, _) = waiting
    outsider = signin.signed_in_client(app, "高峰")  # 决策承办单位: no part in this evaluation
    refused = outsider.get(f"/documents/{pdf_id}")
    assert refused.status_code == 403 and "您（高峰，决策承办单位）无权查看文件“评估报告（送审稿）”" in refused.text
    assert _events("access_refused")[-1].actor == "高峰（决策承办单位）"
    body = signin.signed_in_client(app, "刘志强")
    assert body.get(f"/documents/{pdf_id}").status_code == 200
    opened = _events("document_opened")[-1]
    assert opened.actor == "刘志强" and opened.detail["title"] == "评估报告（送审稿）"


def test_someone_without_an_account_opens_the_gate_and_its_documents_with_their_code(app, waiting):
    import re

    from builders import session_scope

    from pinggu.models import evaluations as store
    from pinggu.models import people
    from pinggu.models.tables import Account, Person

    evaluation_id, code, (pdf_id, _) = waiting
    with session_scope() as session:  # 刘志强 as someone without an account (an outside expert's case)
        person = session.exec(select(Person).where(Person.name == "刘志强")).one()
        account = session.get(Account, person.id)
        if account is not None:
            session.delete(account)
    with session_scope() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        people.withdraw_codes(session=session, evaluation=evaluation, gate="approval", person_name="刘志强")
        issued = people.issue_codes(
            session=session, evaluation=evaluation, gate="approval", profile="bazhou", actor="决策机关（市政府）",
            lifetime_days=30,
        )  # fmt: skip
    plain = next(c for p, c in issued if c)
    expert = TestClient(app)
    gate = f"/evaluations/{code}/gates/approval"
    assert expert.get(f"/documents/{pdf_id}", follow_redirects=False).status_code == 303  # not yet
    opened = signin.post(expert, f"{gate}/unlock", {"code": plain}, page=gate)
    assert opened.status_code == 200 and f"/documents/{pdf_id}" in opened.text
    assert re.search(r'name="code"', opened.text)  # the answer is still signed with the code
    assert expert.get(f"/documents/{pdf_id}").status_code == 200


def test_a_post_without_the_token_or_from_another_site_is_refused(app, waiting):
    _, code, _ = waiting
    body = signin.signed_in_client(app, "刘志强")
    gate = f"/evaluations/{code}/gates/approval"
    forged = body.post(gate, data={"choice": "通过"})
    assert forged.status_code == 403 and "页面已过期或不是从本系统打开的" in forged.text
    cross = body.post(gate, data={**signin.guard(body, gate), "choice": "通过"}, headers={"Origin": "http://evil.test"})
    assert cross.status_code == 403 and "请求来自其他网站，已拒绝" in cross.text
    fetched = body.post(
        "/tracking/opinions", data={**signin.guard(body, gate)}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetched.status_code == 403
    logout = body.post("/logout", data={}, follow_redirects=False)
    assert logout.status_code == 403  # even logging someone out takes the token


def test_every_page_carries_the_security_headers(app):
    page = TestClient(app).get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin" and page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_in_every_free_text_field_comes_back_escaped(app, waiting, hostile):
    from pinggu.models import evaluations as store

    evaluation_id, _, _ = waiting
    with read_session() as session:
        code = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id).decision_code
    office = signin.signed_in_client(app, "张建国")
    login_page = signin.post(TestClient(app), "/login", {"login": hostile, "password": "x"}, page="/login")
    opinion = signin.post(
        office,
        "/tracking/opinions",
        {"code": hostile, "channel": hostile, "summary": hostile},
        page="/tracking/opinions",
    )
    plan = signin.post(office, f"/tracking/plans/{code}", {"body": hostile}, page=f"/tracking/plans/{code}")
    for response in (login_page, opinion, plan, office.get(f"/tracking/opinions?code={hostile}")):
        assert hostile not in response.text and "<script>alert" not in response.text
        assert "onerror=alert(2)>" not in response.text or "&#34;&gt;&lt;img" in response.text


def test_a_body_over_the_cap_is_refused_before_it_is_read(app):
    client = TestClient(app)
    declared = client.post("/login", content=b"x" * 10, headers={"content-length": str(30 * 1024 * 1024)})
    assert declared.status_code == 413 and "超过 21 MB" in declared.text

    def chunks():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(23):
            yield b"y" * (1024 * 1024)

    streamed = client.post(  # no Content-Length: counted as it arrives, refused at 21 MB
        "/login", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert streamed.status_code == 413 and "超过 21 MB" in streamed.text


def test_a_burst_of_wrong_codes_is_stopped_and_audited_once(app, waiting):
    from pinggu.web.security import CODE_PER_ADDRESS, CODE_PER_GATE

    evaluation_id, code, _ = waiting
    CODE_PER_ADDRESS.reset()
    CODE_PER_GATE.reset()
    guesser = TestClient(app)
    gate = f"/evaluations/{code}/gates/approval"
    statuses = [
        signin.post(guesser, f"{gate}/unlock", {"code": f"AAAA{n:04d}"}, page=gate).status_code for n in range(30)
    ]
    assert statuses[:10] == [422] * 10 and set(statuses[10:]) == {429}
    with read_session() as session:
        refused = session.exec(
            select(AuditEvent).where(AuditEvent.evaluation_id == evaluation_id, AuditEvent.action == "signoff_refused")
        ).all()
        limited = session.exec(
            select(AuditEvent).where(
                AuditEvent.evaluation_id == evaluation_id, AuditEvent.action == "signoff_rate_limited"
            )
        ).all()
    assert len(refused) == 10 and len(limited) == 1  # 30 tries: 10 refusals recorded, then one event for the burst
    assert "签署码输错次数过多" in signin.post(guesser, f"{gate}/unlock", {"code": "AAAA9999"}, page=gate).text
    CODE_PER_ADDRESS.reset()
    CODE_PER_GATE.reset()


def test_the_login_page_says_when_an_account_is_locked_and_never_shows_a_traceback(app):
    from pinggu.web.security import LOGIN_PER_ADDRESS

    LOGIN_PER_ADDRESS.reset()
    login = signin.give_password("王明")
    browser = TestClient(app)
    for _ in range(4):
        assert signin.sign_in(browser, login, "Wrong-Password-0").status_code == 401
    locked = signin.sign_in(browser, login, "Wrong-Password-0")
    assert locked.status_code == 401 and "账户已锁定：连续 5 次输错密码，请于" in locked.text
    token = signin.guard(browser, "/login")["csrf_token"]
    odd = browser.post(  # bytes that are not UTF-8, and NULs
        "/login",
        content=f"csrf_token={token}&login=%FF%FE%00&password=%C0%00".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert odd.status_code == 422 and "无法识别的控制字符" in odd.text and "Traceback" not in odd.text
    signin.give_password("王明")  # unlocks, for the tests after this one
    LOGIN_PER_ADDRESS.reset()


def test_an_idle_session_ends_and_says_why(app, monkeypatch):
    from pinggu.core.settings import get_settings

    client = signin.signed_in_client(app, "赵敏")
    assert client.get("/").status_code == 200
    short = get_settings().model_copy(update={"session_idle_minutes": 0.02})  # 1.2 s
    monkeypatch.setattr("pinggu.web.auth.get_settings", lambda: short)
    time.sleep(1.5)
    expired = client.get("/", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"].startswith("/login?next=%2F&notice=")
    assert "您已长时间未操作" in client.get(expired.headers["location"]).text
    assert _events("logout")[-1].detail["reason"] == "长时间未操作，自动退出"


def test_logout_ends_the_session(app):
    client = signin.signed_in_client(app, "赵敏")
    out = signin.post(client, "/logout", {}, page="/")
    assert out.status_code == 200 and "您已退出登录" in out.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_second_submission_of_the_same_form_gets_a_notice(app, waiting):
    _, code, _ = waiting
    body = signin.signed_in_client(app, "刘志强")
    gate = f"/evaluations/{code}/gates/approval"
    fields = {**signin.guard(body, gate), "choice": "通过"}
    body.post(gate, data=fields)  # the first answer (refused here: no run to resume)
    again = body.post(gate, data=fields)
    assert again.status_code == 409 and "这份表单已经提交过，请勿重复提交" in again.text


def test_where_the_profile_asks_for_two_factors_a_signed_in_person_also_gives_the_code_sent_to_them(app, monkeypatch):
    """minhang's 区政府审定 (`second_factor: code`): the page asks 刘志强, signed in, for his own code too; a code
    that is not his is refused at once and recorded, and nothing reaches the run."""
    import uuid

    import builders
    from builders import session_scope

    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.models.audit import events_for
    from pinggu.services.signoff import code_in_outbox
    from pinggu.tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    body = signin.signed_in_client(app, "刘志强")  # an account first: the code sent is then a second factor
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "minhang", prefix="TWO", flow_run_id=str(uuid.uuid4()))
        evaluation_id, code = evaluation.id, evaluation.code
    gate_status.fn(evaluation_id, "approval")
    sent = code_in_outbox(code, "approval", "刘志强")
    assert sent and len(sent) == 8  # sent although he signs in
    gate = f"/evaluations/{code}/gates/approval"
    page = body.get(gate).text
    assert "签署码（双重验证）" in page and 'name="code"' in page
    wrong = signin.post(body, gate, {"choice": "通过", "conclusion": "继续执行", "code": "ABCD2345"})
    assert wrong.status_code == 422 and "签署码不正确" in wrong.text
    with session_scope() as session:
        (refused,) = events_for(session=session, evaluation_id=evaluation_id, action="signoff_refused")
    assert refused.detail["via"] == "网页"
    stranger = TestClient(app)  # the same code typed without his session: refused, it only serves as his second factor
    opened = signin.post(stranger, f"{gate}/unlock", {"code": sent}, page=gate)
    assert opened.status_code == 422 and "此签署码的持有人已开通个人账户" in opened.text
