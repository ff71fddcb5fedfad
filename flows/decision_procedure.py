"""重大行政决策的作出 (changli chapters 2–7): launch and catalog, public participation, expert argumentation,
risk assessment, legality review, collective decision, publication — every human step a form answered in
the Prefect UI, judged against the profile and recorded; then the whole-process record.

Each step suspends here, in the top-level flow, under a key that counts the step's answers, so a resumed
run re-reads what was answered and never records it twice.
"""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from pinggu.forms.decision_procedure import FORMS
from pinggu.models.tables import now_beijing
from pinggu.rules.decision_procedure import DECIDED_BY, ENDINGS, STEP_NAMES, Outcome, ProcedureStep
from pinggu.services.decision_procedure import StepDone, step_status
from pinggu.tasks.decision_procedure import open_decision_procedure, record_procedure_answer, write_decision_record


def run_name() -> str:
    """决策程序·<matter>."""
    return f"决策程序·{flow_run.parameters.get('matter', '')}"


@flow(name="decision-procedure", flow_run_name=run_name, persist_result=False, log_prints=True)
def decision_procedure(matter: str, lead_unit: str, catalog_year: int | None = None, profile: str = "changli") -> dict:
    """Take a matter from its proposal to its publication, each step answered by the people who did it.

    Args:
        matter: 决策事项名称
        lead_unit: 决策承办单位
        catalog_year: 决策事项目录年度：默认今年
        profile: 规则（辖区）：规定重大行政决策程序的规则
    """
    year = catalog_year or now_beijing().year
    procedure = open_decision_procedure(f"run-{flow_run.id}", profile, matter, lead_unit, year)
    # ── 第二章 决策启动和目录管理 ─────────────────────────────────────────────────────
    ended = ask(procedure, ProcedureStep.launch) or ask(procedure, ProcedureStep.catalog)
    # ── 第三章 公众参与和民意调查 ─────────────────────────────────────────────────────
    ended = ended or ask(procedure, ProcedureStep.participation)
    # ── 第四章 专家论证 ───────────────────────────────────────────────────────────────
    ended = ended or ask(procedure, ProcedureStep.experts) or ask(procedure, ProcedureStep.expert_opinions)  # 会签
    # ── 第五章 风险评估（中风险降低后、高风险调整方案后重新评估；高风险不实施由县政府决策）──
    ended = ended or ask(procedure, ProcedureStep.risk)
    # ── 第六章 合法性审查和综合会审 ───────────────────────────────────────────────────
    ended = ended or ask(procedure, ProcedureStep.legality)
    # ── 第七章 集体讨论决定（修改后再次审议）和决策公布 ───────────────────────────────
    ended = ended or ask(procedure, ProcedureStep.meeting) or ask(procedure, ProcedureStep.publication)
    # ── 过程记录和归档（第四十八条）─────────────────────────────────────────────────────
    record = write_decision_record(procedure)
    return {"procedure": procedure, "ended": ENDINGS[ended] if ended else None, "record": record}


def ask(procedure: int, step: ProcedureStep) -> Outcome | None:
    """Ask the step until it stands; where its answer only proposes (a high risk the lead unit refers), ask the body
    that decides (DECIDED_BY: the county government, CL-37), and the step again if that body sends it back. The
    ending it led to (not a major decision, not adopted, not implemented, deferred), or None to go on."""
    while True:
        status = wait_for_answer(procedure, step)
        if status.outcome is not Outcome.referred:
            return status.outcome if status.outcome in ENDINGS else None
        decided = wait_for_answer(procedure, DECIDED_BY[step])
        if decided.outcome in ENDINGS:
            return decided.outcome


def wait_for_answer(procedure: int, step: ProcedureStep) -> StepDone:
    """Suspend for the step until an answer stands (accepted, and not calling for the step again)."""
    logger = get_run_logger()
    while not isinstance(status := step_status(procedure, step), StepDone):
        logger.info("等待办理：%s（%s）", STEP_NAMES[step], status.key)
        answer = suspend_flow_run(
            wait_for_input=FORMS[step].with_initial_data(description=status.description), key=status.key
        )
        refused = record_procedure_answer(procedure, step, status.key, answer.model_dump(mode="json"))
        if refused:
            logger.warning("%s未被受理：%s", STEP_NAMES[step], refused)
    return status
