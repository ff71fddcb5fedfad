"""The evaluation report's contract: everything report_templates/evaluation_report.html.j2 shows.

pinggu.services.evaluation.report_context builds it from the product database; the template and its blocks
(blocks.html.j2, which read it as ``c``) may use only these fields, which
tests/reporting/test_report_context.py checks without a server. What the steps recorded (the plan, the
survey's figures, the opinions' counts, the records, the score card) is their result models
(pinggu.rules.step_results), the very shapes the ledger stores.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from pinggu.reporting.pdf import render_html
from pinggu.rules.gate_details import ExpertReviewDetails
from pinggu.rules.step_results import (
    IndicatorScoreRow,
    OpinionsResult,
    PlanResult,
    RecordSummary,
    ScoringResult,
    SurveyResult,
)

REPORT_TEMPLATE = "evaluation_report.html.j2"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportMeta(_Part):
    status: str  # 送审稿 / 正式报告
    generated_on: str


class OutlineSection(_Part):
    numeral: str
    title: str
    blocks: list[str]


class Material(_Part):
    title: str
    sha256: str


class EvaluationHeading(_Part):
    code: str
    type_name: str
    scope_name: str
    scope_parts: list[str]


class StageRow(_Part):
    name: str
    target_date: date | str | None
    started: str
    finished: str


class TypePart(_Part):
    part: str
    where: str


class ThirdPartyLine(_Part):
    agency: str
    status: str
    end_reason: str | None


class DeadlineRow(_Part):
    rule: str
    label: str
    basis: str
    from_date: date | str
    due_date: date | str
    met: str


class ApprovalRow(_Part):
    gate_name: str
    approver: str
    role: str
    choice: str
    conclusion: str | None
    comment: str | None
    decided_at: str


class ProcessEntry(_Part):
    at: str
    what: str
    outcome: str


class ReportContext(_Part):
    """One evaluation report, draft or final (R-PROCESS: the process; C-CONCLUSION: the conclusion only when final)."""

    report: ReportMeta
    profile_title: str
    outline: list[OutlineSection]
    materials: list[Material]
    indicators: dict[str, IndicatorScoreRow]  # the score card's indicators by id
    indicator_names: dict[str, str]
    recommended: str | None
    departure_reason: str | None
    follow_up: str | None
    decision: dict[str, Any]
    evaluation: EvaluationHeading
    team: list[dict[str, Any]]
    plan: PlanResult
    stages: list[StageRow]
    schedule_provisional: bool
    survey: SurveyResult | None
    opinions: OpinionsResult | None
    records: list[RecordSummary]
    score: ScoringResult
    preliminary: str
    expert_review: ExpertReviewDetails | None  # the standing answer of the expert review gate, when there is one
    expert_review_planned: bool  # the procedure has an expert review (held or skipped with a reason)
    type_parts: list[TypePart]
    third_party: ThirdPartyLine | None
    deadlines: list[DeadlineRow]
    approvals: list[ApprovalRow]
    conclusion: str | None
    process: list[ProcessEntry]


def render_report(context: ReportContext) -> str:
    """The report as HTML: the template reads the fields by name, its blocks as ``c``."""
    fields = context.model_dump()
    return render_html(REPORT_TEMPLATE, {**fields, "c": fields})
