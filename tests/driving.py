"""Driving served evaluations through the Prefect API in end-to-end tests."""

from __future__ import annotations

from collections import Counter


def reach(run_id, gate, timeout: float = 120):
    """Wait until the run is suspended at `gate` with its form ready; return the flow run."""
    from services.orchestration import paused_at, wait_for

    return wait_for(run_id, lambda run: paused_at(run) == gate, timeout=timeout, what=gate)


def answer(run_id, gate, form: dict):
    """Wait for `gate`, then resume the run with the form, signed with the answerer's code."""
    from services.orchestration import answer_gate

    reach(run_id, gate)
    answer_gate(run_id, gate, signed(run_id, gate, form))


def code_for(evaluation_code: str, gate, name: str | None = None) -> str:
    """The latest sign-off code sent (local outbox) for the evaluation's gate, to `name` or to anyone."""
    from services.signoff import code_in_outbox

    code = code_in_outbox(evaluation_code, gate, name) or code_in_outbox(evaluation_code, gate)
    assert code, f"no sign-off code was sent for {evaluation_code} {gate}"
    return code


def signed(run_id, gate, form: dict) -> dict:
    """The form with the code of the person it names (approver or submitter), as that person would sign it; a
    file on this machine uploaded first, as the web page and `pinggu submit` do (an answer names only the store)."""
    form = uploaded(form)
    if "code" in form:
        return form
    name = form.get("approver") or form.get("submitter")
    return {**form, "code": code_for(evaluation_of(run_id).code, gate, name)}


def uploaded(form: dict) -> dict:
    """The form with its file (a path on this machine) kept in the store's uploads, named by its location."""
    from pathlib import Path

    from core.document_store import in_store, keep

    given = form.get("file")
    if not given or in_store(str(given)) or not Path(str(given)).is_file():
        return form
    return {**form, "file": keep(Path(str(given)), "uploads").location}


def completed(run_id, timeout: float = 120):
    """Wait until the run is Completed; return the flow run."""
    from services.orchestration import wait_for

    return wait_for(
        run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=timeout, what="完成"
    )


def evaluation_of(run_id):
    """The evaluation a flow run works on."""
    from models import evaluations as store
    from models.db import read_session

    with read_session() as session:
        return store.find_by_flow_run(session=session, flow_run_id=str(run_id))


def done_counts(evaluation_id) -> Counter:
    """How many times each step was done (including attempts later set aside by rework)."""
    from models import evaluations as store
    from models.db import read_session

    with read_session() as session:
        attempts = store.step_attempts(session=session, evaluation_id=evaluation_id)
    return Counter(a.step for a in attempts if a.status in ("done", "superseded"))


def answers_of(evaluation_id) -> list[tuple[str, str, bool]]:
    """(gate, choice, superseded) of every accepted answer, oldest first."""
    from models import evaluations as store
    from models.db import read_session

    with read_session() as session:
        return [(a.gate, a.choice, a.superseded) for a in store.approvals(session=session, evaluation_id=evaluation_id)]


def pdf_text(path) -> str:
    """The text of a PDF (a path, or a location in the document store), whitespace removed (CJK text extraction splits lines anywhere)."""
    from pypdf import PdfReader

    from core.document_store import local_file

    return "".join("".join(page.extract_text().split()) for page in PdfReader(local_file(str(path))).pages)


def internal_ids_in(text: str) -> list[str]:
    """The product's own identifiers (gate, step, stage, status, type, event and profile ids) that appear
    as words in text an operator reads, where Chinese belongs; a file name such as survey.csv is not one."""
    import re

    from rules.gates import GateId
    from rules.planning_types import EVENT_KINDS, TIME_TRIGGERS
    from rules.profiles import known_profile_ids
    from rules.steps import Stage, StepId
    from rules.vocabulary import (
        EVALUATION_TYPE_NAMES,
        EvaluationStatus,
        FollowUpStatus,
        StageStatus,
        StepStatus,
    )

    ids = {
        *(g.value for g in GateId),
        *(s.value for s in StepId),
        *(s.value for s in Stage),
        *(s.value for enum in (EvaluationStatus, StageStatus, StepStatus, FollowUpStatus) for s in enum),
        *EVALUATION_TYPE_NAMES,
        *EVENT_KINDS,
        *TIME_TRIGGERS,
        *known_profile_ids(),
    }
    words = re.findall(r"(?<![\w./:-])[a-z][a-z0-9_]*(?![\w.:/-])", text)
    return sorted({word for word in words if word in ids})


def step_answer(run_id, form, values: dict, person: str) -> None:
    """Answer the step a run waits at (not an evaluation's gate: the annual plan's approval, a supervision round's
    steps) as the web app does: signed for the signed-in person, then resumed with exactly what was signed."""
    from sqlmodel import select

    from models.db import read_session
    from models.tables import Person
    from services.orchestration import answer_gate, gate_of_pause_key, paused_at, wait_for
    from services.signatures import sign_step

    run = wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="等待办理")
    key = run.state.state_details.pause_key
    signed_values = form.model_validate(values).model_dump(mode="json")
    with read_session() as session:
        person_id = session.exec(select(Person).where(Person.name == person)).one().id
    sign_step(key=key, person_id=person_id, values=signed_values, what=key)
    answer_gate(run_id, gate_of_pause_key(key), signed_values)


def plan_answer(run_id, choice: str = "同意", comment: str = "", changes=(), person: str = "张建国") -> None:
    """Answer the annual plan's approval as the web app does, signed for the person (评估办公室)."""
    from forms.gates import AnnualPlanApprovalForm

    step_answer(
        run_id, AnnualPlanApprovalForm, {"choice": choice, "comment": comment, "changes": list(changes)}, person
    )
