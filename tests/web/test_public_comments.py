"""意见征集 (issue 33; E-PUBLIC): the office opens a period, the public page takes opinions from anyone while it is
open — into the same register, masked, its contact kept apart and never shown back, with a receipt — refuses
them outside it, is rate-limited per address and escapes what it shows."""

from __future__ import annotations

from datetime import timedelta

import builders
import pytest
import signin
from builders import session_scope
from fastapi.testclient import TestClient
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import OpinionContact, PublicOpinion, now_beijing


@pytest.fixture
def decision(app) -> str:
    with session_scope() as session:
        return builders.add_decision(session, "minhang", prefix="PUB", title="关于老旧小区加装电梯的实施方案").code


def _open(app, code: str, days_ago: int = 1, days_left: int = 10) -> int:
    office = signin.signed_in_client(app, "孙丽")
    today = now_beijing().date()
    page = signin.post(
        office,
        "/tracking/comments",
        {"code": code, "title": "对加装电梯实施情况的意见", "opens_on": str(today - timedelta(days=days_ago)),
         "closes_on": str(today + timedelta(days=days_left))},
        page=f"/tracking/comments?code={code}",
    )  # fmt: skip
    assert page.status_code == 200, page.text
    from pinggu.services.comments import windows_of

    return windows_of(code)[0].id


@pytest.mark.rule("E-PUBLIC")
def test_an_opinion_from_the_public_page_joins_the_register_masked_with_a_receipt(app, decision):
    from pinggu.web.security import PUBLIC_PER_ADDRESS

    PUBLIC_PER_ADDRESS.reset()
    window = _open(app, decision)
    public = TestClient(app)  # nobody signed in
    page = public.get(f"/public/comments/{window}")
    assert (
        page.status_code == 200
        and "对加装电梯实施情况的意见" in page.text
        and "关于老旧小区加装电梯的实施方案" in page.text
    )
    sent = signin.post(
        public,
        f"/public/comments/{window}",
        {"opinion": "张伟 13800138000 反映电梯施工噪音大", "contact": "zw@example.com"},
    )
    assert sent.status_code == 200 and "已收到您的意见" in sent.text and "zw@example.com" not in sent.text
    receipt = sent.text.split('id="receipt">')[1].split("<")[0]
    assert receipt.startswith("YJ")
    with read_session() as session:
        (opinion,) = session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == decision)).all()
        contact = session.get(OpinionContact, opinion.id)
    assert int(receipt[2:]) == opinion.id and opinion.channel == "网站" and opinion.recorded_by == "网站意见征集"
    assert "13800138000" not in opinion.summary and "张伟" not in opinion.summary and "施工噪音" in opinion.summary
    assert contact is not None and contact.contact == "zw@example.com"


@pytest.mark.rule("E-PUBLIC")
def test_outside_its_period_the_page_refuses_and_a_turned_off_period_is_gone(app, decision):
    ended = _open(app, decision, days_ago=20, days_left=-1)
    public = TestClient(app)
    assert "不在征集期内" in public.get(f"/public/comments/{ended}").text
    refused = (
        signin.post(public, f"/public/comments/{ended}", {"opinion": "还能提吗"}, page=f"/public/comments/{ended + 0}")
        if False
        else public.post(f"/public/comments/{ended}", data={"opinion": "还能提吗"})
    )
    assert refused.status_code == 403  # no form on a closed page: nothing to post from
    from pinggu.services.comments import close_window, submit_public_opinion

    with pytest.raises(Exception, match="当前不在征集期内"):
        submit_public_opinion(ended, "还能提吗", "", now_beijing().date())
    running = _open(app, decision)
    close_window(running, "测试")
    assert TestClient(app).get(f"/public/comments/{running}").status_code == 404


def test_the_public_page_is_rate_limited_per_address_and_escapes_what_it_shows(app, decision):
    from pinggu.web.security import PUBLIC_PER_ADDRESS

    PUBLIC_PER_ADDRESS.reset()
    window = _open(app, decision)
    public = TestClient(app)
    hostile = "<script>alert(1)</script>"
    statuses = [
        signin.post(public, f"/public/comments/{window}", {"opinion": f"{hostile} 第{n}条"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    refused = signin.post(public, f"/public/comments/{window}", {"opinion": hostile})
    assert "提交过于频繁" in refused.text and hostile not in refused.text and "&lt;script&gt;" in refused.text
    PUBLIC_PER_ADDRESS.reset()


def test_an_unknown_public_address_shows_the_public_error_page_without_the_offices_app(app):
    page = TestClient(app).get("/public/没有这个页面")
    assert page.status_code == 404 and "登录" not in page.text and "待办" not in page.text
