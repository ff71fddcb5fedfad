"""Who answered a step that is not an evaluation's gate (the annual plan's approval, and the workbench's
other steps): the signed-in person, recorded in the audit chain before the run is resumed (issue 29).

The web app signs a step for the signed-in person with the answer's digest under the step's pause key
(`sign_step`); the flow's own judge then asks `step_signer` whose answer it holds. An answer typed into
the Prefect UI's resume form carries no signature and is refused: a typed name is never an identity.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from pinggu.models import audit
from pinggu.models.db import transaction
from pinggu.models.tables import AuditEvent, Person

STEP_SIGNED = "step_signed"
VERDICT_WAIT_SECONDS = 60  # how long a page waits for the flow's own judge before saying it is still at work
RECENT = 2000  # how many of the latest signatures a judge looks through (one per human step answered)


@dataclass(frozen=True)
class StepSigner:
    """The person who signed a step's answer, as the record names them."""

    person_id: int
    name: str
    unit: str
    title: str
    roles: tuple[str, ...]

    @property
    def role(self) -> str:
        """单位职务, as approvals are recorded."""
        return f"{self.unit}{self.title}"


def answer_digest(values: Mapping[str, Any]) -> str:
    """A digest of an answer's values (JSON, keys sorted): what is signed is exactly what the run receives."""
    text = json.dumps(dict(values), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def sign_step(*, key: str, person_id: int, values: Mapping[str, Any], what: str) -> None:
    """Record that the person answered the step waiting under `key` with these values (an audit event)."""

    def record(session: Session) -> None:
        person = session.get(Person, person_id)
        assert person is not None  # the signed-in person
        audit.record(
            session=session,
            action=STEP_SIGNED,
            actor=f"{person.name}（{person.unit}）",
            key=key,
            digest=answer_digest(values),
            person_id=person_id,
            what=what,
        )

    transaction(record)


def step_signer(session: Session, key: str, values: Mapping[str, Any]) -> StepSigner | None:
    """Who signed this answer under `key`, or None (typed into the Prefect UI, or changed after signing)."""
    digest = answer_digest(values)
    query = select(AuditEvent).where(AuditEvent.action == STEP_SIGNED).order_by(col(AuditEvent.id).desc())
    for event in session.exec(query.limit(RECENT)):
        if event.detail.get("key") == key and event.detail.get("digest") == digest:
            person = session.get(Person, int(event.detail["person_id"]))
            if person is None or not person.active or person.id is None:
                return None
            return StepSigner(person.id, person.name, person.unit, person.title, tuple(person.roles))
    return None


Verdict = TypeVar("Verdict")


def answer_signed(
    *,
    run_id: str,
    key: str,
    person_id: int,
    values: Mapping[str, Any],
    what: str,
    verdict: Callable[[], Verdict | None],
) -> Verdict | None:
    """Sign the answer for the person, resume the run waiting under `key` with exactly it, and wait for the flow's
    own judge: what `verdict()` reads once the run recorded it, or None when it is still at work."""
    from pinggu.services.orchestration import answer_gate, gate_of_pause_key

    sign_step(key=key, person_id=person_id, values=values, what=what)
    answer_gate(run_id, gate_of_pause_key(key), dict(values))
    deadline = time.monotonic() + VERDICT_WAIT_SECONDS
    while time.monotonic() < deadline:
        found = verdict()
        if found is not None:
            return found
        time.sleep(0.5)
    return None
