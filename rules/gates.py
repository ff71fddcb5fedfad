"""Every human gate of the procedure, once: id, Chinese name, stage, kind, choices, what it reviews.

Each entry names the model its accepted answer keeps (``Approval.details``) and, for a submission, the model of
its file's record (``Document.meta``), both in pinggu.rules.gate_details; ``gate_details``, ``details_as`` and
``file_meta_as`` read stored rows as those models. Everything else derives from ``GATES``: the gate ids a profile may declare (pinggu.rules.profiles), the
order submissions are asked for (pinggu.rules.procedure), the names operators read, the stage whose
target date a gate carries. The form of each gate is bound in forms/gates.py (``GATE_FORMS``) and its
acceptor or preparer in services/evaluation/acceptors.py (``HANDLERS``); tests/services/evaluation/test_acceptors.py
fails when a gate lacks either.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from pinggu.rules.gate_details import (
    ExpertMarksDetails,
    ExpertMarksMeta,
    ExpertReviewDetails,
    FileMeta,
    GateDetails,
    NoDetails,
    OpinionsDetails,
    OpinionsMeta,
    PlanApprovalDetails,
    RecordsDetails,
    RecordsMeta,
    ReportApprovalDetails,
    SendsBack,
    SurveyDetails,
    SurveyMeta,
    TeamDetails,
    ThirdPartyAcceptanceDetails,
    read_kept,
)
from pinggu.rules.gate_details import Rework as Rework  # re-exported: the flow and the forms name it with the gates
from pinggu.rules.steps import Stage, StepId
from pinggu.rules.vocabulary import Conclusion


class GateId(StrEnum):
    """A human gate: the flow suspends until a person answers it."""

    team = "team"
    plan_approval = "plan_approval"
    start_approval = "start_approval"
    survey = "survey"
    minutes = "minutes"
    field = "field"
    opinions = "opinions"
    expert_marks = "expert_marks"
    expert_review = "expert_review"
    third_party_acceptance = "third_party_acceptance"
    approval = "approval"


class GateKind(StrEnum):
    """How a gate is answered."""

    members = "members"  # the evaluation team is named
    approval = "approval"  # someone with authority decides (pinggu approve)
    submission = "submission"  # a file of material is handed in (pinggu submit)
    review = "review"  # the experts' opinion on the draft is recorded (pinggu review)


D = TypeVar("D", bound=GateDetails)
M = TypeVar("M", bound=FileMeta)


# --- the choices a gate's form offers (the values operators pick, in Chinese) ------------------


class Submitted(StrEnum):
    """A submission or the team: there is nothing to choose."""

    submitted = "提交"


class PlanVerdict(StrEnum):
    """方案审定."""

    agree = "同意"
    send_back = "退回修改"


class StartDecision(StrEnum):
    """Ningxia's decision whether to evaluate at all (NX-10)."""

    start = "同意开展"
    decline = "不开展"


class ExpertReviewChoice(StrEnum):
    """Whether the experts were convened (S-CONCL: a profile may let the unit skip them)."""

    held = "提交"
    skipped = "不组织"


class ExpertsConvened(StrEnum):
    """The expert-review form's first question."""

    held = "已组织专家论证"
    skipped = "不组织专家论证"


class AcceptanceVerdict(StrEnum):
    """The lead unit's acceptance of an entrusted third party's report (OR-14)."""

    accepted = "验收通过"
    send_back = "退回修改"
    false_report = "认定虚假报告"


class ReportVerdict(StrEnum):
    """The decision body's approval of the report (G-APPROVE)."""

    approved = "通过"
    send_back = "退回修改"


class ReportRework(StrEnum):
    """The decision body's two ways of sending a report back, as its form offers them."""

    report = "修改评估报告"
    evidence = "补充评估材料"


REWORK_OF: dict[ReportRework, Rework] = {ReportRework.report: Rework.report, ReportRework.evidence: Rework.evidence}


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateSpec:
    """One gate: what operators call it, where it sits, how it is answered."""

    id: GateId
    name: str
    stage: Stage
    kind: GateKind
    choices: type[StrEnum]
    # The profile gate that says who acts and on which article; submissions share the data gate.
    profile_gate: GateId | None = None
    reviews: StepId | None = None  # the document under review, shown in the form
    material: str = ""  # what a submission hands in, for the command line's help
    details: type[GateDetails] = NoDetails  # what its accepted answer keeps (Approval.details)
    meta: type[FileMeta] | None = None  # what a submission's file record keeps (Document.meta)


GATES: dict[GateId, GateSpec] = {
    spec.id: spec
    for spec in (
        GateSpec(GateId.team, "组建评估小组", Stage.preparation, GateKind.members, Submitted, details=TeamDetails),
        GateSpec(
            GateId.plan_approval, "评估方案审定", Stage.preparation, GateKind.approval, PlanVerdict,
            profile_gate=GateId.plan_approval, reviews=StepId.plan, details=PlanApprovalDetails,
        ),
        GateSpec(
            GateId.start_approval, "决定是否开展评估", Stage.preparation, GateKind.approval, StartDecision,
            profile_gate=GateId.start_approval, reviews=StepId.plan, details=NoDetails,
        ),
        GateSpec(
            GateId.survey, "调查数据提交", Stage.implementation, GateKind.submission, Submitted,
            profile_gate=GateId.survey, material="问卷数据（CSV/XLSX）",
            details=SurveyDetails, meta=SurveyMeta,
        ),
        GateSpec(
            GateId.minutes, "会议纪要提交", Stage.implementation, GateKind.submission, Submitted,
            profile_gate=GateId.survey, material="座谈会、论证会等会议纪要（须 --summary）",
            details=RecordsDetails, meta=RecordsMeta,
        ),
        GateSpec(
            GateId.field, "实地调研记录提交", Stage.implementation, GateKind.submission, Submitted,
            profile_gate=GateId.survey, material="实地调研记录（须 --summary）",
            details=RecordsDetails, meta=RecordsMeta,
        ),
        GateSpec(
            GateId.opinions, "意见征集材料提交", Stage.implementation, GateKind.submission, Submitted,
            profile_gate=GateId.survey, material="意见征集登记表（CSV/XLSX）",
            details=OpinionsDetails, meta=OpinionsMeta,
        ),
        GateSpec(
            GateId.expert_marks, "专家评分及统计数据提交", Stage.implementation, GateKind.submission, Submitted,
            profile_gate=GateId.survey, material="专家打分表（列：指标、专家、分数），统计数据用 --data",
            details=ExpertMarksDetails, meta=ExpertMarksMeta,
        ),
        GateSpec(
            GateId.expert_review, "专家论证", Stage.conclusion, GateKind.review, ExpertReviewChoice,
            profile_gate=GateId.expert_review, reviews=StepId.draft_report, details=ExpertReviewDetails,
        ),
        GateSpec(
            GateId.third_party_acceptance, "第三方评估报告验收", Stage.conclusion, GateKind.approval,
            AcceptanceVerdict, profile_gate=GateId.third_party_acceptance, reviews=StepId.draft_report,
            details=ThirdPartyAcceptanceDetails,
        ),
        GateSpec(
            GateId.approval, "决策机关审定", Stage.conclusion, GateKind.approval, ReportVerdict,
            profile_gate=GateId.approval, reviews=StepId.draft_report, details=ReportApprovalDetails,
        ),
    )
}  # fmt: skip

PROFILE_GATE_IDS: tuple[str, ...] = tuple(g.value for g, spec in GATES.items() if spec.profile_gate is g)
"""The gates a profile declares (who acts, for which types, on which article), in the only order allowed."""

# Which material each method produces, i.e. which submission gate it opens (E-METHODS, SPEC §7).
SUBMISSION_OF_METHOD: dict[str, GateId] = {
    "问卷调查": GateId.survey,
    "座谈会": GateId.minutes,
    "论证会": GateId.minutes,
    "听证会": GateId.minutes,
    "个别访谈": GateId.minutes,
    "专家咨询": GateId.minutes,
    "实地调研": GateId.field,
    "意见征询": GateId.opinions,
    "舆情跟踪": GateId.opinions,
}

METHOD_SUBMISSIONS: tuple[GateId, ...] = tuple(g for g in GATES if g in SUBMISSION_OF_METHOD.values())
"""Submission gates the methods open, in the order the flow asks for them."""


def gate_name(gate: str) -> str:
    """A gate's Chinese name; an id no longer registered (an old record) is shown as it is."""
    try:
        return GATES[GateId(gate)].name
    except ValueError:
        return gate


@dataclass(frozen=True)
class GateAnswer:
    """A gate's accepted answer, as the flow branches on it."""

    gate: GateId
    choice: StrEnum
    approver: str
    comment: str | None = None
    conclusion: Conclusion | None = None
    rework: Rework | None = None  # set when the answer sends the evaluation back
    details: GateDetails = field(default_factory=NoDetails)

    def details_as(self, model: type[D]) -> D:
        """The details typed as `model`, which must be the model the gate's registry entry names."""
        if not isinstance(self.details, model):  # the caller's type and the registry disagree: a programming error
            raise TypeError(f"{self.gate} keeps {type(self.details).__name__}, not {model.__name__}")
        return self.details

    @property
    def declined(self) -> bool:
        """Ningxia's start decision said not to evaluate (NX-10)."""
        return self.choice is StartDecision.decline


def gate_details(gate: GateId | str, stored: Mapping[str, Any] | None) -> GateDetails:
    """A gate's stored details (``Approval.details``) read as its registry entry's model."""
    spec = GATES[GateId(gate)]
    return read_kept(spec.details, stored, f"“{spec.name}”的办理记录")


def details_as(gate: GateId | str, stored: Mapping[str, Any] | None, model: type[D]) -> D:
    """A gate's stored details read typed as `model`, which must be the model its registry entry names."""
    details = gate_details(gate, stored)
    if not isinstance(details, model):  # the caller's type and the registry disagree: a programming error
        raise TypeError(f"{gate} keeps {type(details).__name__}, not {model.__name__}")
    return details


def rework_of(details: GateDetails) -> Rework | None:
    """What an answer sends back to be redone; only an approval's details can say so."""
    return details.rework if isinstance(details, SendsBack) else None


def file_meta_as(kind: GateId | str, stored: Mapping[str, Any] | None, model: type[M]) -> M:
    """A submitted file's stored record (``Document.meta``) read as `model`, the one its gate's entry names."""
    spec = GATES[GateId(kind)]
    if spec.meta is not model:  # the caller's type and the registry disagree: a programming error
        raise TypeError(f"{kind} files keep {spec.meta.__name__ if spec.meta else 'nothing'}, not {model.__name__}")
    return read_kept(model, stored, f"“{spec.name}”的材料记录")


def gate_stage(gate: str | None) -> Stage | None:
    """The stage whose target date a gate carries; None for no gate or an id no longer registered."""
    try:
        return GATES[GateId(gate)].stage if gate else None
    except ValueError:
        return None
