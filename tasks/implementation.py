"""Implementation stage (实施阶段, bazhou 10): analyse the submitted evidence, score it, draw the finding.

The steps' work is pinggu.services.evaluation.steps.implementation; these tasks run it through the ledger and
publish the survey's figures as a table artifact."""

from __future__ import annotations

from prefect.artifacts import create_table_artifact

from pinggu.rules.gates import GateId
from pinggu.rules.step_results import AnalysisResult, PreliminaryResult, ScoringResult, SurveyResult
from pinggu.rules.steps import StepId
from pinggu.services.evaluation.artifacts import artifact_key
from pinggu.services.evaluation.steps.implementation import analysis_work, preliminary_work, scoring_work
from pinggu.tasks.ledger import IO_RETRIES, ledger_step, run_step


def _publish_survey(code: str, figures: SurveyResult) -> None:
    create_table_artifact(
        key=artifact_key(code, GateId.survey),
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
        description=f"{code} 问卷分析：{figures.respondents} 份有效问卷"
        + "".join(f"；未能统计“{u.question}”：{u.reason}" for u in figures.unanalysed),
    )


@ledger_step(StepId.analysis, **IO_RETRIES)
def analyse_evidence(evaluation_id: int, flow_run_id: str | None = None) -> AnalysisResult:
    """Analyse every accepted submission: survey figures, opinion counts, minutes and field records."""
    work = analysis_work(evaluation_id, _publish_survey)
    return run_step(
        evaluation_id, StepId.analysis, work.record, gather=work.gather, produce=work.produce, flow_run_id=flow_run_id
    )


@ledger_step(StepId.scoring)
def score_evaluation(evaluation_id: int, analysis: AnalysisResult, flow_run_id: str | None = None) -> ScoringResult:
    """Score against the profile's indicator system (MH-14); what the evidence cannot score is listed, not guessed."""
    work = scoring_work(evaluation_id, analysis)
    return run_step(
        evaluation_id, StepId.scoring, work.record, gather=work.gather, produce=work.produce, flow_run_id=flow_run_id
    )


@ledger_step(StepId.preliminary)
def draw_preliminary(
    evaluation_id: int, analysis: AnalysisResult, card: ScoringResult, flow_run_id: str | None = None
) -> PreliminaryResult:
    """Draw the preliminary finding from the analysis (S-IMPL); it proposes no conclusion."""
    work = preliminary_work(analysis, card)
    return run_step(evaluation_id, StepId.preliminary, work.record, flow_run_id=flow_run_id)
