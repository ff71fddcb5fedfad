"""The preparation stage's plan as the plan gate's approver reads it (tasks/preparation.py; S-PREP).

bazhou 9(2): the plan contains "目的、对象与内容、标准与方法、步骤与时间安排、经费预算、组织保障等";
9(3): "制定调查提纲，设计调查问卷" (likewise changli 58(1), ningxia 10(1), minhang 12(2)). The PDF
written by `write_plan` (report_templates/evaluation_plan.html.j2) must state them, so a template
or a task that leaves out the questionnaire or the budget fails here even when rules/plan.py is right.
"""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from driving import pdf_text

from pinggu.models import evaluations as store


def _evaluation(methods: list[str]) -> int:
    with session_scope() as session:
        targets = {"preparation": (date(2026, 3, 31), False)}
        return builders.add_evaluation(session, methods=tuple(methods), stage_targets=targets, prefix="PLAN").id


def _plan_pdf(evaluation_id: int) -> str:
    with session_scope() as session:
        (plan,) = [d for d in store.documents(session=session, evaluation_id=evaluation_id) if d.kind == "plan"]
        return pdf_text(plan.path)


@pytest.mark.rule("S-PREP", "E-METHODS")
def test_the_written_plan_states_methods_outline_questionnaire_and_budget():
    from pinggu.tasks.preparation import form_team, write_plan

    evaluation_id = _evaluation(["问卷调查", "座谈会"])
    form_team.fn(evaluation_id, builders.team())
    plan = write_plan.fn(evaluation_id, 50000.0)

    # What the step returns and records (the plan as data, rules/plan.py).
    assert plan.budget == "50,000.00 元"
    assert plan.questionnaire == (
        "您是否知晓该项决策（是/否）",
        "您对该项决策实施效果的总体评价（很满意/满意/一般/不满意/很不满意）",
    )
    assert [row.method for row in plan.survey_outline] == ["问卷调查", "座谈会"]

    # What the approver reads (whitespace removed by pdf_text).
    text = _plan_pdf(evaluation_id)
    assert "四、评估标准与方法" in text
    assert "问卷调查面向决策实施对象和社会公众发放问卷，了解知晓度、满意度及意见建议" in text
    assert "座谈会召开实施单位、利益相关方座谈会，形成会议纪要" in text
    assert (
        "问卷主要题目：您是否知晓该项决策（是/否）"
        "您对该项决策实施效果的总体评价（很满意/满意/一般/不满意/很不满意）" in text
    )
    assert "六、经费预算50,000.00元七、组织保障" in text
    assert "王明" in text and "李华" in text  # 组织保障: the team


@pytest.mark.rule("S-PREP")
def test_a_plan_without_a_budget_figure_still_says_who_pays():
    from pinggu.tasks.preparation import form_team, write_plan

    evaluation_id = _evaluation(["座谈会"])
    form_team.fn(evaluation_id, builders.team())
    assert write_plan.fn(evaluation_id, None).budget == "由承担评估具体工作的单位在部门预算内统筹安排"
    assert "六、经费预算由承担评估具体工作的单位在部门预算内统筹安排七、组织保障" in _plan_pdf(evaluation_id)
