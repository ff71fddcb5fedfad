"""Who an act done from the command line is recorded as (issue 29): the person of the people register named by
their 登录名 (pinggu.services.accounts.viewer_by_login), never a typed name; where the act is reserved to a unit or a
role, the person is checked as the web app checks the signed-in person for the same act, and recorded as the
web app records them.

Also what both faces ask about a decision: who decides on its future (`decision_body`) and who takes part in
its tracking (`tracking_resource`).
"""

from __future__ import annotations

from sqlmodel import Session

from pinggu.core.errors import AccessDenied, NotFound, StateConflict
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.tables import Decision, Rectification
from pinggu.rules.access import Resource, ResourceKind, Viewer, may_see
from pinggu.rules.gates import GateId
from pinggu.rules.profiles import load_profile
from pinggu.services.accounts import viewer_by_login


def decision_body(decision: Decision) -> str:
    """Who decides on the decision's future: the actor of its profile's report approval (the decision body)."""
    profile = load_profile(decision.profile)
    return next((g.actor for g in profile.gates if g.id == GateId.approval), profile.issuer)


def tracking_resource(session: Session, decision_code: str, *units: str) -> Resource:
    """A decision's tracking, supervision or rectification: its lead unit, the units named, and the
    profile's supervisor and rectification reviewer."""
    decision = store.get_decision(session=session, code=decision_code)
    tracking = load_profile(decision.profile).tracking
    actors = (tracking.supervisor, tracking.rectification_reviewer) if tracking else ()
    return Resource(
        ResourceKind.tracking, decision.profile, actors=actors, units=tuple(dict.fromkeys((decision.lead_unit, *units)))
    )


def name_and_unit(person: Viewer) -> str:
    """姓名（单位）: how a trigger, a 重做 decision, a supervision round or an archive export names who did it."""
    return f"{person.name}（{person.unit}）"


def unit_and_name(person: Viewer) -> str:
    """单位姓名: how a tracking report, a public opinion, a rectification or a follow-up report names its reporter."""
    return f"{person.unit}{person.name}"


def _office_of(person: Viewer, profile: str) -> bool:
    return person.office and person.covers(profile)


def _reporter_of(login: str, unit: str, refusal: str) -> str:
    """The person, who must belong to `unit` or to the office, as the report names them; StateConflict if not."""
    person = viewer_by_login(login)
    if not person.office and person.unit != unit:
        raise StateConflict(f"{refusal}，{person.name}（{person.unit}）不能代为报告")
    return unit_and_name(person)


def follow_up_reporter(login: str, item_id: int) -> str:
    """Who reports back on a follow-up measure (C-FOLLOWUP): a person of the unit responsible, or the office."""
    from pinggu.services.followups import follow_up_state

    item = follow_up_state(item_id)
    return _reporter_of(login, item.unit, f"本项后续措施由{item.unit}报告落实情况")


def rectification_reporter(login: str, item_id: int) -> str:
    """Who reports back on a rectification item (OR-10): a person of the unit responsible, or the office."""
    with read_session() as session:
        item = session.get(Rectification, item_id)
    if item is None:
        raise NotFound(f"没有编号为 {item_id} 的整改事项")
    return _reporter_of(login, item.unit, f"本整改事项由{item.unit}报告")


def urgent_reporter(login: str, decision_code: str) -> str:
    """Who reports at once between tracking reports (OR-9): a person of the decision's lead unit, or the office."""
    with read_session() as session:
        decision = store.get_decision(session=session, code=decision_code)
    return _reporter_of(login, decision.lead_unit, f"决策 {decision.code} 的情况由{decision.lead_unit}报告")


def opinion_recorder(login: str, decision_code: str) -> str:
    """Who registers a public opinion on a decision (E-PUBLIC): whoever takes part in its tracking."""
    with read_session() as session:
        resource = tracking_resource(session, decision_code)  # an unknown decision first
    person = viewer_by_login(login)
    if not may_see(person, resource):
        raise AccessDenied(
            f"{person.name}（{person.unit}）不参与决策 {decision_code} 的跟踪反馈，不能登记该决策的公众意见"
        )
    return unit_and_name(person)


def supervision_recorder(login: str, decision_code: str) -> str:
    """Who starts a supervision round (OR-10): the profile's supervisor, or the office of its jurisdiction."""
    with read_session() as session:
        decision = store.get_decision(session=session, code=decision_code)
    person = viewer_by_login(login)
    tracking = load_profile(decision.profile).tracking
    supervisor = tracking.supervisor if tracking else ""
    if not (supervisor and person.may_act(supervisor)) and not _office_of(person, decision.profile):
        raise AccessDenied(
            f"决策 {decision.code} 的督查由{supervisor or '评估办公室'}启动，{person.name}（{person.unit}）不能启动"
        )
    return name_and_unit(person)


def office_actor(login: str, decision_code: str, what: str) -> str:
    """Who records a trigger event (T-EVENT) or decides to redo an evaluation (minhang 12): the office of the
    decision's jurisdiction, or an administrator."""
    with read_session() as session:
        decision = store.get_decision(session=session, code=decision_code)
    person = viewer_by_login(login)
    if not _office_of(person, decision.profile):
        raise AccessDenied(f"{what}由评估办公室办理，{person.name}（{person.unit}）不是该辖区评估办公室的人员")
    return name_and_unit(person)


def evaluation_decision(evaluation_code: str) -> str:
    """The code of the decision an evaluation is of; NotFound in Chinese."""
    with read_session() as session:
        return store.get_evaluation(session=session, code=evaluation_code).decision_code


def decision_maker(login: str, decision_code: str) -> Viewer:
    """Who records the decision body's decision on a decision's future (MH-2): a person of the decision body."""
    with read_session() as session:
        decision = store.get_decision(session=session, code=decision_code)
    person = viewer_by_login(login)
    body = decision_body(decision)
    if not (person.may_act(body) and person.covers(decision.profile)):
        raise AccessDenied(
            f"决策 {decision.code} 的继续执行、调整、中止或终止执行由{body}决定，{person.name}（{person.unit}）不能记录"
        )
    return person
