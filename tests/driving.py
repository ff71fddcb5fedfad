"""Driving served evaluations through the Prefect API in end-to-end tests."""

from __future__ import annotations

from collections import Counter


def reach(run_id, gate, timeout: float = 120):
    """Wait until the run is suspended at `gate` with its form ready; return the flow run."""
    from services.orchestration import paused_at, wait_for

    return wait_for(run_id, lambda run: paused_at(run) == gate, timeout=timeout, what=gate)


def answer(run_id, gate, form: dict):
    """Wait for `gate`, then resume the run with the form."""
    from services.orchestration import answer_gate

    reach(run_id, gate)
    answer_gate(run_id, gate, form)


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
    """The text of a PDF, whitespace removed (CJK text extraction splits lines anywhere)."""
    from pypdf import PdfReader

    return "".join("".join(page.extract_text().split()) for page in PdfReader(path).pages)
