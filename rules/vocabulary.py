"""Fixed vocabulary of the procedure: identifiers (English) and what operators read (Chinese)."""

from __future__ import annotations

from enum import StrEnum


class Conclusion(StrEnum):
    """The evaluation conclusion (C-CONCLUSION: ordos 19(8), minhang 12(4), ningxia 7(4))."""

    continue_execution = "继续执行"
    adjust = "调整"
    suspend = "中止执行"
    terminate = "终止执行"


# bazhou 15, ningxia 14: these conclusions oblige the executing unit to act (C-FOLLOWUP).
CONCLUSIONS_NEEDING_FOLLOWUP = frozenset({Conclusion.adjust, Conclusion.suspend, Conclusion.terminate})

EVALUATION_TYPE_NAMES = {
    "ordinary": "一般程序",
    "simplified": "简易程序",
    "midterm": "中期评估",
    "final": "终期评估",
    "ningxia_90day": "九十日评估",
}


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

SCOPE_NAMES = {"whole": "整体评估", "partial": "部分评估"}


class SatisfactionScale(StrEnum):
    """Which end of a numeric 1–5 satisfaction code is 很满意 (E-SCALE): stated by the operator when the
    file does not say it (analysis.survey_reading reads no numeric code without it)."""

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

# T-EVENT / T-PROMPT kinds (ids in rules.planning_types.EVENT_KINDS) as operators read them.
EVENT_KIND_NAMES = {
    "basis_changed": "决策依据的法律、法规、政策或客观情况发生重大变化",
    "effect_not_met": "实施后明显未达到预期效果",
    "many_opinions": "公民、法人或其他组织提出较多意见",
    "negative_public_opinion": "出现较多负面舆情",
    "unit_application": "执行单位申请开展评估",
    "body_deems_necessary": "决策机关认为有必要",
    "controversy_risk": "执行中出现较大争议、风险或重大分歧",
    "superior_request": "上级机关要求",
    "other_division_request": "其他处室提出",
    "special_provision": "法律法规另有规定",
    "serious_problem_reported": "承办单位报告决策存在问题、客观情况重大变化或不可抗力，严重影响决策目标实现",
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
