"""年度评估计划: compute the plan, have it approved, start its evaluations — once (MH-4, SPEC §5).

The same flow, given one decision, is the prompt plan of a major controversy or risk (T-PROMPT;
bazhou 15, ordos 12(1), changli 62): a single item, approved at the same gate, started at once.
"""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import State
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from pinggu.flows.stages import refuse
from pinggu.forms.gates import AnnualPlanApprovalForm
from pinggu.models.tables import now_beijing
from pinggu.rules.gates import PlanVerdict
from pinggu.services.evaluation.lifecycle import NotOpened
from pinggu.tasks.annual_plan import (
    PlanStanding,
    draft_annual_plan,
    issue_annual_plan,
    plan_gate_status,
    record_plan_answer,
    start_planned_evaluations,
)


def run_name() -> str:
    """年度评估计划·<year>[·<profile>], or 专项评估计划·<year>·<decision>."""
    parameters = flow_run.parameters
    year = parameters.get("year") or now_beijing().year
    if parameters.get("decision"):
        return f"专项评估计划·{year}·{parameters['decision']}"
    return f"年度评估计划·{year}" + (f"·{parameters['profile']}" if parameters.get("profile") else "")


@flow(name="annual-plan", flow_run_name=run_name, persist_result=False, log_prints=True)
def annual_plan(
    year: int | None = None, profile: str | None = None, as_of: date | None = None, decision: str | None = None
) -> dict | State:
    """Compute the year's evaluation plan, wait for its approval, then start each planned evaluation once.

    Args:
        year: 计划年度：默认今年
        profile: 规则（辖区）：只计划适用该规定的决策，例如 ordos；留空为全部决策
        as_of: 计算基准日（计划编制日）：默认今天
        decision: 决策编号：只为这一项决策编制专项计划（如发生重大争议或风险，须及时评估）；留空为年度计划
    """
    year = year or now_beijing().year
    as_of = as_of or now_beijing().date()
    # ── 编制计划 → 审定（可逐项调整；退回修改则重新编制）──────────────────────────────
    while True:
        drafted = draft_annual_plan(year, as_of, profile, decision)
        if isinstance(drafted, NotOpened):  # e.g. a profile or decision not known, typed in the run form
            return refuse(drafted.reason)
        if ask_plan_approval(year, profile, decision) is PlanVerdict.agree:
            break
    # ── 印发审定后的计划 ──────────────────────────────────────────────────────────────
    issued = issue_annual_plan(year, as_of, profile, decision)
    # ── 启动计划内的评估（不列入的、已启动或正在进行的不再启动；未到触发日的届时启动）──────
    started = start_planned_evaluations(year, profile, decision)
    return {**drafted, **issued, **started}


def ask_plan_approval(year: int, profile: str | None, decision: str | None) -> PlanVerdict:
    """The plan's standing verdict, suspending the run until an acceptable answer is given."""
    logger = get_run_logger()
    while True:
        status = plan_gate_status(year, profile, decision)
        if isinstance(status, PlanStanding):
            return status.choice
        logger.info("等待审定评估计划（%s）", status.key)
        answer = suspend_flow_run(
            wait_for_input=AnnualPlanApprovalForm.with_initial_data(description=status.description),
            key=status.key,
        )
        outcome = record_plan_answer(year, profile, status.key, answer, decision)
        if outcome["accepted"]:
            return outcome["choice"]
        logger.warning("审定意见未被受理：%s", outcome["refused"])
