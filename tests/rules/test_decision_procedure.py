"""The decision procedure's judgements (rules/decision_procedure.py) against changli chapters 2–7, at the
exact numbers the seed gives, with the changli profile's `decision_procedure` section."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules.calendar import OfficialCalendar
from rules.decision_procedure import (
    CatalogAnswer,
    Context,
    ExpertsAnswer,
    HighRiskChoice,
    LaunchAnswer,
    LegalityAnswer,
    Material,
    MeetingAnswer,
    Outcome,
    ParticipationAnswer,
    PublicationAnswer,
    RiskAnswer,
    RiskContent,
    RiskDecision,
    RiskDecisionAnswer,
    RiskLevel,
    RiskSituation,
    judge_catalog,
    judge_experts,
    judge_launch,
    judge_legality,
    judge_meeting,
    judge_participation,
    judge_publication,
    judge_risk,
    judge_risk_decision,
    review_due,
    risk_level,
)
from rules.periods import Period, PeriodUnit
from rules.profiles import load_profiles

RULES = load_profiles()["changli"].decision_procedure
assert RULES is not None
CTX = Context(catalog_year=2026, today=date(2026, 11, 28), proposed_on=date(2026, 1, 20), meeting_on=date(2026, 8, 20))
BY = {"answered_by": "县城管局 李明"}
EXPERTS = [{"name": f"专家{i}", "unit": "某大学"} for i in range(1, 10)]
ALL_CONTENTS = list(RiskContent)
MATERIALS = [m for m in Material if m is not Material.other]


def _problems(judgement) -> str:
    return "；".join(judgement.problems)


@pytest.mark.rule("CL-3")
def test_an_excluded_matter_ends_the_procedure_and_a_major_one_needs_its_category():
    ended = judge_launch(
        LaunchAnswer(**BY, proposer="县应急局", proposed_on=date(2026, 1, 5), exclusion="突发事件应急处置决策"),
        RULES,
        CTX,
    )
    assert ended.outcome is Outcome.not_major and "突发事件应急处置决策" in ended.note and "第三条" in ended.note
    missing = judge_launch(
        LaunchAnswer(**BY, proposer="县城管局", proposed_on=date(2026, 1, 5), reasons="…"), RULES, CTX
    )
    assert "请选择决策事项类别（重大公共政策、重要规划、资源保护政策、重大公共建设项目、其他重大事项）" in _problems(
        missing
    )
    fine = judge_launch(
        LaunchAnswer(**BY, proposer="县城管局", proposed_on=date(2026, 1, 5), category="重要规划", reasons="…"),
        RULES,
        CTX,
    )
    assert fine.problems == () and fine.outcome is Outcome.proceed


def _catalog(**changes) -> CatalogAnswer:
    values = {
        "approved_on": date(2026, 3, 10),
        "party_consent_on": date(2026, 3, 20),
        "published_on": date(2026, 3, 31),
        "planned_on": date(2026, 9, 1),
    }
    return CatalogAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-9")
def test_proposals_by_31_january_and_the_catalog_published_by_31_march():
    assert judge_catalog(_catalog(), RULES, CTX).problems == ()  # 31 March itself is in time
    late = judge_catalog(_catalog(published_on=date(2026, 4, 1)), RULES, CTX)
    assert "年度决策事项目录应于 2026-03-31 前向社会公布，实际 2026-04-01" in _problems(late)
    after = Context(catalog_year=2026, today=CTX.today, proposed_on=date(2026, 2, 1))
    assert "晚于 2026-01-31：只能作为目录调整" in _problems(judge_catalog(_catalog(), RULES, after))
    on_time = Context(catalog_year=2026, today=CTX.today, proposed_on=date(2026, 1, 31))
    assert judge_catalog(_catalog(), RULES, on_time).problems == ()
    # An adjustment later in the year: approved and consented to, then published, any time.
    adjusted = _catalog(
        adjustment=True, approved_on=date(2026, 6, 1), party_consent_on=date(2026, 6, 5), published_on=date(2026, 6, 8)
    )
    assert judge_catalog(adjusted, RULES, after).problems == ()
    out_of_order = _catalog(party_consent_on=date(2026, 3, 5))
    assert "应先经县政府审定，再报县委同意" in _problems(judge_catalog(out_of_order, RULES, CTX))


def _participation(**changes) -> ParticipationAnswer:
    return ParticipationAnswer(**BY, **{"means": ["座谈会"], **changes})


@pytest.mark.rule("CL-14")
def test_special_groups_and_enterprises_must_be_heard_when_concerned():
    assert judge_participation(_participation(), RULES, CTX).problems == ()
    both = judge_participation(_participation(affects_groups=True, affects_enterprises=True), RULES, CTX)
    assert "涉及特定群体利益的" in _problems(both) and "听取企业和行业协会、商会意见" in _problems(both)
    heard = _participation(
        affects_groups=True, groups_heard="与残联座谈", affects_enterprises=True, enterprises_heard="商会座谈"
    )
    assert judge_participation(heard, RULES, CTX).problems == ()


@pytest.mark.rule("CL-15")
def test_public_comment_runs_at_least_30_days_unless_a_reason_is_stated():
    def comment(until: date, reason: str = ""):
        answer = _participation(
            means=["向社会公开征求意见"], comment_from=date(2026, 4, 1), comment_until=until, shortened_reason=reason
        )
        return judge_participation(answer, RULES, CTX)

    assert comment(date(2026, 5, 1)).problems == ()  # 30 days after 1 April
    short = comment(date(2026, 4, 30))
    assert "公开征求意见期限一般不少于30日（自 2026-04-01 起至少到 2026-05-01）" in _problems(short)
    assert comment(date(2026, 4, 15), "汛期前须完成河道清障，情况紧急").problems == ()


@pytest.mark.rule("CL-15-FEEDBACK")
def test_concentrated_opinions_not_adopted_get_a_reasoned_reply():
    assert "应当写明反馈方式和理由" in _problems(judge_participation(_participation(not_adopted=3), RULES, CTX))
    assert judge_participation(_participation(not_adopted=3, feedback="书面函告并说明理由"), RULES, CTX).problems == ()


@pytest.mark.rule("CL-16")
def test_hearing_materials_7_days_ahead_and_the_participants_published_before():
    def hearing(sent: date, published: date):
        answer = _participation(
            means=["听证会"],
            hearing_on=date(2026, 5, 20),
            hearing_materials_sent_on=sent,
            participants_published_on=published,
        )
        return judge_participation(answer, RULES, CTX)

    assert hearing(date(2026, 5, 13), date(2026, 5, 12)).problems == ()
    late = hearing(date(2026, 5, 14), date(2026, 5, 20))
    assert "听证会材料应当于召开听证会7日前（2026-05-13 前）送达听证参加人，实际 2026-05-14" in _problems(late)
    assert "听证参加人名单应当在听证会前向社会公布" in _problems(late)


@pytest.mark.rule("CL-31")
@pytest.mark.parametrize(
    ("complex_", "count", "ok"), [(False, 5, True), (False, 4, False), (True, 9, True), (True, 8, False)]
)
def test_at_least_5_experts_or_9_for_a_complex_matter(complex_, count, ok):
    answer = ExpertsAnswer(
        **BY,
        experts=EXPERTS[:count],
        wide_or_complex=complex_,
        materials_sent_on=date(2026, 6, 1),
        opinions_due_on=date(2026, 6, 8),
    )
    judgement = judge_experts(answer, RULES, CTX)
    assert (judgement.problems == ()) is ok
    if not ok:
        assert f"一般不少于 {9 if complex_ else 5} 人，实际 {count} 人" in _problems(judgement)


@pytest.mark.rule("CL-31")
def test_an_expert_with_a_direct_interest_is_refused():
    panel = [*EXPERTS[:4], {"name": "专家5", "unit": "承建公司", "interested": True}]
    answer = ExpertsAnswer(**BY, experts=panel, materials_sent_on=date(2026, 6, 1), opinions_due_on=date(2026, 6, 8))
    assert "专家5与决策事项有直接利害关系，应当回避" in _problems(judge_experts(answer, RULES, CTX))


@pytest.mark.rule("CL-32")
def test_experts_get_5_working_days_counted_on_the_official_calendar():
    def due(sent: date, by: date):
        answer = ExpertsAnswer(**BY, experts=EXPERTS[:5], materials_sent_on=sent, opinions_due_on=by)
        return judge_experts(answer, RULES, CTX)

    assert due(date(2026, 6, 1), date(2026, 6, 8)).problems == ()  # Mon 1 June → Mon 8 June
    assert "书面意见最早应于 2026-06-08 提出，实际要求 2026-06-05" in _problems(due(date(2026, 6, 1), date(2026, 6, 5)))
    # Across National Day: 1–7 October 2026 off, Saturday 10 October a working day on the official calendar
    # (30 Sep, 8, 9, 10, 12 Oct); counting weekends alone would give 6 October, skipping the 调休 13 October.
    assert due(date(2026, 9, 29), date(2026, 10, 12)).problems == ()
    assert "最早应于 2026-10-12 提出，实际要求 2026-10-10" in _problems(due(date(2026, 9, 29), date(2026, 10, 10)))


@pytest.mark.rule("CL-32")
def test_an_oral_opinion_is_followed_by_a_written_one_within_24_hours():
    oral = datetime(2026, 6, 5, 10, 0)

    def written(after: timedelta | None):
        answer = ExpertsAnswer(
            **BY, experts=EXPERTS[:5], materials_sent_on=date(2026, 6, 1), opinions_due_on=date(2026, 6, 8),
            oral_opinions=[{"expert": "专家2", "oral_at": oral, "written_at": oral + after if after else None}],
        )  # fmt: skip
        return judge_experts(answer, RULES, CTX)

    assert written(timedelta(hours=24)).problems == ()
    assert "应当在 24 小时之内提供书面意见" in _problems(written(timedelta(hours=24, minutes=1)))
    assert "应当在 24 小时之内提供书面意见" in _problems(written(None))


@pytest.mark.rule("CL-36")
@pytest.mark.parametrize(
    ("situation", "level"),
    [
        (RiskSituation.broad_support, RiskLevel.low),
        (RiskSituation.support_unreasonable_dissent, RiskLevel.low),
        (RiskSituation.strong_dissent, RiskLevel.medium),
        (RiskSituation.assessors_divided, RiskLevel.medium),
        (RiskSituation.widespread_opposition, RiskLevel.high),
    ],
)
def test_the_risk_level_follows_the_fixed_criteria(situation, level):
    assert risk_level(situation, RULES) is level


@pytest.mark.rule("CL-36")
def test_a_risk_report_must_have_all_seven_contents():
    answer = RiskAnswer(
        **BY,
        kinds=["社会稳定风险"],
        report_contents=ALL_CONTENTS[:-1],
        situation=RiskSituation.broad_support,
        measures="…",
    )
    assert "风险评估报告缺少：应急处置预案" in _problems(judge_risk(answer, RULES, CTX))


@pytest.mark.rule("CL-37")
def test_what_each_risk_level_allows():
    def risk(situation: RiskSituation, measures: str = "错峰施工", choice: HighRiskChoice | None = None):
        answer = RiskAnswer(
            **BY, kinds=["社会稳定风险"], report_contents=ALL_CONTENTS, situation=situation, measures=measures,
            high_risk_choice=choice,
        )  # fmt: skip
        return judge_risk(answer, RULES, CTX)

    assert risk(RiskSituation.broad_support).outcome is Outcome.proceed
    assert "应写明风险防范和化解措施" in _problems(risk(RiskSituation.broad_support, measures=""))
    assert risk(RiskSituation.strong_dissent).outcome is Outcome.again  # reduce, then assess again
    assert _problems(risk(RiskSituation.widespread_opposition)) == (
        "评估为高风险的，请选择建议县政府作出不实施的决策，或者调整决策方案后重新评估（第三十七条）"
    )
    # changli 37 “应当区别情况作出不实施的决策”: the lead unit only proposes; the county government decides.
    referred = risk(RiskSituation.widespread_opposition, choice=HighRiskChoice.not_implement)
    assert referred.outcome is Outcome.referred and referred.outcome is not Outcome.not_implemented
    assert referred.note == "高风险：承办单位建议不实施，提请县政府作出决策（第三十四条至第三十七条）"
    assert risk(RiskSituation.widespread_opposition, choice=HighRiskChoice.adjust).outcome is Outcome.again


def _risk_decision(**changes) -> RiskDecisionAnswer:
    values = {"decision": "作出不实施的决策", "decided_on": date(2026, 7, 10), "decided_by": "县政府常务会议"}
    return RiskDecisionAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-37")
def test_the_county_government_decides_not_to_implement_a_high_risk_or_to_decide_again_after_adjusting():
    ended = judge_risk_decision(_risk_decision(), RULES, CTX)
    assert (ended.problems, ended.outcome) == ((), Outcome.not_implemented)
    assert ended.note == "高风险：县政府常务会议作出不实施的决策（2026-07-10，第三十四条至第三十七条）"
    again = judge_risk_decision(_risk_decision(decision=RiskDecision.adjust.value), RULES, CTX)
    assert again.outcome is Outcome.again
    assert again.note == (
        "高风险：县政府常务会议决定调整决策方案、降低风险等级后再行决策，重新评估风险（第三十四条至第三十七条）"
    )
    assert judge_risk_decision(_risk_decision(decided_by=" "), RULES, CTX).problems == ("请填写作出决策的会议或领导",)
    late = judge_risk_decision(_risk_decision(decided_on=date(2026, 11, 29)), RULES, CTX)
    assert late.problems == ("决策日期 2026-11-29 晚于今天：作出决策后再记录",)


def _legality(**changes) -> LegalityAnswer:
    values = {
        "unit_review": "合法",
        "unit_review_on": date(2026, 6, 25),
        "materials": MATERIALS,
        "joint_review_from": date(2026, 7, 1),
        "joint_review_until": date(2026, 7, 10),
        "opinions_on": date(2026, 7, 10),
        "justice_task_on": date(2026, 7, 1),
        "justice_review": "合法",
        "justice_review_on": date(2026, 7, 8),
    }
    return LegalityAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-39")
@pytest.mark.parametrize("reviewer", ["unit_review", "justice_review"])
def test_either_legality_review_finding_it_unlawful_keeps_it_from_the_meeting(reviewer):
    assert judge_legality(_legality(), RULES, CTX).outcome is Outcome.proceed
    unlawful = judge_legality(_legality(**{reviewer: "不合法"}), RULES, CTX)
    assert unlawful.outcome is Outcome.again and "不得提交县政府审议" in unlawful.note


@pytest.mark.rule("CL-39")
def test_an_exploratory_reform_goes_to_the_meeting_only_with_its_legal_risk_stated():
    exploratory = "国家尚无明确规定的探索性改革事项（明示法律风险）"
    assert "须明示法律风险" in _problems(judge_legality(_legality(justice_review=exploratory), RULES, CTX))
    stated = _legality(justice_review=exploratory, legal_risk="上位法修订后可能需要调整收费方式")
    assert judge_legality(stated, RULES, CTX).outcome is Outcome.proceed


@pytest.mark.rule("CL-40")
def test_the_eight_required_materials_must_all_be_submitted():
    missing = judge_legality(_legality(materials=MATERIALS[:-1]), RULES, CTX)
    assert "报送材料不齐：缺少领导班子集体讨论记录" in _problems(missing)
    assert len(RULES.submission_materials) == 8 and Material.other not in RULES.submission_materials


@pytest.mark.rule("CL-41")
def test_missing_materials_are_supplemented_within_3_working_days():
    returned = {"returned_on": date(2026, 6, 26)}  # a Friday: 3 working days end on Wednesday 1 July
    assert judge_legality(_legality(**returned, supplemented_on=date(2026, 7, 1)), RULES, CTX).problems == ()
    late = judge_legality(_legality(**returned, supplemented_on=date(2026, 7, 2)), RULES, CTX)
    assert "应当在3个工作日内（2026-07-01 前）完成补送，实际 2026-07-02" in _problems(late)


@pytest.mark.rule("CL-42")
def test_the_joint_review_lasts_7_working_days_and_opinions_come_within_7_or_10():
    short = judge_legality(_legality(joint_review_until=date(2026, 7, 9)), RULES, CTX)
    assert "综合会审时间一般不少于7个工作日（自 2026-07-01 起至少到 2026-07-10）" in _problems(short)
    late = judge_legality(_legality(joint_review_until=date(2026, 7, 15), opinions_on=date(2026, 7, 13)), RULES, CTX)
    assert "应当在7个工作日内（2026-07-10 前）提出书面审查意见" in _problems(late)
    extended = _legality(
        joint_review_until=date(2026, 7, 16), opinions_on=date(2026, 7, 15), complex_reason="涉及三个部门的用地审批"
    )
    assert judge_legality(extended, RULES, CTX).problems == ()  # 10 working days: 15 July
    too_long = _legality(joint_review_until=date(2026, 7, 20), opinions_on=date(2026, 7, 16), complex_reason="复杂")
    assert "应当在10个工作日内（2026-07-15 前）" in _problems(judge_legality(too_long, RULES, CTX))


# Issue 30 items 1, 3 and 11: the pause of changli 42, the 司法局's 7日 of changli 43, the order of changli 39.
# Every date is on the official calendar of 2026 (chinesecalendar): July has no holiday; 25 September
# (中秋) and 1–7 October (国庆) are off.
RETURNED = {"returned_on": date(2026, 7, 6), "supplemented_on": date(2026, 7, 8)}
PAUSE = "，2026-07-06 退回至 2026-07-08 补送的时间不计入"


@pytest.mark.rule("CL-42")
def test_the_supplement_pauses_the_opinions_window_it_does_not_restart_it():
    # Review from Wed 1 July; returned Mon 6 July, supplemented Wed 8 July. Counted: 2, 3, 6 July (the
    # return day still counts), then 9, 10, 13, 14 July (the day the materials come back does not):
    # the 7th working day is Tue 14 July. Restarted on 8 July it would be Fri 17 July; unpaused, Fri 10 July.
    def opinions(on: date, **changes):
        answer = _legality(**RETURNED, joint_review_until=date(2026, 7, 14), opinions_on=on, **changes)
        return judge_legality(answer, RULES, CTX)

    assert opinions(date(2026, 7, 14)).problems == ()
    assert opinions(date(2026, 7, 15)).problems == (
        f"参与会审部门应当在7个工作日内（2026-07-14 前{PAUSE}）提出书面审查意见，实际 2026-07-15"
        "；情况复杂需要延长的，请写明理由（原则上不超过 10 个工作日）（第四十二条）",
    )
    assert "（2026-07-14 前" in _problems(opinions(date(2026, 7, 17)))  # what the restarted clock accepted
    # Complex: 10 working days, paused alike — 2, 3, 6, then 9, 10, 13, 14, 15, 16, 17 July.
    assert opinions(date(2026, 7, 17), complex_reason="涉及三个部门的用地审批").problems == ()
    assert "应当在10个工作日内（2026-07-17 前" in _problems(opinions(date(2026, 7, 20), complex_reason="复杂"))


@pytest.mark.rule("CL-42")
def test_the_supplement_days_do_not_count_towards_the_least_review_time():
    # At least 7 working days, the pause not counted: from 1 July at least to Tue 14 July (not Fri 10 July).
    assert judge_legality(_legality(**RETURNED, joint_review_until=date(2026, 7, 14)), RULES, CTX).problems == ()
    short = judge_legality(_legality(**RETURNED, joint_review_until=date(2026, 7, 13)), RULES, CTX)
    assert short.problems == (
        f"综合会审时间一般不少于7个工作日（自 2026-07-01 起至少到 2026-07-14{PAUSE}）（第四十二条）",
    )


@pytest.mark.rule("CL-42")
def test_review_due_counts_around_the_pause_exactly():
    seven = RULES.review_opinions_within
    assert review_due(date(2026, 7, 1), seven) == date(2026, 7, 10)
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 6), date(2026, 7, 8))) == date(2026, 7, 14)
    # A one-day pause over a weekend: returned Fri 3 July, back Mon 6 July → 2, 3, then 7…10, 13 July.
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 3), date(2026, 7, 6))) == date(2026, 7, 13)
    # Returned before the review began and back after it: nothing was counted yet, so 7 days after the
    # supplement (Thu 2 July → 3, 6, 7, 8, 9, 10, 13 July).
    assert review_due(date(2026, 7, 1), seven, (date(2026, 6, 26), date(2026, 7, 2))) == date(2026, 7, 13)
    # Supplemented before the review began: no pause at all.
    assert review_due(date(2026, 7, 1), seven, (date(2026, 6, 26), date(2026, 7, 1))) == date(2026, 7, 10)
    # Returned on the last day or later: the window had run out before the pause.
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 10), date(2026, 7, 13))) == date(2026, 7, 10)
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 9), date(2026, 7, 13))) == date(2026, 7, 14)
    # Across National Day: from Wed 30 Sep, returned Thu 8 Oct, back Mon 12 Oct → 8 Oct, then 13…16,
    # 19 and 20 Oct (Sat 10 Oct is a 调休 working day, inside the pause).
    assert review_due(date(2026, 9, 30), seven, (date(2026, 10, 8), date(2026, 10, 12))) == date(2026, 10, 20)
    assert review_due(date(2026, 7, 1), Period(3, PeriodUnit.days), (date(2026, 7, 2), date(2026, 7, 6))) == date(
        2026, 7, 8
    )  # a period in days pauses alike: 2 July, then 7 and 8 July


@pytest.mark.rule("CL-41")
def test_a_supplement_dated_before_its_return_is_refused():
    answer = _legality(returned_on=date(2026, 7, 6), supplemented_on=date(2026, 7, 3))
    assert judge_legality(answer, RULES, CTX).problems == ("补送日期 2026-07-03 早于退回日期 2026-07-06",)


@pytest.mark.rule("CL-39")
def test_the_justice_bureau_has_7_calendar_days_not_working_days():
    # 第四十三条第二款 “接到任务后7日内”: calendar days (the seed writes 个工作日 where it means them, in
    # articles 41 and 42). Task Wed 1 July → Wed 8 July; 7 working days would end Fri 10 July.
    def justice(on: date):
        return judge_legality(_legality(justice_task_on=date(2026, 7, 1), justice_review_on=on), RULES, CTX)

    assert justice(date(2026, 7, 8)).problems == ()  # borderline: the 7th day
    assert justice(date(2026, 7, 9)).problems == (
        "县司法局应在接到任务后7日内（2026-07-08 前）提出合法性审查意见（第四十三条第二款）",
    )


@pytest.mark.rule("CL-39", "P-HOLIDAY")
def test_the_justice_bureau_s_7_days_ending_on_a_holiday_end_on_the_next_working_day():
    # Task Thu 24 Sep → the 7th day, Thu 1 Oct, is National Day: the period ends Thu 8 Oct, the first
    # working day after the holiday. 7 working days would end Mon 12 Oct (25 Sep is 中秋).
    def justice(on: date):
        return judge_legality(_legality(justice_task_on=date(2026, 9, 24), justice_review_on=on), RULES, CTX)

    assert justice(date(2026, 10, 8)).problems == ()
    assert justice(date(2026, 10, 9)).problems == (
        "县司法局应在接到任务后7日内（2026-10-08 前）提出合法性审查意见（第四十三条第二款）",
    )


@pytest.mark.rule("CL-39")
def test_the_justice_bureau_s_7_days_are_counted_on_the_calendar_given(tmp_path):
    # An operator's calendar that makes Wed 8 July a holiday: the 7th day moves to Thu 9 July on it (the
    # judgement was given that calendar; the product's default knows no such holiday).
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nsource: 测试用虚构安排\nholidays: ['2026-07-08']\n", encoding="utf-8"
    )
    calendar = OfficialCalendar(tmp_path)

    def justice(on: date, given: OfficialCalendar | None):
        # The joint review's 7 working days skip 8 July on that calendar too: to Mon 13 July.
        answer = _legality(justice_task_on=date(2026, 7, 1), justice_review_on=on, joint_review_until=date(2026, 7, 13))
        return judge_legality(answer, RULES, CTX, given)

    assert justice(date(2026, 7, 9), calendar).problems == ()
    assert justice(date(2026, 7, 10), calendar).problems == (
        "县司法局应在接到任务后7日内（2026-07-09 前）提出合法性审查意见（第四十三条第二款）",
    )
    assert "（2026-07-08 前）提出合法性审查意见" in _problems(justice(date(2026, 7, 9), None))


@pytest.mark.rule("CL-39")
def test_the_unit_s_review_comes_before_the_justice_bureau_s():
    # changli 39–40: the lead unit's 法制审核机构 reviews first (its opinion is one of the materials), then
    # the 司法局. The same day is in order; a day after the 司法局 received its task is not.
    assert judge_legality(_legality(unit_review_on=date(2026, 7, 1)), RULES, CTX).problems == ()
    late = judge_legality(_legality(unit_review_on=date(2026, 7, 2)), RULES, CTX)  # before the 司法局's review
    assert late.problems == ("承办单位法制审核机构初审在先，县司法局审查在后：日期顺序不对（第三十九条、第四十条）",)
    assert late.outcome is Outcome.proceed and late.note == ""  # refused: asked again, not judged lawful


def _meeting(**changes) -> MeetingAnswer:
    values = {
        "kind": "县政府常务会议",
        "meeting_on": date(2026, 8, 20),
        "materials_delivered_on": date(2026, 8, 19),
        "dissent": "无不同意见",
        "outcome": "通过",
        "presided_by": "县长",
    }
    return MeetingAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-45")
def test_materials_one_day_before_the_meeting_and_dissent_recorded():
    assert judge_meeting(_meeting(), RULES, CTX).outcome is Outcome.proceed
    late = judge_meeting(_meeting(materials_delivered_on=date(2026, 8, 20)), RULES, CTX)
    assert "材料应当至少于会前1日（2026-08-19 前）送达与会人员" in _problems(late)
    assert "不同意见应当如实载明" in _problems(judge_meeting(_meeting(dissent=" "), RULES, CTX))


@pytest.mark.rule("CL-45")
@pytest.mark.parametrize(
    ("decided", "outcome"),
    [
        ("通过", Outcome.proceed),
        ("作一般性修改后通过", Outcome.proceed),
        ("作重大修改后再次审议", Outcome.again),
        ("不通过", Outcome.not_adopted),
        ("暂缓决策", Outcome.deferred),
    ],
)
def test_the_meeting_adopts_rejects_sends_back_or_defers(decided, outcome):
    assert judge_meeting(_meeting(outcome=decided), RULES, CTX).outcome is outcome


def _publication(**changes) -> PublicationAnswer:
    values = {
        "published_on": date(2026, 8, 25),
        "channels": ["政府网站"],
        "starts_on": date(2026, 9, 1),
        "evaluation_year": 2027,
        "evaluation_type": "一般程序（执行评估）",
        "archived_on": date(2026, 8, 28),
    }
    return PublicationAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-47")
def test_publication_with_interpretation_where_the_public_cares_and_a_plan_for_evaluation():
    assert judge_publication(_publication(), RULES, CTX).problems == ()
    adoption = "社会公众普遍关心或者专业性、技术性较强的，应当一并公布公众意见、专家论证意见的采纳情况（第四十七条）"
    interpretation = (
        "社会公众普遍关心或者专业性、技术性较强的，应当通过新闻发布会、接受访谈等方式进行宣传解读（第四十七条）"
    )
    concerned = judge_publication(_publication(widely_concerned=True), RULES, CTX)
    assert concerned.problems == (adoption, interpretation)
    # Each duty on its own: one done, the other still missing.
    interpreted_only = _publication(widely_concerned=True, interpretation="新闻发布会")
    assert judge_publication(interpreted_only, RULES, CTX).problems == (adoption,)
    adopted_only = _publication(widely_concerned=True, adoption_published=True)
    assert judge_publication(adopted_only, RULES, CTX).problems == (interpretation,)
    assert (
        judge_publication(
            _publication(widely_concerned=True, interpretation="新闻发布会", adoption_published=True), RULES, CTX
        ).problems
        == ()
    )
    assert "早于审议决定的日期 2026-08-20" in _problems(
        judge_publication(_publication(published_on=date(2026, 8, 19)), RULES, CTX)
    )
    assert "实施后评估的年度不能早于实施起始年度" in _problems(
        judge_publication(_publication(evaluation_year=2025), RULES, CTX)
    )
    assert "计划终期评估的，请填写实施终止日" in _problems(
        judge_publication(_publication(evaluation_type="终期评估"), RULES, CTX)
    )
