"""The decision procedure's bookkeeping (changli chapters 2–7): a procedure opened once per run, each step's
answers judged (pinggu.rules.decision_procedure) and recorded under their pause keys, what an accepted answer does
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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError
from pydantic_core import to_jsonable_python
from sqlmodel import Session, col, select

from pinggu.core.document_store import in_store, local_file
from pinggu.core.errors import InputFileError, NotFound, SignoffRefused, StateConflict
from pinggu.core.links import procedure_url
from pinggu.models import audit
from pinggu.models.db import hold_lock, read_session, transaction
from pinggu.models.kept_answers import CountersignDone, PanelRecord, ProcedureAnswer, procedure_answers
from pinggu.models.tables import AuditEvent, Decision, DecisionEvaluationPlan, DecisionProcedure, Person, now_beijing
from pinggu.rules.decision_procedure import (
    ANSWERS,
    DECIDED_BY,
    ENDINGS,
    JUDGES,
    LEAD_UNIT_ACTOR,
    PANEL_ACTOR,
    PLANNED_TYPES,
    POLL_MEANS,
    STEP_NAMES,
    CatalogAnswer,
    Context,
    ExpertsAnswer,
    Judgement,
    LaunchAnswer,
    LegalityAnswer,
    MeetingAnswer,
    Outcome,
    PanelConfirmation,
    ParticipationAnswer,
    ProcedureStep,
    PublicationAnswer,
    basis_of,
    countersign_minimum,
    may_answer,
)
from pinggu.rules.people import may_act
from pinggu.rules.profiles import Profile, load_profiles
from pinggu.rules.profiles.schema import DecisionProcedureRules
from pinggu.services import handover
from pinggu.services.rendered import Draft, Kept, render_once
from pinggu.services.signatures import StepSigner, step_signer

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


def _accepted(procedure: DecisionProcedure, step: ProcedureStep) -> list[ProcedureAnswer]:
    return [a for a in procedure_answers(procedure.answers) if a.step is step and a.accepted]


def _last(procedure: DecisionProcedure, step: ProcedureStep) -> tuple[int, ProcedureAnswer] | None:
    """The step's latest accepted answer and its place among all the procedure's answers."""
    found = [(n, a) for n, a in enumerate(procedure_answers(procedure.answers)) if a.step is step and a.accepted]
    return found[-1] if found else None


def _standing(procedure: DecisionProcedure, step: ProcedureStep) -> ProcedureAnswer | None:
    """The answer the step stands on, or None when it is to be asked (again).

    A step answered with 'again' is asked again. A deciding body's step (DECIDED_BY: the county government on a
    high risk, CL-37) stands on an answer given after the latest referral to it, whatever it decided; a referring
    step is asked again when the body's answer after its own sent it back ('again')."""
    last = _last(procedure, step)
    referring = next((s for s, body in DECIDED_BY.items() if body is step), None)
    if referring is not None:
        referral = _last(procedure, referring)
        return last[1] if last and referral and last[0] > referral[0] else None
    if last is None or last[1].outcome is Outcome.again:
        return None
    body = DECIDED_BY.get(step)
    decided = _last(procedure, body) if body is not None else None
    if decided and decided[0] > last[0] and decided[1].outcome is Outcome.again:
        return None
    return last[1]


def step_status(procedure_id: int, step: ProcedureStep) -> StepDone | StepWaiting:
    """The step's standing answer, or the key to wait under (a step answered with 'again', or sent back by the
    body that decides on it, is asked again)."""
    with read_session() as session:
        procedure = _get(session, procedure_id)
    standing = _standing(procedure, step)
    if standing is not None:
        return StepDone(standing.outcome, standing.note)
    _, rules = _rules(procedure.profile)
    asked = [(n, a) for n, a in enumerate(procedure_answers(procedure.answers)) if a.step is step]
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
        description += f"\n\n{STEP_NAMES[referral[1].step]}：{referral[1].note}"
    if last and last.refused:
        description += f"\n\n⚠ 上次提交未被受理：{last.refused}"
    elif decided and decided[0] > last_at and decided[1].outcome is Outcome.again:
        description += f"\n\n{STEP_NAMES[decided[1].step]}：{decided[1].note}；请办理后重新填报"
    elif last and last.outcome is Outcome.again:
        description += f"\n\n上次结果：{last.note}；请办理后重新填报"
    description += f"\n\n请由{step_actor(procedure, step)}的人员登录网页办理：{procedure_url(procedure_id)}"
    return StepWaiting(key=_waiting_key(procedure, step), description=description)


def _waiting_key(procedure: DecisionProcedure, step: ProcedureStep) -> str:
    """The pause key the run waits under for the step's next answer (it counts the step's answers)."""
    asked = sum(1 for a in procedure_answers(procedure.answers) if a.step is step)
    return f"procedure-{procedure.id}-{step.value.replace('_', '-')}-{asked + 1}"


def step_of_key(procedure_id: int, key: str) -> ProcedureStep | None:
    """The step a pause key of this procedure asks (procedure-<id>-<step>-<n>, as step_status builds it), or None."""
    prefix = f"procedure-{procedure_id}-"
    if not key.startswith(prefix) or "-" not in key[len(prefix) :]:
        return None
    name = key[len(prefix) :].rsplit("-", 1)[0].replace("-", "_")
    return next((step for step in ProcedureStep if step.value == name), None)


def procedure_actors(procedure: DecisionProcedure) -> tuple[str, ...]:
    """Every role the profile gives a step of this procedure (决策承办单位 left out: that is the lead unit), and the
    unit that confirms the expert panel (CL-32-PANEL)."""
    _, rules = _rules(procedure.profile)
    roles = [actor for actor in rules.actors.values() if actor != LEAD_UNIT_ACTOR]
    return tuple(dict.fromkeys([*roles, rules.panel_confirmed_by.value]))


def _get(session: Session, procedure_id: int) -> DecisionProcedure:
    procedure = session.get(DecisionProcedure, procedure_id)
    if procedure is None:
        raise NotFound(f"没有编号为 {procedure_id} 的决策程序")
    return procedure


def _context(procedure: DecisionProcedure, today: date) -> Context:
    def going_on(step: ProcedureStep) -> ProcedureAnswer | None:
        """The step's standing answer when it lets the draft go on (not one asking for it again or referring it)."""
        standing = _standing(procedure, step)
        return standing if standing is not None and standing.outcome is Outcome.proceed else None

    launches = _accepted(procedure, ProcedureStep.launch)
    meetings = [a.values_as(MeetingAnswer) for a in _accepted(procedure, ProcedureStep.meeting)]
    legality = going_on(ProcedureStep.legality)
    with read_session() as session:
        panel = panel_confirmation(session, procedure)
    return Context(
        catalog_year=procedure.catalog_year,
        today=today,
        proposed_on=launches[-1].values_as(LaunchAnswer).proposed_on if launches else None,
        meeting_on=meetings[-1].meeting_on if meetings else None,
        # CL-34: assessed and allowed to go on, or no assessment needed (an answer with outcome proceed).
        risk_done=going_on(ProcedureStep.risk) is not None,
        # CL-41-44 (changli 44)
        submitted_on=legality.values_as(LegalityAnswer).head_decided_on if legality is not None else None,
        issued_on=meetings[-1].issued_on if meetings else None,  # CL-46 (changli 46 ¶4)
        panel=panel,
    )


def _poll_problems(answer: ParticipationAnswer) -> tuple[str, ...]:
    """E-SAMPLE (changli 21(2)): a questionnaire or poll's sample must reflect real opinion — the survey
    analysis and its representativeness test, as `pinggu survey analyze --population` runs them."""
    if not set(answer.means) & POLL_MEANS:
        return ()
    from pinggu.analysis.sample import read_population, representativeness
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    if not answer.population_file.strip():
        return (
            "采用问卷调查或民意调查的，请提交总体比例表，检验样本是否按职业、年龄、性别等反映真实民意（第二十一条（二））",
        )
    if not answer.survey_file.strip():
        return ("采用问卷调查或民意调查的，请上传问卷数据文件（第二十一条）",)
    if not all(in_store(location.strip()) for location in (answer.survey_file, answer.population_file)):
        return ("问卷数据文件和总体比例表只能在决策程序页面上传；不受理服务器上的其他路径",)
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


def _judge(
    procedure: DecisionProcedure, step: ProcedureStep, values: dict[str, Any], today: date
) -> tuple[BaseModel | None, Judgement]:
    """The answer read by its model (None when it does not fit) and the step's judgement of it."""
    _, rules = _rules(procedure.profile)
    try:
        answer = ANSWERS[step].model_validate(values)
    except ValidationError as error:
        return None, Judgement(tuple(f"{'／'.join(map(str, e['loc']))}：{e['msg']}" for e in error.errors()))
    judgement = JUDGES[step](answer, rules, _context(procedure, today))
    if not judgement.problems and isinstance(answer, ParticipationAnswer):
        judgement = Judgement(_poll_problems(answer), judgement.outcome, judgement.note)
    return answer, judgement


def preview_refusal(procedure_id: int, step: ProcedureStep, values: dict[str, Any], today: date) -> str | None:
    """Why the flow's judge would refuse this answer now (the web page checks at once), or None; nothing recorded."""
    with read_session() as session:
        procedure = _get(session, procedure_id)
    return "；".join(_judge(procedure, step, values, today)[1].problems) or None


def answer_step(procedure_id: int, step: ProcedureStep, key: str, values: dict[str, Any], today: date) -> str | None:
    """Judge and record one answer; None when accepted, else why it was refused (recorded too)."""
    with read_session() as session:
        procedure = _get(session, procedure_id)
    earlier = _answered(procedure, key)
    if earlier is not None:
        return earlier.refused  # an earlier try committed; its answer was lost
    answer, judgement = _judge(procedure, step, values, today)
    with read_session() as session:
        signer = step_signer(session, key, values)
    unsigned = _unsigned(procedure, step, signer)
    refused = "；".join((unsigned,) if unsigned else judgement.problems) or None
    by = f"{signer.name}（{signer.unit}）" if signer is not None else "未经本人签署"

    def write(session: Session) -> str | None:
        current = _get(session, procedure_id)
        found = _answered(current, key)
        if found is not None:
            return found.refused
        panel = panel_confirmation(session, current) if step is ProcedureStep.experts else None
        record = ProcedureAnswer(
            key=key,
            step=step,
            # a refused answer is kept as it was given, even when it fits no model
            answer=answer.model_dump(mode="json") if answer is not None else to_jsonable_python(values),
            outcome=judgement.outcome,
            note=judgement.note,
            refused=refused,
            on=today,
            answered_by=by,
            person_id=signer.person_id if signer is not None else None,
        )
        if panel is not None:  # the record shows which confirmation the experts answer stood on
            record = record.model_copy(update={"panel": _panel_record(panel)})
        current.answers = [*current.answers, record.stored_json()]
        if refused is None and answer is not None and signer is not None:
            _apply(session, current, answer, judgement, today)
        session.add(current)
        audit.record(
            session=session,
            action="decision_procedure_answered",
            actor=by,
            decision_code=current.decision_code,
            procedure=procedure_id,
            step=step.value,
            outcome=judgement.outcome.value,
            refused=refused,
        )
        return refused

    return transaction(write)


def profile_actor(procedure: DecisionProcedure, step: ProcedureStep) -> str:
    """Who answers the step, as the profile's `actors` names them (决策承办单位 for the matter's lead unit)."""
    _, rules = _rules(procedure.profile)
    return rules.actors[step]


def step_actor(procedure: DecisionProcedure, step: ProcedureStep) -> str:
    """Who answers the step as the profile names them; the matter's own lead unit spelled out for 决策承办单位."""
    actor = profile_actor(procedure, step)
    return f"{procedure.lead_unit}（{LEAD_UNIT_ACTOR}）" if actor == LEAD_UNIT_ACTOR else actor


def may_answer_step(roles: tuple[str, ...], unit: str, procedure: DecisionProcedure, step: ProcedureStep) -> bool:
    """Whether a person with these roles, of this unit, may answer the step of this procedure."""
    _, rules = _rules(procedure.profile)
    return may_answer(roles, unit, procedure.lead_unit, rules.actors[step])


def _unsigned(procedure: DecisionProcedure, step: ProcedureStep, signer: StepSigner | None) -> str | None:
    """Why an answer does not count as the act of an entitled person, or None."""
    if signer is None:
        return (
            f"未经本人登录签署：请由{step_actor(procedure, step)}的人员登录 pinggu 网页办理"
            f"（{procedure_url(procedure.id or 0)}）；在 Prefect 界面中填写的内容不作为办理记录"
        )
    with read_session() as session:
        person = session.get(Person, signer.person_id)
        assert person is not None  # step_signer found them
        held = handover.holder(session, handover.procedure_ref(procedure.id or 0, step.value))
    if held is not None and held.id != signer.person_id:
        return f"{STEP_NAMES[step]}已转办给 {held.name}（{held.unit}），由其本人办理"
    if held is None and not may_answer_step(signer.roles, signer.unit, procedure, step):
        return f"{signer.name}（{signer.unit}）不是{step_actor(procedure, step)}的人员，不能办理{STEP_NAMES[step]}"
    return None


def may_hold_step(person: Person, procedure: DecisionProcedure, step: ProcedureStep) -> bool:
    """Whether the person may answer the step now: its holder after a 转办, else anyone the profile names; for the
    experts' 会签, a member of the panel who has not signed yet."""
    if profile_actor(procedure, step) == PANEL_ACTOR:
        state = countersign_state(procedure)
        return any(m.name == person.name and m.unit == person.unit for m in state.awaited)
    with read_session() as session:
        return handover.may_hold(
            session,
            handover.procedure_ref(procedure.id or 0, step.value),
            person,
            lambda p: may_answer_step(tuple(p.roles), p.unit, procedure, step),
        )


# --- 专家组确定: the 决策咨询服务中心's own signed act (CL-32-PANEL, changli 32(一)) ------------------------------

PANEL_CONFIRMED = "panel_confirmed"


def _procedure_events(session: Session, procedure: DecisionProcedure, action: str) -> list[AuditEvent]:
    """The procedure's audit events of one kind (a panel confirmed, an expert's signature), oldest first."""
    events = session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
    return [e for e in events if e.detail.get("procedure") == procedure.id]


def panel_confirmation(session: Session, procedure: DecisionProcedure) -> PanelConfirmation | None:
    """The latest confirmation of the procedure's expert panel by the confirming unit's person, or None."""
    confirmed = _procedure_events(session, procedure, PANEL_CONFIRMED)
    if not confirmed:
        return None
    latest = confirmed[-1]
    return PanelConfirmation(
        confirmed_as=str(latest.detail["confirmed_as"]),
        confirmer=latest.actor,
        confirmed_on=date.fromisoformat(latest.detail["on"]),
        experts=tuple(latest.detail["experts"]),
    )


def _answered(procedure: DecisionProcedure, key: str) -> ProcedureAnswer | None:
    """The answer recorded under a pause key, if any (each key is answered once)."""
    return next((a for a in procedure_answers(procedure.answers) if a.key == key), None)


def _panel_record(panel: PanelConfirmation) -> PanelRecord:
    return PanelRecord(
        by=panel.confirmer, confirmed_as=panel.confirmed_as, on=panel.confirmed_on, experts=panel.experts
    )


def panel_confirmer(procedure: DecisionProcedure) -> str:
    """The unit the profile names to confirm the expert panel (县决策咨询服务中心 in changli)."""
    _, rules = _rules(procedure.profile)
    return rules.panel_confirmed_by.value


def may_confirm_panel(person: Person, procedure: DecisionProcedure) -> bool:
    """Whether the person may confirm the panel now: of the confirming unit, while the procedure is under way and
    its 专家论证 does not stand yet."""
    return (
        procedure.status == UNDER_WAY
        and may_act(tuple(person.roles), panel_confirmer(procedure))
        and _standing(procedure, ProcedureStep.experts) is None
    )


def confirm_panel(
    procedure_id: int, person_id: int, experts: str, confirmed_on: date, today: date
) -> PanelConfirmation:
    """Record the confirming unit's person confirming the panel (names one per line, or separated by 、，；) on
    `confirmed_on` (not after today), an audit event signed by them; a later confirmation replaces it until the
    专家论证 stands."""
    from pinggu.rules.people import split_list

    names = split_list(experts)
    if not names:
        raise StateConflict("请填写确定的专家组成员姓名（每行一位）")
    if len(set(names)) != len(names):
        raise StateConflict("专家组名单有重复")
    if confirmed_on > today:
        raise StateConflict(f"专家组确定日期 {confirmed_on} 晚于今天，请填写实际确定的日期")

    def write(session: Session) -> PanelConfirmation:
        procedure = _get(session, procedure_id)
        person = session.get(Person, person_id)
        assert person is not None  # the signed-in person
        confirmer = panel_confirmer(procedure)
        if not may_act(tuple(person.roles), confirmer):
            raise SignoffRefused(f"{person.name}（{person.unit}）不是{confirmer}的人员，不能确定专家组")
        if not may_confirm_panel(person, procedure):
            raise StateConflict("专家论证已经受理或决策程序已结束，专家组不能再确定或更改")
        audit.record(
            session=session,
            action=PANEL_CONFIRMED,
            actor=f"{person.name}（{person.unit}）",
            procedure=procedure_id,
            person_id=person_id,
            experts=list(names),
            on=confirmed_on.isoformat(),
            confirmed_as=confirmer,
        )
        return PanelConfirmation(confirmer, f"{person.name}（{person.unit}）", confirmed_on, names)

    return transaction(write)


# --- 会签: each expert of the panel signs their own written opinion (CL-32, changli 32(三)) -------------------

EXPERT_SIGNED = "expert_opinion_signed"
COUNTERSIGN_LOCK_BASE = 0x70676373_00000000  # + the procedure's id: one signer at a time decides completion


@dataclass(frozen=True)
class PanelMember:
    """An expert of the panel as the 会签 lists them."""

    name: str
    unit: str


@dataclass(frozen=True)
class Countersign:
    """Where the experts' 会签 stands: who signed (and when), who is awaited, how many must sign, and whether the
    step stands (recorded once, under the pause key the run waits at)."""

    signed: tuple[tuple[PanelMember, str], ...]
    awaited: tuple[PanelMember, ...]
    minimum: int
    complete: bool


def _panel(procedure: DecisionProcedure) -> tuple[int, ExpertsAnswer] | None:
    """The standing 专家论证 answer (its place among the answers) that named the panel, or None."""
    last = _last(procedure, ProcedureStep.experts)
    return (last[0], last[1].values_as(ExpertsAnswer)) if last else None


class ExpertSignature(BaseModel):
    """An expert's signed written opinion, as its audit event keeps it."""

    model_config = ConfigDict(frozen=True, extra="ignore")  # the event also names the procedure and the person

    name: str
    unit: str
    opinion: str
    on: str
    panel_at: int


def _signatures(session: Session, procedure: DecisionProcedure, panel_at: int) -> list[ExpertSignature]:
    """The experts' signatures of this panel (audit events), oldest first."""
    return [
        ExpertSignature.model_validate(e.detail)
        for e in _procedure_events(session, procedure, EXPERT_SIGNED)
        if e.detail.get("panel_at") == panel_at
    ]


def _countersign(session: Session, procedure: DecisionProcedure) -> Countersign:
    _, rules = _rules(procedure.profile)
    found = _panel(procedure)
    if found is None:
        return Countersign((), (), 0, False)
    panel_at, experts = found
    signed = _signatures(session, procedure, panel_at)
    members = [PanelMember(e.name, e.unit) for e in experts.experts if not e.interested]
    done = {(s.name, s.unit) for s in signed}
    complete = _standing(procedure, ProcedureStep.expert_opinions) is not None
    return Countersign(
        signed=tuple((PanelMember(s.name, s.unit), s.on) for s in signed),
        awaited=() if complete else tuple(m for m in members if (m.name, m.unit) not in done),
        minimum=countersign_minimum(experts, rules),
        complete=complete,
    )


def countersign_state(procedure: DecisionProcedure) -> Countersign:
    """Who of the panel has signed their written opinion and who is awaited (the step's page shows both)."""
    with read_session() as session:
        return _countersign(session, procedure)


def sign_expert_opinion(procedure_id: int, person_id: int, opinion: str, today: date) -> bool:
    """Record one expert's signed written opinion; True when this signature completed the 会签 (then, and only then,
    the caller resumes the run: the completion is recorded once, under a lock, however many sign at once)."""
    with read_session() as session:
        _, judged = _judge(_get(session, procedure_id), ProcedureStep.expert_opinions, {"opinion": opinion}, today)
    if judged.problems:
        raise StateConflict("；".join(judged.problems))

    def write(session: Session) -> bool:
        hold_lock(session, COUNTERSIGN_LOCK_BASE + procedure_id)
        procedure = _get(session, procedure_id)
        person = session.get(Person, person_id)
        assert person is not None  # the signed-in person
        if next_step(procedure) is not ProcedureStep.expert_opinions:
            raise StateConflict("专家论证意见的会签已完成或尚未开始，请刷新页面查看")
        state = _countersign(session, procedure)
        if not any(m.name == person.name and m.unit == person.unit for m in state.awaited):
            raise SignoffRefused(
                f"{person.name}（{person.unit}）不在待签署的论证专家之列（已签署，或不是本专家组成员）"
            )
        found = _panel(procedure)
        assert found is not None  # next_step asks the 会签 only after a panel was named
        audit.record(
            session=session,
            action=EXPERT_SIGNED,
            actor=f"{person.name}（{person.unit}）",
            procedure=procedure_id,
            panel_at=found[0],
            person_id=person_id,
            name=person.name,
            unit=person.unit,
            opinion=opinion.strip(),
            on=today.isoformat(),
        )
        if len(state.signed) + 1 < state.minimum:
            return False
        waiting = _waiting_key(procedure, ProcedureStep.expert_opinions)
        names = "、".join([*(m.name for m, _ in state.signed), person.name])
        completed = ProcedureAnswer(
            key=waiting,
            step=ProcedureStep.expert_opinions,
            answer=CountersignDone(signed=names, panel_at=found[0]).stored_json(),
            outcome=Outcome.proceed,
            note=f"{len(state.signed) + 1} 位论证专家已签署书面论证意见（{names}）（第三十二条（三））",
            refused=None,
            on=today,
            answered_by="论证专家会签",
            person_id=None,
        )
        procedure.answers = [*procedure.answers, completed.stored_json()]
        session.add(procedure)
        return True

    return transaction(write)


def _apply(
    session: Session, procedure: DecisionProcedure, answer: BaseModel, judgement: Judgement, today: date
) -> None:
    """What an accepted answer does beyond being recorded."""
    if judgement.outcome in ENDINGS:
        procedure.status, procedure.closed_at = judgement.outcome.value, now_beijing()
    if isinstance(answer, CatalogAnswer):
        launch = _accepted(procedure, ProcedureStep.launch)[-1].values_as(LaunchAnswer)
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
        meeting = _accepted(procedure, ProcedureStep.meeting)[-1].values_as(MeetingAnswer)
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
    from pinggu.reporting.pdf import render_html

    def draft(session: Session, procedure: DecisionProcedure) -> Draft:
        profile, _ = _rules(procedure.profile)
        context = {
            "procedure": procedure.model_dump(mode="json"),
            "steps": [
                {
                    "name": STEP_NAMES[a.step],
                    "on": a.on.isoformat(),
                    "by": a.by,
                    "note": a.note,
                    "refused": a.refused,
                    "fields": _shown(a.step, a.answer) + _confirmed(a.panel)
                    if a.step is not ProcedureStep.expert_opinions
                    else _opinions(session, procedure, a),
                }
                for a in procedure_answers(procedure.answers)
            ],
            "ending": next((text for outcome, text in ENDINGS.items() if outcome.value == procedure.status), None),
            "title": profile.title,
            "generated_on": today.isoformat(),
        }
        return Draft(name=f"决策过程记录-{procedure_id}", html=lambda: render_html("decision_record.html.j2", context))

    def mark(procedure: DecisionProcedure, kept: Kept) -> None:
        procedure.record_path, procedure.record_sha256 = kept.pdf.location, kept.pdf.sha256

    return render_once(
        lambda session: _get(session, procedure_id),
        pending=lambda procedure: not procedure.record_path,
        settled=_written_record,
        draft=draft,
        mark=mark,
        action="decision_record_written",
        # the Word copy, which the decision's archive package carries too
        details=lambda _procedure, kept: {"docx": kept.docx.location, "docx_sha256": kept.docx.sha256},
    )


def _written_record(procedure: DecisionProcedure | None) -> str:
    """The location of a procedure's record written before (write_record's `get` raises for no procedure)."""
    assert procedure is not None and procedure.record_path
    return procedure.record_path


def _shown(step: ProcedureStep, answer: Mapping[str, JsonValue]) -> list[tuple[str, str]]:
    """Each field of an answer as given (refused ones too) as (its Chinese title, its value as text), for the
    record."""
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


def _confirmed(panel: PanelRecord | None) -> list[tuple[str, str]]:
    """The centre's confirmation an accepted 专家论证 stood on, as the record shows it."""
    if panel is None:
        return []
    return [(f"专家组确定（{panel.confirmed_as}）", f"{panel.by} 于 {panel.on} 确定：{'、'.join(panel.experts)}")]


def _opinions(session: Session, procedure: DecisionProcedure, record: ProcedureAnswer) -> list[tuple[str, str]]:
    """Each expert's signed written opinion (会签), as the record shows it: who, when, and what they wrote (none for
    an opinion typed into the Prefect UI, refused unsigned)."""
    if not record.accepted:
        return []
    signed = _signatures(session, procedure, record.values_as(CountersignDone).panel_at)
    return [(f"{s.name}（{s.unit}）{s.on}签署", s.opinion) for s in signed]


def _moment(value: Any) -> str:
    """A datetime as an office writes it (2026-06-05 10:00), anything else as it is."""
    text = str(value)
    return text[:16].replace("T", " ") if len(text) >= 19 and text[10] == "T" else text


def _item_text(item: Any) -> str:
    """An expert (王建国（燕山大学）), an oral opinion (赵磊：口头 … 书面 …), a side of a hearing (支持 5 人), a risk
    assessed under other rules (环境风险：依照…评估（文件，日期）), or a plain value."""
    if not isinstance(item, dict):
        return str(item)
    if "view" in item:
        return f"{item['view']} {item['count']} 人"
    if "document" in item:
        return f"{item['kind']}：依照{item['rules']}评估（{item['document']}，{item['assessed_on']}）"
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
    """The step a procedure under way asks now, as the flow walks it (pinggu.flows.decision_procedure.ask): the first step
    without a standing answer, or the deciding body's step after a referral to it; None once it ended."""
    if procedure.status != UNDER_WAY:
        return None
    for step in ProcedureStep:
        if step in DECIDED_BY.values():
            continue  # asked only on a referral, below
        standing = _standing(procedure, step)
        if standing is None:
            return step
        body = DECIDED_BY.get(step)
        if standing.outcome is Outcome.referred and body is not None:
            decided = _standing(procedure, body)
            if decided is None:
                return body
            if decided.outcome in ENDINGS:
                return None
    return None


def procedure_of(decision_code: str) -> DecisionProcedure | None:
    """The procedure a catalog decision was made by, if any."""
    with read_session() as session:
        return session.exec(select(DecisionProcedure).where(DecisionProcedure.decision_code == decision_code)).first()
