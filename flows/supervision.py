"""督查: record a supervision round and its written report, have the leaders approve it where the regulation says
so, send it to the units it names, then review each rectification item's written report back until all are
closed (OR-10, CL-53: ordos 10, minhang 督查细则 9–11, changli 52–53).

The approval and the review wait for people: each suspends here, in the top-level flow, with its form from
pinggu.forms.gates.SUPERVISION_FORMS and under a key that counts that step's answers, so a resumed run re-reads them and
never records one twice.
"""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from pinggu.forms.gates import SUPERVISION_FORMS
from pinggu.models.tables import now_beijing
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import SUPERVISION_STEP_NAMES, SupervisionStep
from pinggu.services.supervision import approval_status, review_status
from pinggu.tasks.tracking import (
    distribute_supervision_report,
    record_rectification_review,
    record_report_approval,
    record_supervision_round,
    write_supervision_report,
)


def run_name() -> str:
    """督查·<decision>."""
    return f"督查·{flow_run.parameters.get('decision', '')}"


@flow(name="supervision", flow_run_name=run_name, persist_result=False, log_prints=True)
def supervision(decision: str, findings: SupervisionInput, recorded_by: str = "督查机关") -> dict:
    """Record a supervision round and its report; wait for the office's review of every rectification item.

    Args:
        decision: 决策编号
        findings: 督查情况：督查方式、执行情况、实施效果、存在的问题、改进建议、整改事项（事项、责任单位、期限）
        recorded_by: 记录人
    """
    key = f"run-{flow_run.id}"
    # ── 记录督查情况，形成书面督查报告 ──────────────────────────────────────────────
    round_id = record_supervision_round(key, decision, findings, recorded_by, now_beijing().date())
    report = write_supervision_report(round_id, now_beijing().date())
    # ── 领导审定（昌黎县第五十三条：经县政府领导审定后），再将专报及批示意见反馈有关单位 ──────
    ask_report_approval(round_id)
    sent = distribute_supervision_report(round_id, now_beijing().date())
    # ── 整改：责任单位限期整改并书面报告，逐项审核（应当检查、可抽查、可退回）────────────────
    reviews = ask_rectification_reviews(round_id)
    return {"round": round_id, "report": report, "sent_to": [e["unit"] for e in sent], "reviews": reviews}


def ask_report_approval(round_id: int) -> bool:
    """Suspend for the leaders' approval until one is accepted (none where the regulation asks for none); whether
    the report was approved here."""
    logger = get_run_logger()
    step = SupervisionStep.report_approval
    approved = False
    while (waiting := approval_status(round_id)) is not None:
        logger.info("等待%s（%s）", SUPERVISION_STEP_NAMES[step], waiting.key)
        answer = suspend_flow_run(
            wait_for_input=SUPERVISION_FORMS[step].with_initial_data(description=waiting.description), key=waiting.key
        )
        refused = record_report_approval(round_id, waiting.key, answer.model_dump(mode="json"), now_beijing().date())
        if refused:
            logger.warning("督查专报审定意见未被受理：%s", refused)
        approved = approved or not refused
    return approved


def ask_rectification_reviews(round_id: int) -> int:
    """Suspend for the review gate until every item of the round is closed; the number of answers accepted."""
    logger = get_run_logger()
    step = SupervisionStep.rectification_review
    accepted = 0
    while (waiting := review_status(round_id)) is not None:
        logger.info("等待%s（%s）", SUPERVISION_STEP_NAMES[step], waiting.key)
        answer = suspend_flow_run(
            wait_for_input=SUPERVISION_FORMS[step].with_initial_data(description=waiting.description), key=waiting.key
        )
        refused = record_rectification_review(
            round_id, waiting.key, answer.model_dump(mode="json"), now_beijing().date()
        )
        if refused:
            logger.warning("整改审核意见未被受理：%s", refused)
        else:
            accepted += 1
    return accepted
