"""The decision procedure flow's tasks: thin wrappers over pinggu.services.decision_procedure."""

from __future__ import annotations

from prefect import task

from pinggu.models.tables import now_beijing
from pinggu.rules.decision_procedure import ProcedureStep
from pinggu.services import decision_procedure
from pinggu.tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS


@task(name="登记决策事项", **STEP_TASK_OPTIONS)
def open_decision_procedure(key: str, profile: str, matter: str, lead_unit: str, catalog_year: int) -> int:
    """Open the matter's procedure once per run; its id."""
    return decision_procedure.open_procedure(key, profile, matter, lead_unit, catalog_year)


@task(name="审查并记录办理情况", **STEP_TASK_OPTIONS)
def record_procedure_answer(procedure_id: int, step: ProcedureStep, key: str, values: dict) -> str | None:
    """Judge one step's answer against the rules and record it; why it was refused, or None."""
    return decision_procedure.answer_step(procedure_id, step, key, values, now_beijing().date())


@task(name="形成决策过程记录", **STEP_TASK_OPTIONS, **IO_RETRIES)
def write_decision_record(procedure_id: int) -> str:
    """Render the whole-process record (PDF and Word) once and keep it."""
    return decision_procedure.write_record(procedure_id, now_beijing().date())
