"""Implementation stage (实施阶段, bazhou 10): analyse the submitted evidence, draw the finding."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_table_artifact
from sqlmodel import Session

from analysis.survey import read_survey, summarise_survey
from models import evaluations as store
from models.tables import Evaluation
from pinggu.errors import StateConflict
from rules.findings import preliminary_finding
from tasks.evaluation import artifact_key
from tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS, run_step


@task(name="分析问卷数据", **STEP_TASK_OPTIONS, **IO_RETRIES)
def analyse_survey(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Compute awareness and satisfaction figures from the accepted survey and publish them."""

    def work(session: Session, evaluation: Evaluation) -> dict:
        document = store.current_document(session=session, evaluation_id=evaluation.id, kind="survey")
        if document is None:
            raise StateConflict("尚未提交问卷数据，无法分析", evaluation=evaluation.code)
        figures = summarise_survey(read_survey(Path(document.path))).to_dict()
        figures["source_title"], figures["source_sha256"] = document.title, document.sha256
        create_table_artifact(
            key=artifact_key(evaluation.code, "survey"),
            table=[
                {
                    "题目": item["question"],
                    "有效回答": item["n"],
                    "比率": f"{item['rate'] * 100:.1f}%",
                    "95%置信区间": f"{item['ci95'][0] * 100:.1f}%–{item['ci95'][1] * 100:.1f}%",
                    "平均分": "—" if item["mean"] is None else f"{item['mean']:.2f}",
                }
                for item in figures["items"]
            ],
            description=f"{evaluation.code} 问卷分析：{figures['respondents']} 份有效问卷",
        )
        return figures

    return run_step(evaluation_id, "implementation", "survey_analysis", work, flow_run_id=flow_run_id)


@task(name="形成初步结论", **STEP_TASK_OPTIONS)
def draw_preliminary(evaluation_id: int, figures: dict, flow_run_id: str | None = None) -> dict:
    """Draw the preliminary finding from the analysis (S-IMPL); it proposes no conclusion."""

    def work(session: Session, evaluation: Evaluation) -> dict:
        return {"text": preliminary_finding(figures)}

    return run_step(evaluation_id, "implementation", "preliminary", work, flow_run_id=flow_run_id)
