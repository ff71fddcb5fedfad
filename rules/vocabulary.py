"""Fixed vocabulary of the procedure: identifiers (English) and what operators read (Chinese)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Conclusion(StrEnum):
    """The evaluation conclusion (C-CONCLUSION: ordos 19(8), minhang 12(4), ningxia 7(4))."""

    continue_execution = "继续执行"
    adjust = "调整"
    suspend = "中止执行"
    terminate = "终止执行"


# bazhou 15, ningxia 14: these conclusions oblige the executing unit to act (C-FOLLOWUP).
CONCLUSIONS_NEEDING_FOLLOWUP = frozenset({Conclusion.adjust, Conclusion.suspend, Conclusion.terminate})


class EvaluationType(StrEnum):
    """The types of post-evaluation; the value is the id the database stores and profiles write."""

    ordinary = "ordinary"
    simplified = "simplified"
    midterm = "midterm"
    final = "final"
    ningxia_90day = "ningxia_90day"

    @property
    def name_zh(self) -> str:
        """The type's Chinese name, as operators read it and the run form offers it."""
        return EVALUATION_TYPES[self].name


@dataclass(frozen=True)
class EvaluationTypeSpec:
    """What an evaluation type is called, how its deployment describes it, and what else catalogs call it."""

    id: EvaluationType
    name: str
    description: str  # the deployment's description in the Prefect UI (deployments/serve.py)
    aliases: tuple[str, ...] = ()  # other names a catalog spreadsheet may write (analysis/catalog.py)


EVALUATION_TYPES: dict[EvaluationType, EvaluationTypeSpec] = {
    spec.id: spec
    for spec in (
        EvaluationTypeSpec(
            EvaluationType.ordinary,
            "一般程序",
            "一般程序后评估（含执行满一年的执行评估）：方案审定、材料提交、专家论证、决策机关审定。",
            # 执行评估 (after one year) runs the ordinary procedure (SPEC §2); operators write either name.
            aliases=("执行评估",),
        ),
        EvaluationTypeSpec(
            EvaluationType.simplified,
            "简易程序",
            "简易程序后评估：不另设方案审定，只选一种方法（座谈会、问卷调查、意见征询或论证会），形成报告后报决策机关审定。",
        ),
        EvaluationTypeSpec(
            EvaluationType.midterm,
            "中期评估",
            "中期评估：执行期限五年以上的规划、政策在期限或进度过半时评估，报告说明实施以来的效果、问题和建议。",
        ),
        EvaluationTypeSpec(
            EvaluationType.final,
            "终期评估",
            "终期评估：执行期限五年以上的规划、政策、改革事项执行结束后评估，报告总结经验、不足和教训。",
        ),
        EvaluationTypeSpec(
            EvaluationType.ningxia_90day,
            "九十日评估",
            "九十日评估（宁夏商务厅）：厅决策机关决定开展之日起九十日内完成，完成后十五日内提请审议。",
            aliases=("宁夏商务厅九十日评估",),
        ),
    )
}

# Derived views: an id (also a plain string read from the database) → its Chinese name, and back.
EVALUATION_TYPE_NAMES: Mapping[str, str] = {spec.id: spec.name for spec in EVALUATION_TYPES.values()}
EVALUATION_TYPE_BY_NAME: Mapping[str, EvaluationType] = {spec.name: spec.id for spec in EVALUATION_TYPES.values()}


class EvaluationStatus(StrEnum):
    """Where an evaluation stands (Evaluation.status)."""

    running = "running"
    waiting = "waiting"
    reopened = "reopened"
    not_started = "not_started"
    completed = "completed"
    failed = "failed"


class StageStatus(StrEnum):
    """Where a stage stands (StageRecord.status)."""

    pending = "pending"
    running = "running"
    done = "done"


class StepStatus(StrEnum):
    """An attempt of a step in the ledger (StepRecord.status)."""

    running = "running"
    done = "done"
    failed = "failed"
    superseded = "superseded"  # set aside by a send-back or a redo; the record stays


class FollowUpStatus(StrEnum):
    """The lead unit's follow-up after an adjust/suspend/terminate conclusion (FollowUp.status)."""

    open = "open"
    done = "done"
    withdrawn = "withdrawn"


class DeliveryStatus(StrEnum):
    """One notice to one channel (Notification.status)."""

    pending = "pending"
    sent = "sent"
    failed = "failed"


STATUS_NAMES: dict[str, str] = {
    EvaluationStatus.running: "进行中",
    EvaluationStatus.not_started: "决定不开展",
    EvaluationStatus.reopened: "已决定重做，待重新运行",
    EvaluationStatus.waiting: "等待人工处理",
    EvaluationStatus.completed: "已完成",
    EvaluationStatus.failed: "失败",
    StageStatus.pending: "未开始",
    StageStatus.done: "已完成",
}

FOLLOW_UP_STATUS_NAMES: dict[str, str] = {
    FollowUpStatus.open: "办理中",
    FollowUpStatus.done: "已办结",
    FollowUpStatus.withdrawn: "已撤回",
}


class Scope(StrEnum):
    """How much of a decision an evaluation covers (S-SCOPE); the value is the id stored on Evaluation.scope."""

    whole = "whole"
    partial = "partial"

    @property
    def name_zh(self) -> str:
        """The scope's Chinese name, as operators read it and the run form offers it."""
        return SCOPE_NAMES[self]


SCOPE_NAMES: Mapping[str, str] = {Scope.whole: "整体评估", Scope.partial: "部分评估"}
SCOPE_BY_NAME: Mapping[str, Scope] = {name: Scope(scope) for scope, name in SCOPE_NAMES.items()}


class SatisfactionScale(StrEnum):
    """Which end of a numeric 1–5 satisfaction code is 很满意 (E-SCALE): stated by the operator when the
    file does not say it (pinggu.analysis.survey_reading reads no numeric code without it)."""

    first_is_best = "1=很满意"  # 问卷星 by option number: 1 is the first option, usually 很满意
    last_is_best = "5=很满意"  # a score (分值): 5 is the most satisfied


# ordos 17, minhang 11, bazhou 10(2), changli 20–21 (E-METHODS).
METHODS = (
    "问卷调查",
    "实地调研",
    "座谈会",
    "论证会",
    "听证会",
    "意见征询",
    "舆情跟踪",
    "个别访谈",
    "专家咨询",
)


class EventKind(StrEnum):
    """A situation that calls for an evaluation (T-EVENT: bazhou 7, ordos 11, ningxia 4, changli 57, minhang 6;
    T-PROMPT: controversy_risk); the value is the id profiles and the event table write."""

    basis_changed = "basis_changed"
    effect_not_met = "effect_not_met"
    many_opinions = "many_opinions"
    negative_public_opinion = "negative_public_opinion"
    unit_application = "unit_application"
    body_deems_necessary = "body_deems_necessary"
    controversy_risk = "controversy_risk"
    superior_request = "superior_request"
    other_division_request = "other_division_request"
    special_provision = "special_provision"
    serious_problem_reported = "serious_problem_reported"

    @property
    def name_zh(self) -> str:
        """The situation as operators read it."""
        return EVENT_KIND_NAMES[self]


# T-EVENT / T-PROMPT kinds as operators read them.
EVENT_KIND_NAMES: Mapping[str, str] = {
    EventKind.basis_changed: "决策依据的法律、法规、政策或客观情况发生重大变化",
    EventKind.effect_not_met: "实施后明显未达到预期效果",
    EventKind.many_opinions: "公民、法人或其他组织提出较多意见",
    EventKind.negative_public_opinion: "出现较多负面舆情",
    EventKind.unit_application: "执行单位申请开展评估",
    EventKind.body_deems_necessary: "决策机关认为有必要",
    EventKind.controversy_risk: "执行中出现较大争议、风险或重大分歧",
    EventKind.superior_request: "上级机关要求",
    EventKind.other_division_request: "其他处室提出",
    EventKind.special_provision: "法律法规另有规定",
    EventKind.serious_problem_reported: "承办单位报告决策存在问题、客观情况重大变化或不可抗力，严重影响决策目标实现",
}


class TrackingReportStatus(StrEnum):
    """A period's tracking report (TrackingReport.status)."""

    requested = "requested"  # asked for, not yet handed in
    received = "received"  # handed in, its documents not yet rendered
    rendered = "rendered"  # recorded and rendered as PDF and Word


TRACKING_REPORT_STATUS_NAMES = {
    TrackingReportStatus.requested: "待报送",
    TrackingReportStatus.received: "已报送（文书生成中）",
    TrackingReportStatus.rendered: "已报送",
}
