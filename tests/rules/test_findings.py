"""The preliminary finding drawn from the analysed evidence (rules/findings.py, pure).

S-IMPL: bazhou 10, changli 58(2), ordos 14(2), ningxia 10(3), minhang 12(3) — analyse the collected
information and draw a preliminary conclusion. C-NOPRESET: bazhou 5, ningxia 9, changli 55 — the
finding states the facts found and proposes no conclusion; the decision body sets it (G-APPROVE).
"""

from __future__ import annotations

import pytest

from pinggu.rules.findings import LOW_SATISFACTION, preliminary_finding
from pinggu.rules.vocabulary import Conclusion

CLOSING = "评估结论由决策机关审定时确定。"


def _survey(*items: dict, awareness: float | None = 0.7167, satisfaction: float | None = 0.5759) -> dict:
    """SurveyFigures.to_dict() as analysis/survey_figures.py gives it (only the keys the finding reads)."""
    return {
        "respondents": 600,
        "awareness_rate": awareness,
        "satisfaction_rate": satisfaction,
        "items": list(items),
    }


def _item(question: str, rate: float | None, *, kind: str = "satisfaction", n: int = 580) -> dict:
    return {"question": question, "kind": kind, "n": n, "rate": rate}


def _opinions(by_topic: dict[str, int], pending: int) -> dict:
    """summarise_opinions(...) as analysis/opinions.py gives it (by_topic most frequent first)."""
    total = sum(by_topic.values())
    return {"total": total, "handled": total - pending, "pending": pending, "by_topic": by_topic}


# --- the survey ---------------------------------------------------------------------------------


@pytest.mark.rule("S-IMPL")
def test_the_survey_finding_names_the_items_below_sixty_percent():
    survey = _survey(
        _item("补贴发放是否及时", 0.45),
        _item("办理流程是否便捷", 0.6),  # exactly 60 %: not below
        _item("是否了解该政策", 0.3, kind="awareness"),  # awareness, not satisfaction
        _item("咨询渠道是否畅通", None, n=0),  # nobody answered: no rate to judge
        _item("政策宣传是否到位", 0.5999),
    )
    assert preliminary_finding({"survey": survey}) == (
        "共回收有效问卷 600 份，政策知晓率 71.7%，总体满意率 57.6%。"
        "满意率低于 60% 的方面：补贴发放是否及时、政策宣传是否到位，建议作为整改重点。" + CLOSING
    )


@pytest.mark.rule("S-IMPL")
def test_a_survey_without_weak_items_says_every_item_reached_sixty_percent():
    survey = _survey(_item("补贴发放是否及时", 0.6), _item("办理流程是否便捷", 0.95), satisfaction=0.8)
    assert preliminary_finding({"survey": survey}) == (
        "共回收有效问卷 600 份，政策知晓率 71.7%，总体满意率 80.0%。各满意度题目的满意率均不低于 60%。" + CLOSING
    )


@pytest.mark.rule("S-IMPL")
def test_a_rate_the_survey_could_not_compute_is_shown_as_a_dash():
    # A questionnaire without awareness (or satisfaction) questions has no such rate: "—", not 0 %.
    survey = _survey(awareness=None, satisfaction=None)
    del survey["awareness_rate"]
    assert preliminary_finding({"survey": survey}) == (
        "共回收有效问卷 600 份，政策知晓率 —，总体满意率 —。各满意度题目的满意率均不低于 60%。" + CLOSING
    )


def test_the_threshold_is_sixty_percent():
    assert LOW_SATISFACTION == 0.6


# --- opinions, records and the score ------------------------------------------------------------


@pytest.mark.rule("S-IMPL")
def test_the_opinions_finding_counts_handling_and_names_the_three_main_topics():
    opinions = _opinions({"补贴标准": 20, "办理流程": 10, "政策宣传": 8, "其他": 4}, pending=4)
    assert preliminary_finding({"opinions": opinions}) == (
        "征集意见 42 条，已处理 38 条、待处理 4 条；意见集中于补贴标准（20 条）、办理流程（10 条）、政策宣传（8 条）。"
        + CLOSING
    )


@pytest.mark.rule("S-IMPL")
def test_records_are_quoted_with_their_titles_in_order():
    records = [
        {"title": "座谈会纪要", "summary": "参会企业反映补贴到账偏慢。"},
        {"title": "实地调研记录", "summary": "三个街道均已设立服务窗口。"},
    ]
    assert preliminary_finding({"records": records}) == (
        "座谈会纪要：参会企业反映补贴到账偏慢。实地调研记录：三个街道均已设立服务窗口。" + CLOSING
    )


@pytest.mark.rule("S-IMPL", "MH-14")
@pytest.mark.parametrize(("total", "shown"), [(73.4, "73.4"), (80.0, "80"), (0, "0"), (89.99, "89.99")])
def test_the_score_is_stated_with_its_grade(total, shown):
    assert (
        preliminary_finding({}, {"total": total, "grade": "中"}) == f"按指标体系计分 {shown} 分，等次为中。" + CLOSING
    )


@pytest.mark.rule("S-IMPL", "C-NOPRESET")
@pytest.mark.parametrize("card", [None, {}, {"total": None, "grade": ""}])
def test_no_score_yet_is_not_stated(card):
    records = [{"title": "座谈会纪要", "summary": "已召开。"}]
    assert preliminary_finding({"records": records}, card) == "座谈会纪要：已召开。" + CLOSING


@pytest.mark.rule("S-IMPL", "C-NOPRESET")
def test_every_part_in_order_and_no_conclusion_proposed():
    finding = preliminary_finding(
        {
            "survey": _survey(_item("补贴发放是否及时", 0.45)),
            "opinions": _opinions({"补贴标准": 3}, pending=1),
            "records": [{"title": "座谈会纪要", "summary": "已召开。"}],
        },
        {"total": 73.4, "grade": "中"},
    )
    assert finding == (
        "共回收有效问卷 600 份，政策知晓率 71.7%，总体满意率 57.6%。"
        "满意率低于 60% 的方面：补贴发放是否及时，建议作为整改重点。"
        "征集意见 3 条，已处理 2 条、待处理 1 条；意见集中于补贴标准（3 条）。"
        "座谈会纪要：已召开。"
        "按指标体系计分 73.4 分，等次为中。" + CLOSING
    )
    # C-NOPRESET: the conclusion is the decision body's; the finding names none of them.
    assert not [c.value for c in Conclusion if c.value in finding]


@pytest.mark.rule("S-IMPL", "C-NOPRESET")
@pytest.mark.parametrize("analysis", [{}, {"survey": None, "opinions": None, "records": []}, {"opinions": {}}])
def test_without_material_the_finding_says_so(analysis):
    assert preliminary_finding(analysis) == "尚无可分析的评估材料。" + CLOSING
    assert preliminary_finding(analysis, None) == "尚无可分析的评估材料。" + CLOSING
