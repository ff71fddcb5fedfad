"""跟踪反馈与督查 as plain rules (rules/tracking.py) and each profile's tracking section, against the seeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pinggu.core.errors import InputFileError
from pinggu.rules.periods import Period, PeriodUnit
from pinggu.rules.profiles import load_profiles
from pinggu.rules.tracking import (
    Duty,
    MilestoneState,
    Recipient,
    RectificationStatus,
    ReportApproval,
    ReportsFrom,
    ReviewVerdict,
    SeriousReport,
    SupervisionMethod,
    TrackingPeriod,
    approval_problem,
    ended_periods,
    many_opinions,
    milestone_text,
    missed_milestones,
    next_status,
    read_tracking_plans,
    repeat_problem,
    report_due,
    review_refusal,
    self_inspection_problem,
    units_of,
    window_start,
)

MONTH = Period(1, PeriodUnit.months)
TODAY = date(2026, 11, 28)
HEADER = "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"


@pytest.mark.rule("MH-S6")
def test_monthly_periods_are_calendar_months_from_the_month_tracking_began():
    # minhang 督查 6, changli 50: 每月进行跟踪督办 — one report per calendar month, asked for once it ended.
    periods = ended_periods(date(2026, 1, 15), None, date(2026, 4, 1), MONTH)
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert [p.key for p in periods] == ["2026-01", "2026-02", "2026-03"]
    assert periods[1].label == "2026年2月"
    # March has not ended on its last day; the decision's end stops the asking.
    assert len(ended_periods(date(2026, 1, 15), None, date(2026, 3, 31), MONTH)) == 2
    assert len(ended_periods(date(2026, 1, 15), date(2026, 2, 10), date(2026, 12, 1), MONTH)) == 2


@pytest.mark.rule("MH-S6")
def test_a_quarterly_or_day_counted_period_is_labelled_with_its_dates():
    quarter = ended_periods(date(2026, 1, 1), None, date(2026, 7, 1), Period(3, PeriodUnit.months))
    assert [(p.start, p.end) for p in quarter] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
    ]
    assert quarter[0].key == "2026-01-01..2026-03-31" and quarter[0].label == "2026年1月1日至2026年3月31日"
    days = ended_periods(date(2026, 1, 10), None, date(2026, 2, 20), Period(30, PeriodUnit.days))
    assert [(p.start, p.end) for p in days] == [(date(2026, 1, 10), date(2026, 2, 8))]
    with pytest.raises(ValueError, match="跟踪周期只能以月或日计"):
        ended_periods(date(2026, 1, 1), None, date(2026, 6, 1), Period(5, PeriodUnit.working_days))


@pytest.mark.rule("OR-8")
def test_the_report_is_due_the_profile_s_period_after_its_month_ends_moved_off_rest_days():
    january = TrackingPeriod(date(2026, 1, 1), date(2026, 1, 31))
    assert report_due(january, Period(10, PeriodUnit.days)).due == date(2026, 2, 10)  # a Tuesday
    april = TrackingPeriod(date(2026, 4, 1), date(2026, 4, 30))
    assert report_due(april, Period(10, PeriodUnit.days)).due == date(2026, 5, 11)  # 10 May is a Sunday


@pytest.mark.rule("OR-6")
def test_a_milestone_is_missed_when_not_done_by_its_date_or_done_after_it():
    on_time = MilestoneState(1, "完成选址", date(2026, 3, 31), "区住建委", done_on=date(2026, 3, 31))
    late = MilestoneState(2, "开工建设", date(2026, 6, 30), "区住建委", done_on=date(2026, 7, 1))
    open_ = MilestoneState(3, "竣工验收", date(2026, 10, 31), "区住建委")
    assert missed_milestones([open_, late, on_time], date(2026, 10, 31)) == [late]
    assert missed_milestones([open_, late, on_time], date(2026, 11, 1)) == [late, open_]
    assert milestone_text(on_time, date(2026, 12, 1)) == "已完成（2026-03-31）"
    assert milestone_text(late, date(2026, 12, 1)) == "逾期完成（2026-07-01）"
    assert milestone_text(open_, date(2026, 10, 31)) == "未到期"
    assert milestone_text(open_, date(2026, 11, 1)) == "逾期未完成"


@pytest.mark.rule("E-PUBLIC")
def test_many_opinions_counts_those_received_within_the_window_ending_today():
    within = Period(1, PeriodUnit.months)
    assert window_start(date(2026, 3, 15), within) == date(2026, 2, 16)
    assert window_start(date(2026, 3, 15), Period(7, PeriodUnit.days)) == date(2026, 3, 9)
    nine = [date(2026, 2, 16)] + [date(2026, 3, d) for d in range(1, 9)]
    assert not many_opinions(nine, date(2026, 3, 15), 10, within)
    assert many_opinions([*nine, date(2026, 3, 15)], date(2026, 3, 15), 10, within)
    # One day earlier the window starts on 15 February: the opinion of the 15th of March is not yet in.
    assert not many_opinions([*nine, date(2026, 3, 15)], date(2026, 3, 14), 10, within)
    assert not many_opinions([date(2026, 2, 15), *nine[1:], date(2026, 3, 15)], date(2026, 3, 15), 10, within)


@pytest.mark.rule("OR-10")
def test_a_rectification_is_reviewed_only_after_its_report_and_closes_or_goes_back():
    reported, check = RectificationStatus.reported, RectificationStatus.spot_check
    assert next_status(reported, ReviewVerdict.accept) is RectificationStatus.closed
    assert next_status(reported, ReviewVerdict.spot_check) is check
    assert next_status(check, ReviewVerdict.accept) is RectificationStatus.closed
    assert next_status(reported, ReviewVerdict.send_back) is RectificationStatus.open
    assert next_status(check, ReviewVerdict.send_back) is RectificationStatus.open
    for status in (RectificationStatus.open, RectificationStatus.closed):
        with pytest.raises(ValueError, match="尚未收到整改报告"):
            next_status(status, ReviewVerdict.accept)


def _plan_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "方案.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.rule("OR-6", "MH-S6")
def test_a_tracking_plan_file_gives_body_people_methods_and_dated_milestones(tmp_path):
    path = _plan_file(
        tmp_path,
        "D-1,区住建委决策跟踪小组,张三、李四,每月调度；季度实地查看,开工建设,2026-06-30,区住建委\n"
        "D-1,,,,完成选址,2026/3/31,区规划局\n"
        "D-2,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n",
    )
    plans = {plan.decision_code: plan for plan in read_tracking_plans(path, {"D-1": None, "D-2": None}, TODAY)}
    one = plans["D-1"]
    assert (one.responsible_body, one.responsible_people, one.methods) == (
        "区住建委决策跟踪小组",
        "张三、李四",
        "每月调度；季度实地查看",
    )
    assert [(m.target, m.due, m.unit) for m in one.milestones] == [
        ("完成选址", date(2026, 3, 31), "区规划局"),
        ("开工建设", date(2026, 6, 30), "区住建委"),
    ]
    assert len(plans["D-2"].milestones) == 1


@pytest.mark.rule("OR-6")
def test_every_bad_row_of_a_plan_file_is_named_and_nothing_is_read(tmp_path):
    path = _plan_file(
        tmp_path,
        "D-1,区住建委,张三,月报,开工建设,2026-06-30,区住建委\n"
        "D-1,区民政局,,,完成选址,明年三月,区规划局\n"  # another body for the same plan; a bad date
        "D-9,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n"  # not in the catalog
        "D-2,,,,完成摸底,2026-04-30,\n"  # first row of D-2 without the plan; no unit
        "D-1,,,,开工建设,2026-06-30,区住建委\n"  # the same milestone twice
        "D-3,区民政局,王五,月报,完成摸底,2026-04-30,区民政局\n",  # ended last year: not tracked
    )
    with pytest.raises(InputFileError) as refused:
        read_tracking_plans(path, {"D-1": None, "D-2": date(2027, 12, 31), "D-3": date(2025, 12, 31)}, TODAY)
    problems = {(p.row, p.column) for p in refused.value.problems}
    assert problems == {
        (3, "责任机构"),
        (3, "完成时限"),
        (4, "决策编号"),
        (5, "责任单位"),
        (5, "责任机构"),
        (5, "责任人员"),
        (5, "方法步骤"),
        (6, "节点目标"),
        (7, "决策编号"),
    }
    assert "决策 D-3 已于 2025-12-31 实施终止，不再跟踪反馈" in "".join(str(p) for p in refused.value.problems)
    assert "未导入任何方案" in str(refused.value)


def test_a_plan_file_without_its_columns_is_refused_with_the_expected_header(tmp_path):
    path = tmp_path / "方案.csv"
    path.write_text("决策编号,节点\nD-1,开工\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="第 1 行应为 决策编号、责任机构、责任人员"):
        read_tracking_plans(path, {"D-1": None}, TODAY)


# --- each profile's tracking section, against its seed ----------------------------------------------

PROFILES = load_profiles()


@pytest.mark.rule("OR-10", "CL-53")
@pytest.mark.parametrize(
    ("profile", "methods", "check"),
    [
        (
            "ordos",
            ("书面督查", "听取汇报", "实地督查"),
            Duty.none,
        ),  # ordos 10: 书面督查、听取汇报、实地督查; 报市人民政府审核
        ("minhang", ("书面督查", "实地督查", "网上信息核查"), Duty.optional),  # 督查 9; 督查 11 ¶2 可以视情抽查
        ("changli", ("书面督查", "实地督查"), Duty.required),  # changli 52; 53 县政府办公室对整改情况进行检查
    ],
)
def test_supervision_methods_and_the_check_of_rectification_are_the_seed_s(profile, methods, check):
    rules = PROFILES[profile].tracking
    assert tuple(m.value for m in rules.supervision_methods) == methods
    assert rules.check is check


# Who supervises, reviews, approves and receives, against the articles that name them: test_profile_actors.py.


@pytest.mark.rule("CL-53")
def test_the_changli_report_is_approved_by_the_county_leaders_and_sent_to_the_four_units_of_article_53():
    report = PROFILES["changli"].tracking.supervision_report
    assert (report.approved_by, report.basis) == ("县政府领导", "第五十三条")
    assert report.roles() == (
        Recipient.supervised,
        "县决策咨询服务中心",
        Recipient.lead_unit,
        Recipient.implementing_units,
    )
    # minhang 督查 11 ¶1: fed back to the supervised unit as written, no approval first.
    minhang = PROFILES["minhang"].tracking.supervision_report
    assert (minhang.approved_by, minhang.roles(), minhang.basis) == (
        None,
        (Recipient.supervised,),
        "督查第十一条第一款",
    )


@pytest.mark.rule("CL-50")
@pytest.mark.parametrize(
    ("profile", "reports_from"),
    [
        ("changli", ReportsFrom.implementing_units),  # changli 50: 督促决策实施单位如期完成所承担的任务
        ("minhang", ReportsFrom.lead_unit),  # 督查 5 ¶1: 决策承办单位……及时向区政府报告决策执行等情况
        ("ordos", ReportsFrom.lead_unit),  # ordos 8: 重大行政决策承办单位……拟定跟踪反馈报告
        ("bazhou", ReportsFrom.implementing_units),  # bazhou 4 ¶2: 重大行政决策执行单位……提供……材料和数据
        ("ningxia_commerce", ReportsFrom.lead_unit),  # default: seed silent
    ],
)
def test_tracking_reports_are_asked_of_the_units_the_seed_names(profile, reports_from):
    assert PROFILES[profile].tracking.reports_from is reports_from


@pytest.mark.rule("CL-50")
def test_the_implementing_units_are_the_milestones_units_each_once_else_the_lead_unit():
    assert units_of(["县住建局", "各乡镇", " 县住建局 ", "县财政局", ""], "县发改局") == [
        "县住建局",
        "各乡镇",
        "县财政局",
    ]
    assert units_of([], "县发改局") == ["县发改局"]
    assert units_of(["  "], "县发改局") == ["县发改局"]


@pytest.mark.rule("MH-S9")
@pytest.mark.parametrize(
    ("profile", "duty", "basis"),
    [
        ("changli", Duty.required, "第五十二条第二款"),  # 应当要求被督查单位……全面自查，并限期书面报告情况
        ("minhang", Duty.optional, "督查第九条第二款"),  # 可以要求被督查单位……全面自查，并限期书面报告情况
        ("ordos", Duty.none, "第十条第一款（自查 default: seed silent）"),
    ],
)
def test_the_self_inspection_duty_is_the_seed_s(profile, duty, basis):
    assert (PROFILES[profile].tracking.self_inspection.duty, PROFILES[profile].tracking.self_inspection.basis) == (
        duty,
        basis,
    )


@pytest.mark.rule("MH-S9")
def test_written_supervision_under_changli_needs_the_self_inspection_s_deadline():
    written, field = [SupervisionMethod.written], [SupervisionMethod.on_site]
    assert self_inspection_problem(Duty.required, written, None, "《昌黎县》第五十二条第二款") == (
        "组织书面督查的，应当要求被督查单位全面自查，并限期书面报告情况（《昌黎县》第五十二条第二款）："
        "请填写书面自查报告的期限"
    )
    assert self_inspection_problem(Duty.required, written, date(2026, 9, 30), "") is None
    assert self_inspection_problem(Duty.required, field, None, "") is None  # 实地督查: no self-inspection asked
    assert self_inspection_problem(Duty.optional, written, None, "") is None  # minhang: 可以
    assert self_inspection_problem(Duty.none, written, None, "") is None


@pytest.mark.rule("MH-S2")
@pytest.mark.parametrize(
    ("profile", "duty", "basis"),
    [
        ("changli", Duty.required, "第五十二条第二款"),  # 不再进行重复督查
        ("minhang", Duty.optional, "督查第二条第四款"),  # 原则上不进行重复督查
        ("ordos", Duty.none, "第十条第一款（重复督查 default: seed silent）"),
    ],
)
def test_the_no_repeat_duty_is_the_seed_s(profile, duty, basis):
    rule = PROFILES[profile].tracking.no_repeat
    assert (rule.duty, rule.basis) == (duty, basis)


@pytest.mark.rule("MH-S2")
def test_a_matter_supervised_under_other_rules_is_not_supervised_again():
    done = "2026年重点工作督查（2026-06），已整改"
    assert repeat_problem(Duty.required, done, "进度滞后", "《昌黎县》第五十二条第二款") == (
        "按照相关规定已对有关事项进行督查的，应当做好结果共享，不再进行重复督查（《昌黎县》第五十二条第二款）："
        "请共享已有督查结果（2026年重点工作督查（2026-06），已整改），不另行督查"
    )
    assert repeat_problem(Duty.optional, done, None, "《闵行》督查第二条第四款") == (
        "按照相关规定已对有关事项进行督查的，原则上不进行重复督查（《闵行》督查第二条第四款）：确须督查的，请写明理由"
    )
    assert repeat_problem(Duty.optional, done, "群众反映强烈", "") is None  # 原则上: with a reason
    assert repeat_problem(Duty.none, done, None, "") is None
    for duty in Duty:
        assert repeat_problem(duty, None, None, "") is None and repeat_problem(duty, " ", None, "") is None


@pytest.mark.rule("CL-53", "OR-10")
def test_the_check_changli_requires_closes_an_item_only_after_it_was_checked():
    basis = "《昌黎县》第五十三条"
    reported, spot = RectificationStatus.reported, RectificationStatus.spot_check
    # changli 53: 县政府办公室对整改情况进行检查 — 通过 without a check is refused, so is a spot check.
    assert review_refusal(Duty.required, reported, ReviewVerdict.accept, "", basis) == (
        "县政府办公室应当对整改情况进行检查（《昌黎县》第五十三条）：检查后选择“经检查整改到位，通过”，"
        "并在“说明”中写明检查情况"
    )
    assert review_refusal(Duty.required, reported, ReviewVerdict.spot_check, "", basis) == (
        "整改情况应当逐项检查，不是抽查（《昌黎县》第五十三条）：检查后选择“经检查整改到位，通过”或退回"
    )
    assert (
        review_refusal(Duty.required, reported, ReviewVerdict.checked, " ", basis) == "请在“说明”中写明检查的方式和结果"
    )
    assert review_refusal(Duty.required, reported, ReviewVerdict.checked, "实地查看两处工地", basis) is None
    assert review_refusal(Duty.required, reported, ReviewVerdict.send_back, "", basis) is None
    assert next_status(reported, ReviewVerdict.checked) is RectificationStatus.closed
    # minhang 督查 11 ¶2: may accept, may spot-check (once).
    assert review_refusal(Duty.optional, reported, ReviewVerdict.accept, "", basis) is None
    assert review_refusal(Duty.optional, reported, ReviewVerdict.spot_check, "", basis) is None
    assert (
        review_refusal(Duty.optional, spot, ReviewVerdict.spot_check, "", basis)
        == "抽查已安排：请在抽查后选择“通过”或“退回”"
    )
    assert review_refusal(Duty.optional, spot, ReviewVerdict.accept, "", basis) is None
    # ordos 10 ¶2: 审核 only.
    assert review_refusal(Duty.none, reported, ReviewVerdict.spot_check, "", "《鄂尔多斯》第十条第二款") == (
        "本规定没有抽查整改情况的规定（《鄂尔多斯》第十条第二款）：请选择通过或退回"
    )
    assert review_refusal(Duty.none, reported, ReviewVerdict.accept, "", basis) is None


@pytest.mark.rule("CL-53")
def test_the_leaders_approval_is_dated_between_the_supervision_and_today():
    held, today = date(2026, 9, 15), date(2026, 9, 20)
    assert approval_problem(ReportApproval(approver="副县长 李强"), held, today) is None  # today
    assert approval_problem(ReportApproval(approver="副县长 李强", approved_on=held), held, today) is None
    late = ReportApproval(approver="副县长 李强", approved_on=date(2026, 9, 21))
    assert approval_problem(late, held, today) == "审定日期 2026-09-21 晚于今天（2026-09-20）：审定后再记录"
    early = ReportApproval(approver="副县长 李强", approved_on=date(2026, 9, 14))
    assert approval_problem(early, held, today) == "审定日期 2026-09-14 早于督查日期 2026-09-15"
    with pytest.raises(ValueError, match="请填写审定领导"):
        ReportApproval(approver=" ")


# OR-9: each kind of immediate report becomes the trigger its regulation files it under, with its own article.
IMMEDIATE = [
    # changli has no immediate-report article: a problem is a risk (62 ¶2), a major change 57(1).
    ("changli", SeriousReport.problem, "controversy_risk", True, "第六十二条第二款"),
    ("changli", SeriousReport.major_change, "basis_changed", False, "第五十七条（一）"),
    (
        "changli",
        SeriousReport.force_majeure,
        "controversy_risk",
        True,
        "第六十二条第二款（不可抗力 default: seed silent）",
    ),
    # minhang 督查 5 ¶2 names all three; 后评估 6(1) only the major change; force majeure is not 6(1).
    ("minhang", SeriousReport.problem, "serious_problem_reported", False, "督查第五条第二款"),
    ("minhang", SeriousReport.major_change, "basis_changed", True, "第六条（一）"),
    ("minhang", SeriousReport.force_majeure, "serious_problem_reported", False, "督查第五条第二款"),
    # ordos 9: reported to the city government, whose office decides (11 “可组织”).
    ("ordos", SeriousReport.problem, "serious_problem_reported", False, "第九条、第十一条"),
    ("ordos", SeriousReport.major_change, "basis_changed", False, "第九条、第十一条（一）"),
    ("ordos", SeriousReport.force_majeure, "serious_problem_reported", False, "第九条、第十一条"),
    ("bazhou", SeriousReport.problem, "controversy_risk", True, "第十五条第二款"),
    ("bazhou", SeriousReport.major_change, "basis_changed", False, "第七条（一）"),
    (
        "bazhou",
        SeriousReport.force_majeure,
        "controversy_risk",
        True,
        "第十五条第二款（不可抗力 default: seed silent）",
    ),
    (
        "ningxia_commerce",
        SeriousReport.problem,
        "serious_problem_reported",
        False,
        "第四条第一款（决策存在问题 default: seed silent）",
    ),
    ("ningxia_commerce", SeriousReport.major_change, "basis_changed", True, "第四条第二款（一）"),
    (
        "ningxia_commerce",
        SeriousReport.force_majeure,
        "serious_problem_reported",
        False,
        "第四条第一款（不可抗力 default: seed silent）",
    ),
]


@pytest.mark.rule("OR-9")
@pytest.mark.parametrize(("profile", "kind", "event", "prompt", "basis"), IMMEDIATE)
def test_each_kind_of_immediate_report_becomes_the_trigger_the_seed_names(profile, kind, event, prompt, basis):
    reported = PROFILES[profile].tracking.reported_problem.of(kind)
    assert (reported.event, reported.prompt, reported.basis) == (event, prompt, basis)
    assert (event in PROFILES[profile].plan_policy().prompt_events) is prompt
    assert event in PROFILES[profile].triggers.events


def test_none_is_not_a_kind_of_immediate_report():
    with pytest.raises(ValueError, match="“无”不是须及时报告的情况"):
        PROFILES["changli"].tracking.reported_problem.of(SeriousReport.none)


@pytest.mark.rule("MH-S6")
@pytest.mark.parametrize("profile", ["minhang", "changli"])
def test_where_the_seed_says_monthly_the_period_is_one_month(profile):
    assert PROFILES[profile].tracking.period == Period(1, PeriodUnit.months)


def _profile_text(profile: str) -> str:
    from pinggu.rules.profiles import PROFILES_DIR

    return (PROFILES_DIR / f"{profile}.yaml").read_text(encoding="utf-8")


def test_a_profile_whose_reported_problem_is_not_one_of_its_events_is_refused(tmp_path):
    from pinggu.rules.profiles import read_profile_file

    text = _profile_text("changli").replace("      event: controversy_risk", "      event: serious_problem_reported", 1)
    (tmp_path / "changli.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_profile_file(tmp_path / "changli.yaml")
    problems = [str(p) for p in refused.value.problems]
    assert any(
        "tracking.reported_problem.problem.event" in p and "“serious_problem_reported”不在 triggers.events 中" in p
        for p in problems
    ), problems


def test_one_event_with_two_answers_to_whether_it_is_prompt_is_refused(tmp_path):
    from pinggu.rules.profiles import read_profile_file

    text = _profile_text("changli").replace(
        '      prompt: true\n      basis: "第六十二条第二款（不可抗力',
        '      prompt: false\n      basis: "第六十二条第二款（不可抗力',
        1,
    )
    assert text != _profile_text("changli")
    (tmp_path / "changli.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_profile_file(tmp_path / "changli.yaml")
    assert "同一评估情形“controversy_risk”的 prompt 应当一致" in "".join(str(p) for p in refused.value.problems)


def test_a_tracking_period_in_working_days_is_refused(tmp_path):
    from pinggu.rules.profiles import read_profile_file

    text = _profile_text("minhang").replace(
        "  period: {amount: 1, unit: months}", "  period: {amount: 20, unit: working_days}"
    )
    (tmp_path / "minhang.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as refused:
        read_profile_file(tmp_path / "minhang.yaml")
    assert "跟踪周期只能以月（months）或日（days）计" in "".join(str(p) for p in refused.value.problems)


def test_the_sample_plan_covers_three_catalog_decisions():
    import csv

    from pinggu.core.settings import SAMPLES_DIR

    with (SAMPLES_DIR / "catalog.csv").open(encoding="utf-8") as handle:
        ends = {
            row["编号"]: date.fromisoformat(row["实施终止日"]) if row["实施终止日"] else None
            for row in csv.DictReader(handle)
        }
    plans = read_tracking_plans(SAMPLES_DIR / "tracking_plan.csv", ends, TODAY)
    assert [(p.decision_code, len(p.milestones)) for p in plans] == [
        ("S-2024-001", 3),
        ("S-2025-017", 2),
        ("S-2021-006", 2),
    ]
