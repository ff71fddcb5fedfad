"""What each gate's accepted answer keeps beside its choice, and what a submitted file's record keeps: one frozen
pydantic model per gate (``Approval.details``) and per kind of submitted file (``Document.meta``); the gate
registry (pinggu.rules.gates.GATES) names both, as the step registry names each step's result.

The stored JSON is the shape the acceptors and preparers have always written, so rows already in databases read
without a migration: a key no version writes any more is ignored when a row is read, a field an older row may
lack has a default, and a model is written back as it was read (``stored_json``: only the fields set). A row that
fits no model is ``StoredAnswerInvalid``, in Chinese, never a KeyError.

Pure data: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pinggu.core.errors import StoredAnswerInvalid
from pinggu.rules.step_results import StoredModel
from pinggu.rules.steps import problem_summary, validation_problems
from pinggu.rules.vocabulary import Conclusion, SatisfactionScale

K = TypeVar("K", bound=BaseModel)


class Rework(StrEnum):
    """What a send-back sets aside and redoes (pinggu.rules.procedure.rework_for)."""

    plan = "plan"
    report = "report"
    evidence = "evidence"


class Kept(StoredModel):
    """The base of a gate's details and a file's record."""


# --- a gate's details (Approval.details) --------------------------------------------------------


class GateDetails(Kept):
    """The base of every gate's details."""


class TeamMemberDetail(Kept):
    """A member of the team as the team's form gave them (pinggu.rules.team.Member's fields)."""

    name: str
    role: str
    unit: str | None = None
    did_pre_decision_argumentation: bool = False


class TeamDetails(GateDetails):
    """组建评估小组: the members named (the flow's preparation forms the team from them)."""

    members: tuple[TeamMemberDetail, ...]


class SendsBack(GateDetails):
    """An approval that may send the evaluation back: what it sets aside, None when it does not (an older row
    may not say)."""

    rework: Rework | None = None


class PlanApprovalDetails(SendsBack):
    """方案审定: ``rework`` is ``plan`` when the plan is sent back."""


class NoDetails(GateDetails):
    """A gate whose answer keeps nothing beside its choice and comment (Ningxia's start decision)."""


class SurveyDetails(GateDetails):
    """调查数据提交: the file as records name it, the respondents read, the direction of 1–5 codes when stated."""

    file: str
    respondents: int
    scale: SatisfactionScale | None = None


class OpinionsDetails(GateDetails):
    """意见征集材料提交: the file as records name it and the opinions read."""

    file: str
    opinions: int


class RecordsDetails(GateDetails):
    """会议纪要 or 实地调研记录: the file as records name it and the submitter's summary (masked)."""

    file: str
    summary: str


class ExpertMarksDetails(GateDetails):
    """专家评分及统计数据: the mean mark per indicator and each statistic by name (a mapping is the data here)."""

    file: str
    marks: dict[str, float]
    data: dict[str, float]


class ExpertReviewDetails(GateDetails):
    """专家论证: the experts, their opinion and how it was handled; or, skipped where allowed, why (S-CONCL)."""

    skipped: bool = False
    reason: str | None = None
    experts: tuple[str, ...] = ()
    opinion: str | None = None
    handling: str | None = None


class ThirdPartyAcceptanceDetails(SendsBack):
    """第三方评估报告验收: what a refusal sends back; the agency whose report was found false (TP-CREDIT)."""

    agency: str | None = None


class ReportApprovalDetails(SendsBack):
    """决策机关审定: what a send-back redoes; when approved after a score, the recommended conclusion and the
    reason for departing from it (C-DEPART)."""

    recommended: Conclusion | None = None
    departure_reason: str | None = None


# --- a submitted file's record (Document.meta) ---------------------------------------------------


class FileMeta(Kept):
    """The base of a submitted file's record: the file as records name it (never its own name, E-PRIVACY)."""

    source_name: str


class SurveyMeta(FileMeta):
    """Questionnaire data: the respondents read, the direction of 1–5 codes when stated."""

    respondents: int
    scale: SatisfactionScale | None = None


class OpinionsMeta(FileMeta):
    """An opinions register: the opinions read."""

    opinions: int


class RecordsMeta(FileMeta):
    """Minutes or field records: the submitter's summary (masked), which the analysis quotes."""

    summary: str = ""


class ExpertMarksMeta(FileMeta):
    """Expert marks and statistics: the marks themselves are in the stored file."""


# --- reading ------------------------------------------------------------------------------------


def read_kept(model: type[K], stored: Mapping[str, Any] | None, what: str, *, ignore_unknown: bool = True) -> K:
    """`stored` read as `model` (a key no version writes any more ignored, unless `ignore_unknown` is false); a row
    that does not fit is StoredAnswerInvalid naming what it is and why."""
    try:
        return model.model_validate(stored or {}, extra="ignore" if ignore_unknown else None)
    except ValidationError as error:
        problems = validation_problems(error)
        raise StoredAnswerInvalid(
            f"{what}无法读取（数据库中的记录与格式不符）：{problem_summary(problems)}", problems=problems
        ) from None
