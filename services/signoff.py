"""Sending each entitled person their one-time sign-off code when a gate opens (issue 14).

A person's contact is an Apprise URL (services.notify: DingTalk, WeCom, e-mail, SMS …) or the local
outbox (rules.people.LOCAL_OUTBOX): one JSON file per message in the product home's `outbox/`, which
the demo and the tests read, so they need no network.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import NotDelivered, NotifyUrlError
from core.links import gate_url
from core.settings import get_settings
from models.tables import Person, now_beijing
from rules.people import LOCAL_OUTBOX
from services import notify

log = logging.getLogger("pinggu.signoff")
TITLE = "重大行政决策后评估待办"


@dataclass(frozen=True)
class Undelivered:
    """A code that did not reach its person; the office resends it (pinggu people resend)."""

    person: str
    reason: str


def deliver_codes(
    issued: list[tuple[Person, str]], *, evaluation_code: str, decision_title: str, gate: str, gate_name: str
) -> list[Undelivered]:
    """Send each (person, code); the ones not delivered are returned, never raised (the gate still waits)."""
    days = get_settings().signoff_code_days
    failed: list[Undelivered] = []
    for person, code in issued:
        text = (
            f"【待办】评估 {evaluation_code}《{decision_title}》的“{gate_name}”等待您办理。\n"
            + (
                f"您的签署码：{code}（{days} 日内有效，仅限本人使用一次，请勿转告他人）。\n"
                if code
                else "请用您本人的账户登录网页办理。\n"  # an account holder: nothing that could be forwarded
            )
            + f"办理入口：{gate_url(evaluation_code, gate)}"
        )
        detail = {"evaluation": evaluation_code, "gate": gate, "to": person.name, "unit": person.unit}
        missed = notify_person(
            person, text, detail, outbox_only={"code": code, "link": gate_url(evaluation_code, gate)}
        )
        if missed is not None:
            failed.append(missed)
    return failed


def notify_person(person: Person, text: str, detail: dict, outbox_only: dict | None = None) -> Undelivered | None:
    """Send one notice to a person's own contact (an Apprise URL, or the local outbox, which also keeps
    `outbox_only`); the failure, never raised (what waits for them still waits)."""
    try:
        if person.contact == LOCAL_OUTBOX:
            _to_outbox(person, text, {**detail, **(outbox_only or {})})
        else:
            notify.send(person.contact, text, detail)
    except (NotDelivered, NotifyUrlError, OSError) as error:
        log.warning("通知未能送达 %s：%s", person.name, error)
        return Undelivered(person=person.name, reason=str(error))
    return None


def _to_outbox(person: Person, text: str, detail: dict) -> Path:
    outbox = get_settings().outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = now_beijing().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(
        r"[^\w-]", "", f"{detail.get('evaluation', '')}-{detail.get('gate', detail.get('ref', ''))}-{person.id}"
    )
    path = outbox / f"{stamp}-{safe}-{len(list(outbox.iterdir()))}.json"
    payload = {"title": TITLE, "text": text, "sent_at": now_beijing().isoformat(), **detail}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def outbox_messages(evaluation_code: str | None = None, gate: str | None = None) -> list[dict]:
    """The messages in the local outbox, oldest first, optionally for one evaluation's gate."""
    outbox = get_settings().outbox_dir
    found = []
    for path in sorted(outbox.glob("*.json")) if outbox.is_dir() else []:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if (evaluation_code is None or payload.get("evaluation") == evaluation_code) and (
            gate is None or payload.get("gate") == gate
        ):
            found.append(payload)
    return sorted(found, key=lambda p: p["sent_at"])


def code_in_outbox(evaluation_code: str, gate: str, name: str | None = None) -> str | None:
    """The latest code the local outbox holds for an evaluation's gate, sent to `name` (or to anyone):
    what a person whose contact is the outbox reads (demo, tests, benches)."""
    sent = outbox_messages(evaluation_code, str(gate))
    mine = [m for m in sent if name is None or m["to"] == name] or ([] if name else sent)
    return str(mine[-1]["code"]) if mine else None


def run_code_in_outbox(flow_run_id: object, gate: str, name: str | None = None) -> str | None:
    """`code_in_outbox` for the evaluation a flow run works on (the demo and the benches answer by run)."""
    from models import evaluations as store
    from models.db import read_session

    with read_session() as session:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=str(flow_run_id))
    return code_in_outbox(evaluation.code, gate, name) if evaluation else None
