"""The dashboard's charts and time axis, without a browser (issue 33): bars on one scale with every number said, the
即将到期 outline, month labels that fit a phone, where an item stands across the ledger's kinds, the tracking
table kept to the person's jurisdictions and the unit filter, and the axis's line for each kind of item (a tracked
decision's milestones, a supervision round's rectification items, a decision procedure's run and dates)."""

from __future__ import annotations

from datetime import date, timedelta

import builders

from pinggu.dashboard import (
    STANDING_SEGMENTS,
    bar_chart,
    evaluation_lines,
    procedure_lines,
    stage_spans,
    supervision_lines,
    timeline,
    tracking_lines,
)
from pinggu.services.ledger import (
    DecisionRow,
    EvaluationRow,
    LedgerFilter,
    ProcedureDate,
    RectificationRow,
    TrackingRow,
    procedure_dates,
    standing,
)

DAY = date(2026, 11, 27)


def test_bars_share_one_scale_a_small_count_still_shows_and_the_description_says_every_number():
    chart = bar_chart(
        "chart-units",
        "各单位事项",
        "",
        [("区住房和城乡建设管理委员会城市更新处", {"overdue": 1, "open": 99}), ("区司法局", {"done": 50})],
        STANDING_SEGMENTS,
    )
    long, short = chart["bars"]
    assert [s["width"] for s in long["segments"]] == [3.6, 356.4]  # 1 of 100 on a 360-unit bar, drawn ≥ 3 wide
    assert short["segments"] == [{"key": "done", "name": "已完成", "count": 50, "x": 0.0, "width": 180.0}]
    assert long["short"] == "区住房和城乡建设管理委员会城市…" and long["count_text"] == "100 · 逾期 1"
    assert short["count_text"] == "50" and (short["text_y"], short["bar_y"]) == (58, 64)
    assert chart["description"] == (
        "各单位事项。区住房和城乡建设管理委员会城市更新处：共 100（逾期 1，办理中 99）；区司法局：共 50（已完成 50）。"
    )
    empty = bar_chart("chart-kinds", "各类事项", "", [], STANDING_SEGMENTS)
    assert empty["bars"] == [] and empty["height"] == 44 and empty["description"] == "各类事项。暂无事项。"


def _row(stages: list[dict]) -> dict:
    return {"started_on": date(2026, 10, 1), "status": "running", "status_name": "进行中", "stages": stages}


def _stage(name: str, status: str, target: date, overdue: bool = False) -> dict:
    return {"name": name, "status": status, "target": target, "started": None, "finished": None, "overdue": overdue}


def test_a_stage_whose_target_falls_within_the_horizon_is_outlined_as_soon():
    row = _row(
        [
            _stage("准备阶段", "done", DAY + timedelta(days=2)),  # done: never 即将到期
            _stage("实施阶段", "running", DAY + timedelta(days=7)),  # the horizon's last day
            _stage("结论形成阶段", "pending", DAY + timedelta(days=8)),  # a day beyond it
        ]
    )
    outlines = {s["stage"]: (s["css"], s["title"]) for s in stage_spans(row, DAY, horizon=7) if s["kind"] == "target"}
    assert outlines == {
        "准备阶段": ("done", "准备阶段：目标完成日 2026-11-29"),
        "实施阶段": ("soon", "实施阶段：目标完成日 2026-12-04，即将到期（还有 7 天）"),
        "结论形成阶段": ("pending", "结论形成阶段：目标完成日 2026-12-05"),
    }
    assert {s["css"] for s in stage_spans(row, DAY) if s["kind"] == "target"} == {"done", "running", "pending"}


def _line(row: dict) -> list[dict]:
    return evaluation_lines([row | {"evaluation": "PG-2026-0001", "title": "某项决策", "unit": "区住房保障局"}], DAY)


def test_a_long_axis_labels_few_enough_months_for_a_screen_and_fewer_for_a_phone():
    axis = timeline(_line(_row([_stage("准备阶段", "running", date(2028, 9, 30))])), DAY)
    assert len(axis["months"]) == 25  # October 2026 to October 2028
    labelled = [(m["label"], m["level"]) for m in axis["months"] if m["level"]]
    assert labelled == [("2027年1月", 2), ("7月", 1), ("2028年1月", 2), ("7月", 1)]  # every 6th; a phone every 12th
    short = timeline(_line(_row([_stage("准备阶段", "running", date(2027, 1, 20))])), DAY)
    assert [(m["label"], m["level"]) for m in short["months"]] == [
        ("10月", 2),
        ("11月", 2),
        ("12月", 2),
        ("2027年1月", 2),
    ]


def _common(**fields) -> dict:
    return {
        "decision": "D-1",
        "title": "某项决策",
        "profile": "minhang",
        "profile_name": "闵行区",
        "unit": "区住房保障局",
    } | fields


def test_where_an_item_stands_across_the_ledger_kinds():
    late_report = TrackingRow.model_construct(
        **_common(type="report", status="rendered", overdue=True, done_on=DAY, due_date=DAY - timedelta(days=3))
    )
    missing_report = TrackingRow.model_construct(
        **_common(type="report", status="requested", overdue=True, done_on=None)
    )
    closed = RectificationRow.model_construct(**_common(type="rectification", status="closed", overdue=False))
    reported = RectificationRow.model_construct(**_common(type="rectification", status="reported", overdue=False))
    met = DecisionRow.model_construct(**_common(type="deadline", status="met", overdue=False, done_on=DAY))
    completed_late_follow_up = EvaluationRow.model_construct(
        **_common(type="ordinary", status="completed", overdue=True)
    )
    waiting = EvaluationRow.model_construct(**_common(type="ordinary", status="waiting", overdue=False))
    assert [standing(r) for r in (late_report, missing_report, closed, reported, met)] == [
        "done",  # done late: done here, 逾期 in the 台账
        "overdue",
        "done",
        "open",
        "done",
    ]
    assert (standing(completed_late_follow_up), standing(waiting)) == ("overdue", "open")


def test_the_tracking_table_keeps_to_the_persons_jurisdictions_and_the_unit_filter(sample_catalog, tmp_path):
    from builders import session_scope

    from pinggu.dashboard import render_dashboard
    from pinggu.services import tracking

    with session_scope() as session:
        code = builders.add_decision(session, "minhang", prefix="TRK", lead_unit="区看板跟踪局").code
    plan = tmp_path / "方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{code},区看板跟踪局,科长 周敏,每月调度,完成意愿摸底,2027-03-31,区看板跟踪局\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "办公室", DAY)
    year = LedgerFilter(year=DAY.year)
    assert f'data-decision="{code}"' in render_dashboard(today=DAY, filters=year)
    assert f'data-decision="{code}"' in render_dashboard(today=DAY, filters=LedgerFilter(year=2026, unit="看板跟踪"))
    assert f'data-decision="{code}"' not in render_dashboard(today=DAY, filters=LedgerFilter(year=2026, unit="别的局"))
    web = {
        "profiles": ["bazhou"],  # a person of another jurisdiction
        "chosen": {"year": "2026", "profile": "", "unit": "", "type": "", "status": ""},
        "profile_choices": [],
        "type_choices": [],
        "status_choices": [],
        "download": "",
        "error": "",
    }
    assert f'data-decision="{code}"' not in render_dashboard(today=DAY, filters=year, web=web)


# ── the other kinds on the time axis: a line per tracked decision, per supervision round, per procedure ──────────


def _milestone(seq: int, due: date, done: date | None = None, **fields) -> TrackingRow:
    return TrackingRow(
        **_common(
            type="milestone",
            type_name="时间节点",
            status="done" if done else "pending",
            status_name="已完成" if done else "未到期",
            item=f"时间节点 {seq}：目标{seq}",
            responsible_body="决策跟踪小组",
            period=None,
            due_date=due,
            done_on=done,
            reporter=None,
            serious=None,
            tracking_from=date(2025, 9, 1),
        )
        | fields
    )


def _spans_of(line: dict) -> dict[tuple[str, str], tuple[str, date, date, str]]:
    return {(s["kind"], s["stage"]): (s["css"], s["from"], s["to"], s["label"]) for s in line["spans"]}


def test_a_tracked_decisions_milestones_are_marks_on_their_due_dates():
    rows = [
        _milestone(1, date(2026, 3, 31), done=date(2026, 3, 20)),  # on time
        _milestone(2, date(2026, 6, 30), done=date(2026, 7, 10)),  # done late
        _milestone(3, date(2026, 10, 31)),  # missed, still open
        _milestone(4, DAY + timedelta(days=3)),  # within the horizon
        _milestone(5, DAY + timedelta(days=3), unit="区财政局"),  # the same day: one mark, two items
        TrackingRow.model_construct(**_common(type="report", due_date=date(2026, 2, 15), done_on=None)),  # not drawn
    ]
    (line,) = tracking_lines(rows, DAY, horizon=7, year=2026)
    assert (line["kind"], line["key"], line["code"], line["link"]) == (
        "tracking",
        "tracking-D-1",
        "D-1",
        "/tracking/plans/D-1",
    )
    assert (line["status_name"], line["notes"], line["overdue_items"]) == (
        "已完成 2/5 个时间节点",
        ["逾期未完成 1 个"],
        1,
    )
    assert (line["next_date"], line["next_what"], line["unit"]) == (
        date(2026, 10, 31),
        "时间节点 3：目标3",
        "区住房保障局、区财政局",
    )
    spans = _spans_of(line)
    # The outline from the plan's start, but no earlier than the year's first day; red while a milestone is overdue.
    assert spans[("target", "跟踪反馈")] == ("overdue", date(2026, 1, 1), DAY + timedelta(days=3), "跟踪反馈")
    assert spans[("overrun", "时间节点")] == ("overdue", date(2026, 10, 31), DAY, "")
    assert {key: value[0] for key, value in spans.items() if key[0] == "due"} == {
        ("due", "时间节点 1"): "done",
        ("due", "时间节点 2"): "done-late",
        ("due", "时间节点 3"): "overdue",
        ("due", "时间节点 4、时间节点 5"): "soon",
    }
    assert spans[("due", "时间节点 4、时间节点 5")][3] == "2"
    (shared,) = [s for s in line["spans"] if s["stage"] == "时间节点 4、时间节点 5"]
    assert shared["title"] == (
        "时间节点 4：目标4（区住房保障局）：期限 2026-11-30，即将到期；时间节点 5：目标5（区财政局）：期限 2026-11-30，即将到期"
    )
    # Every milestone done: the outline green, nothing overdue, no next date.
    (finished,) = tracking_lines([_milestone(1, date(2026, 3, 31), done=date(2026, 3, 1))], DAY, 7, 2026)
    assert (finished["spans"][0]["css"], finished["overdue_items"], finished["next_date"]) == ("done", 0, None)


def _item(seq: int, due: date, status: str, reported: date | None = None, **fields) -> RectificationRow:
    return RectificationRow(
        **_common(
            type="rectification",
            type_name="督查整改事项",
            status=status,
            status_name={
                "open": "待整改报告",
                "reported": "待审核",
                "closed": "已办结",
                "pending": "督查专报待审定，尚未下达",
            }[status],
            item_id=100 + seq,
            round_id=7,
            round=2,
            held_on=date(2026, 9, 1),
            supervisor="区政府督查室",
            seq=seq,
            item=f"整改事项内容{seq}",
            due_date=due,
            reported_on=reported,
            reviewed_on=None,
            closed_on=None,
        )
        | fields
    )


def test_a_supervision_rounds_rectification_items_are_marks_on_their_deadlines():
    rows = [
        _item(1, date(2026, 10, 15), "closed", reported=date(2026, 10, 10)),
        _item(2, date(2026, 10, 31), "reported", reported=date(2026, 10, 30)),
        _item(3, date(2026, 11, 10), "open"),  # overdue
        _item(4, DAY + timedelta(days=5), "open"),  # soon
        _item(5, date(2026, 10, 20), "closed", reported=date(2026, 10, 25)),  # reported late
    ]
    (line,) = supervision_lines(rows, DAY, horizon=7)
    assert (line["key"], line["link"], line["type_name"], line["status_name"]) == (
        "round-7",
        "/supervision/7",
        "第 2 轮督查整改",
        "已办结 2/5 项",
    )
    assert line["notes"] == ["2026-09-01 督查（区政府督查室）", "待审核 1 项", "逾期未报告 1 项"]
    assert (line["next_date"], line["next_what"], line["overdue_items"]) == (date(2026, 11, 10), "整改事项 3", 1)
    spans = _spans_of(line)
    assert spans[("target", "整改期限")] == ("overdue", date(2026, 9, 1), DAY + timedelta(days=5), "整改")
    assert spans[("overrun", "整改期限")] == ("overdue", date(2026, 11, 10), DAY, "")
    assert {key[1]: value[0] for key, value in spans.items() if key[0] == "due"} == {
        "整改事项 1": "done",
        "整改事项 2": "waiting",
        "整改事项 5": "done-late",
        "整改事项 3": "overdue",
        "整改事项 4": "soon",
    }
    # A round whose report the leaders have not approved: its items are not yet the units' to meet.
    (waiting,) = supervision_lines([_item(1, date(2026, 11, 1), "pending")], DAY, 7)
    assert (waiting["overdue_items"], waiting["next_date"], waiting["spans"][-1]["css"]) == (0, None, "pending")
    assert waiting["notes"][-1] == "督查专报待审定，1 项尚未下达"


def _procedure(status: str, dates: tuple, done_on: date | None = None, step: str | None = None) -> DecisionRow:
    return DecisionRow(
        **_common(
            decision=None,
            type="procedure",
            type_name="决策作出程序",
            status=status,
            status_name="办理中" if status == "under_way" else "已作出决定并向社会公布",
            item="",
            basis=None,
            from_date=date(2026, 2, 1),
            due_date=None,
            done_on=done_on,
            procedure=12,
            step=step,
            dates=dates,
        )
    )


def test_a_procedure_runs_from_its_opening_with_its_recorded_periods_and_the_catalogs_planned_date():
    comment = ProcedureDate(label="公开征求意见", start=date(2026, 5, 1), day=date(2026, 5, 31))
    late = ProcedureDate(label="拟提请审议（目录时间计划）", start=None, day=date(2026, 9, 30), target=True)
    (line,) = procedure_lines([_procedure("under_way", (late, comment), step="专家论证")], DAY, horizon=7)
    assert (line["key"], line["code"], line["link"], line["notes"]) == (
        "procedure-12",
        "未入目录",
        "/procedures/12",
        ["当前：专家论证"],
    )
    assert (line["next_date"], line["next_what"], line["overdue_items"]) == (date(2026, 9, 30), "拟提请审议", 1)
    spans = _spans_of(line)
    assert spans[("actual", "决策程序")] == ("overdue", date(2026, 2, 1), DAY, "")
    assert spans[("target", "公开征求意见")] == ("done", date(2026, 5, 1), date(2026, 5, 31), "公开征求意见")
    assert spans[("overrun", "拟提请审议")] == ("overdue", date(2026, 9, 30), DAY, "")
    assert spans[("due", "拟提请审议")][0] == "overdue"
    assert line["spans"][0]["title"] == "决策程序：2026-02-01 启动，办理中，当前：专家论证"

    # Published: the bar ends on publication day; deliberated after the planned date, the mark says so.
    met_late = late.model_copy(update={"met_on": date(2026, 10, 9)})
    meeting = ProcedureDate(label="集体讨论决定", start=None, day=date(2026, 10, 9))
    (done,) = procedure_lines([_procedure("published", (met_late, meeting), done_on=date(2026, 10, 20))], DAY, 7)
    spans = _spans_of(done)
    assert spans[("actual", "决策程序")] == ("done", date(2026, 2, 1), date(2026, 10, 20), "")
    assert spans[("due", "拟提请审议")][0] == "done-late" and spans[("event", "集体讨论决定")][0] == "done"
    assert (done["overdue_items"], done["next_date"], done["notes"]) == (0, None, [])
    assert [s["title"] for s in done["spans"] if s["kind"] == "due"] == [
        "拟提请审议（目录时间计划）：2026-09-30，2026-10-09 集体讨论"
    ]


def test_the_dates_a_procedures_answers_hold():
    from pinggu.models.tables import DecisionProcedure

    def answer(step: str, refused: str | None = None, **values) -> dict:
        # The envelope as the procedure keeps it (pinggu.models.kept_answers.ProcedureAnswer).
        return {
            "key": f"{step}-1",
            "step": step,
            "answer": values,
            "outcome": "proceed",
            "note": "",
            "refused": refused,
            "on": "2026-09-05",
        }

    procedure = DecisionProcedure(
        key="k",
        profile="changli",
        matter="某事项",
        lead_unit="县住建局",
        catalog_year=2026,
        answers=[
            answer(
                "catalog",
                adjustment=False,
                approved_on="2026-02-20",
                party_consent_on="2026-02-25",
                published_on="2026-03-01",
                planned_on="2026-08-31",
            ),
            answer(
                "participation",
                means=["向社会公开征求意见"],
                affects_groups=False,
                affects_enterprises=False,
                comment_from="2026-05-01",
                comment_until="2026-05-31",
                hearing_on=None,
                not_adopted=0,
                feedback="",
            ),
            answer("legality", refused="材料不全", joint_review_from="2026-07-01", joint_review_until="2026-07-20"),
            answer(
                "meeting",
                kind="县政府常务会议",
                meeting_on="2026-09-05",
                materials_delivered_on="2026-09-02",
                dissent="无不同意见",
                outcome="通过",
                presided_by="县长",
            ),
        ],
    )
    assert procedure_dates(procedure) == (
        ProcedureDate(
            label="拟提请审议（目录时间计划）", start=None, day=date(2026, 8, 31), target=True, met_on=date(2026, 9, 5)
        ),
        ProcedureDate(label="公开征求意见", start=date(2026, 5, 1), day=date(2026, 5, 31)),
        ProcedureDate(label="集体讨论决定", start=None, day=date(2026, 9, 5)),
    )  # the refused answer's review period is not a record


def test_every_kind_shares_one_axis_marks_with_no_width():
    lines = [
        *_line(_row([_stage("准备阶段", "running", date(2026, 12, 20))])),
        *tracking_lines([_milestone(1, date(2027, 3, 31))], DAY, 7, 2026),
    ]
    axis = timeline(lines, DAY)
    mark = next(bar for bar in lines[1]["bars"] if bar["kind"] == "due")
    assert (mark["cls"], mark["width"]) == ("mark due pending", 0)
    outline = next(bar for bar in lines[1]["bars"] if bar["kind"] == "target")
    assert outline["cls"] == "outline running" and outline["width"] > 0
    assert lines[0]["bars"][0]["cls"] == "outline running"
    # 2026-10-01 to 2027-03-31, a margin of a fortieth (4 days) each side: the mark stays inside the row
    assert 95 < mark["left"] < 100 and 0 < axis["today"] < 100


def test_marks_too_close_to_tell_apart_are_lifted_in_turn():
    close = [_milestone(n, date(2026, 11, 1) + timedelta(days=days)) for n, days in ((1, 0), (2, 2), (3, 4), (4, 60))]
    lines = tracking_lines(close, DAY, 7, 2026)
    timeline(lines, DAY)
    marks = [(bar["stage"], bar["cls"]) for bar in lines[0]["bars"] if bar["kind"] == "due"]
    assert marks == [
        ("时间节点 1", "mark due overdue"),
        ("时间节点 2", "mark due overdue lift"),  # two days later: within 3 % of a ~4-month axis
        ("时间节点 3", "mark due overdue"),  # beside a lifted one: back down
        ("时间节点 4", "mark due pending"),
    ]
