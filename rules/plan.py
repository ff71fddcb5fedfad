"""The evaluation plan (评估方案) and its stage schedule, as plain data (S-PREP)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pinggu.rules.periods import DueDate, add_days, add_period
from pinggu.rules.profiles import MILESTONES, Profile
from pinggu.rules.steps import STAGE_NAMES
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, SCOPE_NAMES, Scope


def stage_targets(start: date, profile: Profile, due: date | None = None) -> dict[str, DueDate]:
    """Target completion date of each stage: the evaluation window split by the profile's stage
    shares, each counted from the evaluation's start (Civil Code 201–203). The window ends on `due`
    when the annual plan set a time limit (minhang 4), else after the profile's statutory or default period."""
    if due is not None and due <= start:
        # Started after the plan's time limit: every stage is already due then, and shows as overdue.
        return {stage: DueDate(due, True) for stage in ("preparation", "implementation", "conclusion")}
    window_days = ((due or add_period(start, profile.evaluation_window).due) - start).days
    return {stage: add_days(start, days) for stage, days in profile.stage_offsets(window_days).items()}


# What each method contributes to the survey outline (S-PREP: 调查提纲).
METHOD_OUTLINE = {
    "问卷调查": "面向决策实施对象和社会公众发放问卷，了解知晓度、满意度及意见建议",
    "实地调研": "赴实施现场查看实施情况，形成实地调研记录",
    "座谈会": "召开实施单位、利益相关方座谈会，形成会议纪要",
    "论证会": "邀请有关专家召开论证会，形成会议纪要",
    "听证会": "依法组织听证，形成听证笔录",
    "意见征询": "通过政府网站、来信来访等渠道征集意见，登记意见及处理情况",
    "舆情跟踪": "跟踪媒体和网络舆情，登记有关意见及处理情况",
    "个别访谈": "对重点对象个别访谈，形成访谈记录",
    "专家咨询": "书面征询有关专家意见，形成咨询记录",
}
SURVEY_QUESTIONS = {
    "awareness": "您是否知晓该项决策（是/否）",
    "satisfaction": "您对该项决策实施效果的总体评价（很满意/满意/一般/不满意/很不满意）",
}


def draft_plan(
    *,
    profile: Profile,
    decision_title: str,
    lead_unit: str,
    evaluation_type: str,
    scope: str,
    scope_parts: list[str],
    methods: list[str],
    targets: dict[str, date | None],
    budget_yuan: float | None,
    agency: str | None = None,
) -> dict[str, Any]:
    """The plan with the contents S-PREP requires (bazhou 9(2), changli 58(1), ordos 14(1)): purpose,
    object and content, scope, indicators, standards and methods with the survey outline and
    questionnaire, steps and schedule with the statutory deadlines, budget, organisation, entrustment."""
    covered = f"，重点评估：{'、'.join(scope_parts)}" if scope == Scope.partial and scope_parts else ""
    survey_items = [
        item.item
        for indicator in profile.indicators
        for item in (indicator.items or (indicator,))
        if item.scoring == "survey_rate" and item.item
    ]
    return {
        "purpose": f"全面了解《{decision_title}》的实施情况、实施绩效和存在问题，为决策机关决定继续执行、调整、中止执行或终止执行提供依据。",
        "content": f"《{decision_title}》的执行情况、实施效果、社会认知度和满意度{covered}。",
        "type": EVALUATION_TYPE_NAMES[evaluation_type],
        "scope": SCOPE_NAMES[scope],
        "scope_parts": scope_parts,
        "indicators": [{"name": indicator.name, "weight": indicator.weight} for indicator in profile.indicators],
        "methods": methods,
        "survey_outline": [{"method": method, "outline": METHOD_OUTLINE[method]} for method in methods],
        "questionnaire": [SURVEY_QUESTIONS[item] for item in dict.fromkeys(survey_items)]
        if "问卷调查" in methods
        else [],
        "schedule": [
            {"stage": STAGE_NAMES[stage], "target_date": target.isoformat() if target else None}
            for stage, target in targets.items()
        ],
        "statutory_deadlines": [
            f"{d.label}：自{MILESTONES[d.counted_from]}起{d.period}内（{profile.citation(d.basis)}）"
            for d in profile.deadlines
            if d.counted_from in ("start_approved", "evaluation_completed")
        ],
        "budget": f"{budget_yuan:,.2f} 元"
        if budget_yuan is not None
        else "由承担评估具体工作的单位在部门预算内统筹安排",
        "organisation": f"由评估小组具体实施，{lead_unit}提供决策实施的材料和数据，并如实说明实施中的问题和风险。",
        "entrustment": f"委托{agency}开展评估，按委托协议约定的事项、质量要求和期限完成"
        if agency
        else "由评估单位自行评估，不委托第三方",
    }
