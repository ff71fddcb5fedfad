"""Addresses of the product's web app pages, and of a flow run in the Prefect UI, built from the settings; the web
app routes by the same functions, and links its own pages by their paths (`app_path`)."""

from __future__ import annotations

from urllib.parse import quote

from pinggu.core.settings import get_settings


def app_path(url: str) -> str:
    """A web app address as the path the web app's own pages link and redirect to (no scheme, host or port)."""
    return url.removeprefix(get_settings().web_url) or "/"


def home_url() -> str:
    """The web app's first page: the signed-in person's 待办 list."""
    return f"{get_settings().web_url}/"


def dashboard_url() -> str:
    """The web app's progress board, for the evaluation office."""
    return f"{get_settings().web_url}/dashboard"


def evaluation_url(evaluation_code: str) -> str:
    """The web app's page of an evaluation: its stages, gates and documents."""
    return f"{get_settings().web_url}/evaluations/{quote(evaluation_code, safe='')}"


def document_url(document_id: int) -> str:
    """The web app's address of a stored document (PDF shown in the browser, Word downloaded)."""
    return f"{get_settings().web_url}/documents/{int(document_id)}"


def gate_url(evaluation_code: str, gate: str) -> str:
    """The web app's page where an evaluation's waiting gate (a pinggu.rules.gates.GateId value) is answered."""
    return f"{get_settings().web_url}/evaluations/{quote(evaluation_code, safe='')}/gates/{quote(str(gate), safe='')}"


def follow_up_url(follow_up_id: int) -> str:
    """The web app's page where the unit reports back on a follow-up measure (C-FOLLOWUP)."""
    return f"{get_settings().web_url}/followups/{int(follow_up_id)}"


def follow_up_document_url(follow_up_id: int, document_id: int) -> str:
    """The web app's address of a document the unit handed in on a follow-up measure (it may read its own back)."""
    return f"{follow_up_url(follow_up_id)}/documents/{int(document_id)}"


def tracking_url() -> str:
    """The web app's page of tracking reports and supervision to do, where the lead units hand in their reports."""
    return f"{get_settings().web_url}/tracking"


def plan_url() -> str:
    """The web app's page where an office approves the annual plans waiting for it."""
    return f"{get_settings().web_url}/plans"


def supervision_url(round_id: int) -> str:
    """The web app's page of a supervision round, where its approval and review are answered."""
    return f"{get_settings().web_url}/supervision/{int(round_id)}"


def supervision_report_url(round_id: int) -> str:
    """The web app's address of a supervision round's written report (PDF)."""
    return f"{get_settings().web_url}/tracking/supervision/{int(round_id)}/pdf"


def procedure_url(procedure_id: int) -> str:
    """The web app's page of a decision procedure, where the step it waits at is answered."""
    return f"{get_settings().web_url}/procedures/{int(procedure_id)}"


def flow_run_url(run_id: object) -> str:
    """The Prefect UI's page of a flow run (its states, logs, artifacts and resume form), for the operators."""
    return f"{get_settings().prefect_ui_url}/runs/flow-run/{quote(str(run_id), safe='')}"
