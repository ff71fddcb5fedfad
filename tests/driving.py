"""Driving served evaluations through the Prefect API in end-to-end tests."""

from __future__ import annotations

from collections import Counter


def reach(run_id, gate, timeout: float = 120):
    """Wait until the run is suspended at `gate` with its form ready; return the flow run."""
    from pinggu.services.orchestration import paused_at, wait_for

    return wait_for(run_id, lambda run: paused_at(run) == gate, timeout=timeout, what=gate)


def answer(run_id, gate, form: dict):
    """Wait for `gate`, then resume the run with the form, signed with the answerer's code."""
    from pinggu.services.orchestration import answer_gate

    reach(run_id, gate)
    answer_gate(run_id, gate, signed(run_id, gate, form))


def code_for(evaluation_code: str, gate, name: str | None = None) -> str:
    """The latest sign-off code sent (local outbox) for the evaluation's gate, to `name` or to anyone."""
    from pinggu.services.signoff import code_in_outbox

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

    from pinggu.core.document_store import in_store, keep

    given = form.get("file")
    if not given or in_store(str(given)) or not Path(str(given)).is_file():
        return form
    return {**form, "file": keep(Path(str(given)), "uploads").location}


def completed(run_id, timeout: float = 120):
    """Wait until the run is Completed; return the flow run."""
    from pinggu.services.orchestration import wait_for

    return wait_for(
        run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=timeout, what="完成"
    )


def evaluation_of(run_id):
    """The evaluation a flow run works on."""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        return store.find_by_flow_run(session=session, flow_run_id=str(run_id))


def done_counts(evaluation_id) -> Counter:
    """How many times each step was done (including attempts later set aside by rework)."""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        attempts = store.step_attempts(session=session, evaluation_id=evaluation_id)
    return Counter(a.step for a in attempts if a.status in ("done", "superseded"))


def answers_of(evaluation_id) -> list[tuple[str, str, bool]]:
    """(gate, choice, superseded) of every accepted answer, oldest first."""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        return [(a.gate, a.choice, a.superseded) for a in store.approvals(session=session, evaluation_id=evaluation_id)]


def pdf_text(path) -> str:
    """The text of a PDF (a path, or a location in the document store), whitespace removed (CJK text extraction splits lines anywhere)."""
    from pypdf import PdfReader

    from pinggu.core.document_store import local_file

    return "".join("".join(page.extract_text().split()) for page in PdfReader(local_file(str(path))).pages)


def internal_ids_in(text: str) -> list[str]:
    """The product's own identifiers (gate, step, stage, status, type, event and profile ids) that appear
    as words in text an operator reads, where Chinese belongs; a file name such as survey.csv is not one."""
    import re

    from pinggu.rules.gates import GateId
    from pinggu.rules.planning_types import EVENT_KINDS, TIME_TRIGGERS
    from pinggu.rules.profiles import known_profile_ids
    from pinggu.rules.steps import Stage, StepId
    from pinggu.rules.vocabulary import (
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

    from pinggu.models.db import read_session
    from pinggu.models.tables import Person
    from pinggu.services.orchestration import answer_gate, gate_of_pause_key, paused_at, wait_for
    from pinggu.services.signatures import sign_step

    run = wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="等待办理")
    key = run.state.state_details.pause_key
    signed_values = form.model_validate(values).model_dump(mode="json")
    with read_session() as session:
        person_id = session.exec(select(Person).where(Person.name == person)).one().id
    sign_step(key=key, person_id=person_id, values=signed_values, what=key)
    answer_gate(run_id, gate_of_pause_key(key), signed_values)


def plan_answer(run_id, choice: str = "同意", comment: str = "", changes=(), person: str = "张建国") -> None:
    """Answer the annual plan's approval as the web app does, signed for the person (评估办公室)."""
    from pinggu.forms.gates import AnnualPlanApprovalForm

    step_answer(
        run_id, AnnualPlanApprovalForm, {"choice": choice, "comment": comment, "changes": list(changes)}, person
    )


# Who answers each changli decision procedure step in tests, as the profile's actors name them (the lead unit
# of the test matters is 县城管局).
PROCEDURE_PEOPLE = {
    "决策承办单位": ("李明", "县城管局", ()),
    "县决策咨询服务中心": ("陈静", "县决策咨询服务中心", ("县决策咨询服务中心",)),
    "县政府领导": ("周强", "县人民政府", ("县政府领导",)),
    "县政府办公室": ("王芳", "县政府办公室", ("县政府办公室",)),
}


def add_person(name: str, unit: str, *roles: str, profiles: tuple[str, ...] = ()) -> int:
    """The id of a person of the people file with these roles (added once, contact: the local outbox)."""
    from sqlmodel import select

    from pinggu.models.db import transaction
    from pinggu.models.tables import Person
    from pinggu.rules.people import LOCAL_OUTBOX

    def ensure(session) -> int:
        found = session.exec(select(Person).where(Person.name == name, Person.unit == unit)).first()
        if found is None:
            found = Person(
                name=name, unit=unit, title="科员", roles=list(roles), profiles=list(profiles), contact=LOCAL_OUTBOX
            )
            session.add(found)
            session.flush()
        elif not found.active:  # a later people import left them out: they are back for this test
            found.active = True
            session.add(found)
        return found.id

    return transaction(ensure)


def procedure_person(actor: str) -> int:
    """The id of the test person who answers where the changli profile names `actor` (added once)."""
    name, unit, roles = PROCEDURE_PEOPLE[actor]
    return add_person(name, unit, *roles)


def sign_procedure_step(key: str, step: str, values: dict, *, as_form: bool = True, actor: str | None = None) -> dict:
    """Sign a decision procedure step's answer for the person the profile names for the step, as the web app does;
    the values signed (the step's Prefect form's dump when `as_form`, what the run then receives)."""
    from pinggu.forms.decision_procedure import FORMS
    from pinggu.rules.decision_procedure import ProcedureStep
    from pinggu.rules.profiles import load_profile
    from pinggu.services.signatures import sign_step

    procedure_step = ProcedureStep(step)
    signed = FORMS[procedure_step].model_validate(values).model_dump(mode="json") if as_form else dict(values)
    who = actor or load_profile("changli").decision_procedure.actors[procedure_step]
    sign_step(key=key, person_id=procedure_person(who), values=signed, what=key)
    return signed


def expert_person(expert: dict) -> int:
    """The id of a panel expert as a person of the people file (added once): who signs their own opinion."""
    from sqlmodel import select

    from pinggu.models.db import transaction
    from pinggu.models.tables import Person
    from pinggu.rules.access import derive_login
    from pinggu.rules.people import LOCAL_OUTBOX

    def ensure(session) -> int:
        found = session.exec(select(Person).where(Person.name == expert["name"], Person.unit == expert["unit"])).first()
        if found is None:
            taken = {login for login in session.exec(select(Person.login)) if login}
            found = Person(
                name=expert["name"], unit=expert["unit"], title="专家", roles=["论证专家"], contact=LOCAL_OUTBOX,
                login=derive_login(expert["name"], taken),
            )  # fmt: skip
            session.add(found)
            session.flush()
        elif not found.active or not found.login:  # left out by a later people import: back, able to sign in
            found.active = True
            found.login = found.login or derive_login(
                expert["name"], {p.login for p in session.exec(select(Person)) if p.login}
            )
            session.add(found)
        return found.id

    return transaction(ensure)


def sign_panel(procedure_id: int, experts: list[dict], today=None) -> list[bool]:
    """Each expert of the panel signs their own written opinion, as the web app records it; for each, whether their
    signature completed the 会签 (changli 32(三))."""
    from pinggu.models.tables import now_beijing
    from pinggu.services.decision_procedure import sign_expert_opinion

    day = today or now_beijing().date()
    opinion = "方案总体可行，建议分期实施并加强交通组织。"
    return [sign_expert_opinion(procedure_id, expert_person(e), f"{e['name']}：{opinion}", day) for e in experts]


def confirm_panel(procedure_id: int, experts: list[dict], on: str = "2026-05-28") -> None:
    """The 县决策咨询服务中心's person confirms the panel the lead unit proposed, in their own name (CL-32-PANEL)."""
    from datetime import date

    from pinggu.models.tables import now_beijing
    from pinggu.services.decision_procedure import confirm_panel as confirm

    names = "\n".join(e["name"] for e in experts)
    confirm(procedure_id, procedure_person("县决策咨询服务中心"), names, date.fromisoformat(on), now_beijing().date())


def countersign_run(run_id: str, procedure_id: int, experts: list[dict]) -> None:
    """The panel signs once the run asks for the 会签; the signature that completes it resumes the run, once."""
    from pinggu.services.orchestration import answer_gate, paused_at, wait_for

    run = wait_for(
        run_id,
        lambda run: paused_at(run) is not None and "-expert-opinions-" in run.state.state_details.pause_key,
        timeout=120,
        what="专家会签",
    )
    assert sign_panel(procedure_id, experts).count(True) == 1
    answer_gate(run_id, paused_at(run), {})


def login_of(person_id: int) -> str:
    """The person's login name (the people file's, or derived at import)."""
    from pinggu.models.db import read_session
    from pinggu.models.tables import Person

    with read_session() as session:
        person = session.get(Person, person_id)
    assert person is not None and person.login, person_id
    return person.login
