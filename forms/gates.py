"""The forms a suspended evaluation waits for, as Prefect RunInput models with Chinese labels.

The Prefect UI renders them as the resume form; `pinggu approve/submit/review` sends the same
fields through the API. Server-side JSON-schema checks (required, non-blank) keep a bad form from
resuming the run at all; the product's own rules are checked after the resume and a refused answer
is asked for again under a new key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from prefect.input import RunInput
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from pinggu.core.errors import StateConflict
from pinggu.forms.chinese import ChineseRunInput
from pinggu.forms.parameters import TeamMemberSpec
from pinggu.rules.gates import (
    AcceptanceVerdict,
    ExpertsConvened,
    GateId,
    PlanVerdict,
    ReportRework,
    ReportVerdict,
    StartDecision,
)
from pinggu.rules.tracking import ReviewVerdict, SupervisionStep
from pinggu.rules.vocabulary import Conclusion, SatisfactionScale

NON_BLANK = r"\S"  # JSON-schema pattern: at least one non-space character


def _inline(choices: type[StrEnum]) -> WithJsonSchema:
    """The choices as an inline JSON-schema enum: the resume form shows a plain Chinese drop-down."""
    return WithJsonSchema({"type": "string", "enum": [choice.value for choice in choices]})


# Typed as enums in Python, rendered exactly as a list of Chinese options in the Prefect UI.
ConclusionChoice = Annotated[Conclusion, _inline(Conclusion)]
PlanChoice = Annotated[PlanVerdict, _inline(PlanVerdict)]
StartChoice = Annotated[StartDecision, _inline(StartDecision)]
AcceptanceChoice = Annotated[AcceptanceVerdict, _inline(AcceptanceVerdict)]
ApprovalChoice = Annotated[ReportVerdict, _inline(ReportVerdict)]
ReworkChoice = Annotated[ReportRework, _inline(ReportRework)]
ConvenedChoice = Annotated[ExpertsConvened, _inline(ExpertsConvened)]
ScaleChoice = Annotated[SatisfactionScale, _inline(SatisfactionScale)]
SERVER_FILE = (
    "在网页办理页面上传文件（由上传自动填写），或用命令 pinggu submit 提交；"
    "此处只受理上传后的文档存储位置，不受理评估服务器上的其他路径"
)
SIGNER_NAME = "可不填：办理人按签署码记入（填写时须与签署码的持有人一致）"


class SignedForm(ChineseRunInput):
    """Every gate's answer carries the one-time code sent to the person answering (pinggu.models.people)."""

    code: str = Field(default="", title="签署码", description="办理通知中发给您本人的一次性签署码")


class TeamForm(SignedForm):
    """组建评估小组：评估单位确定评估小组成员（年度计划启动的评估由此开始）。"""

    members: list[TeamMemberSpec] = Field(
        title="评估小组成员", min_length=1, description="至少一名“单位工作人员”；参与过决策前论证的人员不得加入"
    )
    submitter: str = Field(default="", title="填报人姓名", description=SIGNER_NAME)
    submitter_role: str = Field(default="", title="填报人单位及职务", description="可不填：按人员名单记入")


class PlanApprovalForm(SignedForm):
    """方案审定：审定评估方案。"""

    approver: str = Field(default="", title="审批人姓名", description=SIGNER_NAME)
    approver_role: str = Field(default="", title="审批人职务", description="可不填：按人员名单记入")
    choice: PlanChoice = Field(title="审定意见")
    comment: str = Field(default="", title="说明", description="退回修改时必填：写明需要修改的内容")


class PlanItemChangeSpec(BaseModel):
    """逐项调整：改变一项的完成期限，或不列入本年度计划；均须写明理由。"""

    model_config = ConfigDict(title="调整事项")

    decision: str = Field(title="决策编号", pattern=NON_BLANK)
    due_date: date | None = Field(default=None, title="调整后的完成期限", description="不列入计划时留空")
    drop: bool = Field(default=False, title="不列入计划")
    reason: str = Field(title="理由", pattern=NON_BLANK)


class AnnualPlanApprovalForm(ChineseRunInput):
    """年度评估计划审定：同意（可逐项调整完成期限或不列入计划），或退回修改。由审定人登录网页办理后提交，记入审定人本人。

    Who answered is the signed-in person the web app signed the answer for (pinggu.services.signatures), never a
    name typed here: an answer given in the Prefect UI carries no signature and is refused."""

    choice: PlanChoice = Field(title="审定意见")
    comment: str = Field(default="", title="说明", description="退回修改时必填：写明需要修改的内容")
    changes: list[PlanItemChangeSpec] = Field(
        default_factory=list,
        title="逐项调整（可选）",
        description="同意时可调整某项的完成期限（评估时限），或将某项不列入计划；每项须写明理由",
    )


class StartApprovalForm(SignedForm):
    """决定是否开展评估：决策机关研究审议是否开展评估及评估的具体事宜。"""

    approver: str = Field(default="", title="决定人姓名", description=SIGNER_NAME)
    approver_role: str = Field(default="", title="决定人职务", description="可不填：按人员名单记入")
    choice: StartChoice = Field(title="决定")
    comment: str = Field(default="", title="说明", description="不开展时必填：写明理由；可注明会议名称")


class DataFileForm(SignedForm):
    """数据文件提交：问卷平台导出的问卷数据，或意见征集登记表（CSV 或 XLSX）。"""

    file: str = Field(title="数据文件", pattern=NON_BLANK, description="CSV 或 XLSX：" + SERVER_FILE)
    scale: ScaleChoice | None = Field(
        default=None,
        title="满意度数字编码的方向",
        description="仅问卷数据：满意度题的答案是数字 1–5、表头又未注明方向时必选——1=很满意（问卷星按选项序号下载，"
        "第一个选项为很满意）或 5=很满意（按分值）；答案为文字的、意见征集登记表不填",
    )
    submitter: str = Field(default="", title="提交人姓名", description=SIGNER_NAME)
    submitter_role: str = Field(default="", title="提交人单位及职务", description="可不填：按人员名单记入")


class RecordsForm(SignedForm):
    """记录材料提交：座谈会、论证会等会议纪要，或实地调研记录。"""

    file: str = Field(title="材料文件", pattern=NON_BLANK, description="PDF、Word 或文本文件：" + SERVER_FILE)
    summary: str = Field(
        title="主要情况摘要", pattern=NON_BLANK, description="写入评估报告：时间、地点、参加人员、主要意见"
    )
    submitter: str = Field(default="", title="提交人姓名", description=SIGNER_NAME)
    submitter_role: str = Field(default="", title="提交人单位及职务", description="可不填：按人员名单记入")


class ExpertMarksForm(SignedForm):
    """专家评分及统计数据：按指标体系提交专家打分表和统计数据。"""

    file: str = Field(
        title="专家打分表", pattern=NON_BLANK, description="CSV 或 XLSX，列为 指标、专家、分数：" + SERVER_FILE
    )
    data_values: str = Field(default="", title="统计数据", description="每行“名称：数值”，例如 目标任务完成率（%）：92")
    submitter: str = Field(default="", title="提交人姓名", description=SIGNER_NAME)
    submitter_role: str = Field(default="", title="提交人单位及职务", description="可不填：按人员名单记入")


class ExpertReviewForm(SignedForm):
    """专家论证：录入专家对评估报告送审稿的论证意见。"""

    organised: ConvenedChoice = Field(
        default=ExpertsConvened.held, title="是否组织专家论证", description="规定可以不组织时方可选择不组织，并写明理由"
    )
    experts: str = Field(
        default="",
        title="论证专家",
        description="多位专家用顿号或逗号分隔；评估小组成员是报告的起草者，不能作为论证专家",
    )
    opinion: str = Field(default="", title="论证意见")
    handling: str = Field(default="", title="意见采纳及处理情况", description="不组织专家论证时写明理由")
    submitter: str = Field(default="", title="录入人姓名", description=SIGNER_NAME)
    submitter_role: str = Field(default="", title="录入人职务", description="可不填：按人员名单记入")


class ThirdPartyAcceptanceForm(SignedForm):
    """第三方评估报告验收：决策承办单位审查验收受委托机构的评估报告。"""

    approver: str = Field(default="", title="验收人姓名", description=SIGNER_NAME)
    approver_role: str = Field(default="", title="验收人职务", description="可不填：按人员名单记入")
    choice: AcceptanceChoice = Field(
        title="验收意见", description="认定虚假报告将记入该机构信用记录并终止委托，报告由评估单位重新起草"
    )
    comment: str = Field(default="", title="说明", description="退回修改或认定虚假报告时必填")


class ReportApprovalForm(SignedForm):
    """决策机关审定：审定评估报告并确定评估结论。"""

    approver: str = Field(default="", title="审批人姓名", description=SIGNER_NAME)
    approver_role: str = Field(default="", title="审批人职务", description="可不填：按人员名单记入")
    choice: ApprovalChoice = Field(title="审定意见")
    conclusion: ConclusionChoice | None = Field(
        default=None, title="评估结论", description="审定通过时必选：继续执行 / 调整 / 中止执行 / 终止执行"
    )
    departure_reason: str = Field(
        default="", title="偏离推荐结论的理由", description="评估结论与按得分推荐的结论不同时必填"
    )
    rework: ReworkChoice = Field(
        default=ReportRework.report, title="退回至", description="退回修改时选择：修改报告，或补充调查材料后重新分析"
    )
    comment: str = Field(default="", title="审定意见说明", description="退回修改时必填")


# Each evaluation gate (pinggu.rules.gates.GATES) and the form its run suspends with: the flow asks through this registry,
# the web page and the command line build their fields from it; how an answer is judged is pinggu.services.evaluation.
GATE_FORMS: dict[GateId, type[RunInput]] = {
    GateId.team: TeamForm,
    GateId.plan_approval: PlanApprovalForm,
    GateId.start_approval: StartApprovalForm,
    GateId.survey: DataFileForm,
    GateId.minutes: RecordsForm,
    GateId.field: RecordsForm,
    GateId.opinions: DataFileForm,
    GateId.expert_marks: ExpertMarksForm,
    GateId.expert_review: ExpertReviewForm,
    GateId.third_party_acceptance: ThirdPartyAcceptanceForm,
    GateId.approval: ReportApprovalForm,
}


def validated(form_class: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The form's answer as JSON-ready values, or StateConflict naming each field that is wrong, in Chinese
    (the command line and the web app check a form before it reaches the server)."""
    try:
        return form_class.model_validate(values).model_dump(mode="json")
    except ValidationError as error:
        fields = form_class.model_fields
        problems = []
        for detail in error.errors():
            where = str(detail["loc"][0]) if detail["loc"] else ""
            place = f"“{fields[where].title if where in fields else where}”"
            if len(detail["loc"]) > 1 and isinstance(detail["loc"][1], int):  # a list's record: its line
                sub = _sub_title(fields, detail["loc"])
                place += f"第 {detail['loc'][1] + 1} 行" + (f"“{sub}”" if sub else "")
            problems.append(f"{place}{_problem_of(detail)}")
        raise StateConflict("表单填写不完整：" + "；".join(problems)) from None


def _sub_title(fields: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """The title of a record's field named by an error's location (experts → 2 → name: 姓名)."""
    import typing

    if len(loc) < 3:
        return ""
    (item,) = typing.get_args(fields[str(loc[0])].annotation) or (None,)
    inner = getattr(item, "model_fields", {}).get(str(loc[2]))
    return str(inner.title) if inner is not None and inner.title else str(loc[2])


def _problem_of(detail: Any) -> str:
    if detail["type"] == "value_error":  # the model's own check, already worded in Chinese
        return "：" + str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] in ("missing", "string_pattern_mismatch") or (detail["type"] == "enum" and not detail["input"]):
        return "未填写或为空"
    if detail["type"] == "enum":
        choices = str(detail.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", "、")
        return f"应为 {choices} 之一，收到：{detail['input']}"
    if detail["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"不是有效的日期（应为 2026-03-31 的格式），收到：{detail['input']}"
    return "填写有误：" + str(detail["msg"])


class RectificationReviewForm(ChineseRunInput):
    """督查整改审核：对责任单位书面报告的整改情况逐项审核（通过、通过并抽查、或退回限期重新整改）。由审核人登录网页办理后提交，记入审核人本人。"""

    item: int = Field(ge=1, title="整改事项序号", description="见上方列表中的“第 N 项”")
    verdict: ReviewVerdict = Field(title="审核意见")
    comment: str = Field(default="", title="说明", description="退回时必填：写明理由")
    new_due: date | None = Field(default=None, title="新整改期限", description="退回时必填")


class SupervisionApprovalForm(ChineseRunInput):
    """督查专报审定：县政府领导审定督查专报并作出批示（昌黎县规定第五十三条），审定后专报及批示意见反馈相关单位。
    由审定领导登录网页办理后提交，记入审定人本人。"""

    approved_on: date | None = Field(default=None, title="审定日期（留空为今天）")
    instructions: str = Field(default="", title="批示意见（随专报一并反馈）")


# The supervision round's human steps (pinggu.rules.tracking.SupervisionStep) and the form each suspends with: the flow
# asks through this registry, and a web page can be built from the form as for an evaluation's gates.
SUPERVISION_FORMS: dict[SupervisionStep, type[RunInput]] = {
    SupervisionStep.report_approval: SupervisionApprovalForm,
    SupervisionStep.rectification_review: RectificationReviewForm,
}
