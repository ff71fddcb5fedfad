"""Notices through Apprise (services/notify.py): a real SMTP server and a real webhook on 127.0.0.1 receive
them in Chinese; the older https robot and webhook addresses keep working; a token or password never shows
in a channel name, a delivery record or the log; a URL Apprise cannot parse is refused in Chinese; an endpoint
that does not take the notice raises, and the watch records it and tries again."""

from __future__ import annotations

import email
import json
import logging
import socket
import threading
from datetime import date
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from pinggu.services.notify import (
    TITLE,
    NotDelivered,
    NotifyUrlError,
    apprise_url,
    channel_name,
    channels,
    send,
)

PASSWORD = "Pw-7f3kQz9"
TOKEN = "tk9Xq2LmZ7rV4sWb"
ROBOT_TOKEN = "3f8a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3f8a9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
ROBOT_KEY = "693a91f6-7a3c-4bc4-97a0-0ec2f1fa5aaa"
SECRETS = (PASSWORD, TOKEN, ROBOT_TOKEN, ROBOT_KEY)
TEXT = "【已逾期 3 日】WATCH-2026-001《关于外贸企业稳订单的实施方案》结论形成阶段（对外贸易处）"
DETAIL = {"level": "overdue", "due": "2026-11-24", "evaluation": "WATCH-2026-001"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ours(caplog) -> str:
    """What this process logged (the test SMTP server's own session log left out)."""
    return "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("mail.log"))


# ── local servers ────────────────────────────────────────────────────────────


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(_Hook.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def webhook():
    """A JSON webhook on 127.0.0.1: its base address; `_Hook.received` holds what it got."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received, _Hook.status = [], 200
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


class _Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == PASSWORD.encode(), handled=False)  # the server answers 535


@pytest.fixture
def smtp():
    """An SMTP server on 127.0.0.1 that takes the login office / PASSWORD (plain text: a test server)."""
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=mailbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


# ── delivery ─────────────────────────────────────────────────────────────────


def test_an_email_reaches_a_local_smtp_server_in_chinese_and_its_password_is_never_shown(smtp, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox, port = smtp
    url = f"mailto://office:{PASSWORD}@127.0.0.1:{port}?from=pinggu@example.gov.cn&to=leader@example.gov.cn"

    send(url, TEXT, DETAIL)

    (message,) = mailbox.messages
    assert message["Subject"] == TITLE and message["To"] == "leader@example.gov.cn"
    assert message.get_body(("plain",)).get_content().strip() == TEXT
    assert mailbox.logins == [(b"office", PASSWORD.encode())]  # the password was used …
    assert channel_name(url) == f"mailto://127.0.0.1:{port}/leader@example.gov.cn"
    assert PASSWORD not in channel_name(url) and "office" not in channel_name(url)
    assert "Sent Email" in _ours(caplog) and PASSWORD not in _ours(caplog)  # … and never logged


def test_a_json_webhook_receives_the_notice_with_its_details(webhook, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"json://{webhook}/hook?-token={TOKEN}"

    send(url, TEXT, DETAIL)

    (request,) = _Hook.received
    assert urlsplit(request["path"]).path == "/hook"
    assert parse_qs(urlsplit(request["path"]).query) == {"token": [TOKEN]}  # Apprise's "-" parameters go along
    body = request["json"]
    assert (body["title"], body["message"]) == (TITLE, TEXT)
    assert {key: body[key] for key in DETAIL} == DETAIL
    assert channel_name(url) == f"json://{webhook}/hook"
    assert "/hook?token=****" in _ours(caplog) and TOKEN not in _ours(caplog)  # urllib3's request line, masked


def test_an_older_plain_webhook_address_keeps_working_with_its_old_payload_and_name(webhook):
    url = f"http://{webhook}/hook?token={TOKEN}"
    assert apprise_url(url) == f"json://{webhook}/hook?-token={TOKEN}&%3Amessage=text"

    send(url, TEXT, DETAIL)

    (request,) = _Hook.received
    assert parse_qs(urlsplit(request["path"]).query) == {"token": [TOKEN]}
    assert request["json"]["text"] == TEXT and "message" not in request["json"]  # the old "text" key
    assert request["json"]["title"] == TITLE and {key: request["json"][key] for key in DETAIL} == DETAIL
    assert channel_name(url) == f"http://{webhook}/hook"  # as recorded before: its deliveries still count


def test_older_robot_addresses_become_their_apprise_urls_and_keep_their_names():
    dingtalk = f"https://oapi.dingtalk.com/robot/send?access_token={ROBOT_TOKEN}"
    wecom = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}"
    assert apprise_url(dingtalk) == f"dingtalk://{ROBOT_TOKEN}/"
    assert apprise_url(wecom) == f"wecombot://{ROBOT_KEY}"
    assert channels([dingtalk, wecom]) == {
        "https://oapi.dingtalk.com/robot/send": f"dingtalk://{ROBOT_TOKEN}/",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send": f"wecombot://{ROBOT_KEY}",
    }
    with pytest.raises(NotifyUrlError, match="缺少 access_token"):
        apprise_url("https://oapi.dingtalk.com/robot/send")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"dingtalk://{ROBOT_TOKEN}/", "dingtalk://****(213cf5)"),
        (f"dingtalk://{TOKEN}@{ROBOT_TOKEN}/13800138000", "dingtalk://****(213cf5)/13800138000"),
        (f"wecombot://{ROBOT_KEY}", "wecombot://****(8b4769)"),
        (
            f"mailtos://office:{PASSWORD}@smtp.example.gov.cn:465?to=leader@example.gov.cn",
            "mailtos://smtp.example.gov.cn:465/leader@example.gov.cn",
        ),
        (
            f"jsons://office:{PASSWORD}@hooks.example.gov.cn/notify/{ROBOT_KEY}?-token={TOKEN}",
            "jsons://hooks.example.gov.cn/notify/****(8b4769)",
        ),
        (f"json://hooks.example.gov.cn/notify?+Authorization=Bearer%20{TOKEN}", "json://hooks.example.gov.cn/notify"),
        (f"smseagle://{TOKEN}@sms.example.gov.cn/13800138000", "smseagle://sms.example.gov.cn/13800138000"),
        (
            f"https://hooks.example.gov.cn/bot/hook/{ROBOT_KEY}?secret={TOKEN}",
            "https://hooks.example.gov.cn/bot/hook/****(8b4769)",
        ),
        (f"http://office:{PASSWORD}@hooks.example.gov.cn/hook", "http://hooks.example.gov.cn/hook"),
    ],
)
def test_a_channel_name_shows_no_token_key_or_password(url, shown):
    name = channel_name(url)
    assert not [secret for secret in SECRETS if secret in name]
    assert name == shown and channel_name(url) == name  # stable: the delivery records are keyed by it


def test_two_robots_of_one_service_are_two_channels():
    second = ROBOT_TOKEN[::-1]
    found = channels([f"dingtalk://{ROBOT_TOKEN}/", f"dingtalk://{second}/", f"dingtalk://{ROBOT_TOKEN}/"])
    assert len(found) == 2 and not [name for name in found if ROBOT_TOKEN in name or second in name]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"dingtalk://{TOKEN}!/", "dingtalk:// 地址不完整或写错"),
        (f"foo://{TOKEN}@hooks.example.gov.cn/", "Apprise 不支持 foo:// 地址"),
        (TOKEN, "不是 URL"),
        (f"smpp://office:{PASSWORD}@smsc.example.gov.cn:2775/10690000/13800138000", "需要先安装 Python 包 smpplib"),
    ],
)
def test_a_url_apprise_cannot_parse_is_refused_in_chinese_without_its_secret(url, reason, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NotifyUrlError) as refused:
        channels(["json://127.0.0.1:9/hook", url])
    message = str(refused.value)
    assert message.startswith("第 2 个提醒地址无法使用：") and reason in message
    assert not [secret for secret in SECRETS if secret in message or secret in _ours(caplog)]


def test_an_endpoint_that_refuses_or_is_down_raises_in_chinese_without_the_secret(webhook, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    _Hook.status = 500
    with pytest.raises(NotDelivered, match=r"未送达：对方服务器拒收（HTTP 500）"):
        send(f"json://{webhook}/hook?-token={TOKEN}", TEXT, DETAIL)

    with pytest.raises(NotDelivered, match="未送达：连接不上对方服务器") as down:
        send(f"http://127.0.0.1:{_free_port()}/hook?token={TOKEN}", TEXT, DETAIL)

    mailbox, port = smtp
    with pytest.raises(NotDelivered, match="未送达：账号或密码不对") as refused:
        wrong = f"mailto://office:wrong-{PASSWORD}@127.0.0.1:{port}?from=pinggu@example.gov.cn&to=leader@example.gov.cn"
        send(wrong, TEXT, DETAIL)
    assert not mailbox.messages
    assert not [s for s in SECRETS if s in str(down.value) or s in str(refused.value) or s in _ours(caplog)]


# ── the watch's deliveries ───────────────────────────────────────────────────


@pytest.fixture
def watch_database(tmp_path, monkeypatch):
    """The deliveries of tasks/watch.py on a database of their own, with one escalation to send."""
    import builders

    import pinggu.models.db
    import pinggu.tasks.watch
    from pinggu.models.tables import Escalation

    engine = pinggu.models.db.build_engine(f"sqlite:///{tmp_path}/notify.db")
    monkeypatch.setattr(pinggu.models.db, "get_engine", lambda: engine)
    monkeypatch.setattr(pinggu.tasks.watch, "get_run_logger", lambda: logging.getLogger("pinggu.test.watch"))
    monkeypatch.setattr(pinggu.tasks.watch, "SEND_DELAYS", (0.0,))
    with builders.session_scope(engine) as session:
        session.add(
            Escalation(
                key="WATCH-2026-001/stage/conclusion/overdue",
                evaluation_code="WATCH-2026-001",
                kind="stage",
                ref="WATCH-2026-001/stage/conclusion",
                level="overdue",
                due_date=date(2026, 11, 24),
                text=TEXT,
            )
        )
    yield engine
    engine.dispose()


def test_the_watch_records_each_delivery_once_retries_a_failed_one_and_never_records_a_secret(
    watch_database, webhook, monkeypatch, caplog
):
    from sqlmodel import Session, select

    from pinggu.core.settings import get_settings
    from pinggu.models.tables import Notification
    from pinggu.tasks.watch import deliver_notices

    caplog.set_level(logging.DEBUG)
    working = f"json://{webhook}/hook?-token={TOKEN}"
    down = f"mailtos://office:{PASSWORD}@127.0.0.1:{_free_port()}?from=pinggu@example.gov.cn&to=leader@example.gov.cn"
    monkeypatch.setenv("PINGGU_NOTIFY_URLS", json.dumps([working, down]))
    get_settings.cache_clear()
    try:
        first, second = deliver_notices.fn(), deliver_notices.fn()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert (first["sent"], first["failed"], second["sent"], second["failed"]) == (1, 1, 0, 1)
    assert len(_Hook.received) == 1  # sent once, not again by the second watch
    with Session(watch_database) as session:
        records = {n.channel: n for n in session.exec(select(Notification))}
    assert set(records) == {channel_name(working), channel_name(down)}
    sent, failed = records[channel_name(working)], records[channel_name(down)]
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert (failed.status, failed.attempts) == ("failed", 2) and "连接不上对方服务器" in failed.last_error
    recorded = json.dumps([(n.channel, n.last_error) for n in records.values()], ensure_ascii=False)
    assert not [secret for secret in SECRETS if secret in recorded or secret in _ours(caplog)]
    assert "提醒未送达" in _ours(caplog)


def test_the_watch_refuses_a_url_apprise_cannot_parse_before_sending_anything(watch_database, webhook, monkeypatch):
    from pinggu.core.settings import get_settings
    from pinggu.tasks.watch import deliver_notices

    monkeypatch.setenv("PINGGU_NOTIFY_URLS", json.dumps([f"json://{webhook}/hook", f"wecombot://{TOKEN}!"]))
    get_settings.cache_clear()
    try:
        with pytest.raises(NotifyUrlError, match="第 2 个提醒地址无法使用：wecombot://") as refused:
            deliver_notices.fn()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert TOKEN not in str(refused.value) and not _Hook.received
