"""重大行政决策后评估: one flow for every type; the five deployments preset the type (SPEC §4)."""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.runtime import flow_run

from pinggu.flows.stages import conclude, finish, implement, prepare, refuse
from pinggu.forms.parameters import (
    EvaluationTypeChoice,
    MethodChoice,
    ScopeChoice,
    TeamMemberSpec,
    ThirdPartySpec,
)
from pinggu.rules.gates import Rework
from pinggu.rules.vocabulary import EVALUATION_TYPE_BY_NAME, SCOPE_BY_NAME, EvaluationType, Scope
from pinggu.services.evaluation.lifecycle import NotOpened
from pinggu.tasks.evaluation import complete_evaluation, open_evaluation, send_back


def run_name() -> str:
    """后评估·<decision>·<type>, e.g. 后评估·S-2024-001·一般程序."""
    parameters = flow_run.parameters
    return f"后评估·{parameters['decision']}·{parameters.get('evaluation_type', EvaluationType.ordinary.name_zh)}"


@flow(
    name="post-evaluation",
    flow_run_name=run_name,
    description="重大行政决策后评估：准备、实施、结论形成三个阶段；按决策适用的规定设方案审定、材料提交、专家论证、第三方验收和决策机关审定等环节。",
    persist_result=False,
    log_prints=True,
)
def post_evaluation(
    decision: str,
    evaluation_type: EvaluationTypeChoice = EvaluationType.ordinary.name_zh,
    team: list[TeamMemberSpec] | None = None,
    evaluation: str | None = None,
    scope: ScopeChoice = Scope.whole.name_zh,
    scope_parts: list[str] | None = None,
    methods: list[MethodChoice] | None = None,
    third_party: ThirdPartySpec | None = None,
    due_date: date | None = None,
    budget_yuan: float | None = None,
) -> str | State:
    """Run one evaluation of a decision to an approved, archived report; return the report's path.

    Args:
        decision: 决策编号：决策目录中的编号，例如 S-2024-001
        evaluation_type: 评估类型：一般程序、简易程序、中期评估、终期评估或九十日评估（各部署已预设）
        team: 评估小组成员：至少一名“单位工作人员”；参与过决策前论证的人员不得加入（续办时可留空）
        evaluation: 评估编号：续办已有评估时填写（例如 PG-2026-0001），新评估留空
        scope: 评估范围：整体评估或部分评估
        scope_parts: 部分评估涉及的内容：部分评估时逐项填写
        methods: 评估方法：默认问卷调查；简易程序只选一种
        third_party: 委托第三方评估：受托机构名称及委托协议要点；自行评估留空
        due_date: 评估完成期限：年度计划确定的期限；留空按规定或默认期限
        budget_yuan: 经费预算（元）：可留空，由评估单位在部门预算内统筹
    """
    run_id = str(flow_run.id)
    opened = open_evaluation(
        decision,
        evaluation,
        run_id,
        EVALUATION_TYPE_BY_NAME[evaluation_type],
        SCOPE_BY_NAME[scope],
        scope_parts or [],
        list(methods or []),
        third_party.model_dump(mode="json") if third_party else None,
        due_date,
    )
    if isinstance(opened, NotOpened):  # e.g. a decision code not in the catalog, typed in the run form
        return refuse(opened.reason)
    evaluation_id = opened

    # ── 准备阶段：组建评估小组 → 制定评估方案 → 方案审定（九十日评估：决定是否开展）──
    if not prepare(evaluation_id, [member.model_dump() for member in team or []], budget_yuan, run_id):
        return ""

    while True:
        # ── 实施阶段：提交调查材料 → 分析 → 指标评分 → 初步结论 ─────────────────────
        implement(evaluation_id, run_id)
        # ── 结论形成阶段：起草报告 → 专家论证 → 第三方报告验收 → 决策机关审定 ──────────
        verdict = conclude(evaluation_id, run_id)
        if verdict.rework is None:
            break
        send_back(evaluation_id, Rework.evidence, verdict.comment or "")

    # ── 正式报告 → 后续措施 → 归档 ─────────────────────────────────────────────
    finish(evaluation_id, run_id)
    return complete_evaluation(evaluation_id)
