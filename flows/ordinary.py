"""一般程序后评估 (ordinary procedure): preparation → implementation → conclusion (bazhou 8–11)."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows.gates import ask
from flows.parameters import SCOPE_IDS, MethodChoice, ScopeChoice, TeamMemberSpec
from tasks.conclusion import archive, draft_report, final_report
from tasks.evaluation import close_stage, complete_evaluation, open_evaluation, send_back
from tasks.implementation import analyse_survey, draw_preliminary
from tasks.preparation import form_team, write_plan


@flow(
    name="ordinary-evaluation",
    flow_run_name="后评估·{decision}·一般程序",
    description="重大行政决策后评估（一般程序）：准备、实施、结论形成三个阶段，含方案审定与决策机关审定。",
    persist_result=False,
    log_prints=True,
)
def ordinary_evaluation(
    decision: str,
    team: list[TeamMemberSpec],
    evaluation: str | None = None,
    scope: ScopeChoice = "整体评估",
    scope_parts: list[str] | None = None,
    methods: list[MethodChoice] | None = None,
    budget_yuan: float | None = None,
) -> str:
    """Run one ordinary evaluation of a decision to an approved, archived report; return its path.

    Args:
        decision: 决策编号：决策目录中的编号，例如 S-2024-001
        team: 评估小组成员：至少一名“单位工作人员”；参与过决策前论证的人员不得加入
        evaluation: 评估编号：续办已有评估时填写（例如 PG-2026-0001），新评估留空
        scope: 评估范围：整体评估或部分评估
        scope_parts: 部分评估涉及的内容：部分评估时逐项填写
        methods: 评估方法：默认问卷调查
        budget_yuan: 经费预算（元）：可留空，由评估单位在部门预算内统筹
    """
    run_id = str(flow_run.id)
    evaluation_id = open_evaluation(
        decision, evaluation, run_id, "ordinary", SCOPE_IDS[scope], scope_parts or [], list(methods or ["问卷调查"])
    )

    # ── 准备阶段 (bazhou 9): 组建评估小组 → 制定评估方案 → 方案审定 ─────────────────
    form_team(evaluation_id, [member.model_dump() for member in team], run_id)
    while True:
        write_plan(evaluation_id, budget_yuan, run_id)
        verdict = ask(evaluation_id, "plan_approval", run_id)
        if verdict["choice"] == "同意":
            break
        send_back(evaluation_id, ["plan_approval"], ["plan"], "preparation", verdict["comment"])
    close_stage(evaluation_id, "preparation")

    # ── 实施阶段 (bazhou 10): 收集问卷数据 → 分析 → 初步结论 ───────────────────────────
    ask(evaluation_id, "survey", run_id)
    figures = analyse_survey(evaluation_id, run_id)
    draw_preliminary(evaluation_id, figures, run_id)
    close_stage(evaluation_id, "implementation")

    # ── 结论形成阶段 (bazhou 11): 起草报告 → 专家论证 → 决策机关审定 → 正式报告 → 归档 ──
    while True:
        draft_report(evaluation_id, run_id)
        ask(evaluation_id, "expert_review", run_id)
        verdict = ask(evaluation_id, "approval", run_id)
        if verdict["choice"] == "通过":
            break
        send_back(evaluation_id, ["expert_review", "approval"], ["draft_report"], "conclusion", verdict["comment"])
    final_report(evaluation_id, run_id)
    archive(evaluation_id, run_id)
    close_stage(evaluation_id, "conclusion")
    return complete_evaluation(evaluation_id)
