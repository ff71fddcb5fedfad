"""What a gate's judge reads of an answer: one protocol per kind of gate form.

Services do not import forms (the layers contract: forms and services are siblings), so an acceptor or a
preparer names the fields it reads here, and the gate's form in pinggu.forms.gates.GATE_FORMS has them;
tests/services/evaluation/test_acceptors.py checks every form against its gate's protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from pinggu.rules.gates import AcceptanceVerdict, ExpertsConvened, PlanVerdict, ReportRework, ReportVerdict, StartDecision
from pinggu.rules.vocabulary import Conclusion, SatisfactionScale


class TeamAnswer(Protocol):
    """The evaluation team as named (pinggu.forms.gates.TeamForm)."""

    members: Sequence[BaseModel]  # each a pinggu.rules.team.Member's fields
    submitter: str
    submitter_role: str


class Approver(Protocol):
    """Who gave an approval, as typed on the form (the signer's name replaces it when recorded)."""

    approver: str
    approver_role: str
    comment: str


class PlanApprovalAnswer(Approver, Protocol):
    """方案审定 (pinggu.forms.gates.PlanApprovalForm)."""

    choice: PlanVerdict


class StartApprovalAnswer(Approver, Protocol):
    """The decision body's start decision (pinggu.forms.gates.StartApprovalForm)."""

    choice: StartDecision


class ThirdPartyAcceptanceAnswer(Approver, Protocol):
    """The lead unit's acceptance of an entrusted report (pinggu.forms.gates.ThirdPartyAcceptanceForm)."""

    choice: AcceptanceVerdict


class ReportApprovalAnswer(Approver, Protocol):
    """决策机关审定 (pinggu.forms.gates.ReportApprovalForm)."""

    choice: ReportVerdict
    conclusion: Conclusion | None
    departure_reason: str
    rework: ReportRework


# Checked with isinstance where the judge records a prepared file: every submission form has these fields.
@runtime_checkable
class Submission(Protocol):
    """A file handed in and who handed it in (the forms of every submission gate)."""

    file: str  # where the upload is in the document store
    submitter: str
    submitter_role: str


class DataFileAnswer(Submission, Protocol):
    """Questionnaire data or an opinions register (pinggu.forms.gates.DataFileForm)."""

    scale: SatisfactionScale | None


class RecordsAnswer(Submission, Protocol):
    """Meeting minutes or field records with their summary (pinggu.forms.gates.RecordsForm)."""

    summary: str


class ExpertMarksAnswer(Submission, Protocol):
    """Expert marks and statistics (pinggu.forms.gates.ExpertMarksForm)."""

    data_values: str


class ExpertReviewAnswer(Protocol):
    """The experts' opinion on the draft, or why none was sought (pinggu.forms.gates.ExpertReviewForm)."""

    organised: ExpertsConvened
    experts: str
    opinion: str
    handling: str
    submitter: str
    submitter_role: str
