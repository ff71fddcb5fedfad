"""The deadline watch on the real Prefect server: an overdue gate is flagged, recorded once, and a
local webhook receives the notice; an endpoint that is down neither stops the watch nor loses the record."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from pinggu.models.tables import now_beijing

DECISION = "S-2021-038"


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):  # keep the test output quiet
        pass


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Webhook.received = []
    yield f"http://127.0.0.1:{server.server_port}/hook?token=secret"
    server.shutdown()


@pytest.fixture
def overdue_gate(sample_catalog):
    """An evaluation waiting at the decision body's approval, its conclusion stage 3 days late."""
    from builders import session_scope

    from pinggu.models import evaluations as store

    today = now_beijing().date()
    with session_scope() as session:
        evaluation = store.create_evaluation(
            session=session,
            decision=store.get_decision(session=session, code=DECISION),
            type="ordinary",
            scope="whole",
            scope_parts=[],
            methods=["问卷调查"],
            flow_run_id=None,
            stage_targets={
                "preparation": (today - timedelta(days=40), False),
                "implementation": (today - timedelta(days=20), False),
                "conclusion": (today - timedelta(days=3), False),
            },
        )
        for stage in ("preparation", "implementation"):
            store.mark_stage(session=session, evaluation_id=evaluation.id, stage=stage, status="done")
        evaluation.status, evaluation.waiting_gate = "waiting", "approval"
        evaluation.waiting_for = "决策机关审定（市人民政府（决策机关）；第1次）"
        session.add(evaluation)
        return evaluation.code


def test_watch_flags_an_overdue_gate_and_a_local_webhook_receives_it(
    prefect_server, overdue_gate, webhook, monkeypatch
):
    from builders import session_scope
    from sqlmodel import select

    import pinggu.tasks.watch
    from pinggu.core.settings import get_settings
    from pinggu.flows.deadline_watch import deadline_watch
    from pinggu.models.tables import Escalation, Notification

    down = f"http://127.0.0.1:{_closed_port()}/hook"
    monkeypatch.setenv("PINGGU_NOTIFY_URLS", json.dumps([webhook, down]))
    monkeypatch.setattr(pinggu.tasks.watch, "SEND_DELAYS", (0.0,))
    get_settings.cache_clear()
    try:
        first = deadline_watch()
        second = deadline_watch()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    ours = [m for m in _Webhook.received if m.get("evaluation") == overdue_gate]
    assert sorted(m["text"].split("】")[1].split("（")[0][:30] for m in ours) == sorted(
        [
            f"{overdue_gate}《关于外贸企业稳订单的实施方案》结论形成阶段"[:30],
            f"{overdue_gate}《关于外贸企业稳订单的实施方案》等待：决策机关审定"[:30],
        ]
    )
    assert all(m["level"] == "overdue" and m["text"].startswith("【已逾期 3 日】") for m in ours)
    assert first["overdue"] >= 2 and first["failed"] >= 2 and second["new"] == 0 and second["sent"] == 0
    with session_scope() as session:
        escalations = session.exec(select(Escalation).where(Escalation.evaluation_code == overdue_gate)).all()
        notifications = session.exec(
            select(Notification).where(Notification.escalation_id.in_([e.id for e in escalations]))
        ).all()
    personal = [e for e in escalations if e.level.startswith("person-")]
    group = [e for e in escalations if not e.level.startswith("person-")]
    assert sorted(e.kind for e in group) == ["gate", "stage"]
    # 催办 to the person: the gate's own people are reminded on their contact, never through the group channels.
    assert [(e.kind, e.level) for e in personal] == [("gate", "person-overdue")]
    reminded = [n for n in notifications if n.escalation_id == personal[0].id]
    assert reminded and all(n.channel.startswith("本人：") and n.status == "sent" for n in reminded)
    by_channel = {(n.escalation_id, n.channel): n for n in notifications}
    for escalation in group:
        sent = by_channel[(escalation.id, webhook.split("?")[0])]
        failed = by_channel[(escalation.id, down)]
        assert (sent.status, sent.attempts) == ("sent", 1)  # not sent twice
        assert (failed.status, failed.attempts) == ("failed", 2) and "连接不上对方服务器" in failed.last_error
    assert "secret" not in json.dumps([n.channel for n in notifications])
