"""The web app's items as the access policy sees them (pinggu.rules.access.Resource), and the one check every page
and document makes: `allow(request, viewer, resource, what)` refuses with a Chinese 403 and an audit event.
"""

from __future__ import annotations

from typing import NoReturn

from fastapi import Request
from sqlmodel import Session, select

from pinggu.core.errors import AccessDenied
from pinggu.models import evaluations as store
from pinggu.models import people
from pinggu.models.db import transaction
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import DecisionProcedure, Evaluation, TeamMember
from pinggu.rules.access import Resource, ResourceKind, Viewer, may_see
from pinggu.services.handover import gate_holders
from pinggu.services.signoff import waits_for


def evaluation_resource(session: Session, evaluation: Evaluation) -> Resource:
    """An evaluation: the actors of every gate its procedure passes, its team, and whoever a gate was handed to."""
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    procedure = procedure_of(session, evaluation)
    team = tuple(m.name for m in session.exec(select(TeamMember).where(TeamMember.evaluation_id == evaluation.id)))
    team += tuple(person.name for person in gate_holders(session, evaluation.code))  # 转办 (pinggu.services.handover)
    actors = tuple(dict.fromkeys(waits_for(procedure, gate) for gate in procedure.gates))
    return Resource(ResourceKind.evaluation, decision.profile, actors=actors, team=team)


def procedure_resource(procedure: DecisionProcedure) -> Resource:
    """A decision procedure: the roles its profile gives the steps, and the matter's lead unit."""
    from pinggu.services.decision_procedure import procedure_actors

    return Resource(
        ResourceKind.procedure, procedure.profile, actors=procedure_actors(procedure), units=(procedure.lead_unit,)
    )


def allow(request: Request, viewer: Viewer, resource: Resource, what: str) -> None:
    """Let the viewer through, or record the refusal and raise AccessDenied (a Chinese 403 page)."""
    if may_see(viewer, resource):
        return
    refuse(
        request,
        viewer,
        what,
        f"您（{viewer.name}，{viewer.unit}）无权查看{what}：它不属于您参与办理的事项或您所在的辖区",
    )


def refuse(request: Request, viewer: Viewer, what: str, message: str) -> NoReturn:
    """Record the viewer's refused access to `what` in the audit log and raise AccessDenied(message): a 403 page."""
    from pinggu.models import audit

    transaction(
        lambda session: audit.record(
            session=session,
            action="access_refused",
            actor=f"{viewer.name}（{viewer.unit}）",
            what=what,
            path=request.url.path,
        )
    )
    raise AccessDenied(message)


def entitled_units(session: Session, profile: str, actor: str) -> set[str]:
    """The units of the people who may act where the profile names `actor`."""
    return {p.unit for p in people.entitled(session=session, profile=profile, actor=actor)}
