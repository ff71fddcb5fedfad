"""年度评估计划: compute the plan, have it approved, start its evaluations — once (MH-4, SPEC §5)."""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow, get_run_logger
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from forms.gates import PlanApprovalForm
from models.tables import now_beijing
from tasks.annual_plan import draft_annual_plan, plan_gate_status, record_plan_answer, start_planned_evaluations


def run_name() -> str:
    """年度评估计划·<year>[·<profile>]."""
    parameters = flow_run.parameters
    year = parameters.get("year") or now_beijing().year
    return f"年度评估计划·{year}" + (f"·{parameters['profile']}" if parameters.get("profile") else "")


@flow(name="annual-plan", flow_run_name=run_name, persist_result=False, log_prints=True)
def annual_plan(year: int | None = None, profile: str | None = None, as_of: date | None = None) -> dict:
    """Compute the year's evaluation plan, wait for its approval, then start each planned evaluation once.

    Args:
        year: 计划年度：默认今年
        profile: 规则（辖区）：只计划适用该规定的决策，例如 ordos；留空为全部决策
        as_of: 计算基准日：默认今天
    """
    year = year or now_beijing().year
    as_of = as_of or now_beijing().date()
    # ── 编制计划 → 审定（退回修改则重新编制）──────────────────────────────────────────
    while True:
        drafted = draft_annual_plan(year, as_of, profile)
        if ask_plan_approval(year, profile)["choice"] == "同意":
            break
    # ── 启动计划内的评估（已启动或正在进行的不再启动）──────────────────────────────────
    started = start_planned_evaluations(year, profile)
    return {**drafted, **started}


def ask_plan_approval(year: int, profile: str | None) -> dict:
    """The plan's standing answer, suspending the run until an acceptable one is given."""
    logger = get_run_logger()
    while True:
        status = plan_gate_status(year, profile)
        if "answer" in status:
            return status["answer"]
        logger.info("等待审定年度评估计划（%s）", status["key"])
        answer = suspend_flow_run(
            wait_for_input=PlanApprovalForm.with_initial_data(description=status["description"]), key=status["key"]
        )
        outcome = record_plan_answer(year, profile, status["key"], answer.model_dump(mode="json"))
        if outcome["accepted"]:
            return outcome
