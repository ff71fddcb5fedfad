"""A changli decision's answers, step by step, as its lead unit and the offices give them (the e2e flow test, the
archive test and the service tests walk them): every number and date judged against changli chapters 2–7, with
the refused answers and the reasons they are refused."""

from __future__ import annotations

BY: dict = {}  # who answers is the signed-in person (driving.sign_procedure_step), never a typed name
EXPERTS = [
    {"name": name, "unit": unit, "from_pool": True, "interested": False}
    for name, unit in (
        ("王建国", "燕山大学"),
        ("刘芳", "河北科技师范学院"),
        ("赵磊", "县规划设计院"),
        ("孙伟", "市交通研究所"),
        ("周敏", "律师事务所"),
    )
]
# Issue 30 item 8: the hearing (CL-16-HEARING) and the symposium (CL-19) as changli 16 and 19 ask.
HEARD = {
    "hearing_organiser": "决策承办单位",
    "draft_published_on": "2026-05-06",
    "hearing_sides": [{"view": "支持建设", "count": 6}, {"view": "反对占用绿地", "count": 5}],
    "symposium_on": "2026-04-15",
    "symposium_stakeholders": "沿街商户代表 3 名、周边小区业主代表 4 名",
    "symposium_materials_sent_on": "2026-04-10",
}
# CL-32-PANEL: the panel proposed by the lead unit; the 县决策咨询服务中心's person confirms it in their own name
# (driving.confirm_panel) before the materials went out.
PANEL = {"panel_proposed_on": "2026-05-25"}
PANEL_CONFIRMED_ON = "2026-05-28"
# CL-34: the kinds not assessed, stated not to arise.
OTHER_RISKS = {
    "no_adverse_effect": ["公共安全风险", "环境风险"],
    "no_adverse_effect_reason": "立体停车场在既有停车场原址建设，不新增用地",
}
# CL-12 and CL-41-44: the draft with its evaluation plan; the 副县长 and the 县长 before the review, the 县长 after it.
SUBMITTED = {
    "draft_contents": [
        "决策目标",
        "工作任务",
        "决策依据",
        "经费预算",
        "措施方法",
        "时间步骤",
        "决策实施单位",
        "决策实施后评估计划",
    ],
    "draft_evaluation_year": 2027,
    "draft_evaluation_type": "一般程序（执行评估）",
    "vice_head": "张华",
    "vice_head_approved_on": "2026-06-29",
    "head_approved_on": "2026-06-30",
    "head_decision": "提交县政府审议",
    "head_decided_on": "2026-07-15",
}
# CL-46: the 县长 last, the minutes signed by the chair.
DELIBERATED = {"head_spoke_last": True, "minutes_signed_by": "县长"}
# Each step's answers in the order given; a refused one is followed by the corrected one.
ANSWERS = [
    ("launch", {**BY, "proposer": "县城管局", "proposed_on": "2026-03-10", "category": "重大公共建设项目",
                "reasons": "城区停车位缺口约 3000 个；拟建 4 处立体停车场。"}, None),
    ("catalog", {**BY, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25", "published_on": "2026-03-28",
                 "planned_on": "2026-08-31"}, "只能作为目录调整"),
    ("catalog", {**BY, "adjustment": True, "approved_on": "2026-03-20", "party_consent_on": "2026-03-25",
                 "published_on": "2026-03-28", "planned_on": "2026-08-31"}, None),
    ("participation", {**BY, "means": ["向社会公开征求意见", "听证会", "座谈会"], "comment_from": "2026-04-01",
                       "comment_until": "2026-04-20", "hearing_on": "2026-05-20",
                       "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10",
                       "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次",
                       "not_adopted": 2, "feedback": "书面函告：收费标准由价格主管部门核定", **HEARD}, "一般不少于30日"),
    ("participation", {**BY, "means": ["向社会公开征求意见", "听证会", "座谈会"], "comment_from": "2026-04-01",
                       "comment_until": "2026-05-01", "hearing_on": "2026-05-20",
                       "hearing_materials_sent_on": "2026-05-13", "participants_published_on": "2026-05-10",
                       "affects_groups": True, "groups_heard": "与个体工商户协会、社区居民代表座谈两次",
                       "not_adopted": 2, "feedback": "书面函告：收费标准由价格主管部门核定", **HEARD}, None),
    ("experts", {**BY, "experts": [*EXPERTS[:4], {**EXPERTS[4], "interested": True}], "materials_sent_on": "2026-06-01",
                 "opinions_due_on": "2026-06-08", **PANEL}, "应当回避"),
    ("experts", {**BY, "experts": EXPERTS, "materials_sent_on": "2026-06-01", "opinions_due_on": "2026-06-08",
                 "oral_opinions": [{"expert": "赵磊", "oral_at": "2026-06-05T10:00:00+08:00",
                                    "written_at": "2026-06-06T09:00:00+08:00"}], **PANEL}, None),
    ("risk", {**BY, "kinds": ["社会稳定风险", "经济风险"], "report_contents": [
        "评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级", "评估结论和对策建议",
        "风险防范和化解措施", "应急处置预案"], "situation": "部分群众持有强烈分歧意见",
        "measures": "调整 1 处选址，避开学校周边", **OTHER_RISKS}, None),  # medium: accepted, assessed again after measures
    ("risk", {**BY, "kinds": ["社会稳定风险", "经济风险"], "report_contents": [
        "评估事项和评估过程", "各方意见及其采纳情况", "决策可能引发的风险", "风险等级", "评估结论和对策建议",
        "风险防范和化解措施", "应急处置预案"], "situation": "绝大多数群众理解支持、个别人员持有分歧意见",
        "measures": "建设期错峰施工，设临时停车点", **OTHER_RISKS}, None),
    ("legality", {**BY, "unit_review": "合法", "unit_review_on": "2026-06-25", "materials": [
        "决策草案及其说明（涉及市场主体经济活动的，含公平竞争审查情况）", "有关法律、法规、规章和政策依据以及其他地方经验做法",
        "公众参与全程资料", "专家论证意见、意见处理情况和理由的说明", "风险评估情况及有关材料",
        "征求部门（乡镇）意见及反馈采纳情况", "承办单位法制机构的合法性初审意见", "领导班子集体讨论记录"],
        "joint_review_from": "2026-07-01", "joint_review_until": "2026-07-10", "opinions_on": "2026-07-09",
        "justice_task_on": "2026-07-01", "justice_review": "合法", "justice_review_on": "2026-07-06", **SUBMITTED}, None),
    ("meeting", {**BY, "kind": "县政府常务会议", "meeting_on": "2026-08-05", "materials_delivered_on": "2026-08-04",
                 "dissent": "无不同意见", "outcome": "作重大修改后再次审议", "presided_by": "县长", **DELIBERATED,
                 "minutes_signed_on": "2026-08-06"}, None),
    ("meeting", {**BY, "kind": "县政府常务会议", "meeting_on": "2026-08-20", "materials_delivered_on": "2026-08-18",
                 "dissent": "一位副县长建议分期建设，已记录", "outcome": "通过", "presided_by": "县长", **DELIBERATED,
                 "minutes_signed_on": "2026-08-21", "issued_by": "县长", "issued_on": "2026-08-22"}, None),
    ("publication", {**BY, "published_on": "2026-08-25", "channels": ["政府网站", "昌黎日报"], "widely_concerned": True,
                     "interpretation": "召开新闻发布会解读", "adoption_published": True, "starts_on": "2026-09-01",
                     "evaluation_year": 2027, "evaluation_type": "一般程序（执行评估）", "archived_on": "2026-08-28"},
     None),
]  # fmt: skip


def accepted(step: str) -> dict:
    """The step's accepted answer (the last one given without a refusal)."""
    return [values for name, values, refusal in ANSWERS if name == step and refusal is None][-1]
