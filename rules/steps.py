"""The stages and the recorded steps of every evaluation, once: id, Chinese name, stage (SPEC §4).

A step is work the flow does itself and the ledger records (pinggu.tasks.ledger); its id is what the
ledger, the rework rules and the report's history refer to. A new step is added here, then run by
a task decorated with ``pinggu.tasks.ledger.ledger_step(StepId.…)``, then called from flows/stages.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The three stages every evaluation type passes, in order."""

    preparation = "preparation"
    implementation = "implementation"
    conclusion = "conclusion"


STAGE_NAMES: dict[str, str] = {
    Stage.preparation: "准备阶段",
    Stage.implementation: "实施阶段",
    Stage.conclusion: "结论形成阶段",
}

STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class StepId(StrEnum):
    """A step the ledger records at most once per attempt."""

    team = "team"
    plan = "plan"
    analysis = "analysis"
    scoring = "scoring"
    preliminary = "preliminary"
    draft_report = "draft_report"
    reviewed_draft = "reviewed_draft"
    work_completed = "work_completed"
    report_submitted = "report_submitted"
    follow_up = "follow_up"
    final_report = "final_report"
    archive = "archive"


@dataclass(frozen=True)
class StepSpec:
    """What a step is called (its Prefect task's name and the report's history) and where it belongs."""

    id: StepId
    name: str
    stage: Stage


STEPS: dict[StepId, StepSpec] = {
    spec.id: spec
    for spec in (
        StepSpec(StepId.team, "组建评估小组", Stage.preparation),
        StepSpec(StepId.plan, "制定评估方案", Stage.preparation),
        StepSpec(StepId.analysis, "分析评估材料", Stage.implementation),
        StepSpec(StepId.scoring, "指标评分", Stage.implementation),
        StepSpec(StepId.preliminary, "形成初步结论", Stage.implementation),
        StepSpec(StepId.draft_report, "起草评估报告", Stage.conclusion),
        # bazhou 11(3), changli 58(3)3, ningxia 10(4): after the experts argued it, the report is formed again,
        # so what the decision body approves holds their opinion and its handling (or why none was sought).
        StepSpec(StepId.reviewed_draft, "专家论证后形成报告送审稿", Stage.conclusion),
        StepSpec(StepId.work_completed, "评估工作完成（起算报送期限）", Stage.conclusion),
        # NX-12, OR-19: the lead unit's duty is met when it submits the report, not when the body answers.
        StepSpec(StepId.report_submitted, "报送评估报告（提请审定）", Stage.conclusion),
        StepSpec(StepId.follow_up, "开启后续措施事项", Stage.conclusion),
        StepSpec(StepId.final_report, "正式形成评估报告", Stage.conclusion),
        StepSpec(StepId.archive, "归档", Stage.conclusion),
    )
}


def step_name(step: str) -> str:
    """A step's Chinese name; an id no longer registered (an old record) is shown as it is."""
    try:
        return STEPS[StepId(step)].name
    except ValueError:
        return step
