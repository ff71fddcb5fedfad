"""Implementation stage (实施阶段, bazhou 10): analyse the submitted evidence, score it, draw the finding."""

from __future__ import annotations

import json

from prefect.artifacts import create_table_artifact
from sqlmodel import Session

from pinggu.core.document_store import local_file
from pinggu.core.errors import RuleViolation
from pinggu.models import evaluations as store
from pinggu.models.evaluations import procedure_of
from pinggu.models.tables import Evaluation
from pinggu.rules.findings import preliminary_finding
from pinggu.rules.gate_details import RecordsMeta
from pinggu.rules.gates import GateId, file_meta_as
from pinggu.rules.profiles import load_profile
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
from pinggu.services.evaluation.artifacts import artifact_key
from pinggu.tasks.ledger import IO_RETRIES, keep_produced, ledger_step, run_step


def _publish_survey(evaluation: Evaluation, figures: SurveyResult) -> None:
    create_table_artifact(
        key=artifact_key(evaluation.code, GateId.survey),
        table=[
            {
                "题目": item.question,
                "有效回答": item.n,
                "比率": f"{item.rate * 100:.1f}%",
                "95%置信区间": f"{item.ci95[0] * 100:.1f}%–{item.ci95[1] * 100:.1f}%",
                "平均分": "—" if item.mean is None else f"{item.mean:.2f}",
            }
            for item in figures.items
        ],
        description=f"{evaluation.code} 问卷分析：{figures.respondents} 份有效问卷"
        + "".join(f"；未能统计“{u.question}”：{u.reason}" for u in figures.unanalysed),
    )


@ledger_step(StepId.analysis, **IO_RETRIES)
def analyse_evidence(evaluation_id: int, flow_run_id: str | None = None) -> AnalysisResult:
    """Analyse every accepted submission: survey figures, opinion counts, minutes and field records."""

    from pinggu.analysis.opinions import read_opinions, summarise_opinions  # pandas only when analysing
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    def gather(session: Session, evaluation: Evaluation, _attempt: int) -> dict:
        procedure = procedure_of(session, evaluation)
        documents = {}
        for kind in procedure.submissions:
            document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
            if document is None:
                raise RuleViolation(f"尚未提交{kind}材料，无法分析", rule="C-NOPRESET", kind=kind)
            documents[kind] = document
        return {"evaluation": evaluation, "methods": list(procedure.methods), "documents": documents}

    def produce(gathered: dict) -> AnalysisResult:
        survey, opinions, records = None, None, []
        for kind, document in gathered["documents"].items():
            if kind == GateId.survey:
                figures = summarise_survey(read_survey(local_file(document.path))).to_dict()
                survey = SurveyResult.model_validate(
                    {**figures, "source_title": document.title, "source_sha256": document.sha256}
                )
                _publish_survey(gathered["evaluation"], survey)
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
        return AnalysisResult(
            survey=survey, opinions=opinions, records=tuple(records), methods=tuple(gathered["methods"])
        )

    return run_step(
        evaluation_id,
        StepId.analysis,
        keep_produced,
        gather=gather,
        produce=produce,
        flow_run_id=flow_run_id,
    )


@ledger_step(StepId.scoring)
def score_evaluation(evaluation_id: int, analysis: AnalysisResult, flow_run_id: str | None = None) -> ScoringResult:
    """Score against the profile's indicator system (MH-14); what the evidence cannot score is listed, not guessed."""

    def gather(session: Session, evaluation: Evaluation, _attempt: int) -> dict | None:
        if not procedure_of(session, evaluation).scored:
            return None
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=GateId.expert_marks)
        return {
            "profile": load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile),
            "inputs_path": local_file(document.path) if document else None,
        }

    def produce(gathered: dict | None) -> ScoringResult:
        if gathered is None:
            return ScoringResult(total=None, missing=(), note="简易程序不计分")
        profile, path = gathered["profile"], gathered["inputs_path"]
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

    return run_step(
        evaluation_id,
        StepId.scoring,
        keep_produced,
        gather=gather,
        produce=produce,
        flow_run_id=flow_run_id,
    )


@ledger_step(StepId.preliminary)
def draw_preliminary(
    evaluation_id: int, analysis: AnalysisResult, card: ScoringResult, flow_run_id: str | None = None
) -> PreliminaryResult:
    """Draw the preliminary finding from the analysis (S-IMPL); it proposes no conclusion."""

    # The finding's rules read the results as the mappings they are stored as.
    return run_step(
        evaluation_id,
        StepId.preliminary,
        lambda _s, _e, _p: PreliminaryResult(text=preliminary_finding(analysis.stored_json(), card.stored_json())),
        flow_run_id=flow_run_id,
    )
