"""The decision procedure's judgements (rules/decision_procedure.py) against changli chapters 2–7, at the
exact numbers the seed gives, with the changli profile's `decision_procedure` section."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from pinggu.rules.calendar import OfficialCalendar
from pinggu.rules.decision_procedure import (
    CatalogAnswer,
    Context,
    DraftContent,
    ExpertsAnswer,
    HearingOrganiser,
    HighRiskChoice,
    LaunchAnswer,
    LegalityAnswer,
    Material,
    MatterCategory,
    MeetingAnswer,
    MeetingKind,
    Outcome,
    PanelConfirmation,
    PanelConfirmer,
    ParticipationAnswer,
    ParticipationMeans,
    PublicationAnswer,
    PublicationChannel,
    RiskAnswer,
    RiskContent,
    RiskDecision,
    RiskDecisionAnswer,
    RiskKind,
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
from pinggu.rules.periods import Period, PeriodUnit
from pinggu.rules.profiles import load_profiles

RULES = load_profiles()["changli"].decision_procedure
assert RULES is not None
CTX = Context(
    catalog_year=2026,
    today=date(2026, 11, 28),
    proposed_on=date(2026, 1, 20),
    meeting_on=date(2026, 8, 20),
    risk_done=True,
    submitted_on=date(2026, 8, 10),
    # CL-32-PANEL: confirmed by the 县决策咨询服务中心's own person before the materials go out (1 June).
    panel=PanelConfirmation(
        "县决策咨询服务中心", "陈静（县决策咨询服务中心）", date(2026, 5, 28), tuple(f"专家{i}" for i in range(1, 10))
    ),
)
BY: dict = {}  # who answered is not a field: the signed-in person (pinggu.services.signatures)
EXPERTS = [{"name": f"专家{i}", "unit": "某大学"} for i in range(1, 10)]
ALL_CONTENTS = list(RiskContent)
MATERIALS = [m for m in Material if m is not Material.other]
# CL-32-PANEL: proposed by the lead unit; the centre's confirmation is its own signed act (CTX.panel).
PANEL = {"panel_proposed_on": date(2026, 5, 25)}
# CL-34: the kinds not assessed in a test's answer, stated not to arise.
OTHER_RISKS = {
    "no_adverse_effect": ["公共安全风险", "环境风险", "经济风险"],
    "no_adverse_effect_reason": "不涉及施工和财政投入",
}


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


# CL-19: a symposium with the interested parties' representatives, the draft sent to them the day before.
SYMPOSIUM = {
    "symposium_on": date(2026, 5, 8),
    "symposium_stakeholders": "沿街商户代表 3 名、社区居民代表 4 名",
    "symposium_materials_sent_on": date(2026, 5, 7),
}

# CL-16-HEARING: organised by the lead unit, the draft published a fortnight before, the sides 5 to 4.
HEARING = {
    "hearing_organiser": "决策承办单位",
    "draft_published_on": date(2026, 5, 6),
    "hearing_sides": [{"view": "支持", "count": 5}, {"view": "反对", "count": 4}],
}


def _participation(**changes) -> ParticipationAnswer:
    return ParticipationAnswer(**BY, **{"means": ["座谈会"], **SYMPOSIUM, **changes})


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
            **HEARING,
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
        **PANEL,
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
    answer = ExpertsAnswer(
        **BY, **PANEL, experts=panel, materials_sent_on=date(2026, 6, 1), opinions_due_on=date(2026, 6, 8)
    )
    assert "专家5与决策事项有直接利害关系，应当回避" in _problems(judge_experts(answer, RULES, CTX))


@pytest.mark.rule("CL-32")
def test_experts_get_5_working_days_counted_on_the_official_calendar():
    def due(sent: date, by: date):
        answer = ExpertsAnswer(**BY, **PANEL, experts=EXPERTS[:5], materials_sent_on=sent, opinions_due_on=by)
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
            **BY, **PANEL, experts=EXPERTS[:5], materials_sent_on=date(2026, 6, 1), opinions_due_on=date(2026, 6, 8),
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
        **OTHER_RISKS,
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
            high_risk_choice=choice, **OTHER_RISKS,
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
        # CL-12: the draft with every content and its evaluation plan.
        "draft_contents": list(DraftContent),
        "draft_evaluation_year": 2027,
        "draft_evaluation_type": "一般程序（执行评估）",
        # CL-41-44: the 副县长, then the 县长, before the joint review; the 县长 submits it after the advice.
        "vice_head": "张华",
        "vice_head_approved_on": date(2026, 6, 29),
        "head_approved_on": date(2026, 6, 30),
        "head_decision": "提交县政府审议",
        "head_decided_on": date(2026, 10, 30),
    }
    merged = {**values, **changes}
    if "不合法" in (merged["unit_review"], merged["justice_review"]) and "head_decision" not in changes:
        merged["head_decision"] = None  # found unlawful: no advice is formed, nothing is submitted (changli 39)
    return LegalityAnswer(**BY, **merged)


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
        "head_spoke_last": True,  # CL-46
        "minutes_signed_by": "县长",
        "minutes_signed_on": date(2026, 8, 21),
    }
    merged = {**values, **changes}
    if merged["outcome"] in ("通过", "作一般性修改后通过"):  # signed for issue only when adopted (changli 46 ¶4)
        merged = {"issued_by": "县长", "issued_on": date(2026, 8, 22), **merged}
    if merged["outcome"] == "作一般性修改后通过":
        merged = {"revised_on": date(2026, 8, 21), **merged}
    return MeetingAnswer(**BY, **merged)


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


# --- issue 30 item 8: the changli phase-2 duties, to the letter of the seed -----------------------------


def _hearing(**changes) -> ParticipationAnswer:
    """A hearing on Wed 20 May 2026 that meets changli 16, changed as the test says."""
    values = {
        "means": ["听证会"],
        **HEARING,
        "hearing_on": date(2026, 5, 20),
        "hearing_materials_sent_on": date(2026, 5, 13),
        "participants_published_on": date(2026, 5, 12),
    }
    return _participation(**{**values, **changes})


@pytest.mark.rule("CL-16-HEARING")
def test_a_hearing_is_organised_by_the_lead_or_a_related_unit_never_a_third_party():
    assert judge_participation(_hearing(), RULES, CTX).problems == ()
    assert judge_participation(_hearing(hearing_organiser="受委托的第三方"), RULES, CTX).problems == (
        "听证会由决策承办单位或者与决策有关的单位组织，不得委托第三方组织（第十六条第二款）",
    )
    assert judge_participation(_hearing(hearing_organiser=None), RULES, CTX).problems == (
        "召开听证会的，请选择听证会的组织者（决策承办单位或者与决策有关的单位，第十六条第二款）",
    )
    related = _hearing(hearing_organiser="与决策有关的单位")
    assert judge_participation(related, RULES, CTX).problems == ("由与决策有关的单位组织听证会的，请写明该单位",)
    named = _hearing(hearing_organiser="与决策有关的单位", hearing_organiser_unit="县交通运输局")
    assert judge_participation(named, RULES, CTX).problems == ()
    assert RULES.hearing_organisers == (HearingOrganiser.lead_unit, HearingOrganiser.related_unit)


@pytest.mark.rule("CL-16-HEARING")
def test_a_hearing_is_public_unless_a_basis_for_not_publishing_it_is_stated():
    assert judge_participation(_hearing(hearing_closed=True), RULES, CTX).problems == (
        "听证会应当公开举行；不公开举行的，请写明依法不予公开的依据（第十六条第二款）",
    )
    closed = _hearing(hearing_closed=True, hearing_closed_basis="涉及国家秘密（《保守国家秘密法》）")
    assert judge_participation(closed, RULES, CTX).problems == ()


@pytest.mark.rule("CL-16-HEARING")
def test_the_draft_and_the_participants_list_are_published_at_least_the_day_before_the_hearing():
    # 第十六条第三款、第四款 “提前公布”: the day before (19 May) is ahead; the day of the hearing is not.
    assert judge_participation(_hearing(draft_published_on=date(2026, 5, 19)), RULES, CTX).problems == ()
    assert judge_participation(_hearing(draft_published_on=date(2026, 5, 20)), RULES, CTX).problems == (
        "应当提前公布决策草案及其说明等材料，明确听证时间、地点（至迟 2026-05-19），实际 2026-05-20（第十六条第三款）",
    )
    # the list published the day before the hearing is in time; the materials still went out 7 days before
    assert judge_participation(_hearing(participants_published_on=date(2026, 5, 19)), RULES, CTX).problems == ()
    assert judge_participation(_hearing(participants_published_on=date(2026, 5, 20)), RULES, CTX).problems == (
        "听证参加人名单应当在听证会前向社会公布（至迟 2026-05-19），实际 2026-05-20（第十六条第四款）",
    )
    assert judge_participation(_hearing(draft_published_on=None), RULES, CTX).problems == (
        "召开听证会的，请填写听证会日期、决策草案公布日期、材料送达日期和听证参加人名单公布日期",
    )
    assert RULES.in_advance == Period(1, PeriodUnit.days)


@pytest.mark.rule("CL-16-HEARING")
@pytest.mark.parametrize(
    ("counts", "balanced"),
    [
        ((5, 4), True),
        ((2, 3), True),
        ((4, 6), True),
        ((3, 4, 4), True),
        ((2, 4), False),
        ((4, 7), False),
        ((6, 0), False),
    ],
)
def test_the_sides_of_a_hearing_are_about_equal(counts, balanced):
    # 第十六条第四款 “持不同观点的各方人数基本相当”: the largest side at most 1.5 times the smallest (the profile's
    # reading; the seed gives no number) — 4 to 6 is the edge, 4 to 7 is over it.
    sides = [{"view": f"观点{n}", "count": count} for n, count in enumerate(counts, 1)]
    judgement = judge_participation(_hearing(hearing_sides=sides), RULES, CTX)
    if balanced:
        assert judgement.problems == ()
    else:
        shown = "、".join(f"观点{n} {count} 人" for n, count in enumerate(counts, 1))
        assert judgement.problems == (
            f"持不同观点的各方人数应当基本相当（人数最多的一方不超过最少一方的 1.5 倍），实际 {shown}（第十六条第四款）",
        )
    assert RULES.hearing_sides_max_ratio == 1.5


@pytest.mark.rule("CL-16-HEARING")
def test_a_hearing_of_one_view_is_refused():
    one = _hearing(hearing_sides=[{"view": "支持", "count": 9}])
    assert judge_participation(one, RULES, CTX).problems == (
        "听证参加人应当按照持不同观点的各方人数基本相当的原则确定：请列出各方的观点和人数（第十六条第四款）",
    )


@pytest.mark.rule("CL-16-HEARING")
def test_where_participants_are_selected_the_method_is_published_before_the_list():
    # 第十六条第六款: the list (12 May) is the selection's result; the method is published at least a day before it.
    selected = {"participants_selected": True}
    assert judge_participation(_hearing(**selected), RULES, CTX).problems == (
        "需要遴选听证参加人的，应当提前公布听证参加人遴选办法：请填写公布日期（第十六条第六款）",
    )
    ahead = _hearing(**selected, selection_method_published_on=date(2026, 5, 11))
    assert judge_participation(ahead, RULES, CTX).problems == ()
    same_day = _hearing(**selected, selection_method_published_on=date(2026, 5, 12))
    assert judge_participation(same_day, RULES, CTX).problems == (
        "听证参加人遴选办法应当在遴选前公布（至迟 2026-05-11，名单公布之前），实际 2026-05-12（第十六条第六款）",
    )
    # no selection needed: no method to publish
    assert judge_participation(_hearing(selection_method_published_on=None), RULES, CTX).problems == ()


@pytest.mark.rule("CL-19")
def test_a_symposium_invites_the_interested_parties_and_sends_them_the_draft_ahead():
    assert judge_participation(_participation(), RULES, CTX).problems == ()  # sent 7 May for 8 May
    on_the_day = _participation(symposium_materials_sent_on=date(2026, 5, 8))
    assert judge_participation(on_the_day, RULES, CTX).problems == (
        "决策方案及起草说明应当提前送达与会代表（至迟 2026-05-07），实际 2026-05-08（第十九条）",
    )
    assert judge_participation(_participation(symposium_stakeholders=" "), RULES, CTX).problems == (
        "以座谈会方式征求公众意见的，应当邀请有利害关系的公民、法人或者其他组织代表参加：请写明邀请的代表（第十九条）",
    )
    assert judge_participation(_participation(symposium_materials_sent_on=None), RULES, CTX).problems == (
        "以座谈会方式征求公众意见的，请填写座谈会日期和决策方案及起草说明送达与会代表的日期（第十九条）",
    )
    # no symposium: nothing asked of it
    assert judge_participation(_participation(means=["书面征求意见"], symposium_on=None), RULES, CTX).problems == ()


def _experts(**changes) -> ExpertsAnswer:
    values = {
        **PANEL,
        "experts": EXPERTS[:5],
        "materials_sent_on": date(2026, 6, 1),
        "opinions_due_on": date(2026, 6, 8),
    }
    return ExpertsAnswer(**BY, **{**values, **changes})


def _confirmed(**changes) -> Context:
    """CTX with the centre's confirmation changed."""
    return replace(CTX, panel=replace(CTX.panel, **changes))


@pytest.mark.rule("CL-32-PANEL")
def test_the_expert_panel_is_confirmed_by_the_centre_before_the_materials_go_out():
    assert judge_experts(_experts(), RULES, CTX).problems == ()
    # 第三十二条（一）then（二）: confirmed on the day the materials go out is in order; a day later is not.
    assert judge_experts(_experts(), RULES, _confirmed(confirmed_on=date(2026, 6, 1))).problems == ()
    assert judge_experts(_experts(), RULES, _confirmed(confirmed_on=date(2026, 6, 2))).problems == (
        "专家组经县决策咨询服务中心确定（2026-06-02）后，方可向专家提供材料，实际 2026-06-01（第三十二条（一）、（二））",
    )
    assert judge_experts(_experts(), RULES, _confirmed(confirmed_as="决策承办单位")).problems == (
        "专家组应当报县决策咨询服务中心确定，确定人 陈静（县决策咨询服务中心） 以“决策承办单位”确定（第三十二条（一））",
    )
    assert judge_experts(_experts(), RULES, _confirmed(confirmed_on=date(2026, 5, 24))).problems == (
        "专家组确定日期 2026-05-24 早于承办单位提出建议的日期 2026-05-25",
    )
    assert judge_experts(_experts(), RULES, _confirmed(confirmed_on=date(2026, 5, 25))).problems == ()
    assert RULES.panel_confirmed_by is PanelConfirmer.centre


@pytest.mark.rule("CL-32-PANEL")
def test_only_experts_the_centre_confirmed_may_argue():
    four = _confirmed(experts=("专家1", "专家2", "专家3", "专家4"))
    assert judge_experts(_experts(), RULES, four).problems == (
        "专家5不在县决策咨询服务中心确定的专家组中（陈静（县决策咨询服务中心），2026-05-28确定：专家1、专家2、专家3、专家4；"
        "第三十二条（一））",
    )


@pytest.mark.rule("CL-32-PANEL")
def test_a_panel_without_its_confirmation_is_refused():
    assert judge_experts(_experts(), RULES, replace(CTX, panel=None)).problems == (
        "专家组由决策承办单位提出建议，报县决策咨询服务中心确定：请县决策咨询服务中心的人员登录本决策程序页面确定专家组后，"
        "再提交专家论证（第三十二条（一））",
    )
    assert judge_experts(_experts(panel_proposed_on=None), RULES, CTX).problems == (
        "请填写承办单位提出拟聘请专家组建议的日期（第三十二条（一））",
    )
    # The confirmer is no longer typed into the lead unit's answer.
    with pytest.raises(ValidationError):
        _experts(panel_confirmer="陈静")


def _exempt(**changes) -> RiskAnswer:
    values = {
        "no_adverse_effect": ["社会稳定风险", "公共安全风险", "经济风险"],
        "no_adverse_effect_reason": "仅调整路内停车收费时段，不涉及拆迁、施工和财政投入",
        "assessed_elsewhere": [
            {
                "kind": "环境风险",
                "rules": "《中华人民共和国环境影响评价法》",
                "document": "昌环评〔2026〕12号",
                "assessed_on": date(2026, 5, 10),
            }
        ],
    }
    return RiskAnswer(**BY, **{**values, **changes})


@pytest.mark.rule("CL-34")
def test_no_risk_assessment_where_no_harm_can_arise_or_it_was_assessed_under_other_rules():
    judgement = judge_risk(_exempt(), RULES, CTX)
    assert (judgement.problems, judgement.outcome) == ((), Outcome.proceed)
    assert judgement.note == (
        "无须另行风险评估：社会稳定风险、公共安全风险、经济风险：实施不会造成不利影响（仅调整路内停车收费时段，"
        "不涉及拆迁、施工和财政投入）；环境风险：已依照《中华人民共和国环境影响评价法》评估（昌环评〔2026〕12号，"
        "2026-05-10），不作重复评估（第三十四条）"
    )
    none_arise = _exempt(no_adverse_effect=list(RiskKind), assessed_elsewhere=[])
    assert judge_risk(none_arise, RULES, CTX).note == (
        "无须另行风险评估：社会稳定风险、公共安全风险、环境风险、经济风险：实施不会造成不利影响"
        "（仅调整路内停车收费时段，不涉及拆迁、施工和财政投入）（第三十四条）"
    )
    assert RULES.risk_kinds == tuple(RiskKind)


@pytest.mark.rule("CL-34")
def test_an_exemption_needs_its_grounds_and_the_rules_it_was_assessed_under():
    assert judge_risk(_exempt(no_adverse_effect_reason=" "), RULES, CTX).problems == (
        "写明实施不会造成不利影响、无须评估的，请说明理由（第三十四条第一款）",
    )
    unnamed = _exempt(assessed_elsewhere=[{"kind": "环境风险", "rules": " ", "document": "昌环评〔2026〕12号",
                                           "assessed_on": date(2026, 5, 10)}])  # fmt: skip
    assert judge_risk(unnamed, RULES, CTX).problems == (
        "不重复评估的环境风险，请写明依照的规定和评价、评估文件（第三十四条第七款）",
    )
    undocumented = _exempt(assessed_elsewhere=[{"kind": "环境风险", "rules": "环评法", "document": "",
                                                "assessed_on": date(2026, 5, 10)}])  # fmt: skip
    assert judge_risk(undocumented, RULES, CTX).problems == (
        "不重复评估的环境风险，请写明依照的规定和评价、评估文件（第三十四条第七款）",
    )
    future = _exempt(assessed_elsewhere=[{"kind": "环境风险", "rules": "环评法", "document": "昌环评〔2026〕12号",
                                          "assessed_on": date(2026, 11, 29)}])  # fmt: skip
    assert judge_risk(future, RULES, CTX).problems == ("环境风险的评价、评估日期 2026-11-29 晚于今天",)
    today = _exempt(assessed_elsewhere=[{"kind": "环境风险", "rules": "环评法", "document": "昌环评〔2026〕12号",
                                         "assessed_on": date(2026, 11, 28)}])  # fmt: skip
    assert judge_risk(today, RULES, CTX).problems == ()


@pytest.mark.rule("CL-34")
def test_every_kind_of_risk_is_accounted_for_once():
    unaccounted = _exempt(no_adverse_effect=["社会稳定风险"])
    assert judge_risk(unaccounted, RULES, CTX).problems == (
        "请说明公共安全风险、经济风险：本次评估，或者写明实施不会造成不利影响的理由，"
        "或者写明已依照哪项规定评价、评估（第三十四条）",
    )
    twice = _exempt(
        kinds=["环境风险"], report_contents=ALL_CONTENTS, situation=RiskSituation.broad_support, measures="…"
    )
    assert judge_risk(twice, RULES, CTX).problems == (
        "环境风险只能选一种处理：本次评估、无须评估，或者已依照其他规定评估而不重复评估",
    )
    # Part assessed here, the rest exempt: the level of what was assessed decides (CL-37).
    part = _exempt(
        no_adverse_effect=["公共安全风险", "经济风险"], kinds=["社会稳定风险"], report_contents=ALL_CONTENTS,
        situation=RiskSituation.strong_dissent, measures="分批听取商户意见",
    )  # fmt: skip
    assert judge_risk(part, RULES, CTX).outcome is Outcome.again
    assessed = _exempt(
        kinds=["社会稳定风险"], no_adverse_effect=["公共安全风险", "经济风险"], report_contents=ALL_CONTENTS
    )
    assert judge_risk(assessed, RULES, CTX).problems == ("请选择评估查明的情况（第三十六条（四））",)


@pytest.mark.rule("CL-34")
def test_no_submission_for_deliberation_without_the_risk_step_done():
    unassessed = Context(
        catalog_year=2026, today=CTX.today, submitted_on=date(2026, 8, 10)
    )  # risk not done: the default
    refusal = "未经风险评估的，不得提请县政府审议：风险评估环节尚未办结（第三十四条第一款）"
    assert judge_legality(_legality(), RULES, unassessed).problems == (refusal,)
    assert judge_meeting(_meeting(), RULES, unassessed).problems == (refusal,)
    # Withheld by the 县长 (not submitted): nothing is submitted, so no refusal for it.
    withheld = _legality(head_decision="暂不提交审议（修改完善后重新会审）")
    assert judge_legality(withheld, RULES, unassessed).problems == ()


@pytest.mark.rule("CL-41-44")
def test_the_vice_head_then_the_head_approve_before_the_joint_review():
    assert judge_legality(_legality(), RULES, CTX).problems == ()
    # the same day for both approvals and the review's start is in order (dates have no hour)
    same_day = _legality(vice_head_approved_on=date(2026, 7, 1), head_approved_on=date(2026, 7, 1))
    assert judge_legality(same_day, RULES, CTX).problems == ()
    assert judge_legality(_legality(head_approved_on=date(2026, 6, 28)), RULES, CTX).problems == (
        "应先报请副县长，再经县长批准：县长批准 2026-06-28 早于副县长同意 2026-06-29（第四十一条）",
    )
    late = _legality(head_approved_on=date(2026, 7, 2), justice_task_on=date(2026, 7, 2))
    assert judge_legality(late, RULES, CTX).problems == (
        "综合会审应在县长批准（2026-07-02）后开始，实际 2026-07-01（第四十一条）",
    )
    early_task = _legality(justice_task_on=date(2026, 6, 29), justice_review_on=date(2026, 7, 3))
    assert judge_legality(early_task, RULES, CTX).problems == (
        "县司法局的合法性审查属综合会审，应在县长批准（2026-06-30）后交办，实际 2026-06-29（第四十一条、第四十三条）",
    )
    for missing in ({"vice_head": " "}, {"vice_head_approved_on": None}, {"head_approved_on": None}):
        assert judge_legality(_legality(**missing), RULES, CTX).problems == (
            "初步审核符合要求的，报请相关副县长，经县长批准后方可组织综合会审：请填写副县长及其同意日期、县长批准日期（第四十一条）",
        ), missing


@pytest.mark.rule("CL-41-44")
def test_the_head_decides_after_the_joint_review_whether_the_draft_goes_to_the_meeting():
    # The advice is formed once the review has ended and every opinion is in (10 July here): that day is in time.
    assert judge_legality(_legality(head_decided_on=date(2026, 7, 10)), RULES, CTX).problems == ()
    assert judge_legality(_legality(head_decided_on=date(2026, 7, 9)), RULES, CTX).problems == (
        "县长审定是否提交审议，应在综合会审形成综合决策咨询建议之后（2026-07-10 起），实际 2026-07-09（第四十四条）",
    )
    # the departments' opinions last (an extended, complex review): the advice waits for them
    later_opinions = _legality(joint_review_until=date(2026, 7, 10), opinions_on=date(2026, 7, 13), complex_reason="复杂",
                               justice_review_on=date(2026, 7, 8), head_decided_on=date(2026, 7, 12))  # fmt: skip
    assert "（2026-07-13 起），实际 2026-07-12" in _problems(judge_legality(later_opinions, RULES, CTX))
    justice_last = _legality(justice_task_on=date(2026, 7, 6), justice_review_on=date(2026, 7, 13),
                             joint_review_until=date(2026, 7, 10), head_decided_on=date(2026, 7, 12))  # fmt: skip
    assert "（2026-07-13 起），实际 2026-07-12" in _problems(judge_legality(justice_last, RULES, CTX))
    assert judge_legality(_legality(head_decided_on=date(2026, 11, 29)), RULES, CTX).problems == (
        "县长审定日期 2026-11-29 晚于今天：审定后再记录",
    )
    for missing in ({"head_decision": None}, {"head_decided_on": None}):
        assert judge_legality(_legality(**missing), RULES, CTX).problems == (
            "请填写县长（县决咨委主任）是否将决策草案提交审议的审定及其日期（第四十四条）",
        )
    submitted = judge_legality(_legality(), RULES, CTX)
    assert (submitted.outcome, submitted.note) == (
        Outcome.proceed, "双重合法性审查通过；县长审定提交县政府审议（2026-10-30，第三十九条至第四十四条）",
    )  # fmt: skip
    withheld = judge_legality(_legality(head_decision="暂不提交审议（修改完善后重新会审）"), RULES, CTX)
    assert (withheld.problems, withheld.outcome, withheld.note) == (
        (), Outcome.again, "县长审定暂不提交审议（2026-10-30）：决策草案修改完善后重新会审（第四十四条）",
    )  # fmt: skip


@pytest.mark.rule("CL-41-44", "CL-39")
def test_a_draft_found_unlawful_is_not_submitted():
    unlawful = _legality(justice_review="不合法", head_decision="提交县政府审议")
    assert judge_legality(unlawful, RULES, CTX).problems == (
        "经审查不合法的，不能形成综合咨询建议，不得提交县政府审议（第三十九条）",
    )
    again = judge_legality(_legality(justice_review="不合法"), RULES, CTX)  # no decision to submit: sent back
    assert (again.problems, again.outcome) == ((), Outcome.again)
    withheld = _legality(unit_review="不合法", head_decision="暂不提交审议（修改完善后重新会审）", head_decided_on=None)
    assert judge_legality(withheld, RULES, CTX).outcome is Outcome.again


@pytest.mark.rule("CL-41-44")
def test_the_meeting_deliberates_only_what_the_head_submitted():
    # Submitted 10 August: a meeting that day is in order, one the day before is not, and none without it.
    assert judge_meeting(_meeting(meeting_on=date(2026, 8, 10), materials_delivered_on=date(2026, 8, 9),
                                  minutes_signed_on=date(2026, 8, 10), issued_on=date(2026, 8, 10)),
                         RULES, CTX).problems == ()  # fmt: skip
    early = _meeting(meeting_on=date(2026, 8, 9), materials_delivered_on=date(2026, 8, 8))
    assert judge_meeting(early, RULES, CTX).problems == (
        "会议日期 2026-08-09 早于县长审定提交审议的日期 2026-08-10（第四十四条）",
    )
    unsubmitted = Context(catalog_year=2026, today=CTX.today, risk_done=True)
    assert judge_meeting(_meeting(), RULES, unsubmitted).problems == (
        "决策草案经县长（县决咨委主任）审定提交审议后，方可提请会议审议（第四十四条）",
    )


@pytest.mark.rule("CL-46")
def test_the_head_speaks_last_and_the_chair_signs_the_minutes():
    assert judge_meeting(_meeting(head_spoke_last=False), RULES, CTX).problems == (
        "讨论决策草案，会议组成人员充分发表意见，县长最后发表意见（第四十六条第二款）",
    )
    assert judge_meeting(_meeting(minutes_signed_by="副县长张华"), RULES, CTX).problems == (
        "会议纪要应由会议主持人县长签发，实际由副县长张华签发（第四十六条第三款）",
    )
    for missing in ({"minutes_signed_by": ""}, {"minutes_signed_on": None}):
        assert judge_meeting(_meeting(**missing), RULES, CTX).problems == (
            "会议讨论情况和决定形成会议纪要，由会议主持人签发：请填写纪要签发人和签发日期（第四十六条第三款）",
        )
    assert judge_meeting(_meeting(minutes_signed_on=date(2026, 8, 19)), RULES, CTX).problems == (
        "会议纪要签发日期 2026-08-19 早于会议日期 2026-08-20",
    )
    assert judge_meeting(_meeting(minutes_signed_on=date(2026, 8, 20)), RULES, CTX).problems == ()


@pytest.mark.rule("CL-46")
def test_an_adopted_decision_is_signed_by_the_chair_or_a_member_the_chair_authorised():
    assert judge_meeting(_meeting(issued_by="副县长张华"), RULES, CTX).problems == (
        "决策由会议主持人县长或其授权的县政府班子成员签发：副县长张华不是主持人，也未经授权（第四十六条第四款）",
    )
    assert judge_meeting(_meeting(issued_by="副县长张华", issuer_authorised=True), RULES, CTX).problems == ()
    for missing in ({"issued_by": " "}, {"issued_on": None}):
        assert judge_meeting(_meeting(**missing), RULES, CTX).problems == (
            "作出通过决定的，由会议主持人或其授权的县政府班子成员签发：请填写签发人和签发日期（第四十六条第四款）",
        )
    assert judge_meeting(_meeting(issued_on=date(2026, 8, 19)), RULES, CTX).problems == (
        "签发日期 2026-08-19 早于会议日期 2026-08-20",
    )
    assert judge_meeting(_meeting(issued_on=date(2026, 8, 20)), RULES, CTX).problems == ()
    assert judge_meeting(_meeting(issued_on=date(2026, 11, 29)), RULES, CTX).problems == (
        "签发日期 2026-11-29 晚于今天：签发后再记录",
    )


@pytest.mark.rule("CL-46")
def test_a_general_revision_is_signed_after_it_is_made():
    revised = {"outcome": "作一般性修改后通过", "revised_on": date(2026, 8, 24)}
    assert judge_meeting(_meeting(**revised, issued_on=date(2026, 8, 24)), RULES, CTX).problems == ()
    assert judge_meeting(_meeting(**revised, issued_on=date(2026, 8, 23)), RULES, CTX).problems == (
        "作一般性修改的，修改后签发：签发日期 2026-08-23 早于修改完成日期 2026-08-24（第四十六条第四款）",
    )
    assert judge_meeting(_meeting(outcome="作一般性修改后通过", revised_on=None), RULES, CTX).problems == (
        "作一般性修改的，修改后签发：请填写修改完成日期（第四十六条第四款）",
    )
    early = _meeting(outcome="作一般性修改后通过", revised_on=date(2026, 8, 19), issued_on=date(2026, 8, 20))
    assert judge_meeting(early, RULES, CTX).problems == ("修改完成日期 2026-08-19 早于会议日期 2026-08-20",)
    # A revision date is no matter when adopted as it stood.
    assert judge_meeting(_meeting(revised_on=date(2026, 8, 25)), RULES, CTX).problems == ()


@pytest.mark.rule("CL-46")
@pytest.mark.parametrize(
    ("decided", "why"),
    [
        ("作重大修改后再次审议", "属重大原则或实质内容修改的，应按程序重新审议，"),
        ("不通过", ""),
        ("暂缓决策", ""),
    ],
)
def test_a_decision_not_adopted_is_not_signed(decided, why):
    for signed in ({"issued_by": "县长"}, {"issued_on": date(2026, 8, 22)}):
        assert judge_meeting(_meeting(outcome=decided, **signed), RULES, CTX).problems == (
            f"会议决定“{decided}”：{why}决策不予签发（第四十六条第四款）",
        )
    assert judge_meeting(_meeting(outcome=decided), RULES, CTX).problems == ()


@pytest.mark.rule("CL-46", "CL-47")
def test_the_decision_is_published_once_signed():
    signed = Context(catalog_year=2026, today=CTX.today, meeting_on=date(2026, 8, 20), issued_on=date(2026, 8, 25))
    assert judge_publication(_publication(published_on=date(2026, 8, 25)), RULES, signed).problems == ()
    assert judge_publication(_publication(published_on=date(2026, 8, 24)), RULES, signed).problems == (
        "公布日期 2026-08-24 早于决策签发日期 2026-08-25（第四十六条第四款）",
    )


@pytest.mark.rule("CL-12")
def test_the_draft_submitted_has_every_content_and_its_post_evaluation_plan():
    without_plan = _legality(draft_contents=[c for c in DraftContent if c is not DraftContent.evaluation_plan])
    assert judge_legality(without_plan, RULES, CTX).problems == ("决策草案缺少：决策实施后评估计划（第十二条第二款）",)
    assert judge_legality(_legality(draft_contents=[]), RULES, CTX).problems == (
        "决策草案缺少：决策目标、工作任务、决策依据、经费预算、措施方法、时间步骤、决策实施单位、决策实施后评估计划（第十二条第二款）",
    )
    for missing in ({"draft_evaluation_year": None}, {"draft_evaluation_type": None}):
        assert judge_legality(_legality(**missing), RULES, CTX).problems == (
            "决策草案应当包括决策实施后评估计划：请填写计划的评估年度和评估类型（第十二条第二款）",
        )
    assert judge_legality(_legality(draft_evaluation_year=2025), RULES, CTX).problems == (
        "决策草案中实施后评估的年度 2025 早于决策事项目录年度 2026",
    )
    assert judge_legality(_legality(draft_evaluation_year=2026), RULES, CTX).problems == ()
    assert RULES.draft_contents == tuple(DraftContent)


# --- the exact values the mutation run found unchecked (scripts/mutation.sh rules/decision_procedure.py) -----


@pytest.fixture
def odd_calendar(tmp_path) -> OfficialCalendar:
    """An operator's calendar that makes Wed 8 July 2026 a holiday (the product's default knows no such day)."""
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nsource: 测试用虚构安排\nholidays: ['2026-07-08']\n", encoding="utf-8"
    )
    return OfficialCalendar(tmp_path)


@pytest.mark.rule("CL-41-44")
def test_the_head_decides_on_the_advice_only_after_the_joint_review_has_ended():
    # the review itself ends last (14 July): the advice, and so the 县长's decision, not before it
    longest = _legality(joint_review_until=date(2026, 7, 14), head_decided_on=date(2026, 7, 13))
    assert judge_legality(longest, RULES, CTX).problems == (
        "县长审定是否提交审议，应在综合会审形成综合决策咨询建议之后（2026-07-14 起），实际 2026-07-13（第四十四条）",
    )
    assert judge_legality(_legality(head_decided_on=CTX.today), RULES, CTX).problems == ()  # today is not the future


@pytest.mark.rule("CL-16-HEARING")
def test_a_hearing_without_participants_or_without_its_list_date_is_refused():
    nobody = _hearing(hearing_sides=[{"view": "支持", "count": 0}, {"view": "反对", "count": 0}])
    assert judge_participation(nobody, RULES, CTX).problems == (
        "持不同观点的各方人数应当基本相当（人数最多的一方不超过最少一方的 1.5 倍），实际 支持 0 人、反对 0 人（第十六条第四款）",
    )
    for missing in ("hearing_on", "hearing_materials_sent_on", "participants_published_on"):
        assert judge_participation(_hearing(**{missing: None}), RULES, CTX).problems == (
            "召开听证会的，请填写听证会日期、决策草案公布日期、材料送达日期和听证参加人名单公布日期",
        ), missing
    # A hearing's problems and the others' are reported together.
    both = judge_participation(_hearing(hearing_organiser=None, affects_groups=True), RULES, CTX)
    assert len(both.problems) == 2 and both.problems[1].startswith("召开听证会的，请选择听证会的组织者")


@pytest.mark.rule("CL-46")
def test_a_revision_finished_on_the_meeting_day_and_a_decision_signed_today_are_in_order():
    same_day = _meeting(outcome="作一般性修改后通过", revised_on=date(2026, 8, 20), issued_on=date(2026, 8, 20))
    assert judge_meeting(same_day, RULES, CTX).problems == ()
    assert judge_meeting(_meeting(issued_on=CTX.today), RULES, CTX).problems == ()


@pytest.mark.rule("CL-9")
def test_the_catalog_s_dates_may_fall_on_the_same_day_but_not_in_the_future():
    same_day = _catalog(
        approved_on=date(2026, 3, 20), party_consent_on=date(2026, 3, 20), published_on=date(2026, 3, 20)
    )
    assert judge_catalog(same_day, RULES, CTX).problems == ()
    adjusted = {"adjustment": True, "approved_on": date(2026, 11, 20), "party_consent_on": date(2026, 11, 25)}
    today = _catalog(**adjusted, published_on=CTX.today, planned_on=CTX.today)
    assert judge_catalog(today, RULES, CTX).problems == ()  # planned the day it is published: not earlier
    tomorrow = _catalog(**adjusted, published_on=date(2026, 11, 29), planned_on=date(2026, 12, 1))
    assert judge_catalog(tomorrow, RULES, CTX).problems == ("公布日期 2026-11-29 晚于今天：公布后再记录",)
    assert judge_catalog(_catalog(planned_on=date(2026, 3, 30)), RULES, CTX).problems == (
        "时间计划（拟提请审议的日期）不能早于目录公布日期",
    )


@pytest.mark.rule("CL-3")
def test_a_launch_needs_its_reasons_a_category_the_profile_lists_and_no_future_date():
    def launch(**changes):
        values = {"proposer": "县城管局", "proposed_on": date(2026, 1, 5), "category": "重要规划", "reasons": "…"}
        return judge_launch(LaunchAnswer(**BY, **{**values, **changes}), RULES, CTX)

    assert launch(reasons=" ").problems == ("请写明拟解决的主要问题、建议理由、依据和初步方案（第八条）",)
    assert launch(proposed_on=CTX.today).problems == ()
    assert launch(proposed_on=date(2026, 11, 29)).problems == ("提出日期 2026-11-29 晚于今天",)
    plans_only = RULES.model_copy(update={"categories": (MatterCategory.plan,)})
    answer = LaunchAnswer(
        **BY, proposer="县城管局", proposed_on=date(2026, 1, 5), category="重大公共建设项目", reasons="…"
    )
    assert judge_launch(answer, plans_only, CTX).problems == ("请选择决策事项类别（重要规划），或选择不适用的情形",)


@pytest.mark.rule("CL-31", "CL-32")
def test_the_experts_numbers_names_and_oral_opinions_exactly():
    assert judge_experts(_experts(experts=EXPERTS[:4]), RULES, CTX).problems == (
        "论证专家一般不少于 5 人，实际 4 人（第三十一条）",
    )
    complex_ = judge_experts(_experts(experts=EXPERTS[:8], wide_or_complex=True), RULES, CTX)
    assert complex_.problems == (
        "涉及面较广、争议较大或内容特别复杂、敏感的论证专家一般不少于 9 人，实际 8 人（第三十一条）",
    )
    assert judge_experts(_experts(experts=[*EXPERTS[:4], EXPERTS[0]]), RULES, CTX).problems == ("论证专家名单有重复",)
    oral = datetime(2026, 6, 5, 10, 0)
    stranger = _experts(oral_opinions=[{"expert": "外人", "oral_at": oral, "written_at": oral}])
    assert judge_experts(stranger, RULES, CTX).problems == ("口头意见的专家 外人 不在论证专家名单中",)
    at_once = _experts(oral_opinions=[{"expert": "专家1", "oral_at": oral, "written_at": oral}])
    assert judge_experts(at_once, RULES, CTX).problems == ()  # written the same minute: within 24 hours
    before = _experts(oral_opinions=[{"expert": "专家1", "oral_at": oral, "written_at": oral - timedelta(minutes=1)}])
    assert judge_experts(before, RULES, CTX).problems == (
        "专家1提供口头论证意见的，应当在 24 小时之内提供书面意见（口头意见 2026-06-05 10:00，第三十二条（三））",
    )


@pytest.mark.rule("CL-32", "P-WORKDAY")
def test_the_experts_5_working_days_are_counted_on_the_calendar_given(odd_calendar):
    # From Wed 1 July: 2, 3, 6, 7, 8 July by default; with 8 July a holiday, 9 July.
    due = _experts(materials_sent_on=date(2026, 7, 1), opinions_due_on=date(2026, 7, 8))
    assert judge_experts(due, RULES, CTX).problems == ()
    assert judge_experts(due, RULES, CTX, odd_calendar).problems == (
        "应给予专家不少于5个工作日的研究时间：2026-07-01 提供材料，书面意见最早应于 2026-07-09 提出，"
        "实际要求 2026-07-08（第三十二条（二））",
    )


@pytest.mark.rule("CL-41")
def test_a_return_needs_its_supplement_date_which_may_be_the_same_day():
    assert judge_legality(_legality(returned_on=date(2026, 6, 26)), RULES, CTX).problems == (
        "材料退回补充的，请填写补送日期",
    )
    same_day = _legality(returned_on=date(2026, 6, 26), supplemented_on=date(2026, 6, 26))
    assert judge_legality(same_day, RULES, CTX).problems == ()


@pytest.mark.rule("CL-41", "CL-42", "P-WORKDAY")
def test_the_supplement_and_the_review_periods_are_counted_on_the_calendar_given(odd_calendar):
    # Returned Mon 6 July: 3 working days end Thu 9 July by default, Fri 10 July with 8 July off.
    supplemented = _legality(
        returned_on=date(2026, 7, 6), supplemented_on=date(2026, 7, 10), joint_review_from=date(2026, 7, 13),
        joint_review_until=date(2026, 7, 22), opinions_on=date(2026, 7, 22), justice_task_on=date(2026, 7, 13),
        justice_review_on=date(2026, 7, 20),
    )  # fmt: skip
    assert judge_legality(supplemented, RULES, CTX, odd_calendar).problems == ()
    assert judge_legality(supplemented, RULES, CTX).problems == (
        "要求补充材料的，应当在3个工作日内（2026-07-09 前）完成补送，实际 2026-07-10（第四十一条）",
    )
    # From Wed 1 July, 7 working days end Fri 10 July by default, Mon 13 July with 8 July off: the least review
    # time and the opinions' window alike.
    short = _legality(joint_review_until=date(2026, 7, 10))
    assert judge_legality(short, RULES, CTX).problems == ()
    assert judge_legality(short, RULES, CTX, odd_calendar).problems == (
        "综合会审时间一般不少于7个工作日（自 2026-07-01 起至少到 2026-07-13）（第四十二条）",
    )
    late = _legality(joint_review_until=date(2026, 7, 13), opinions_on=date(2026, 7, 13))
    assert judge_legality(late, RULES, CTX, odd_calendar).problems == ()
    assert judge_legality(late, RULES, CTX).problems == (
        "参与会审部门应当在7个工作日内（2026-07-10 前）提出书面审查意见，实际 2026-07-13"
        "；情况复杂需要延长的，请写明理由（原则上不超过 10 个工作日）（第四十二条）",
    )


@pytest.mark.rule("CL-42")
def test_a_supplement_on_the_review_s_first_day_pauses_nothing_and_an_extended_window_asks_no_reason():
    # Supplemented on 1 July, the day the review starts: nothing was paused, so no pause is named.
    short = _legality(
        returned_on=date(2026, 6, 26), supplemented_on=date(2026, 7, 1), joint_review_until=date(2026, 7, 9)
    )
    assert judge_legality(short, RULES, CTX).problems == (
        "综合会审时间一般不少于7个工作日（自 2026-07-01 起至少到 2026-07-10）（第四十二条）",
    )
    too_long = _legality(joint_review_until=date(2026, 7, 20), opinions_on=date(2026, 7, 16), complex_reason="复杂")
    assert judge_legality(too_long, RULES, CTX).problems == (
        "参与会审部门应当在10个工作日内（2026-07-15 前）提出书面审查意见，实际 2026-07-16（第四十二条）",
    )


@pytest.mark.rule("CL-42", "P-WORKDAY")
def test_review_due_counts_on_the_calendar_given_in_every_branch(odd_calendar):
    seven = RULES.review_opinions_within
    # supplemented before the review began: no pause, 2, 3, 6, 7, 9, 10, 13 July
    assert review_due(date(2026, 7, 1), seven, (date(2026, 6, 26), date(2026, 7, 1)), odd_calendar) == date(2026, 7, 13)
    # paused 6–7 July: 2, 3, 6 counted, then 9, 10, 13, 14 (8 July off)
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 6), date(2026, 7, 7)), odd_calendar) == date(2026, 7, 14)
    # returned 9 July: 2, 3, 6, 7, 9 counted (8 July off), then 14 and 15 after the supplement on 13 July
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 9), date(2026, 7, 13)), odd_calendar) == date(2026, 7, 15)
    # returned 13 July, the 7th working day on this calendar: the window had run out before the pause
    assert review_due(date(2026, 7, 1), seven, (date(2026, 7, 13), date(2026, 7, 14)), odd_calendar) == date(
        2026, 7, 13
    )
    with pytest.raises(ValueError, match="^审查期间应以日或工作日计，实际为1个月$"):
        review_due(date(2026, 7, 1), Period(1, PeriodUnit.months), (date(2026, 7, 2), date(2026, 7, 6)))


@pytest.mark.rule("CL-45")
def test_the_meeting_s_kind_its_date_and_its_note_exactly():
    executive_only = RULES.model_copy(update={"meeting_kinds": (MeetingKind.executive,)})
    assert judge_meeting(_meeting(kind="县政府全体会议"), executive_only, CTX).problems == (
        "应当经县政府常务会议审议决定（第四十五条）",
    )
    assert judge_meeting(_meeting(), RULES, CTX).note == "县政府常务会议通过"
    held_today = _meeting(meeting_on=CTX.today, materials_delivered_on=date(2026, 11, 27), minutes_signed_on=CTX.today,
                          issued_on=CTX.today)  # fmt: skip
    assert judge_meeting(held_today, RULES, CTX).problems == ()
    tomorrow = _meeting(meeting_on=date(2026, 11, 29), materials_delivered_on=date(2026, 11, 27),
                        minutes_signed_on=date(2026, 11, 29), issued_on=date(2026, 11, 28))  # fmt: skip
    assert judge_meeting(tomorrow, RULES, CTX).problems == (
        "会议日期 2026-11-29 晚于今天：会后再记录",
        "签发日期 2026-11-28 早于会议日期 2026-11-29",
    )


@pytest.mark.rule("CL-14", "CL-15")
def test_participation_means_comment_dates_and_the_poll_s_file_exactly():
    written_only = RULES.model_copy(update={"participation_means": (ParticipationMeans.written,)})
    assert judge_participation(_participation(), written_only, CTX).problems == ("座谈会不是本规定列出的听取意见方式",)
    for missing in ({"comment_from": None}, {"comment_until": None}):
        dates = {"comment_from": date(2026, 4, 1), "comment_until": date(2026, 5, 1), **missing}
        answer = _participation(means=["向社会公开征求意见"], **dates)
        assert judge_participation(answer, RULES, CTX).problems == ("向社会公开征求意见的，请填写起始日和截止日",)
    assert judge_participation(_participation(means=["问卷调查"]), RULES, CTX).problems == (
        "采用问卷调查或民意调查的，请提交问卷数据文件（检验样本代表性，第二十一条（二））",
    )
    assert judge_participation(_participation(means=["民意调查"], survey_file="问卷.csv"), RULES, CTX).problems == ()


@pytest.mark.rule("CL-47")
def test_publication_channels_dates_and_note_exactly():
    website_only = RULES.model_copy(update={"publication_channels": (PublicationChannel.website,)})
    assert judge_publication(_publication(channels=["政府网站", "昌黎日报"]), website_only, CTX).problems == (
        "昌黎日报不是本规定列出的公布途径",
    )
    assert judge_publication(_publication(), RULES, CTX).note == "已公布（第四十七条、第四十八条、第十二条第二款）"
    assert judge_publication(_publication(published_on=date(2026, 8, 20)), RULES, CTX).problems == ()  # meeting day
    assert judge_publication(_publication(ends_on=date(2026, 9, 1)), RULES, CTX).problems == ()  # a one-day measure
    assert judge_publication(_publication(ends_on=date(2026, 8, 31)), RULES, CTX).problems == ("实施终止日早于起始日",)
    assert judge_publication(_publication(evaluation_year=2026), RULES, CTX).problems == ()
    today = _publication(published_on=CTX.today, archived_on=CTX.today, starts_on=CTX.today)
    assert judge_publication(today, RULES, CTX).problems == ()
    for late in ({"published_on": date(2026, 11, 29)}, {"archived_on": date(2026, 11, 29)}):
        assert judge_publication(_publication(**late), RULES, CTX).problems == (
            "公布日期和归档日期不能晚于今天：公布、归档后再记录",
        ), late


@pytest.mark.rule("CL-37")
def test_each_risk_level_s_note_exactly():
    def risk(situation: RiskSituation, choice: HighRiskChoice | None = None):
        answer = RiskAnswer(**BY, kinds=["社会稳定风险"], report_contents=ALL_CONTENTS, situation=situation,
                            measures="错峰施工", high_risk_choice=choice, **OTHER_RISKS)  # fmt: skip
        return judge_risk(answer, RULES, CTX).note

    assert risk(RiskSituation.broad_support) == "低风险：可予实施，并采取措施应对潜在风险（第三十四条至第三十七条）"
    assert risk(RiskSituation.assessors_divided) == (
        "中风险：采取防范化解措施降低风险等级后重新评估，再予实施（第三十四条至第三十七条）"
    )
    assert risk(RiskSituation.widespread_opposition, HighRiskChoice.adjust) == (
        "高风险：调整决策方案、降低风险等级后重新评估（第三十四条至第三十七条）"
    )
    assert judge_risk_decision(_risk_decision(decided_on=CTX.today), RULES, CTX).problems == ()


def test_the_messages_an_office_acts_on_are_exact():
    """Messages naming several items, and the older messages matched only in part above, word for word."""
    twice = _exempt(kinds=["环境风险", "经济风险"], report_contents=ALL_CONTENTS, situation=RiskSituation.broad_support,
                    measures="…", no_adverse_effect=["社会稳定风险", "公共安全风险", "经济风险"])  # fmt: skip
    assert judge_risk(twice, RULES, CTX).problems == (
        "环境风险、经济风险只能选一种处理：本次评估、无须评估，或者已依照其他规定评估而不重复评估",
    )
    out_of_order = judge_catalog(_catalog(party_consent_on=date(2026, 3, 5)), RULES, CTX)
    assert out_of_order.problems == ("应先经县政府审定，再报县委同意，然后向社会公布：日期顺序不对",)
    two = [*EXPERTS[:3], {**EXPERTS[3], "interested": True}, {**EXPERTS[4], "interested": True}]
    assert judge_experts(_experts(experts=two), RULES, CTX).problems == (
        "专家4、专家5与决策事项有直接利害关系，应当回避（第二十八条（四）、第三十条）",
    )
    exploratory = "国家尚无明确规定的探索性改革事项（明示法律风险）"
    assert judge_legality(_legality(justice_review=exploratory), RULES, CTX).problems == (
        "国家尚无明确规定的探索性改革事项，须明示法律风险后方可提交县政府讨论（第三十九条）",
    )
    assert judge_legality(_legality(materials=MATERIALS[:-2]), RULES, CTX).problems == (
        "报送材料不齐：缺少承办单位法制机构的合法性初审意见；领导班子集体讨论记录（第四十条第三款）",
    )
    assert judge_meeting(_meeting(dissent=" "), RULES, CTX).problems == (
        "集体讨论中的不同意见应当如实载明；没有的请写“无不同意见”（第四十六条第三款）",
    )
    groups = judge_participation(_participation(affects_groups=True, affects_enterprises=True), RULES, CTX)
    assert groups.problems == (
        "涉及特定群体利益的，应当写明与相关人民团体、社会组织以及群众代表沟通协商的情况（第十四条第五款）",
        "与企业生产经营活动密切相关的，应当写明听取企业和行业协会、商会意见的情况（第十四条第六款）",
    )
    short = _participation(means=["向社会公开征求意见"], comment_from=date(2026, 4, 1), comment_until=date(2026, 4, 30))
    assert judge_participation(short, RULES, CTX).problems == (
        "公开征求意见期限一般不少于30日（自 2026-04-01 起至少到 2026-05-01）；因情况紧急等原因缩短的，须说明理由（第十五条第三款）",
    )
    assert judge_participation(_participation(not_adopted=1), RULES, CTX).problems == (
        "对相对集中的意见未予采纳的，应当写明反馈方式和理由（第十五条第七款）",
    )
    outside = RULES.model_copy(update={"participation_means": (ParticipationMeans.written,)})
    both = _participation(means=["座谈会", "听证会", "书面征求意见"], **HEARING, hearing_on=date(2026, 5, 20),
                          hearing_materials_sent_on=date(2026, 5, 13), participants_published_on=date(2026, 5, 12))  # fmt: skip
    assert judge_participation(both, outside, CTX).problems == ("座谈会、听证会不是本规定列出的听取意见方式",)
    assert judge_publication(_publication(evaluation_year=2025), RULES, CTX).problems == (
        "实施后评估的年度不能早于实施起始年度",
    )
    assert judge_publication(_publication(evaluation_type="终期评估"), RULES, CTX).problems == (
        "计划终期评估的，请填写实施终止日",
    )
    website_only = RULES.model_copy(update={"publication_channels": (PublicationChannel.website,)})
    assert judge_publication(_publication(channels=["微信公众号", "昌黎日报"]), website_only, CTX).problems == (
        "微信公众号、昌黎日报不是本规定列出的公布途径",
    )
    partial = RiskAnswer(**BY, **OTHER_RISKS, kinds=["社会稳定风险"], report_contents=ALL_CONTENTS[:-2],
                         situation=RiskSituation.broad_support, measures="…")  # fmt: skip
    assert judge_risk(partial, RULES, CTX).problems == (
        "风险评估报告缺少：风险防范和化解措施、应急处置预案（第三十六条（四））",
    )
