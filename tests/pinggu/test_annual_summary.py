"""The year's evaluation work for the annual law-based-administration assessment (R-ANNUAL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from driving import pdf_text
from typer.testing import CliRunner

from pinggu.models.tables import now_beijing


def _evaluation(session, code, *, status, last_target, completed=None, conclusion=None):
    from pinggu.models import evaluations as store
    from pinggu.models.tables import BEIJING

    evaluation = store.create_evaluation(
        session=session,
        decision=store.get_decision(session=session, code=code),
        type="ningxia_90day",
        scope="whole",
        scope_parts=[],
        methods=["问卷调查"],
        flow_run_id=None,
        stage_targets={"conclusion": (last_target, False)},
    )
    evaluation.status, evaluation.conclusion = status, conclusion
    evaluation.completed_at = datetime.combine(completed, datetime.min.time(), BEIJING) if completed else None
    session.add(evaluation)
    return evaluation.code


@pytest.mark.rule("R-ANNUAL")
def test_summary_counts_done_on_time_and_conclusions_by_unit(sample_catalog, tmp_path):
    from builders import session_scope

    from pinggu.annual_summary import annual_summary
    from pinggu.cli import app

    year = now_beijing().date().year
    with session_scope() as session:
        on_time = _evaluation(
            session,
            "S-2022-015",
            status="completed",
            last_target=date(year, 6, 30),
            completed=date(year, 6, 1),
            conclusion="继续执行",
        )
        late = _evaluation(
            session,
            "S-2020-019",
            status="completed",
            last_target=date(year, 3, 31),
            completed=date(year, 5, 1),
            conclusion="终止执行",
        )
        _evaluation(session, "S-2019-012", status="not_started", last_target=date(year, 12, 31))

    summary = annual_summary(year, "ningxia_commerce")
    ours = {d["code"]: d for d in summary["details"] if d["code"] in (on_time, late)}
    assert ours[on_time]["on_time"] is True and ours[late]["on_time"] is False
    assert ours[late]["conclusion"] == "终止执行"
    assert summary["done"] >= 2 and summary["not_started"] >= 1
    assert summary["conclusions"]["终止执行"] >= 1
    assert all(u["unit"] for u in summary["units"])

    result = CliRunner().invoke(app, ["report", "annual", "--year", str(year), "--profile", "ningxia_commerce"])
    assert result.exit_code == 0, result.output
    pdf = result.output.split("已生成：")[1].split("\n")[0].strip()
    text = pdf_text(pdf)
    assert f"{year}年度重大行政决策" in text and "按期完成" in text and on_time in text and "终止执行" in text


def _completed_with_deadlines(session, unit, year, deadlines):
    """A ningxia evaluation completed on 06-01 of `year`, well before its last stage's target (06-30),
    with its statutory deadlines: (rule, due, met on or None, set aside by a redo)."""
    import uuid

    from pinggu.models import evaluations as store
    from pinggu.models.tables import BEIJING, Decision

    decision = Decision(
        code=f"ANNUAL-{uuid.uuid4().hex[:8]}",
        title="关于外贸企业稳订单的实施方案",
        profile="ningxia_commerce",
        decision_body="厅决策机关",
        lead_unit=unit,
        category="重大公共政策",
        starts_on=date(year - 2, 1, 1),
    )
    session.add(decision)
    session.flush()
    code = _evaluation(
        session,
        decision.code,
        status="completed",
        last_target=date(year, 6, 30),
        completed=date(year, 6, 1),
        conclusion="继续执行",
    )
    evaluation = store.get_evaluation(session=session, code=code)
    for rule, due, met_on, set_aside in deadlines:
        record = store.start_deadline(
            session=session,
            evaluation_id=evaluation.id,
            rule=rule,
            label={"NX-11": "完成评估工作", "NX-12": "提请厅决策机关审议"}.get(rule, rule),  # as the profile words it
            basis="宁夏商务厅办法",
            counted_from="evaluation_completed" if rule == "NX-12" else "start_approved",
            from_date=due.replace(day=1),
            until="report_submitted" if rule == "NX-12" else "evaluation_completed",
            due_date=due,
        )
        record.met_at = datetime.combine(met_on, datetime.min.time(), BEIJING).replace(hour=10) if met_on else None
        record.superseded = set_aside
        session.add(record)
    return code


@pytest.mark.rule("R-ANNUAL", "NX-11", "NX-12")
def test_on_time_means_every_statutory_deadline_met_not_only_the_stage_targets(sample_catalog):
    # bazhou 22, ningxia 18, minhang 16: the evaluation work goes into the annual 依法行政 assessment;
    # SPEC §9 asks for "evaluations done, on time". Every evaluation below was completed 06-01, a month
    # before its own target date: only its statutory deadlines (ningxia 11: 90 days from the approved
    # start; ningxia 12 (2nd): 15 days from completion to the 厅决策机关) decide whether it was on time.
    from builders import session_scope

    from pinggu.annual_summary import annual_summary

    year, unit = now_beijing().date().year, "商务厅对外贸易处（按期统计）"

    def D(month: int, day: int) -> date:
        return date(year, month, day)

    with session_scope() as session:
        met = _completed_with_deadlines(
            session, unit, year, [("NX-11", D(6, 10), D(6, 1), False), ("NX-12", D(6, 16), D(6, 16), False)]
        )  # NX-12 met on its last day: in time
        submitted_late = _completed_with_deadlines(
            session, unit, year, [("NX-11", D(6, 10), D(6, 1), False), ("NX-12", D(6, 16), D(6, 17), False)]
        )  # NX-12 met one day after its last day
        finished_late = _completed_with_deadlines(
            session, unit, year, [("NX-11", D(5, 31), D(6, 1), False), ("NX-12", D(6, 16), D(6, 2), False)]
        )  # the 90 days of NX-11 ran out the day before the work was complete
        never_submitted = _completed_with_deadlines(
            session, unit, year, [("NX-11", D(6, 10), D(6, 1), False), ("NX-12", D(6, 16), None, False)]
        )
        redone = _completed_with_deadlines(
            session, unit, year, [("NX-12", D(3, 16), None, True), ("NX-12", D(6, 16), D(6, 5), False)]
        )  # a redo (MH-12) set the first NX-12 aside; only the current one counts

    summary = annual_summary(year, "ningxia_commerce")
    on_time = {d["code"]: d["on_time"] for d in summary["details"] if d["unit"] == unit}
    assert on_time == {met: True, submitted_late: False, finished_late: False, never_submitted: False, redone: True}
    (row,) = [u for u in summary["units"] if u["unit"] == unit]
    assert (row["done"], row["on_time"]) == (5, 2)


@pytest.mark.rule("R-ANNUAL", "MH-A10")
def test_the_decisions_own_deadlines_are_counted_in_the_summary(settings):
    # The on-time figure was the evaluations' alone: a decision's own statutory deadline (MH-A10, minhang 档案 10:
    # its archive filed within 10 working days of issue) was left out. Counted now: due, in time, late.
    import builders
    from builders import session_scope

    from pinggu.models.tables import DecisionDeadline
    from pinggu.annual_summary import _decision_deadline_figures

    year = now_beijing().date().year - 1  # a past year: every deadline of it is past
    codes = []
    with session_scope() as session:
        for met_on in (date(year, 3, 12), date(year, 3, 13), None):  # on the last day, a day late, never
            decision = builders.add_decision(session, "minhang", prefix="ADL")
            codes.append(decision.code)
            session.add(
                DecisionDeadline(
                    decision_code=decision.code,
                    rule="MH-A10",
                    label="决策档案报备",
                    basis="档案第十条第一款",
                    counted_from="issued",
                    from_date=date(year, 2, 26),
                    until="filed",
                    due_date=date(year, 3, 12),
                    met_on=met_on,
                )
            )
        other = builders.add_decision(session, "minhang", prefix="ADL")
        session.add(
            DecisionDeadline(
                decision_code=other.code,
                rule="MH-A10",
                label="决策档案报备",
                basis="档案第十条第一款",
                counted_from="issued",
                from_date=date(year - 1, 12, 20),
                until="filed",
                due_date=date(year - 1, 12, 31),
            )
        )  # fmt: skip  (due the year before: not this year's)
        figures = _decision_deadline_figures(session, year, {*codes, other.code})
    assert figures == {"due": 3, "on_time": 1, "late": 2}
