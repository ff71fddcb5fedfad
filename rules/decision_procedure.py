"""How a major decision is made (changli chapters 2–8) as plain rules: the vocabulary of each step, what an
answer at each step says, and the judgement of it against the profile's numbers (CL-3 … CL-47).

Each step of the procedure is a human step: the lead unit, the 决策咨询服务中心, the 司法局 or the county
government records what was done, and the judge here says whether the seed's conditions hold (a list of
Chinese problems: the answer is refused and asked again) and what follows (go on, do that step again, or
end the procedure). Pure Python and pydantic: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from pinggu.rules.calendar import OfficialCalendar, default_calendar
from pinggu.rules.people import may_act
from pinggu.rules.periods import Period, PeriodUnit, add_period
from pinggu.rules.vocabulary import EvaluationType, SatisfactionScale

if TYPE_CHECKING:
    from pinggu.rules.profiles.schema import DecisionProcedureRules


class ProcedureStep(StrEnum):
    """The steps of the procedure, in order (changli chapters 2–7)."""

    launch = "launch"
    catalog = "catalog"
    participation = "participation"
    experts = "experts"
    expert_opinions = "expert_opinions"  # each expert of the panel signs their own written opinion (会签, 32(三))
    risk = "risk"
    risk_decision = "risk_decision"  # the county government decides on a high risk the lead unit refers (CL-37)
    legality = "legality"
    meeting = "meeting"
    publication = "publication"


STEP_NAMES = {
    ProcedureStep.launch: "决策启动（是否属于重大行政决策）",
    ProcedureStep.catalog: "纳入决策事项目录",
    ProcedureStep.participation: "公众参与和民意调查",
    ProcedureStep.experts: "专家论证",
    ProcedureStep.expert_opinions: "专家签署书面论证意见（会签）",
    ProcedureStep.risk: "风险评估",
    ProcedureStep.risk_decision: "高风险事项的决策（县政府）",
    ProcedureStep.legality: "合法性审查和综合会审",
    ProcedureStep.meeting: "集体讨论决定",
    ProcedureStep.publication: "决策公布、归档和实施后评估计划",
}


class Outcome(StrEnum):
    """What follows an accepted answer."""

    proceed = "proceed"
    again = "again"  # the same step is done again (risk reduced and re-assessed; revised and resubmitted)
    # the step's answer only proposes: the body of DECIDED_BY decides (a high risk referred to the county
    # government, changli 37); its "again" asks this step again
    referred = "referred"
    not_major = "not_major"  # ends: not a major decision (changli 3)
    not_adopted = "not_adopted"  # ends: the meeting did not adopt it
    not_implemented = "not_implemented"  # ends: high risk, not to be implemented (changli 37)
    deferred = "deferred"  # ends: the meeting deferred it


ENDINGS = {
    Outcome.not_major: "不属于重大行政决策，不适用本规定",
    Outcome.not_adopted: "县政府审议未通过",
    Outcome.not_implemented: "风险评估为高风险，县政府作出不实施的决策",
    Outcome.deferred: "县政府决定暂缓",
}


class MatterCategory(StrEnum):
    """What counts as a major decision (CL-3: changli 3 ¶1), by the catalog's category names."""

    public_policy = "重大公共政策"
    plan = "重要规划"
    resources = "资源保护政策"
    project = "重大公共建设项目"
    other = "其他重大事项"


class Exclusion(StrEnum):
    """Decisions the procedure does not govern (CL-3: changli 3 ¶2, ¶4)."""

    none = "无"
    emergency = "突发事件应急处置决策"
    internal = "机关内部管理事务"
    secret = "依法应当保密的决策活动"
    department = "县政府工作部门能够依职权决策或者决策更有效的事项"


class ParticipationMeans(StrEnum):
    """How the public is heard (CL-14: changli 14 ¶3)."""

    symposium = "座谈会"
    hearing = "听证会"
    visit = "实地走访"
    written = "书面征求意见"
    public_comment = "向社会公开征求意见"
    questionnaire = "问卷调查"
    poll = "民意调查"


POLL_MEANS = frozenset({ParticipationMeans.questionnaire, ParticipationMeans.poll})


class HearingOrganiser(StrEnum):
    """Who organised a hearing (CL-16-HEARING: changli 16 ¶2 由决策承办单位或者是与决策有关的单位组织，不得委托第三方组织)."""

    lead_unit = "决策承办单位"
    related_unit = "与决策有关的单位"
    third_party = "受委托的第三方"


class PanelConfirmer(StrEnum):
    """Who confirmed the expert panel the lead unit proposed (CL-32-PANEL: changli 32(一) 报县决策咨询服务中心确定)."""

    centre = "县决策咨询服务中心"
    lead_unit = "决策承办单位自行确定"
    other = "其他单位"


class DraftContent(StrEnum):
    """What a decision draft contains (CL-12: changli 12 ¶2)."""

    goal = "决策目标"
    tasks = "工作任务"
    basis = "决策依据"
    budget = "经费预算"
    measures = "措施方法"
    timetable = "时间步骤"
    implementers = "决策实施单位"
    evaluation_plan = "决策实施后评估计划"


class SubmissionDecision(StrEnum):
    """The 县长's decision on the joint review's advice (CL-41-44: changli 44 报请县长审定是否将决策草案提交审议)."""

    submit = "提交县政府审议"
    # default: seed silent on what follows a "no": the draft is revised and goes through the joint review again
    withhold = "暂不提交审议（修改完善后重新会审）"


class RiskKind(StrEnum):
    """The kinds of risk assessed (changli 34 ¶2)."""

    stability = "社会稳定风险"
    safety = "公共安全风险"
    environment = "环境风险"
    economy = "经济风险"


class RiskContent(StrEnum):
    """What a risk assessment report contains (CL-36: changli 36(4))."""

    matter = "评估事项和评估过程"
    opinions = "各方意见及其采纳情况"
    risks = "决策可能引发的风险"
    level = "风险等级"
    conclusion = "评估结论和对策建议"
    measures = "风险防范和化解措施"
    contingency = "应急处置预案"


class RiskSituation(StrEnum):
    """The fixed criteria of the risk levels (CL-36: changli 36(4))."""

    broad_support = "绝大多数群众理解支持、个别人员持有分歧意见"
    support_unreasonable_dissent = "大多数群众理解支持、部分群众持有分歧意见但诉求不合理"
    strong_dissent = "部分群众持有强烈分歧意见"
    assessors_divided = "参与评估的部门、单位和专业机构对重大风险处理意见存在较大分歧，可能引发较大矛盾冲突"
    widespread_opposition = (
        "大部分群众有意见、反映特别强烈，可能引发重大风险隐患、大规模集体上访、群体事件或者重大舆情事件"
    )


class RiskLevel(StrEnum):
    """Low, medium or high (CL-36)."""

    low = "低风险"
    medium = "中风险"
    high = "高风险"


class HighRiskChoice(StrEnum):
    """What the lead unit does with a high risk (CL-37: changli 37): it proposes not to implement — the county
    government makes that decision (RiskDecisionAnswer) — or adjusts the draft and has the risk assessed again."""

    not_implement = "建议不实施（提请县政府作出决策）"
    adjust = "调整决策方案后重新评估"


class RiskDecision(StrEnum):
    """The county government's decision on a high risk the lead unit referred (CL-37: changli 37 “应当区别情况作出
    不实施的决策，或者在调整决策方案、降低风险等级后再行决策”)."""

    not_implement = "作出不实施的决策"
    adjust = "调整决策方案、降低风险等级后再行决策"


class Material(StrEnum):
    """The submission materials (CL-40: changli 40 ¶3)."""

    draft = "决策草案及其说明（涉及市场主体经济活动的，含公平竞争审查情况）"
    basis = "有关法律、法规、规章和政策依据以及其他地方经验做法"
    participation = "公众参与全程资料"
    experts = "专家论证意见、意见处理情况和理由的说明"
    risk = "风险评估情况及有关材料"
    departments = "征求部门（乡镇）意见及反馈采纳情况"
    unit_review = "承办单位法制机构的合法性初审意见"
    leadership = "领导班子集体讨论记录"
    other = "需要报送的其他材料"


class LegalityVerdict(StrEnum):
    """A legality review's finding (CL-39: changli 39, 43)."""

    lawful = "合法"
    unlawful = "不合法"
    exploratory = "国家尚无明确规定的探索性改革事项（明示法律风险）"


class MeetingKind(StrEnum):
    """Where the draft is decided (CL-45: changli 45)."""

    executive = "县政府常务会议"
    plenary = "县政府全体会议"


class MeetingOutcome(StrEnum):
    """The meeting's decision (changli 46 ¶4)."""

    adopt = "通过"
    adopt_revised = "作一般性修改后通过"
    resubmit = "作重大修改后再次审议"
    reject = "不通过"
    defer = "暂缓决策"


class PublicationChannel(StrEnum):
    """Where the decision is published (CL-47: changli 47)."""

    website = "政府网站"
    wechat = "微信公众号"
    press = "新闻发布会"
    newspaper = "昌黎日报"
    broadcast = "昌黎广播电视台"


class PlannedEvaluation(StrEnum):
    """The decision's follow-up evaluation, planned with it (changli 12 ¶2 评估计划, 62)."""

    ordinary = "一般程序（执行评估）"
    midterm = "中期评估"
    final = "终期评估"


PLANNED_TYPES: dict[PlannedEvaluation, str] = {
    PlannedEvaluation.ordinary: EvaluationType.ordinary,
    PlannedEvaluation.midterm: EvaluationType.midterm,
    PlannedEvaluation.final: EvaluationType.final,
}


def basis_of(step: ProcedureStep, rules: DecisionProcedureRules) -> str:
    """The articles a step rests on, as the profile cites them."""
    return {
        ProcedureStep.launch: rules.scope_basis,
        ProcedureStep.catalog: rules.catalog_basis,
        ProcedureStep.participation: rules.participation_basis,
        ProcedureStep.experts: rules.experts_basis,
        ProcedureStep.expert_opinions: rules.experts_basis,
        ProcedureStep.risk: rules.risk_basis,
        ProcedureStep.risk_decision: rules.risk_basis,
        ProcedureStep.legality: rules.legality_basis,
        ProcedureStep.meeting: rules.meeting_basis,
        ProcedureStep.publication: rules.publication_basis,
    }[step]


# --- what each step's answer says ----------------------------------------------------------------


class _Answer(BaseModel):
    # Who answered is not a field: it is the signed-in person who signed the answer (pinggu.services.signatures),
    # checked against the step's actor in the profile (`may_answer`) — a typed name is never an identity.
    model_config = {"extra": "forbid"}


# The actor a profile names for the steps the matter's own lead unit takes: anyone of that unit.
LEAD_UNIT_ACTOR = "决策承办单位"
MIN_OPINION_CHARACTERS = 10  # default: seed silent — a written opinion is more than a word of assent
# The actor of the experts' 会签: each member of the panel the 专家论证 step named, signing for themselves.
PANEL_ACTOR = "论证专家"


def may_answer(roles: tuple[str, ...], unit: str, lead_unit: str, actor: str) -> bool:
    """Whether a person (roles, unit) may answer a step the profile gives to `actor` in a matter led by `lead_unit`:
    the lead unit's own people for 决策承办单位, otherwise the holders of the role."""
    if actor == LEAD_UNIT_ACTOR:
        return bool(unit.strip()) and unit.strip() == lead_unit.strip()
    if actor == PANEL_ACTOR:
        return False  # the panel's members, by name, sign for themselves (pinggu.services.decision_procedure 会签)
    return may_act(roles, actor)


class LaunchAnswer(_Answer):
    """决策启动：谁提出、属于哪一类重大行政决策（或属于不适用的情形）、研究论证的要点（第三条、第八条）。"""

    proposer: str = Field(title="提出决策事项建议的单位或个人")
    proposed_on: date = Field(title="提出日期")
    category: MatterCategory | None = Field(default=None, title="决策事项类别（第三条第一款）")
    exclusion: Exclusion = Field(default=Exclusion.none, title="不适用本规定的情形（第三条第二款、第四款）")
    reasons: str = Field(default="", title="拟解决的主要问题、建议理由、依据、初步方案及其必要性、可行性")


class CatalogAnswer(_Answer):
    """纳入决策事项目录：县政府审定、县委同意、向社会公布（第九条、第十条）。"""

    adjustment: bool = Field(default=False, title="目录调整（年度目录公布后增加的事项）")
    approved_on: date = Field(title="县政府审定日期")
    party_consent_on: date = Field(title="县委同意日期")
    published_on: date = Field(title="向社会公布日期")
    planned_on: date = Field(title="时间计划：拟提请审议的日期")


class OralOpinion(BaseModel):
    """An expert's oral opinion and when its written form followed (changli 32(3))."""

    expert: str = Field(title="专家姓名")
    oral_at: datetime = Field(title="口头意见时间")
    written_at: datetime | None = Field(default=None, title="书面意见时间")


class Expert(BaseModel):
    """A member of the argumentation panel."""

    name: str = Field(title="姓名")
    unit: str = Field(title="单位")
    from_pool: bool = Field(default=True, title="来自县专家库")
    interested: bool = Field(default=False, title="与决策事项有直接利害关系")


class HearingSide(BaseModel):
    """The participants of a hearing who hold one view (changli 16 ¶4 持不同观点的各方)."""

    view: str = Field(title="观点")
    count: int = Field(ge=0, title="参加人数")


class PriorAssessment(BaseModel):
    """A risk already assessed under other rules, so not assessed again (changli 34 ¶7 不作重复评估)."""

    kind: RiskKind = Field(title="风险种类")
    rules: str = Field(title="依照的规定")
    document: str = Field(title="评价、评估文件（名称、文号）")
    assessed_on: date = Field(title="评价、评估日期")


class ParticipationAnswer(_Answer):
    """公众参与和民意调查（第十四条至第二十二条）。"""

    means: list[ParticipationMeans] = Field(min_length=1, title="听取意见的方式")
    affects_groups: bool = Field(default=False, title="涉及特定群体利益")
    groups_heard: str = Field(default="", title="与人民团体、社会组织和群众代表沟通协商的情况")
    affects_enterprises: bool = Field(default=False, title="与企业生产经营活动密切相关")
    enterprises_heard: str = Field(default="", title="听取企业和行业协会、商会意见的情况")
    comment_from: date | None = Field(default=None, title="公开征求意见起始日")
    comment_until: date | None = Field(default=None, title="公开征求意见截止日")
    shortened_reason: str = Field(default="", title="缩短征求意见期限的理由")
    hearing_on: date | None = Field(default=None, title="听证会日期")
    hearing_organiser: HearingOrganiser | None = Field(default=None, title="听证会的组织者")
    hearing_organiser_unit: str = Field(default="", title="组织听证会的与决策有关的单位（名称）")
    hearing_closed: bool = Field(default=False, title="听证会依法不予公开（不公开举行）")
    hearing_closed_basis: str = Field(default="", title="听证会依法不予公开的依据")
    draft_published_on: date | None = Field(default=None, title="提前公布决策草案及其说明等材料、听证时间和地点的日期")
    hearing_sides: list[HearingSide] = Field(default_factory=list, title="听证参加人：持不同观点的各方及人数")
    participants_selected: bool = Field(default=False, title="需要遴选听证参加人")
    selection_method_published_on: date | None = Field(default=None, title="听证参加人遴选办法公布日期")
    hearing_materials_sent_on: date | None = Field(default=None, title="听证材料送达听证参加人的日期")
    participants_published_on: date | None = Field(default=None, title="听证参加人名单公布日期")
    symposium_on: date | None = Field(default=None, title="座谈会日期")
    symposium_stakeholders: str = Field(default="", title="邀请参加座谈会的有利害关系的公民、法人或者其他组织代表")
    symposium_materials_sent_on: date | None = Field(default=None, title="决策方案及起草说明送达与会代表的日期")
    survey_file: str = Field(default="", title="问卷数据文件（问卷调查、民意调查时）")
    survey_scale: SatisfactionScale | None = Field(
        default=None,
        title="问卷满意度数字编码的方向",
        description="满意度题的答案是数字 1–5、表头又未注明方向时必选：1=很满意（问卷星按选项序号下载，第一个选项为很满意）"
        "或 5=很满意（按分值）；答案为文字的不填",
    )
    population_file: str = Field(default="", title="总体比例表（检验样本代表性）")
    not_adopted: int = Field(default=0, ge=0, title="未予采纳的相对集中意见（条数）")
    feedback: str = Field(default="", title="对未采纳的相对集中意见的反馈和理由")


class ExpertsAnswer(_Answer):
    """专家论证（第三十条至第三十二条）。"""

    experts: list[Expert] = Field(title="论证专家")
    wide_or_complex: bool = Field(default=False, title="涉及面较广、争议较大或内容特别复杂、敏感")
    # Who confirmed the panel, and when, is not typed here: it is the 决策咨询服务中心's own signed act
    # (PanelConfirmation, recorded on the procedure's page), which the judge reads from the context.
    panel_proposed_on: date | None = Field(default=None, title="承办单位提出拟聘请专家组建议的日期")
    materials_sent_on: date = Field(title="向专家提供材料的日期")
    opinions_due_on: date = Field(title="要求提出书面论证意见的日期")
    oral_opinions: list[OralOpinion] = Field(default_factory=list, title="因情况紧急提供的口头论证意见")


class ExpertOpinionAnswer(_Answer):
    """一位论证专家的书面论证意见，由专家本人登录签署姓名（第三十二条（三））。"""

    opinion: str = Field(title="书面论证意见", description="您对决策事项的研究论证意见；签署后记入决策过程记录")


class RiskAnswer(_Answer):
    """风险评估（第三十四条至第三十七条）。"""

    kinds: list[RiskKind] = Field(default_factory=list, title="本次评估的风险种类")
    no_adverse_effect: list[RiskKind] = Field(
        default_factory=list, title="实施不会造成不利影响、无须评估的方面（第三十四条第一款）"
    )
    no_adverse_effect_reason: str = Field(default="", title="不会造成不利影响的理由")
    assessed_elsewhere: list[PriorAssessment] = Field(
        default_factory=list, title="依照有关规定已作评价、评估的风险（不作重复评估，第三十四条第七款）"
    )
    report_contents: list[RiskContent] = Field(default_factory=list, title="风险评估报告包含的内容")
    situation: RiskSituation | None = Field(default=None, title="评估查明的情况（按第三十六条（四）的标准）")
    measures: str = Field(default="", title="风险防范和化解措施")
    high_risk_choice: HighRiskChoice | None = Field(default=None, title="高风险时承办单位的意见")


class RiskDecisionAnswer(_Answer):
    """高风险事项的决策：县政府作出不实施的决策，或者调整决策方案、降低风险等级后再行决策（第三十七条）。"""

    decision: RiskDecision = Field(title="县政府的决策")
    decided_on: date = Field(title="决策日期")
    decided_by: str = Field(title="作出决策的会议或领导（如县政府常务会议）")
    reasons: str = Field(default="", title="决策理由")


class LegalityAnswer(_Answer):
    """合法性审查和综合会审（第三十九条至第四十四条）。"""

    unit_review: LegalityVerdict = Field(title="承办单位法制审核机构初审意见")
    unit_review_on: date = Field(title="初审日期")
    materials: list[Material] = Field(title="已报送的材料")
    returned_on: date | None = Field(default=None, title="材料不全、退回补充的日期")
    supplemented_on: date | None = Field(default=None, title="补送材料的日期")
    joint_review_from: date = Field(title="综合会审开始日期")
    joint_review_until: date = Field(title="综合会审结束日期")
    opinions_on: date = Field(title="参与会审部门提出书面审查意见的日期（最晚一家）")
    complex_reason: str = Field(default="", title="情况复杂、延长审查意见期限的理由")
    justice_task_on: date = Field(title="县司法局接到审查任务的日期")
    justice_review: LegalityVerdict = Field(title="县司法局合法性审查意见")
    justice_review_on: date = Field(title="县司法局提出意见的日期")
    legal_risk: str = Field(default="", title="明示的法律风险（探索性改革事项）")
    draft_contents: list[DraftContent] = Field(default_factory=list, title="决策草案包含的内容（第十二条第二款）")
    draft_evaluation_year: int | None = Field(
        default=None, ge=2000, le=2100, title="决策草案中的实施后评估计划：评估年度"
    )
    draft_evaluation_type: PlannedEvaluation | None = Field(default=None, title="决策草案中的实施后评估计划：评估类型")
    vice_head: str = Field(default="", title="报请的相关副县长（姓名）")
    vice_head_approved_on: date | None = Field(default=None, title="副县长同意开展综合会审的日期")
    head_approved_on: date | None = Field(default=None, title="县长批准开展综合会审的日期")
    head_decision: SubmissionDecision | None = Field(
        default=None, title="县长（县决咨委主任）审定：是否将决策草案提交审议"
    )
    head_decided_on: date | None = Field(default=None, title="县长审定日期")


class MeetingAnswer(_Answer):
    """集体讨论决定（第四十五条、第四十六条）。"""

    kind: MeetingKind = Field(title="会议")
    meeting_on: date = Field(title="会议日期")
    materials_delivered_on: date = Field(title="材料送达与会人员的日期")
    dissent: str = Field(title="不同意见（如实载明；没有的写“无不同意见”）")
    outcome: MeetingOutcome = Field(title="会议决定")
    presided_by: str = Field(title="会议主持人")
    head_spoke_last: bool = Field(default=False, title="县长最后发表意见")
    minutes_signed_by: str = Field(default="", title="会议纪要签发人")
    minutes_signed_on: date | None = Field(default=None, title="会议纪要签发日期")
    revised_on: date | None = Field(default=None, title="一般性修改完成日期")
    issued_by: str = Field(default="", title="决策签发人")
    issuer_authorised: bool = Field(default=False, title="签发人为会议主持人授权的县政府班子成员")
    issued_on: date | None = Field(default=None, title="决策签发日期")


class PublicationAnswer(_Answer):
    """决策公布、归档和实施后评估计划（第四十七条、第四十八条、第十二条第二款）。"""

    published_on: date = Field(title="公布日期")
    channels: list[PublicationChannel] = Field(min_length=1, title="公布途径")
    widely_concerned: bool = Field(default=False, title="社会公众普遍关心或者专业性、技术性较强")
    interpretation: str = Field(default="", title="宣传解读（新闻发布会、访谈等）")
    adoption_published: bool = Field(default=False, title="已一并公布公众意见、专家论证意见的采纳情况")
    starts_on: date = Field(title="实施起始日")
    ends_on: date | None = Field(default=None, title="实施终止日（长期执行的可不填）")
    evaluation_year: int = Field(ge=2000, le=2100, title="实施后评估计划：评估年度")
    evaluation_type: PlannedEvaluation = Field(title="实施后评估计划：评估类型")
    archived_on: date = Field(title="决策过程材料归档日期")


ANSWERS: dict[ProcedureStep, type[_Answer]] = {
    ProcedureStep.launch: LaunchAnswer,
    ProcedureStep.catalog: CatalogAnswer,
    ProcedureStep.participation: ParticipationAnswer,
    ProcedureStep.experts: ExpertsAnswer,
    ProcedureStep.expert_opinions: ExpertOpinionAnswer,
    ProcedureStep.risk: RiskAnswer,
    ProcedureStep.risk_decision: RiskDecisionAnswer,
    ProcedureStep.legality: LegalityAnswer,
    ProcedureStep.meeting: MeetingAnswer,
    ProcedureStep.publication: PublicationAnswer,
}


# --- judging an answer --------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """Problems (refused, asked again) or what follows, with a note for the record."""

    problems: tuple[str, ...] = ()
    outcome: Outcome = Outcome.proceed
    note: str = ""


@dataclass(frozen=True)
class PanelConfirmation:
    """The panel as the confirming unit's own person signed it (CL-32-PANEL, changli 32(一)): in which role they
    acted, who they are (姓名（单位）), the date they confirmed it, and the experts' names."""

    confirmed_as: str
    confirmer: str
    confirmed_on: date
    experts: tuple[str, ...]


@dataclass(frozen=True)
class Context:
    """What earlier steps recorded that a later judgement needs."""

    catalog_year: int
    today: date
    proposed_on: date | None = None
    meeting_on: date | None = None
    # CL-34: a risk answer stands and lets the draft go on (assessed and allowed, not required, or assessed
    # under other rules); until then the draft may not be submitted for deliberation.
    risk_done: bool = False
    submitted_on: date | None = None  # the 县长 decided to submit the draft for deliberation (changli 44)
    issued_on: date | None = None  # the decision was signed for issue (changli 46 ¶4)
    panel: PanelConfirmation | None = None  # CL-32-PANEL: the centre's latest signed confirmation of the panel


def _by(period: Period, start: date, calendar: OfficialCalendar | None) -> date:
    return add_period(start, period, calendar).due


def review_due(
    start: date, period: Period, paused: tuple[date, date] | None = None, calendar: OfficialCalendar | None = None
) -> date:
    """The last day of a review ``period`` from ``start``, its clock stopped while the lead unit supplements.

    changli 42: 要求决策承办单位补充材料、完善程序的时间不计入审查时间; ``paused`` is (returned, supplemented).
    The days counted are those after ``start`` up to the return, then those after the supplement: the
    return day still counts (the review ran that day), the day the materials come back does not, as a
    period's first day does not (《民法典》第二百零一条) — default: seed silent on the two end days.
    """
    if paused is None:
        return _by(period, start, calendar)
    returned, supplemented = paused
    stopped = max(returned, start)  # returned before the review began: nothing was counted yet
    if supplemented <= stopped:
        return _by(period, start, calendar)
    if period.unit is PeriodUnit.working_days:
        days = default_calendar() if calendar is None else calendar
        span = (stopped - start).days
        counted = sum(days.is_workday(start + timedelta(days=n)) for n in range(1, span + 1))
    elif period.unit is PeriodUnit.days:
        counted = (stopped - start).days
    else:
        raise ValueError(f"审查期间应以日或工作日计，实际为{period}")
    if counted >= period.amount:
        return _by(period, start, calendar)  # the period had ended before the materials went back
    return _by(Period(period.amount - counted, period.unit), supplemented, calendar)


def judge_launch(answer: LaunchAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-3: a major decision of one of the categories, unless an exclusion applies."""
    if answer.exclusion is not Exclusion.none:
        return Judgement(outcome=Outcome.not_major, note=f"属于“{answer.exclusion.value}”（{rules.scope_basis}）")
    problems = []
    if answer.category is None or answer.category not in rules.categories:
        problems.append(f"请选择决策事项类别（{'、'.join(c.value for c in rules.categories)}），或选择不适用的情形")
    if not answer.reasons.strip():
        problems.append("请写明拟解决的主要问题、建议理由、依据和初步方案（第八条）")
    if answer.proposed_on > ctx.today:
        problems.append(f"提出日期 {answer.proposed_on} 晚于今天")
    return Judgement(tuple(problems))


def judge_catalog(answer: CatalogAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-9: proposals by 31 January, the approved catalog published by 31 March; later additions are
    adjustments, approved and consented to the same way (changli 10 ¶1)."""
    problems = []
    year = ctx.catalog_year
    proposals_by = date(year, rules.proposals_by.month, rules.proposals_by.day)
    published_by = date(year, rules.published_by.month, rules.published_by.day)
    if ctx.proposed_on and ctx.proposed_on > proposals_by and not answer.adjustment:
        problems.append(
            f"事项建议于 {ctx.proposed_on} 提出，晚于 {proposals_by}：只能作为目录调整（勾选“目录调整”）纳入（{rules.catalog_basis}）"
        )
    if not answer.approved_on <= answer.party_consent_on <= answer.published_on:
        problems.append("应先经县政府审定，再报县委同意，然后向社会公布：日期顺序不对")
    if not answer.adjustment and answer.published_on > published_by:
        problems.append(
            f"年度决策事项目录应于 {published_by} 前向社会公布，实际 {answer.published_on}（{rules.catalog_basis}）"
        )
    if answer.published_on > ctx.today:
        problems.append(f"公布日期 {answer.published_on} 晚于今天：公布后再记录")
    if answer.planned_on < answer.published_on:
        problems.append("时间计划（拟提请审议的日期）不能早于目录公布日期")
    return Judgement(tuple(problems))


def judge_participation(
    answer: ParticipationAnswer, rules: DecisionProcedureRules, ctx: Context, calendar: OfficialCalendar | None = None
) -> Judgement:
    """CL-14, CL-15, CL-15-FEEDBACK, CL-16, CL-16-HEARING, CL-19 (the poll's sample is checked by the service,
    E-SAMPLE)."""
    problems = []
    means = set(answer.means)
    outside = [m.value for m in answer.means if m not in rules.participation_means]
    if outside:
        problems.append(f"{'、'.join(outside)}不是本规定列出的听取意见方式")
    if answer.affects_groups and not answer.groups_heard.strip():
        problems.append(
            "涉及特定群体利益的，应当写明与相关人民团体、社会组织以及群众代表沟通协商的情况（第十四条第五款）"
        )
    if answer.affects_enterprises and not answer.enterprises_heard.strip():
        problems.append("与企业生产经营活动密切相关的，应当写明听取企业和行业协会、商会意见的情况（第十四条第六款）")
    if ParticipationMeans.public_comment in means:
        if answer.comment_from is None or answer.comment_until is None:
            problems.append("向社会公开征求意见的，请填写起始日和截止日")
        else:
            # 《民法典》第二百零一条: the day of publication is not counted; 30 days end on the 30th day after it.
            least = answer.comment_from + timedelta(days=rules.comment_period.amount)
            if answer.comment_until < least and not answer.shortened_reason.strip():
                problems.append(
                    f"公开征求意见期限一般不少于{rules.comment_period}（自 {answer.comment_from} 起至少到 {least}）；"
                    "因情况紧急等原因缩短的，须说明理由（第十五条第三款）"
                )
    if ParticipationMeans.hearing in means:
        problems += _hearing_problems(answer, rules)
    if ParticipationMeans.symposium in means:
        problems += _symposium_problems(answer, rules)
    if means & POLL_MEANS and not answer.survey_file.strip():
        problems.append("采用问卷调查或民意调查的，请提交问卷数据文件（检验样本代表性，第二十一条（二））")
    if answer.not_adopted and not answer.feedback.strip():
        problems.append("对相对集中的意见未予采纳的，应当写明反馈方式和理由（第十五条第七款）")
    return Judgement(tuple(problems))


def _hearing_problems(answer: ParticipationAnswer, rules: DecisionProcedureRules) -> list[str]:
    """CL-16 and CL-16-HEARING (changli 16): who organises it, in public, the draft and the participants' list
    published ahead, the sides about equal, the selection method published ahead, the materials 7 days ahead."""
    problems = []
    organisers = "或者".join(o.value for o in rules.hearing_organisers)
    if answer.hearing_organiser is None:
        problems.append(f"召开听证会的，请选择听证会的组织者（{organisers}，第十六条第二款）")
    elif answer.hearing_organiser not in rules.hearing_organisers:
        problems.append(f"听证会由{organisers}组织，不得委托第三方组织（第十六条第二款）")
    elif answer.hearing_organiser is HearingOrganiser.related_unit and not answer.hearing_organiser_unit.strip():
        problems.append("由与决策有关的单位组织听证会的，请写明该单位")
    if answer.hearing_closed and not answer.hearing_closed_basis.strip():
        problems.append("听证会应当公开举行；不公开举行的，请写明依法不予公开的依据（第十六条第二款）")
    sides = answer.hearing_sides
    if len(sides) < 2:
        problems.append(
            "听证参加人应当按照持不同观点的各方人数基本相当的原则确定：请列出各方的观点和人数（第十六条第四款）"
        )
    elif (
        min(s.count for s in sides) == 0
        or max(s.count for s in sides) > min(s.count for s in sides) * rules.hearing_sides_max_ratio
    ):
        counts = "、".join(f"{s.view} {s.count} 人" for s in sides)
        problems.append(
            f"持不同观点的各方人数应当基本相当（人数最多的一方不超过最少一方的 {rules.hearing_sides_max_ratio:g} 倍），"
            f"实际 {counts}（第十六条第四款）"
        )
    if answer.participants_selected and answer.selection_method_published_on is None:
        problems.append("需要遴选听证参加人的，应当提前公布听证参加人遴选办法：请填写公布日期（第十六条第六款）")
    if (
        answer.hearing_on is None
        or answer.draft_published_on is None
        or answer.hearing_materials_sent_on is None
        or answer.participants_published_on is None
    ):
        problems.append("召开听证会的，请填写听证会日期、决策草案公布日期、材料送达日期和听证参加人名单公布日期")
        return problems
    ahead = rules.in_advance.amount
    latest = answer.hearing_on - timedelta(days=ahead)
    if answer.draft_published_on > latest:
        problems.append(
            f"应当提前公布决策草案及其说明等材料，明确听证时间、地点（至迟 {latest}），"
            f"实际 {answer.draft_published_on}（第十六条第三款）"
        )
    if answer.participants_published_on > latest:
        problems.append(
            f"听证参加人名单应当在听证会前向社会公布（至迟 {latest}），实际 {answer.participants_published_on}（第十六条第四款）"
        )
    if answer.participants_selected and answer.selection_method_published_on is not None:
        # 提前 to the selection, whose result is the list: published before the list is (default: seed silent).
        before_list = answer.participants_published_on - timedelta(days=ahead)
        if answer.selection_method_published_on > before_list:
            problems.append(
                f"听证参加人遴选办法应当在遴选前公布（至迟 {before_list}，名单公布之前），"
                f"实际 {answer.selection_method_published_on}（第十六条第六款）"
            )
    materials_by = answer.hearing_on - timedelta(days=rules.hearing_materials_before.amount)
    if answer.hearing_materials_sent_on > materials_by:
        problems.append(
            f"听证会材料应当于召开听证会{rules.hearing_materials_before}前（{materials_by} 前）送达听证参加人，"
            f"实际 {answer.hearing_materials_sent_on}（第十六条第五款）"
        )
    return problems


def _symposium_problems(answer: ParticipationAnswer, rules: DecisionProcedureRules) -> list[str]:
    """CL-19 (changli 19): the interested parties' representatives invited, the draft and its explanation
    delivered to them ahead of the symposium."""
    problems = []
    if not answer.symposium_stakeholders.strip():
        problems.append(
            "以座谈会方式征求公众意见的，应当邀请有利害关系的公民、法人或者其他组织代表参加：请写明邀请的代表（第十九条）"
        )
    if answer.symposium_on is None or answer.symposium_materials_sent_on is None:
        problems.append(
            "以座谈会方式征求公众意见的，请填写座谈会日期和决策方案及起草说明送达与会代表的日期（第十九条）"
        )
        return problems
    latest = answer.symposium_on - timedelta(days=rules.in_advance.amount)
    if answer.symposium_materials_sent_on > latest:
        problems.append(
            f"决策方案及起草说明应当提前送达与会代表（至迟 {latest}），实际 {answer.symposium_materials_sent_on}（第十九条）"
        )
    return problems


def judge_expert_opinion(answer: ExpertOpinionAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-32 (changli 32(三)): an expert signs a written opinion of their own — it must say something."""
    if len(answer.opinion.strip()) < MIN_OPINION_CHARACTERS:
        return Judgement((f"请填写书面论证意见（不少于 {MIN_OPINION_CHARACTERS} 个字，第三十二条（三））",))
    return Judgement(note="签署书面论证意见")


def countersign_minimum(experts: ExpertsAnswer, rules: DecisionProcedureRules) -> int:
    """How many of the panel must sign their written opinions before the step stands (CL-31's numbers)."""
    return rules.experts_min_complex if experts.wide_or_complex else rules.experts_min


def judge_experts(
    answer: ExpertsAnswer, rules: DecisionProcedureRules, ctx: Context, calendar: OfficialCalendar | None = None
) -> Judgement:
    """CL-31: at least 5 experts (9 for wide, controversial or complex matters), none with a direct interest;
    CL-32: at least 5 working days for them; an oral opinion followed by a written one within 24 hours;
    CL-32-PANEL: the panel proposed by the lead unit and confirmed by the 决策咨询服务中心 before they get the materials."""
    problems = []
    least = rules.experts_min_complex if answer.wide_or_complex else rules.experts_min
    if len(answer.experts) < least:
        why = "涉及面较广、争议较大或内容特别复杂、敏感的" if answer.wide_or_complex else ""
        problems.append(f"{why}论证专家一般不少于 {least} 人，实际 {len(answer.experts)} 人（第三十一条）")
    interested = [e.name for e in answer.experts if e.interested]
    if interested:
        problems.append(f"{'、'.join(interested)}与决策事项有直接利害关系，应当回避（第二十八条（四）、第三十条）")
    names = [e.name for e in answer.experts]
    if len(set(names)) != len(names):
        problems.append("论证专家名单有重复")
    problems += _panel_problems(answer, rules, ctx.panel)
    earliest = _by(rules.expert_time, answer.materials_sent_on, calendar)
    if answer.opinions_due_on < earliest:
        problems.append(
            f"应给予专家不少于{rules.expert_time}的研究时间：{answer.materials_sent_on} 提供材料，"
            f"书面意见最早应于 {earliest} 提出，实际要求 {answer.opinions_due_on}（第三十二条（二））"
        )
    window = timedelta(hours=rules.oral_to_written_hours)
    for oral in answer.oral_opinions:
        if oral.expert not in names:
            problems.append(f"口头意见的专家 {oral.expert} 不在论证专家名单中")
        elif oral.written_at is None or oral.written_at - oral.oral_at > window or oral.written_at < oral.oral_at:
            problems.append(
                f"{oral.expert}提供口头论证意见的，应当在 {rules.oral_to_written_hours} 小时之内提供书面意见"
                f"（口头意见 {oral.oral_at:%Y-%m-%d %H:%M}，第三十二条（三））"
            )
    return Judgement(tuple(problems))


def _panel_problems(answer: ExpertsAnswer, rules: DecisionProcedureRules, panel: PanelConfirmation | None) -> list[str]:
    """CL-32-PANEL (changli 32(一)): 决策承办单位提出拟聘请相关专家组建议报县决策咨询服务中心确定 — the centre's own
    signed confirmation, no earlier than the proposal, before the materials go to the experts (32(二)), and
    only experts it confirmed; the same day is in time (dates have no hour)."""
    confirmer = rules.panel_confirmed_by.value
    if panel is None:
        return [
            f"专家组由决策承办单位提出建议，报{confirmer}确定：请{confirmer}的人员登录本决策程序页面确定专家组后，"
            "再提交专家论证（第三十二条（一））"
        ]
    if answer.panel_proposed_on is None:
        return ["请填写承办单位提出拟聘请专家组建议的日期（第三十二条（一））"]
    problems = []
    if panel.confirmed_as != confirmer:
        problems.append(
            f"专家组应当报{confirmer}确定，确定人 {panel.confirmer} 以“{panel.confirmed_as}”确定（第三十二条（一））"
        )
    if panel.confirmed_on < answer.panel_proposed_on:
        problems.append(f"专家组确定日期 {panel.confirmed_on} 早于承办单位提出建议的日期 {answer.panel_proposed_on}")
    if answer.materials_sent_on < panel.confirmed_on:
        problems.append(
            f"专家组经{confirmer}确定（{panel.confirmed_on}）后，方可向专家提供材料，"
            f"实际 {answer.materials_sent_on}（第三十二条（一）、（二））"
        )
    outside = [e.name for e in answer.experts if e.name not in panel.experts]
    if outside:
        problems.append(
            f"{'、'.join(outside)}不在{confirmer}确定的专家组中（{panel.confirmer}，{panel.confirmed_on}确定："
            f"{'、'.join(panel.experts)}；第三十二条（一））"
        )
    return problems


def risk_level(situation: RiskSituation, rules: DecisionProcedureRules) -> RiskLevel:
    """CL-36: the level the profile's fixed criteria give the situation found."""
    return next(c.level for c in rules.risk_criteria if c.situation is situation)


def _risk_coverage_problems(answer: RiskAnswer, rules: DecisionProcedureRules, ctx: Context) -> list[str]:
    """CL-34 (changli 34): 可能对社会稳定、公共安全等方面造成不利影响的 … 应当组织评估; 依照有关规定已对有关风险进行
    评价、评估的，不作重复评估 — each kind the profile lists is assessed here, stated (with the reason) not to arise,
    or named as assessed under other rules, and only one of the three."""
    problems = []
    accounted = [*answer.kinds, *answer.no_adverse_effect, *(prior.kind for prior in answer.assessed_elsewhere)]
    unaccounted = [kind.value for kind in rules.risk_kinds if kind not in accounted]
    if unaccounted:
        problems.append(
            f"请说明{'、'.join(unaccounted)}：本次评估，或者写明实施不会造成不利影响的理由，"
            "或者写明已依照哪项规定评价、评估（第三十四条）"
        )
    twice = [kind.value for kind in RiskKind if accounted.count(kind) > 1]
    if twice:
        problems.append(f"{'、'.join(twice)}只能选一种处理：本次评估、无须评估，或者已依照其他规定评估而不重复评估")
    if answer.no_adverse_effect and not answer.no_adverse_effect_reason.strip():
        problems.append("写明实施不会造成不利影响、无须评估的，请说明理由（第三十四条第一款）")
    for prior in answer.assessed_elsewhere:
        if not prior.rules.strip() or not prior.document.strip():
            problems.append(f"不重复评估的{prior.kind.value}，请写明依照的规定和评价、评估文件（第三十四条第七款）")
        elif prior.assessed_on > ctx.today:
            problems.append(f"{prior.kind.value}的评价、评估日期 {prior.assessed_on} 晚于今天")
    return problems


def _exemption_note(answer: RiskAnswer) -> str:
    """Why no risk is assessed here (changli 34 ¶1, ¶7), for the record."""
    parts = []
    if answer.no_adverse_effect:
        kinds = "、".join(kind.value for kind in answer.no_adverse_effect)
        parts.append(f"{kinds}：实施不会造成不利影响（{answer.no_adverse_effect_reason.strip()}）")
    parts += [
        f"{prior.kind.value}：已依照{prior.rules.strip()}评估（{prior.document.strip()}，{prior.assessed_on}），不作重复评估"
        for prior in answer.assessed_elsewhere
    ]
    return f"无须另行风险评估：{'；'.join(parts)}（第三十四条）"


def judge_risk(answer: RiskAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-34: every kind of risk assessed, or stated not to arise, or already assessed under other rules (then not
    assessed again); CL-36: the report's contents and the level by the fixed criteria; CL-37: what the level allows."""
    problems = _risk_coverage_problems(answer, rules, ctx)
    if not answer.kinds:  # nothing to assess here: the exemptions alone
        return Judgement(tuple(problems)) if problems else Judgement(note=_exemption_note(answer))
    missing = [c.value for c in rules.risk_report_contents if c not in answer.report_contents]
    if missing:
        problems.append(f"风险评估报告缺少：{'、'.join(missing)}（第三十六条（四））")
    if answer.situation is None:
        problems.append("请选择评估查明的情况（第三十六条（四））")
        return Judgement(tuple(problems))
    level = risk_level(answer.situation, rules)
    if level is not RiskLevel.high and not answer.measures.strip():
        problems.append(f"评估为{level.value}的，应写明风险防范和化解措施（第三十七条）")
    if level is RiskLevel.high and answer.high_risk_choice is None:
        problems.append("评估为高风险的，请选择建议县政府作出不实施的决策，或者调整决策方案后重新评估（第三十七条）")
    if problems:
        return Judgement(tuple(problems))
    if level is RiskLevel.low:
        return Judgement(note=f"{level.value}：可予实施，并采取措施应对潜在风险（{rules.risk_basis}）")
    if level is RiskLevel.medium:
        return Judgement(
            outcome=Outcome.again,
            note=f"{level.value}：采取防范化解措施降低风险等级后重新评估，再予实施（{rules.risk_basis}）",
        )
    if answer.high_risk_choice is HighRiskChoice.not_implement:
        # 第三十七条 “应当区别情况作出不实施的决策”: the decision is the county government's, not the lead unit's.
        return Judgement(
            outcome=Outcome.referred,
            note=f"{level.value}：承办单位建议不实施，提请县政府作出决策（{rules.risk_basis}）",
        )
    return Judgement(
        outcome=Outcome.again, note=f"{level.value}：调整决策方案、降低风险等级后重新评估（{rules.risk_basis}）"
    )


def judge_risk_decision(answer: RiskDecisionAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-37: on a high risk referred to it the county government decides not to implement (the procedure ends),
    or to decide again once the draft is adjusted and the risk lowered (the risk is assessed again)."""
    problems = []
    if not answer.decided_by.strip():
        problems.append("请填写作出决策的会议或领导")
    if answer.decided_on > ctx.today:
        problems.append(f"决策日期 {answer.decided_on} 晚于今天：作出决策后再记录")
    if problems:
        return Judgement(tuple(problems))
    if answer.decision is RiskDecision.not_implement:
        return Judgement(
            outcome=Outcome.not_implemented,
            note=f"高风险：{answer.decided_by}作出不实施的决策（{answer.decided_on}，{rules.risk_basis}）",
        )
    return Judgement(
        outcome=Outcome.again,
        note=f"高风险：{answer.decided_by}决定调整决策方案、降低风险等级后再行决策，重新评估风险（{rules.risk_basis}）",
    )


# CL-34 (changli 34 ¶1 未经风险评估的，不得提请县政府审议): refused at the 县长's submission (44) and at the meeting.
NO_RISK_ASSESSMENT = "未经风险评估的，不得提请县政府审议：风险评估环节尚未办结（第三十四条第一款）"


def judge_legality(
    answer: LegalityAnswer, rules: DecisionProcedureRules, ctx: Context, calendar: OfficialCalendar | None = None
) -> Judgement:
    """CL-39 dual legality review (the unit's first, the 司法局's within 7 calendar days); CL-40 the materials;
    CL-41 supplements within 3 working days; CL-42 the joint review's length and the departments' opinions,
    the supplement's time not counted (`review_due`); CL-12 the draft's contents; CL-41-44 the approvals."""
    problems = []
    missing = [m.value for m in rules.submission_materials if m not in answer.materials]
    if missing:
        problems.append(f"报送材料不齐：缺少{'；'.join(missing)}（第四十条第三款）")
    paused: tuple[date, date] | None = None
    if answer.returned_on is not None:
        if answer.supplemented_on is None:
            problems.append("材料退回补充的，请填写补送日期")
        elif answer.supplemented_on < answer.returned_on:
            problems.append(f"补送日期 {answer.supplemented_on} 早于退回日期 {answer.returned_on}")
        else:
            paused = (answer.returned_on, answer.supplemented_on)
            latest = _by(rules.supplement_within, answer.returned_on, calendar)
            if answer.supplemented_on > latest:
                problems.append(
                    f"要求补充材料的，应当在{rules.supplement_within}内（{latest} 前）完成补送，实际 {answer.supplemented_on}（第四十一条）"
                )
    # 第四十二条: the time the lead unit takes to supplement is not counted — the clock pauses from the
    # return to the supplement (review_due), for the least review time and the opinions' window alike.
    not_counted = (
        f"，{paused[0]} 退回至 {paused[1]} 补送的时间不计入"
        if paused is not None and paused[1] > answer.joint_review_from
        else ""
    )
    least = review_due(answer.joint_review_from, rules.joint_review_min, paused, calendar)
    if answer.joint_review_until < least:
        problems.append(
            f"综合会审时间一般不少于{rules.joint_review_min}（自 {answer.joint_review_from} 起至少到 {least}{not_counted}）（第四十二条）"
        )
    within = rules.review_opinions_within_complex if answer.complex_reason.strip() else rules.review_opinions_within
    latest_opinion = review_due(answer.joint_review_from, within, paused, calendar)
    if answer.opinions_on > latest_opinion:
        extra = "" if answer.complex_reason.strip() else "；情况复杂需要延长的，请写明理由（原则上不超过 10 个工作日）"
        problems.append(
            f"参与会审部门应当在{within}内（{latest_opinion} 前{not_counted}）提出书面审查意见，实际 {answer.opinions_on}{extra}（第四十二条）"
        )
    # 第四十三条第二款 “接到任务后7日内”: calendar days, not working days — the seed writes “个工作日” where it
    # means them (第四十一条、第四十二条 beside it); a last day on a rest day or holiday moves to the next
    # working day (《民法典》第二百零三条, P-HOLIDAY), on the calendar this judgement was given.
    justice_by = _by(rules.justice_review_within, answer.justice_task_on, calendar)
    if answer.justice_review_on > justice_by:
        problems.append(
            f"县司法局应在接到任务后{rules.justice_review_within}内（{justice_by} 前）提出合法性审查意见（第四十三条第二款）"
        )
    if answer.unit_review_on > answer.justice_task_on:
        problems.append("承办单位法制审核机构初审在先，县司法局审查在后：日期顺序不对（第三十九条、第四十条）")
    verdicts = (answer.unit_review, answer.justice_review)
    unlawful = LegalityVerdict.unlawful in verdicts
    problems += _draft_problems(answer, rules, ctx)
    problems += _approval_problems(answer, ctx, unlawful)
    if problems:
        return Judgement(tuple(problems))
    if unlawful:
        return Judgement(
            outcome=Outcome.again,
            note=f"经审查不合法，不能形成综合咨询建议、不得提交县政府审议：修改草案后重新审查（{rules.legality_basis}）",
        )
    if LegalityVerdict.exploratory in verdicts and not answer.legal_risk.strip():
        return Judgement(("国家尚无明确规定的探索性改革事项，须明示法律风险后方可提交县政府讨论（第三十九条）",))
    if answer.head_decision is SubmissionDecision.withhold:
        return Judgement(
            outcome=Outcome.again,
            note=f"县长审定暂不提交审议（{answer.head_decided_on}）：决策草案修改完善后重新会审（第四十四条）",
        )
    return Judgement(
        note=f"双重合法性审查通过；县长审定提交县政府审议（{answer.head_decided_on}，{rules.legality_basis}）"
    )


def _draft_problems(answer: LegalityAnswer, rules: DecisionProcedureRules, ctx: Context) -> list[str]:
    """CL-12 (changli 12 ¶2): the draft submitted (40 ¶3(一)) has every content the seed lists, among them the
    post-evaluation plan, already planned in the draft and not first at publication."""
    problems = []
    missing = [c.value for c in rules.draft_contents if c not in answer.draft_contents]
    if missing:
        problems.append(f"决策草案缺少：{'、'.join(missing)}（第十二条第二款）")
    if answer.draft_evaluation_year is None or answer.draft_evaluation_type is None:
        problems.append("决策草案应当包括决策实施后评估计划：请填写计划的评估年度和评估类型（第十二条第二款）")
    elif answer.draft_evaluation_year < ctx.catalog_year:
        problems.append(
            f"决策草案中实施后评估的年度 {answer.draft_evaluation_year} 早于决策事项目录年度 {ctx.catalog_year}"
        )
    return problems


def _approval_problems(answer: LegalityAnswer, ctx: Context, unlawful: bool) -> list[str]:
    """CL-41-44: 报请相关副县长，经县长批准后 … 组织 … 综合会审 (changli 41) — the 司法局's review is part of it (38,
    41); then 报请县长（县决咨委主任）审定是否将决策草案提交审议 (44), after the advice is formed. A draft found unlawful
    forms no advice and is not submitted (39); none unassessed for risk is submitted (34 ¶1)."""
    problems = []
    if not answer.vice_head.strip() or answer.vice_head_approved_on is None or answer.head_approved_on is None:
        problems.append(
            "初步审核符合要求的，报请相关副县长，经县长批准后方可组织综合会审：请填写副县长及其同意日期、县长批准日期（第四十一条）"
        )
    else:
        approved = answer.head_approved_on
        if approved < answer.vice_head_approved_on:
            problems.append(
                f"应先报请副县长，再经县长批准：县长批准 {approved} 早于副县长同意 {answer.vice_head_approved_on}（第四十一条）"
            )
        if answer.joint_review_from < approved:
            problems.append(f"综合会审应在县长批准（{approved}）后开始，实际 {answer.joint_review_from}（第四十一条）")
        if answer.justice_task_on < approved:
            problems.append(
                f"县司法局的合法性审查属综合会审，应在县长批准（{approved}）后交办，实际 {answer.justice_task_on}"
                "（第四十一条、第四十三条）"
            )
    if unlawful:
        if answer.head_decision is SubmissionDecision.submit:
            problems.append("经审查不合法的，不能形成综合咨询建议，不得提交县政府审议（第三十九条）")
        return problems
    if answer.head_decision is None or answer.head_decided_on is None:
        problems.append("请填写县长（县决咨委主任）是否将决策草案提交审议的审定及其日期（第四十四条）")
        return problems
    advised = max(answer.joint_review_until, answer.opinions_on, answer.justice_review_on)
    if answer.head_decided_on < advised:
        problems.append(
            f"县长审定是否提交审议，应在综合会审形成综合决策咨询建议之后（{advised} 起），"
            f"实际 {answer.head_decided_on}（第四十四条）"
        )
    if answer.head_decided_on > ctx.today:
        problems.append(f"县长审定日期 {answer.head_decided_on} 晚于今天：审定后再记录")
    if answer.head_decision is SubmissionDecision.submit and not ctx.risk_done:
        problems.append(NO_RISK_ASSESSMENT)
    return problems


def judge_meeting(answer: MeetingAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-45: an executive or plenary meeting, materials delivered at least a day before, dissent recorded;
    the decision: adopt, reject, revise and resubmit, or defer (changli 46); CL-46 the 县长 last, the minutes and
    the decision signed; CL-34 and CL-41-44: only a draft assessed for risk and submitted by the 县长."""
    problems = []
    if answer.kind not in rules.meeting_kinds:
        problems.append(f"应当经{'或'.join(k.value for k in rules.meeting_kinds)}审议决定（第四十五条）")
    latest = answer.meeting_on - timedelta(days=rules.meeting_materials_before.amount)
    if answer.materials_delivered_on > latest:
        problems.append(
            f"材料应当至少于会前{rules.meeting_materials_before}（{latest} 前）送达与会人员（第四十六条第一款）"
        )
    if not answer.dissent.strip():
        problems.append("集体讨论中的不同意见应当如实载明；没有的请写“无不同意见”（第四十六条第三款）")
    if answer.meeting_on > ctx.today:
        problems.append(f"会议日期 {answer.meeting_on} 晚于今天：会后再记录")
    if not ctx.risk_done:
        problems.append(NO_RISK_ASSESSMENT)
    if ctx.submitted_on is None:
        problems.append("决策草案经县长（县决咨委主任）审定提交审议后，方可提请会议审议（第四十四条）")
    elif answer.meeting_on < ctx.submitted_on:
        problems.append(f"会议日期 {answer.meeting_on} 早于县长审定提交审议的日期 {ctx.submitted_on}（第四十四条）")
    problems += _signing_problems(answer, ctx)
    if problems:
        return Judgement(tuple(problems))
    follows = {
        MeetingOutcome.adopt: Outcome.proceed,
        MeetingOutcome.adopt_revised: Outcome.proceed,
        MeetingOutcome.resubmit: Outcome.again,
        MeetingOutcome.reject: Outcome.not_adopted,
        MeetingOutcome.defer: Outcome.deferred,
    }
    return Judgement(outcome=follows[answer.outcome], note=f"{answer.kind.value}{answer.outcome.value}")


# The meeting's decisions that are signed for issue (changli 46 ¶4); the others are not signed.
SIGNED = frozenset({MeetingOutcome.adopt, MeetingOutcome.adopt_revised})


def _signing_problems(answer: MeetingAnswer, ctx: Context) -> list[str]:
    """CL-46 (changli 46 ¶2–¶4): 县长最后发表意见; 会议纪要由会议主持人签发; 通过的由主持人或其授权的县政府班子成员签发;
    一般性修改的修改后签发; 重大修改或再次审议的按程序重新审议 (not signed)."""
    problems = []
    if not answer.head_spoke_last:
        problems.append("讨论决策草案，会议组成人员充分发表意见，县长最后发表意见（第四十六条第二款）")
    chair = answer.presided_by.strip()
    if not answer.minutes_signed_by.strip() or answer.minutes_signed_on is None:
        problems.append(
            "会议讨论情况和决定形成会议纪要，由会议主持人签发：请填写纪要签发人和签发日期（第四十六条第三款）"
        )
    else:
        if answer.minutes_signed_by.strip() != chair:
            problems.append(
                f"会议纪要应由会议主持人{chair}签发，实际由{answer.minutes_signed_by.strip()}签发（第四十六条第三款）"
            )
        if answer.minutes_signed_on < answer.meeting_on:
            problems.append(f"会议纪要签发日期 {answer.minutes_signed_on} 早于会议日期 {answer.meeting_on}")
    if answer.outcome not in SIGNED:
        if answer.issued_by.strip() or answer.issued_on is not None:
            why = "属重大原则或实质内容修改的，应按程序重新审议，" if answer.outcome is MeetingOutcome.resubmit else ""
            problems.append(f"会议决定“{answer.outcome.value}”：{why}决策不予签发（第四十六条第四款）")
        return problems
    revised = answer.outcome is MeetingOutcome.adopt_revised
    if revised and answer.revised_on is None:
        problems.append("作一般性修改的，修改后签发：请填写修改完成日期（第四十六条第四款）")
    if revised and answer.revised_on is not None and answer.revised_on < answer.meeting_on:
        problems.append(f"修改完成日期 {answer.revised_on} 早于会议日期 {answer.meeting_on}")
    if not answer.issued_by.strip() or answer.issued_on is None:
        problems.append(
            "作出通过决定的，由会议主持人或其授权的县政府班子成员签发：请填写签发人和签发日期（第四十六条第四款）"
        )
        return problems
    if answer.issued_by.strip() != chair and not answer.issuer_authorised:
        problems.append(
            f"决策由会议主持人{chair}或其授权的县政府班子成员签发：{answer.issued_by.strip()}不是主持人，也未经授权（第四十六条第四款）"
        )
    if revised and answer.revised_on is not None and answer.issued_on < answer.revised_on:
        problems.append(
            f"作一般性修改的，修改后签发：签发日期 {answer.issued_on} 早于修改完成日期 {answer.revised_on}（第四十六条第四款）"
        )
    elif answer.issued_on < answer.meeting_on:
        problems.append(f"签发日期 {answer.issued_on} 早于会议日期 {answer.meeting_on}")
    if answer.issued_on > ctx.today:
        problems.append(f"签发日期 {answer.issued_on} 晚于今天：签发后再记录")
    return problems


def judge_publication(answer: PublicationAnswer, rules: DecisionProcedureRules, ctx: Context) -> Judgement:
    """CL-47: published by the usual channels (with interpretation and the adoption of opinions where the
    public cares), archived; the follow-up evaluation plan (changli 12 ¶2) written into the catalog."""
    problems = []
    outside = [c.value for c in answer.channels if c not in rules.publication_channels]
    if outside:
        problems.append(f"{'、'.join(outside)}不是本规定列出的公布途径")
    if ctx.meeting_on and answer.published_on < ctx.meeting_on:
        problems.append(f"公布日期 {answer.published_on} 早于审议决定的日期 {ctx.meeting_on}")
    elif ctx.issued_on and answer.published_on < ctx.issued_on:
        problems.append(f"公布日期 {answer.published_on} 早于决策签发日期 {ctx.issued_on}（第四十六条第四款）")
    # 第四十七条: both duties, each on its own — the adoption of the public's and the experts' opinions published
    # with the decision, and its interpretation (press conference, interviews).
    if answer.widely_concerned and not answer.adoption_published:
        problems.append(
            "社会公众普遍关心或者专业性、技术性较强的，应当一并公布公众意见、专家论证意见的采纳情况（第四十七条）"
        )
    if answer.widely_concerned and not answer.interpretation.strip():
        problems.append(
            "社会公众普遍关心或者专业性、技术性较强的，应当通过新闻发布会、接受访谈等方式进行宣传解读（第四十七条）"
        )
    if answer.ends_on is not None and answer.ends_on < answer.starts_on:
        problems.append("实施终止日早于起始日")
    if answer.evaluation_year < answer.starts_on.year:
        problems.append("实施后评估的年度不能早于实施起始年度")
    if answer.evaluation_type is PlannedEvaluation.final and answer.ends_on is None:
        problems.append("计划终期评估的，请填写实施终止日")
    if answer.published_on > ctx.today or answer.archived_on > ctx.today:
        problems.append("公布日期和归档日期不能晚于今天：公布、归档后再记录")
    return Judgement(tuple(problems), note=f"已公布（{rules.publication_basis}）")


# A step whose answer may only propose (Outcome.referred) and the step of the body that decides (CL-37).
DECIDED_BY: dict[ProcedureStep, ProcedureStep] = {ProcedureStep.risk: ProcedureStep.risk_decision}

Judge = Callable[[Any, "DecisionProcedureRules", Context], Judgement]
JUDGES: dict[ProcedureStep, Judge] = {
    ProcedureStep.launch: judge_launch,
    ProcedureStep.catalog: judge_catalog,
    ProcedureStep.participation: judge_participation,
    ProcedureStep.experts: judge_experts,
    ProcedureStep.expert_opinions: judge_expert_opinion,
    ProcedureStep.risk: judge_risk,
    ProcedureStep.risk_decision: judge_risk_decision,
    ProcedureStep.legality: judge_legality,
    ProcedureStep.meeting: judge_meeting,
    ProcedureStep.publication: judge_publication,
}
