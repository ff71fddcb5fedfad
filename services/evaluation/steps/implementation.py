"""Implementation stage's step work (实施阶段, bazhou 10): analyse the submitted evidence, score it, draw the finding.

pinggu.tasks.implementation runs it through the ledger and publishes the survey's table."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from pinggu.core.document_store import local_file
from pinggu.core.errors import RuleViolation
from pinggu.models import evaluations as store
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Document, Evaluation
from pinggu.rules.findings import preliminary_finding
from pinggu.rules.gate_details import RecordsMeta
from pinggu.rules.gates import GateId, file_meta_as
from pinggu.rules.profiles import Profile, load_profile
from pinggu.rules.scoring import missing_inputs, score
from pinggu.rules.step_results import (
    AnalysisResult,
    OpinionsResult,
    PreliminaryResult,
    RecordSummary,
    ScoringResult,
    SurveyResult,
)
from pinggu.rules.steps import StepId, validate_as
from pinggu.services.evaluation.steps import StepWork, keep_produced

# Shows a survey's figures once they are read (the task publishes them as a Prefect table artifact).
PublishSurvey = Callable[[str, SurveyResult], None]


@dataclass(frozen=True)
class Evidence:
    """What the analysis reads: the evaluation's code, the procedure's methods and each submission's current document."""

    code: str
    methods: tuple[str, ...]
    documents: dict[GateId, Document]


def analysis_work(
    evaluation_id: int, publish_survey: PublishSurvey
) -> StepWork[Evidence, AnalysisResult, AnalysisResult]:
    """Analyse every accepted submission: survey figures, opinion counts, minutes and field records."""

    from pinggu.analysis.opinions import read_opinions, summarise_opinions  # pandas only when analysing
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    def gather(session: Session, evaluation: Evaluation, _attempt: int) -> Evidence:
        procedure = procedure_of(session, evaluation)
        documents = {}
        for kind in procedure.submissions:
            document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
            if document is None:
                raise RuleViolation(f"尚未提交{kind}材料，无法分析", rule="C-NOPRESET", kind=kind)
            documents[kind] = document
        return Evidence(code=evaluation.code, methods=tuple(procedure.methods), documents=documents)

    def produce(evidence: Evidence) -> AnalysisResult:
        survey, opinions, records = None, None, []
        for kind, document in evidence.documents.items():
            if kind == GateId.survey:
                figures = summarise_survey(read_survey(local_file(document.path))).to_dict()
                survey = SurveyResult.model_validate(
                    {**figures, "source_title": document.title, "source_sha256": document.sha256}
                )
                publish_survey(evidence.code, survey)
            elif kind == GateId.opinions:
                opinions = OpinionsResult.model_validate(summarise_opinions(read_opinions(local_file(document.path))))
            else:
                records.append(
                    RecordSummary(
                        kind=kind,
                        title=document.title,
                        summary=file_meta_as(kind, document.meta, RecordsMeta).summary,
                        sha256=document.sha256,
                    )
                )
        return AnalysisResult(survey=survey, opinions=opinions, records=tuple(records), methods=evidence.methods)

    return StepWork(record=keep_produced, gather=gather, produce=produce)


@dataclass(frozen=True)
class ScoringInputs:
    """What scoring reads: the profile's indicator system and the experts' marks file, if one was submitted."""

    profile: Profile
    inputs_path: Path | None


def scoring_work(
    evaluation_id: int, analysis: AnalysisResult
) -> StepWork[ScoringInputs | None, ScoringResult, ScoringResult]:
    """Score against the profile's indicator system (MH-14); what the evidence cannot score is listed, not guessed."""

    def gather(session: Session, evaluation: Evaluation, _attempt: int) -> ScoringInputs | None:
        if not procedure_of(session, evaluation).scored:
            return None
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=GateId.expert_marks)
        return ScoringInputs(
            profile=load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile),
            inputs_path=local_file(document.path) if document else None,
        )

    def produce(gathered: ScoringInputs | None) -> ScoringResult:
        if gathered is None:
            return ScoringResult(total=None, missing=(), note="简易程序不计分")
        profile, path = gathered.profile, gathered.inputs_path
        inputs = json.loads(path.read_text(encoding="utf-8")) if path else {"marks": {}, "data": {}}
        # The scoring rules read the survey's figures as the mapping pinggu.analysis.survey_figures gives.
        survey = analysis.survey.stored_json() if analysis.survey else None
        marks, data = inputs["marks"], inputs["data"]
        missing = missing_inputs(profile, survey=survey, expert_marks=marks, data=data)
        if missing:
            if profile.score_required:
                raise RuleViolation(
                    f"《{profile.title}》要求按指标体系计分，但缺少：{'；'.join(missing)}",
                    rule="MH-14",
                    missing=list(missing),
                )
            return ScoringResult(total=None, missing=tuple(missing))
        card = score(profile, survey=survey, expert_marks=marks, data=data)
        return validate_as(StepId.scoring, card.to_dict(), ScoringResult)

    return StepWork(record=keep_produced, gather=gather, produce=produce)


def preliminary_work(analysis: AnalysisResult, card: ScoringResult) -> StepWork[None, None, PreliminaryResult]:
    """Draw the preliminary finding from the analysis (S-IMPL); it proposes no conclusion."""

    # The finding's rules read the results as the mappings they are stored as.
    return StepWork(
        record=lambda _s, _e, _p: PreliminaryResult(
            text=preliminary_finding(analysis.stored_json(), card.stored_json())
        )
    )
