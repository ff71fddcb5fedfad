"""The evaluation plan's contents (rules/plan.py draft_plan; S-PREP).

bazhou 9 and changli 58(1): the preparation stage makes a plan of "目的、对象与内容、标准与方法、
步骤与时间安排、经费预算、组织保障等" (9(2)) and "制定调查提纲，设计调查问卷" (9(3)); ningxia 10(1)
and minhang 12(2) also name 经费预算; ordos 14(1) names 评估方法. Each value below is the exact text
the plan states, so a plan that drops its questionnaire, outline or budget fails here.
"""

from __future__ import annotations

from datetime import date

import pytest

from pinggu.rules.periods import DueDate
from pinggu.rules.plan import draft_plan, stage_targets
from pinggu.rules.profiles import load_profile

AWARENESS = "您是否知晓该项决策（是/否）"
SATISFACTION = "您对该项决策实施效果的总体评价（很满意/满意/一般/不满意/很不满意）"
QUESTIONNAIRE_OUTLINE = "面向决策实施对象和社会公众发放问卷，了解知晓度、满意度及意见建议"
SYMPOSIUM_OUTLINE = "召开实施单位、利益相关方座谈会，形成会议纪要"
NO_FIGURE = "由承担评估具体工作的单位在部门预算内统筹安排"


def _plan(profile_id: str = "bazhou", *, methods: list[str], budget_yuan: float | None) -> dict:
    return draft_plan(
        profile=load_profile(profile_id),
        decision_title="某区老旧小区加装电梯补贴政策",
        lead_unit="区住房保障局",
        evaluation_type="ordinary",
        scope="whole",
        scope_parts=[],
        methods=methods,
        targets={"preparation": date(2026, 3, 31), "implementation": None},
        budget_yuan=budget_yuan,
    )


@pytest.mark.rule("S-PREP", "E-METHODS")
@pytest.mark.parametrize(
    ("profile_id", "questions"),
    [
        # bazhou 9(3) 设计调查问卷: its indicator 公众认知度、满意度 is scored from the survey's
        # awareness and satisfaction rates, so the questionnaire asks both.
        ("bazhou", [AWARENESS, SATISFACTION]),
        ("changli", [AWARENESS, SATISFACTION]),  # changli 58(1)3, same indicator system
        ("minhang", [SATISFACTION]),  # minhang 10 指标体系: only 社会公众满意度 comes from the survey
    ],
)
def test_the_plan_states_its_methods_survey_outline_and_questionnaire(profile_id, questions):
    # S-PREP (bazhou 9(2) 标准与方法; 9(3) 制定调查提纲，设计调查问卷).
    plan = _plan(profile_id, methods=["问卷调查", "座谈会"], budget_yuan=50000)
    assert plan["methods"] == ["问卷调查", "座谈会"]
    assert plan["survey_outline"] == [
        {"method": "问卷调查", "outline": QUESTIONNAIRE_OUTLINE},
        {"method": "座谈会", "outline": SYMPOSIUM_OUTLINE},
    ]
    assert plan["questionnaire"] == questions


@pytest.mark.rule("S-PREP")
@pytest.mark.parametrize(
    ("budget_yuan", "stated"),
    [
        (50000, "50,000.00 元"),
        (12345.6, "12,345.60 元"),
        (1234567.891, "1,234,567.89 元"),
        # No figure given: the plan still has its budget part and says who pays.
        (None, NO_FIGURE),
    ],
    ids=["50000", "decimals", "millions", "no figure"],
)
def test_the_plan_states_its_budget(budget_yuan, stated):
    # S-PREP: 经费预算 (bazhou 9(2), changli 58(1)2, ningxia 10(1), minhang 12(2)).
    assert _plan(methods=["座谈会"], budget_yuan=budget_yuan)["budget"] == stated


@pytest.mark.rule("S-PREP")
def test_the_plan_has_every_part_bazhou_9_names():
    # bazhou 9(2): 目的、对象与内容、标准与方法、步骤与时间安排、经费预算、组织保障; ordos 14(1) adds 委托评估.
    plan = _plan(methods=["问卷调查"], budget_yuan=80000)
    assert plan["purpose"].startswith("全面了解《某区老旧小区加装电梯补贴政策》的实施情况")
    assert plan["content"] == "《某区老旧小区加装电梯补贴政策》的执行情况、实施效果、社会认知度和满意度。"
    assert plan["schedule"] == [
        {"stage": "准备阶段", "target_date": "2026-03-31"},
        {"stage": "实施阶段", "target_date": None},
    ]
    assert plan["budget"] == "80,000.00 元"
    assert plan["organisation"].startswith("由评估小组具体实施，区住房保障局提供决策实施的材料和数据")
    assert plan["entrustment"] == "由评估单位自行评估，不委托第三方"
    # bazhou 10(2)/changli 21: the indicators the evaluation scores against, with their weights.
    assert plan["indicators"] == [
        {"name": "合法性与协调性", "weight": 15},
        {"name": "决策执行情况及措施的必要性、适当性", "weight": 15},
        {"name": "执行程序的正当性和可操作性", "weight": 10},
        {"name": "与经济社会发展方向的符合程度", "weight": 10},
        {"name": "公众认知度、满意度", "weight": 15},
        {"name": "近期效益和长远影响", "weight": 15},
        {"name": "实施结果与决策目的的符合程度", "weight": 20},
    ]


@pytest.mark.rule("S-PREP", "TP-AGREEMENT")
def test_an_entrusted_plan_names_the_agency():
    # ordos 14(1) 委托评估; minhang 8: the agreement settles matter, quality and deadline.
    plan = draft_plan(
        profile=load_profile("ordos"),
        decision_title="关于公共租赁住房管理的实施方案",
        lead_unit="市住建局",
        evaluation_type="ordinary",
        scope="whole",
        scope_parts=["不适用"],
        methods=["问卷调查"],
        targets={},
        budget_yuan=None,
        agency="某大学公共政策研究院",
    )
    assert plan["entrustment"] == "委托某大学公共政策研究院开展评估，按委托协议约定的事项、质量要求和期限完成"
    # A whole evaluation names no parts, whatever was typed (S-SCOPE).
    assert plan["content"] == "《关于公共租赁住房管理的实施方案》的执行情况、实施效果、社会认知度和满意度。"


@pytest.mark.rule("S-PREP", "NX-11", "NX-12")
def test_the_plan_states_the_statutory_deadlines_of_its_schedule():
    # ningxia 10(1): 评估程序与时间安排; the plan names the deadlines that run during the evaluation:
    # ningxia 11 (90 days from the decision to evaluate) and ningxia 12, the second one (15 days from
    # completion to the 厅决策机关). Its partial scope names the parts (S-SCOPE: ningxia 5).
    plan = draft_plan(
        profile=load_profile("ningxia_commerce"),
        decision_title="关于外贸企业稳订单的实施方案",
        lead_unit="对外贸易处",
        evaluation_type="ningxia_90day",
        scope="partial",
        scope_parts=["资金使用", "政策知晓"],
        methods=["座谈会"],
        targets={},
        budget_yuan=None,
    )
    regulation = "《宁夏回族自治区商务厅重大行政决策实施情况跟踪反馈与后评估办法（试行）》"
    assert plan["statutory_deadlines"] == [
        f"完成评估工作：自决定开展评估之日起90日内（{regulation}第十一条）",
        f"承办处室向厅决策机关提请审议重大行政决策执行事宜：自评估工作完成之日起15日内（{regulation}第十二条（第二个））",
    ]
    assert (plan["type"], plan["scope"], plan["scope_parts"]) == ("九十日评估", "部分评估", ["资金使用", "政策知晓"])
    assert (
        plan["content"]
        == "《关于外贸企业稳订单的实施方案》的执行情况、实施效果、社会认知度和满意度，重点评估：资金使用、政策知晓。"
    )
    assert plan["questionnaire"] == []  # no questionnaire among the methods
    # bazhou has no statutory deadline of its own.
    assert _plan(methods=["座谈会"], budget_yuan=None)["statutory_deadlines"] == []


@pytest.mark.rule("S-PREP", "P-START", "P-HOLIDAY")
def test_stage_targets_split_the_evaluation_window():
    # bazhou 9–11, three stages; the window is the profile's 90 days (ningxia 11; a default where the seed
    # sets none) split 20/50/30 and counted from the start (Civil Code 201–203). From Monday 2026-03-02:
    # day 18 is Friday 03-20; day 63 is 05-04, inside 劳动节 (05-01..05) → 05-06; day 90 is Sunday 05-31 → 06-01.
    expected = {
        "preparation": DueDate(date(2026, 3, 20), True),
        "implementation": DueDate(date(2026, 5, 6), True),
        "conclusion": DueDate(date(2026, 6, 1), True),
    }
    assert stage_targets(date(2026, 3, 2), load_profile("bazhou")) == expected
    assert stage_targets(date(2026, 3, 2), load_profile("ningxia_commerce")) == expected


@pytest.mark.rule("S-PREP", "MH-4")
def test_stage_targets_end_on_the_annual_plans_time_limit():
    # minhang 4: the annual plan sets each evaluation's time limit; from 2026-03-02 to 06-30 is 120 days:
    # day 24 is Thursday 03-26, day 84 is Monday 05-25, day 120 is 06-30 (a Tuesday).
    assert stage_targets(date(2026, 3, 2), load_profile("minhang"), date(2026, 6, 30)) == {
        "preparation": DueDate(date(2026, 3, 26), True),
        "implementation": DueDate(date(2026, 5, 25), True),
        "conclusion": DueDate(date(2026, 6, 30), True),
    }
    # Started on (or after) the time limit: every stage is due on it, and so shows as overdue.
    for start in (date(2026, 6, 30), date(2026, 7, 15)):
        assert stage_targets(start, load_profile("minhang"), date(2026, 6, 30)) == {
            stage: DueDate(date(2026, 6, 30), True) for stage in ("preparation", "implementation", "conclusion")
        }
