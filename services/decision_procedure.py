"""The decision procedure's bookkeeping (changli chapters 2–7): a procedure opened once per run, each step's
answers judged (rules.decision_procedure) and recorded under their pause keys, what an accepted answer does
to pinggu's decision catalog, and the whole-process record.

What an accepted answer writes into the catalog:
* 纳入决策事项目录 creates the decision (profile, lead unit, category, the planned date as its start) — from
  then on it is a catalog decision like any imported one;
* 专家论证 records the experts as the decision's pre-decision assessors: they may not evaluate it later
  (TEAM-CONFLICT);
* 决策公布 sets the decision date, the execution dates and the follow-up evaluation it planned
  (changli 12 ¶2), which the annual plan of that year lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from core.document_store import local_file
from core.errors import InputFileError, NotFound, StateConflict
from models import audit
from models.db import read_session, transaction
from models.tables import Decision, DecisionEvaluationPlan, DecisionProcedure, now_beijing
from rules.decision_procedure import (
    ANSWERS,
    DECIDED_BY,
    ENDINGS,
    JUDGES,
    PLANNED_TYPES,
    POLL_MEANS,
    STEP_NAMES,
    CatalogAnswer,
    Context,
    ExpertsAnswer,
    Judgement,
    LaunchAnswer,
    MeetingAnswer,
    Outcome,
    ParticipationAnswer,
    ProcedureStep,
    PublicationAnswer,
    basis_of,
)
from rules.profiles import Profile, load_profiles
from rules.profiles.schema import DecisionProcedureRules

UNDER_WAY, PUBLISHED = "under_way", "published"


def _rules(profile_id: str) -> tuple[Profile, DecisionProcedureRules]:
    profiles = load_profiles()
    if profile_id not in profiles:
        raise StateConflict(f"未知的规则 {profile_id}，可选：{'、'.join(profiles)}")
    profile = profiles[profile_id]
    if profile.decision_procedure is None:
        having = [pid for pid, p in profiles.items() if p.decision_procedure is not None]
        raise StateConflict(f"{profile.name}的规定没有重大行政决策作出程序（可用：{'、'.join(having)}）")
    return profile, profile.decision_procedure


def open_procedure(key: str, profile: str, matter: str, lead_unit: str, catalog_year: int) -> int:
    """Open the procedure of one matter, once per key (a re-run finds it); its id."""
    _rules(profile)
    if not matter.strip() or not lead_unit.strip():
        raise StateConflict("请填写决策事项名称和决策承办单位")

    def write(session: Session) -> int:
        found = session.exec(select(DecisionProcedure).where(DecisionProcedure.key == key)).first()
        if found is not None and found.id is not None:
            return found.id
        procedure = DecisionProcedure(
            key=key, profile=profile, matter=matter.strip(), lead_unit=lead_unit.strip(), catalog_year=catalog_year
        )
        session.add(procedure)
        session.flush()
        assert procedure.id is not None
        audit.record(
            session=session, action="decision_procedure_opened", matter=procedure.matter, lead_unit=procedure.lead_unit
        )
        return procedure.id

    return transaction(write)


@dataclass(frozen=True)
class StepDone:
    """A step's standing answer: what followed and the note recorded."""

    outcome: Outcome
    note: str


@dataclass(frozen=True)
class StepWaiting:
    """A step to ask: the pause key and what the form shows."""

    key: str
    description: str


def _accepted(procedure: DecisionProcedure, step: ProcedureStep) -> list[dict[str, Any]]:
    return [a for a in procedure.answers if a["step"] == step.value and a.get("refused") is None]


def _last(procedure: DecisionProcedure, step: ProcedureStep) -> tuple[int, dict[str, Any]] | None:
    """The step's latest accepted answer and its place among all the procedure's answers."""
    found = [(n, a) for n, a in enumerate(procedure.answers) if a["step"] == step.value and a.get("refused") is None]
    return found[-1] if found else None


def _standing(procedure: DecisionProcedure, step: ProcedureStep) -> dict[str, Any] | None:
    """The answer the step stands on, or None when it is to be asked (again).

    A step answered with 'again' is asked again. A deciding body's step (DECIDED_BY: the county government on a
    high risk, CL-37) stands on an answer given after the latest referral to it, whatever it decided; a referring
    step is asked again when the body's answer after its own sent it back ('again')."""
    last = _last(procedure, step)
    referring = next((s for s, body in DECIDED_BY.items() if body is step), None)
    if referring is not None:
        referral = _last(procedure, referring)
        return last[1] if last and referral and last[0] > referral[0] else None
    if last is None or last[1]["outcome"] == Outcome.again:
        return None
    body = DECIDED_BY.get(step)
    decided = _last(procedure, body) if body is not None else None
    if decided and decided[0] > last[0] and decided[1]["outcome"] == Outcome.again:
        return None
    return last[1]


def step_status(procedure_id: int, step: ProcedureStep) -> StepDone | StepWaiting:
    """The step's standing answer, or the key to wait under (a step answered with 'again', or sent back by the
    body that decides on it, is asked again)."""
    with read_session() as session:
        procedure = _get(session, procedure_id)
    standing = _standing(procedure, step)
    if standing is not None:
        return StepDone(Outcome(standing["outcome"]), standing["note"])
    _, rules = _rules(procedure.profile)
    asked = [(n, a) for n, a in enumerate(procedure.answers) if a["step"] == step.value]
    last_at, last = asked[-1] if asked else (-1, None)
    description = (
        f"**{STEP_NAMES[step]}**（{load_profiles()[procedure.profile].citation(basis_of(step, rules))}）\n\n"
        f"事项：{procedure.matter}（承办单位 {procedure.lead_unit}，{procedure.catalog_year} 年度目录）"
    )
    referring = next((s for s, body in DECIDED_BY.items() if body is step), None)
    referral = _last(procedure, referring) if referring is not None else None
    body = DECIDED_BY.get(step)
    decided = _last(procedure, body) if body is not None else None
    if referral is not None:  # what the deciding body decides on: the referring step's proposal
        description += f"\n\n{STEP_NAMES[ProcedureStep(referral[1]['step'])]}：{referral[1]['note']}"
    if last and last.get("refused"):
        description += f"\n\n⚠ 上次提交未被受理：{last['refused']}"
    elif decided and decided[0] > last_at and decided[1]["outcome"] == Outcome.again:
        description += f"\n\n{STEP_NAMES[ProcedureStep(decided[1]['step'])]}：{decided[1]['note']}；请办理后重新填报"
    elif last and last["outcome"] == Outcome.again:
        description += f"\n\n上次结果：{last['note']}；请办理后重新填报"
    return StepWaiting(
        key=f"procedure-{procedure_id}-{step.value.replace('_', '-')}-{len(asked) + 1}", description=description
    )


def _get(session: Session, procedure_id: int) -> DecisionProcedure:
    procedure = session.get(DecisionProcedure, procedure_id)
    if procedure is None:
        raise NotFound(f"没有编号为 {procedure_id} 的决策程序")
    return procedure


def _context(procedure: DecisionProcedure, today: date) -> Context:
    def latest(step: ProcedureStep, name: str) -> Any:
        accepted = _accepted(procedure, step)
        return date.fromisoformat(accepted[-1]["answer"][name]) if accepted else None

    return Context(
        catalog_year=procedure.catalog_year,
        today=today,
        proposed_on=latest(ProcedureStep.launch, "proposed_on"),
        meeting_on=latest(ProcedureStep.meeting, "meeting_on"),
    )


def _poll_problems(answer: ParticipationAnswer) -> tuple[str, ...]:
    """E-SAMPLE (changli 21(2)): a questionnaire or poll's sample must reflect real opinion — the survey
    analysis and its representativeness test, as `pinggu survey analyze --population` runs them."""
    if not set(answer.means) & POLL_MEANS:
        return ()
    from analysis.sample import read_population, representativeness
    from analysis.survey import read_survey, summarise_survey

    if not answer.population_file.strip():
        return (
            "采用问卷调查或民意调查的，请提交总体比例表，检验样本是否按职业、年龄、性别等反映真实民意（第二十一条（二））",
        )
    try:
        survey = read_survey(local_file(answer.survey_file.strip()), scale=answer.survey_scale)  # E-SCALE
        figures = summarise_survey(survey).to_dict()
        check = representativeness(figures["breakdowns"], read_population(local_file(answer.population_file.strip())))
    except InputFileError as error:
        return (str(error),)
    if check["representative"] is True:
        return ()
    failing = [name for name, result in check["demographics"].items() if result["representative"] is not True]
    why = "不具有代表性" if check["representative"] is False else "无法判断代表性"
    return (f"问卷样本{why}（{'、'.join(failing)}）：请补充抽样后重新提交（第二十一条（二））",)


def answer_step(procedure_id: int, step: ProcedureStep, key: str, values: dict[str, Any], today: date) -> str | None:
    """Judge and record one answer; None when accepted, else why it was refused (recorded too)."""
    with read_session() as session:
        procedure = _get(session, procedure_id)
    earlier = next((a for a in procedure.answers if a["key"] == key), None)
    if earlier is not None:
        return earlier.get("refused")  # an earlier try committed; its answer was lost
    _, rules = _rules(procedure.profile)
    try:
        answer = ANSWERS[step].model_validate(values)
    except ValidationError as error:
        judgement = Judgement(tuple(f"{'／'.join(map(str, e['loc']))}：{e['msg']}" for e in error.errors()))
        answer = None
    else:
        judgement = JUDGES[step](answer, rules, _context(procedure, today))
        if not judgement.problems and isinstance(answer, ParticipationAnswer):
            judgement = Judgement(_poll_problems(answer), judgement.outcome, judgement.note)
    refused = "；".join(judgement.problems) or None

    def write(session: Session) -> str | None:
        current = _get(session, procedure_id)
        if any(a["key"] == key for a in current.answers):
            return next(a for a in current.answers if a["key"] == key).get("refused")
        record = {
            "key": key,
            "step": step.value,
            "answer": answer.model_dump(mode="json") if answer is not None else values,
            "outcome": judgement.outcome.value,
            "note": judgement.note,
            "refused": refused,
            "on": today.isoformat(),
        }
        current.answers = [*current.answers, record]
        if refused is None and answer is not None:
            _apply(session, current, answer, judgement, today)
        session.add(current)
        audit.record(
            session=session,
            action="decision_procedure_answered",
            actor=answer.answered_by if answer is not None else "未署名",
            decision_code=current.decision_code,
            procedure=procedure_id,
            step=step.value,
            outcome=judgement.outcome.value,
            refused=refused,
        )
        return refused

    return transaction(write)


def _apply(session: Session, procedure: DecisionProcedure, answer: Any, judgement: Judgement, today: date) -> None:
    """What an accepted answer does beyond being recorded."""
    if judgement.outcome in ENDINGS:
        procedure.status, procedure.closed_at = judgement.outcome.value, now_beijing()
    if isinstance(answer, CatalogAnswer):
        launch = LaunchAnswer.model_validate(_accepted(procedure, ProcedureStep.launch)[-1]["answer"])
        profile, _ = _rules(procedure.profile)
        assert launch.category is not None  # judged at launch
        code = f"JC-{procedure.catalog_year}-{procedure.id:04d}"
        if session.get(Decision, code) is not None:
            raise StateConflict(f"决策目录中已有编号 {code}")
        session.add(
            Decision(
                code=code,
                title=procedure.matter,
                profile=procedure.profile,
                decision_body=profile.issuer,
                lead_unit=procedure.lead_unit,
                category=launch.category.value,
                starts_on=answer.planned_on,
            )
        )
        session.flush()
        procedure.decision_code = code
        audit.record(
            session=session, action="catalog_entry_added", decision_code=code, published_on=answer.published_on
        )
    elif isinstance(answer, ExpertsAnswer) and procedure.decision_code:
        decision = session.get(Decision, procedure.decision_code)
        assert decision is not None
        decision.pre_decision_assessors = sorted({*decision.pre_decision_assessors, *(e.name for e in answer.experts)})
        session.add(decision)
    elif isinstance(answer, PublicationAnswer) and procedure.decision_code:
        decision = session.get(Decision, procedure.decision_code)
        assert decision is not None
        meeting = MeetingAnswer.model_validate(_accepted(procedure, ProcedureStep.meeting)[-1]["answer"])
        decision.decided_on, decision.starts_on, decision.ends_on = meeting.meeting_on, answer.starts_on, answer.ends_on
        decision.updated_at = now_beijing()
        session.add(decision)
        plan = session.get(DecisionEvaluationPlan, decision.code) or DecisionEvaluationPlan(
            decision_code=decision.code, year=answer.evaluation_year, type=PLANNED_TYPES[answer.evaluation_type]
        )
        plan.year, plan.type = answer.evaluation_year, PLANNED_TYPES[answer.evaluation_type]
        session.add(plan)
        procedure.status, procedure.closed_at = PUBLISHED, now_beijing()
        audit.record(
            session=session,
            action="decision_published",
            decision_code=decision.code,
            published_on=answer.published_on,
            evaluation_year=plan.year,
            evaluation_type=plan.type,
        )


def write_record(procedure_id: int, today: date) -> str:
    """The whole-process record (changli 48: 过程记录和材料归档) as PDF and Word, once; the PDF's location."""
    from reporting.docx import keep_pdf_and_docx
    from reporting.pdf import render_html

    with read_session() as session:
        procedure = _get(session, procedure_id)
        if procedure.record_path:
            return procedure.record_path
        profile, _ = _rules(procedure.profile)
        context = {
            "procedure": procedure.model_dump(mode="json"),
            "steps": [
                {
                    "name": STEP_NAMES[ProcedureStep(a["step"])],
                    "on": a["on"],
                    "by": a["answer"].get("answered_by", ""),
                    "note": a["note"],
                    "refused": a["refused"],
                    "fields": _shown(ProcedureStep(a["step"]), a["answer"]),
                }
                for a in procedure.answers
            ],
            "ending": next((text for outcome, text in ENDINGS.items() if outcome.value == procedure.status), None),
            "title": profile.title,
            "generated_on": today.isoformat(),
        }
    kept_pdf, _ = keep_pdf_and_docx(render_html("decision_record.html.j2", context), f"决策过程记录-{procedure_id}")

    def record(session: Session) -> str:
        current = _get(session, procedure_id)
        if current.record_path:
            return current.record_path
        current.record_path, current.record_sha256 = kept_pdf.location, kept_pdf.sha256
        session.add(current)
        audit.record(
            session=session,
            action="decision_record_written",
            decision_code=current.decision_code,
            pdf=kept_pdf.location,
            sha256=kept_pdf.sha256,
        )
        return kept_pdf.location

    return transaction(record)


def _shown(step: ProcedureStep, answer: dict[str, Any]) -> list[tuple[str, str]]:
    """Each field of an answer as (its Chinese title, its value as text), for the record."""
    fields = ANSWERS[step].model_fields
    shown = []
    for name, value in answer.items():
        if name == "answered_by" or name not in fields or value in (None, "", [], False):
            continue
        if isinstance(value, list):
            text = "；".join(_item_text(item) for item in value)
        else:
            text = "是" if value is True else _moment(value)
        shown.append((fields[name].title or name, text))
    return shown


def _moment(value: Any) -> str:
    """A datetime as an office writes it (2026-06-05 10:00), anything else as it is."""
    text = str(value)
    return text[:16].replace("T", " ") if len(text) >= 19 and text[10] == "T" else text


def _item_text(item: Any) -> str:
    """An expert (王建国（燕山大学）), an oral opinion (赵磊：口头 … 书面 …), or a plain value."""
    if not isinstance(item, dict):
        return str(item)
    if "oral_at" in item:
        written = _moment(item["written_at"]) if item.get("written_at") else "未提供"
        return f"{item['expert']}：口头 {_moment(item['oral_at'])}，书面 {written}"
    marks = [] if item.get("from_pool", True) else ["非专家库"]
    return f"{item['name']}（{item['unit']}{'，' + '、'.join(marks) if marks else ''}）"


def state_name(status: str) -> str:
    """Where a procedure stands, as an office reads it: its ending, published, or 办理中."""
    ending = next((text for outcome, text in ENDINGS.items() if outcome.value == status), None)
    return ending or ("已作出决定并向社会公布" if status == PUBLISHED else "办理中")


def next_step(procedure: DecisionProcedure) -> ProcedureStep | None:
    """The step a procedure under way asks next (the first without a standing answer); None once it ended."""
    if procedure.status != UNDER_WAY:
        return None
    for step in ProcedureStep:
        accepted = _accepted(procedure, step)
        if not accepted or accepted[-1]["outcome"] == Outcome.again:
            return step
    return None


def procedure_of(decision_code: str) -> DecisionProcedure | None:
    """The procedure a catalog decision was made by, if any."""
    with read_session() as session:
        return session.exec(select(DecisionProcedure).where(DecisionProcedure.decision_code == decision_code)).first()
