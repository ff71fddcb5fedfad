"""The forms a suspended evaluation waits for, as Prefect RunInput models with Chinese labels.

The Prefect UI renders them as the resume form; `pinggu approve/submit/review` sends the same
fields through the API. Server-side JSON-schema checks (required, non-blank) keep a bad form from
resuming the run at all; the product's own rules are checked after the resume and a refused answer
is asked for again under a new key.
"""

from __future__ import annotations

from typing import Literal

from prefect.input import RunInput
from pydantic import Field

NON_BLANK = r"\S"  # JSON-schema pattern: at least one non-space character

ConclusionChoice = Literal["继续执行", "调整", "中止执行", "终止执行"]


class PlanApprovalForm(RunInput):
    """方案审定：审定评估方案。"""

    approver: str = Field(title="审批人姓名", pattern=NON_BLANK)
    approver_role: str = Field(title="审批人职务", pattern=NON_BLANK, description="例如：区政府办公室主任")
    choice: Literal["同意", "退回修改"] = Field(title="审定意见")
    comment: str = Field(default="", title="说明", description="退回修改时必填：写明需要修改的内容")


class SurveySubmissionForm(RunInput):
    """问卷数据提交：提交问卷平台导出的数据文件。"""

    file: str = Field(
        title="问卷数据文件",
        pattern=NON_BLANK,
        description="评估服务器上可读取的 CSV 或 XLSX 文件的完整路径（也可用命令 pinggu submit 提交）",
    )
    submitter: str = Field(title="提交人姓名", pattern=NON_BLANK)
    submitter_role: str = Field(title="提交人单位及职务", pattern=NON_BLANK)


class ExpertReviewForm(RunInput):
    """专家论证：录入专家对评估报告送审稿的论证意见。"""

    experts: str = Field(title="论证专家", pattern=NON_BLANK, description="多位专家用顿号或逗号分隔")
    opinion: str = Field(title="论证意见", pattern=NON_BLANK)
    handling: str = Field(title="意见采纳及处理情况", pattern=NON_BLANK)
    submitter: str = Field(title="录入人姓名", pattern=NON_BLANK)
    submitter_role: str = Field(title="录入人职务", pattern=NON_BLANK)


class ReportApprovalForm(RunInput):
    """决策机关审定：审定评估报告并确定评估结论。"""

    approver: str = Field(title="审批人姓名", pattern=NON_BLANK)
    approver_role: str = Field(title="审批人职务", pattern=NON_BLANK)
    choice: Literal["通过", "退回修改"] = Field(title="审定意见")
    conclusion: ConclusionChoice | None = Field(
        default=None, title="评估结论", description="审定通过时必选：继续执行 / 调整 / 中止执行 / 终止执行"
    )
    comment: str = Field(default="", title="审定意见说明", description="退回修改时必填")


GATE_FORMS: dict[str, type[RunInput]] = {
    "plan_approval": PlanApprovalForm,
    "survey": SurveySubmissionForm,
    "expert_review": ExpertReviewForm,
    "approval": ReportApprovalForm,
}
