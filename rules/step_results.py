"""What each recorded step leaves in the ledger: one frozen pydantic model per step (pinggu.rules.steps names it).

The ledger (pinggu.tasks.ledger.run_step) validates a step's result against its model, stores the model's JSON in
``StepRecord.result`` and gives it back typed; the report, the acceptors and the gate texts read these models,
never the stored JSON. The JSON shape is the one the steps have always written (rows already in databases
parse without a migration): a field added later has a default, and a field a result may leave out (the
scoring step without a score) is left out of the stored JSON again (``stored_json``: only the fields set).

Pure data: no Prefect, no database. Figures computed elsewhere (pinggu.analysis.survey_figures, pinggu.analysis.opinions,
pinggu.rules.scoring) are modelled here with exactly the keys their ``to_dict`` gives.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# A moment as the steps have always written it (datetime.isoformat: "+08:00", never pydantic's "Z").
Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]


class StoredModel(BaseModel):
    """A model of JSON kept on a row (a step's result, a gate's details, a kept answer): frozen, refusing a key
    it does not write when built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def stored_json(self) -> dict[str, Any]:
        """The JSON kept on the row: the fields set, under their stored names, as they have always been written
        (a model read back is written back unchanged)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class StepResult(StoredModel):
    """The base of every step's result (kept in ``StepRecord.result``)."""


class _Row(StepResult):
    """A part of a step's result (same rules as the result)."""


# --- preparation ---------------------------------------------------------------------------------


class TeamMemberRow(_Row):
    """A member of the evaluation team as the step recorded them."""

    name: str
    role: str
    unit: str | None


class TeamResult(StepResult):
    """组建评估小组: the members taken (none conflicted, TEAM-CONFLICT)."""

    members: tuple[TeamMemberRow, ...]


class PlanIndicator(_Row):
    """An indicator of the plan with its weight as the profile gives it."""

    name: str
    weight: int | float


class SurveyOutlineRow(_Row):
    """What one method contributes to the survey outline."""

    method: str
    outline: str


class ScheduleRow(_Row):
    """A stage's target date in the plan (ISO date, or None when not set)."""

    stage: str
    target_date: str | None


class PlanResult(StepResult):
    """制定评估方案: the plan's contents (S-PREP), as pinggu.rules.plan.draft_plan writes them."""

    purpose: str
    content: str
    type: str
    scope: str
    scope_parts: tuple[str, ...]
    indicators: tuple[PlanIndicator, ...]
    methods: tuple[str, ...]
    survey_outline: tuple[SurveyOutlineRow, ...]
    questionnaire: tuple[str, ...]
    schedule: tuple[ScheduleRow, ...]
    statutory_deadlines: tuple[str, ...]
    budget: str
    organisation: str
    entrustment: str


# --- implementation ------------------------------------------------------------------------------


class SurveyItem(_Row):
    """One question's figures (pinggu.analysis.survey_figures.ItemFigures)."""

    question: str
    kind: Literal["satisfaction", "yes_no"]
    n: int
    rate: float
    ci95: tuple[float, float]
    mean: float | None


class BreakdownRow(_Row):
    """One group of a demographic breakdown."""

    group: str
    respondents: int
    share: float
    satisfaction_rate: float | None
    awareness_rate: float | None


class Unanalysed(_Row):
    """A question in no figure, with the reason in Chinese."""

    question: str
    reason: str


class SurveyResult(_Row):
    """The questionnaire's figures (pinggu.analysis.survey_figures.SurveyFigures.to_dict) and the file they came from."""

    respondents: int
    awareness_rate: float | None
    satisfaction_rate: float | None
    satisfaction_mean: float | None
    items: tuple[SurveyItem, ...]
    unanalysed: tuple[Unanalysed, ...] = ()  # recorded since the survey lists what it could not analyse
    # Open mappings: one entry per demographic column the survey happens to have (its header as the key).
    breakdowns: dict[str, tuple[BreakdownRow, ...]]
    source_title: str
    source_sha256: str


class OpinionsResult(_Row):
    """The opinions' counts (pinggu.analysis.opinions.summarise_opinions)."""

    total: int
    # Open mappings: the keys are the channels, topics, statuses and months the register happens to hold.
    by_channel: dict[str, int]
    by_topic: dict[str, int]
    by_status: dict[str, int]
    by_handling: dict[str, int]
    channel_handling: dict[str, dict[str, int]]
    topic_handling: dict[str, dict[str, int]]
    by_month: dict[str, int]
    first_received: str | None
    last_received: str | None
    handled: int
    pending: int
    handled_share: float | None
    adopted: int
    adopted_share_of_decided: float | None


class RecordSummary(_Row):
    """A submitted record (minutes, field record …) with the summary given when it was handed in."""

    kind: str
    title: str
    summary: str
    sha256: str


class AnalysisResult(StepResult):
    """分析评估材料: the survey's figures, the opinions' counts and the other records, each when submitted."""

    survey: SurveyResult | None
    opinions: OpinionsResult | None
    records: tuple[RecordSummary, ...]
    methods: tuple[str, ...] = ()  # recorded since the report names the methods used


class IndicatorScoreRow(_Row):
    """One indicator's score and where it came from (pinggu.rules.scoring.IndicatorScore.to_dict)."""

    id: str
    name: str
    weight: int | float
    score: float | None
    source: str
    children: tuple[IndicatorScoreRow, ...]


class ScoringResult(StepResult):
    """指标评分: the score card, or no total with what is missing, or no score at all (简易程序)."""

    total: float | None = None
    grade: str | None = None
    recommended: str | None = None
    indicators: tuple[IndicatorScoreRow, ...] = ()
    missing: tuple[str, ...] = ()
    note: str | None = None  # why nothing is scored


class PreliminaryResult(StepResult):
    """形成初步结论: the finding's text."""

    text: str


# --- conclusion ----------------------------------------------------------------------------------


class ReportResult(StepResult):
    """A rendered report (draft, reviewed draft, final): the PDF's location and hash, and the Word copy's."""

    path: str
    sha256: str
    docx: str


class WorkCompletedResult(StepResult):
    """评估工作完成: when, and the deadlines it met."""

    completed_at: Moment
    met: tuple[str, ...]


class ReportSubmittedResult(StepResult):
    """报送评估报告: when, and the deadlines it met."""

    submitted_at: Moment
    met: tuple[str, ...]


class FollowUpResult(StepResult):
    """开启后续措施事项: the follow-up opened (its id, unit and due date), or ``opened`` None when none is needed."""

    opened: int | None
    unit: str | None = None
    due_date: date | None = None


class ArchiveResult(StepResult):
    """归档: the manifest's location and how many documents it lists."""

    manifest: str
    documents: int = Field(ge=0)
