"""Sending each entitled person their one-time sign-off code when a gate opens (issue 14).

A person's contact is an Apprise URL (pinggu.services.notify: DingTalk, WeCom, e-mail, SMS …) or the local
outbox (pinggu.rules.people.LOCAL_OUTBOX): one JSON file per message in the product home's `outbox/`, which
the demo and the tests read, so they need no network.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from pinggu.core.errors import NotDelivered, NotifyUrlError, StateConflict
from pinggu.core.links import gate_url
from pinggu.core.settings import get_settings
from pinggu.models import audit, people
from pinggu.models import evaluations as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Decision, Evaluation, Person, now_beijing
from pinggu.rules.people import LOCAL_OUTBOX
from pinggu.rules.procedure import Procedure
from pinggu.rules.profiles import load_profile
from pinggu.services import handover, notify

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


def waits_for(procedure: Procedure, gate: str) -> str:
    """Who must act at a gate, from the profile (e.g. 厅决策机关（厅党组会议、厅务会议或厅专题会议）)."""
    profile_gate = procedure.gate(gate)
    return profile_gate.actor if profile_gate else "评估单位"


def second_factor(procedure: Procedure, gate: str) -> bool:
    """Whether a signed-in person must also give the code sent to them at this gate (profile `second_factor`)."""
    declared = procedure.gate(gate)
    return declared is not None and declared.second_factor == "code"


def send_codes(
    evaluation: Evaluation,
    decision: Decision,
    gate: str,
    name: str,
    actor: str,
    two_factors: bool = False,
    *,
    logger: logging.Logger | logging.LoggerAdapter = log,
) -> list[str]:
    """Issue a sign-off code to each entitled person (its holder only, after a 转办) who holds none for this gate
    (a notice to sign in to those with an account), and send it; the names of those notified. Nobody entitled is
    logged: the office imports the people file or overrides."""
    issued = transaction(
        lambda session: people.issue_codes(
            session=session,
            evaluation=evaluation,
            gate=gate,
            profile=decision.profile,
            actor=actor,
            lifetime_days=get_settings().signoff_code_days,
            second_factor=two_factors,
            holder=handover.holder(session, handover.gate_ref(evaluation.code, gate)),  # after a 转办: theirs only
        )
    )
    undelivered = deliver_codes(
        issued, evaluation_code=evaluation.code, decision_title=decision.title, gate=gate, gate_name=name
    )
    for failure in undelivered:
        logger.warning("签署码未能送达 %s：%s（可用 pinggu people resend 重发）", failure.person, failure.reason)
    if not issued:
        with read_session() as session:
            nobody = not people.entitled(session=session, profile=decision.profile, actor=actor)
        if nobody:
            logger.warning(
                "人员名单中没有可办理“%s”（%s）的人员：请导入人员名单（pinggu people import）后运行 "
                "pinggu people resend %s，或由管理员代办（--override-reason）",
                name,
                actor,
                evaluation.code,
            )
    if issued:
        logger.info("已向 %s 发送“%s”的签署码", "、".join(person.name for person, _ in issued), name)
    return [person.name for person, _ in issued]


@dataclass(frozen=True)
class WaitingGate:
    """An evaluation's gate waiting now, as a resend sees it: its name and who is entitled to answer it."""

    evaluation: Evaluation
    decision: Decision
    gate: str
    name: str
    actor: str
    two_factors: bool
    entitled: list[Person]


def waiting_gate(evaluation_code: str) -> WaitingGate:
    """The gate the evaluation waits at now and its entitled people; StateConflict in Chinese when none waits."""
    with read_session() as session:
        found = store.get_evaluation(session=session, code=evaluation_code)
        decision = store.get_decision(session=session, code=found.decision_code)
        procedure = store.procedure_of(session, found)
        gate = found.waiting_gate
        if not gate:
            raise StateConflict(f"评估 {evaluation_code} 当前不在等待办理的环节")
        actor = waits_for(procedure, gate)
        entitled = people.entitled(session=session, profile=decision.profile, actor=actor)
    name = load_profile(decision.profile).gate_title(gate)
    return WaitingGate(found, decision, gate, name, actor, second_factor(procedure, gate), entitled)


@dataclass(frozen=True)
class Resent:
    """What a resend did: the gate's name, the codes withdrawn from one person, and who was sent a code."""

    gate_name: str
    withdrawn_from: str
    withdrawn: int
    sent: list[str]

    def lines(self) -> list[str]:
        """The outcome in Chinese, as the command line and the web page say it."""
        said = [f"已作废 {self.withdrawn_from} 持有的“{self.gate_name}”签署码 {self.withdrawn} 个"]
        sent = (
            f"已向 {'、'.join(self.sent)} 发送“{self.gate_name}”的签署码"
            if self.sent
            else f"“{self.gate_name}”的可办理人员都持有有效签署码，未重发"
        )
        return [*(said if self.withdrawn_from else []), sent]


def resend_codes(evaluation_code: str, *, person: str = "", person_id: int | None = None, by: str = "系统") -> Resent:
    """Send the waiting gate's code to each entitled person without a live one (`pinggu people resend`); for
    `person` (by name) or `person_id`, first withdraw the codes they hold so a new one is sent. Audited as `by`."""
    waiting = waiting_gate(evaluation_code)
    withdrawn_from, withdrawn = person, 0
    if person_id is not None:
        chosen = next((p for p in waiting.entitled if p.id == person_id), None)
        if chosen is None:
            raise StateConflict(f"所选人员不能办理“{waiting.name}”（{waiting.actor}），请从可办理人员中选择")
        person, withdrawn_from = chosen.name, f"{chosen.name}（{chosen.unit}）"
    if person:
        withdrawn = transaction(
            lambda session: people.withdraw_codes(
                session=session, evaluation=waiting.evaluation, gate=waiting.gate, person_name=person,
                person_id=person_id,
            )
        )  # fmt: skip
    sent = send_codes(
        waiting.evaluation, waiting.decision, waiting.gate, waiting.name, waiting.actor, waiting.two_factors
    )
    transaction(
        lambda session: audit.record(
            session=session, action="signoff_codes_resent", actor=by, evaluation_id=waiting.evaluation.id,
            gate=waiting.gate, withdrawn_from=withdrawn_from, withdrawn=withdrawn, sent=sent,
        )
    )  # fmt: skip
    return Resent(waiting.name, withdrawn_from, withdrawn, sent)


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
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=str(flow_run_id))
    return code_in_outbox(evaluation.code, gate, name) if evaluation else None
