"""The wall-screen dashboard rendered in real headless Chromium: what an office sees."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest

from pinggu.models.tables import now_beijing

TODAY = now_beijing().date()


def _evaluation(session, decision, *, status, targets, running=(), done=(), waiting=None, conclusion=None):
    from pinggu.models import evaluations as store

    evaluation = store.create_evaluation(
        session=session,
        decision=store.get_decision(session=session, code=decision),
        type="ordinary",
        scope="whole",
        scope_parts=[],
        methods=["问卷调查"],
        flow_run_id=None,
        stage_targets={stage: (TODAY + timedelta(days=days), False) for stage, days in targets.items()},
    )
    for stage in running:
        store.mark_stage(session=session, evaluation_id=evaluation.id, stage=stage, status="running")
    for stage in done:
        store.mark_stage(session=session, evaluation_id=evaluation.id, stage=stage, status="done")
    evaluation.status, evaluation.waiting_for, evaluation.conclusion = status, waiting, conclusion
    evaluation.starts_on = TODAY - timedelta(days=30)
    session.add(evaluation)
    return evaluation.code


@pytest.fixture
def board(sample_catalog, tmp_path):
    from builders import session_scope

    from pinggu.dashboard import write_dashboard

    with session_scope() as session:
        late = _evaluation(
            session,
            "S-2023-008",
            status="waiting",
            waiting="方案审定（评估单位负责人；第1次）",
            running=("preparation",),
            targets={"preparation": -4, "implementation": 30, "conclusion": 60},
        )
        on_time = _evaluation(
            session,
            "S-2019-011",
            status="running",
            done=("preparation",),
            targets={"preparation": -10, "implementation": 20, "conclusion": 50},
        )
    return write_dashboard(target=tmp_path / "index.html"), late, on_time


def _chromium(*args: str) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is not installed: scripts/setup.sh installs Debian's chromium package"
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_dashboard_in_chromium_shows_each_evaluation_with_its_overdue_stage(board, tmp_path):
    path, late, on_time = board
    dom = _chromium("--dump-dom", path.as_uri()).stdout
    assert "重大行政决策后评估进度看板" in dom
    late_row = dom.split(f'data-evaluation="{late}"')[1].split("</tr>")[0]
    on_time_row = dom.split(f'data-evaluation="{on_time}"')[1].split("</tr>")[0]
    assert "逾期 1 项" in late_row and 'class="bar overdue"' in late_row and "方案审定" in late_row
    assert "逾期" not in on_time_row and 'class="bar done"' in on_time_row and 'class="outline pending"' in on_time_row
    assert 'class="bar pending"' not in on_time_row  # a stage not started: its target outline only
    assert 'class="today"' in late_row

    shot = tmp_path / "dashboard.png"
    _chromium(f"--screenshot={shot}", "--window-size=1600,1000", path.as_uri())
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


# ── what the bars span: exact dates ─────────────────────────────────────────────────────────────

DAY = date(2026, 11, 27)  # the dashboard's "today" in the tests below


def _at(day: date, hour: int, minute: int = 0):
    from pinggu.models.tables import BEIJING

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def _recorded(session, decision, *, status, opened, targets, stages):
    """An evaluation opened on `opened` whose stages have these (status, started_at, finished_at), of a
    fresh decision under the sample decision's profile (a finished evaluation of a sample decision would
    change what other tests plan for it)."""
    import builders

    from pinggu.models import evaluations as store

    profile = store.get_decision(session=session, code=decision).profile
    evaluation = store.create_evaluation(
        session=session,
        decision=builders.add_decision(session, profile, prefix="DASH"),
        type="ordinary",
        scope="whole",
        scope_parts=[],
        methods=["问卷调查"],
        flow_run_id=None,
        stage_targets={stage: (day, False) for stage, day in targets.items()},
    )
    for record in store.stages(session=session, evaluation_id=evaluation.id):
        record.status, record.started_at, record.finished_at = stages.get(record.stage, ("pending", None, None))
        session.add(record)
    evaluation.status, evaluation.starts_on = status, opened
    if status == "completed":
        evaluation.completed_at = max(finished for _, _, finished in stages.values() if finished)
    session.add(evaluation)
    return evaluation.code


def _spans(html: str, code: str) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(stage, kind) → (class, from, to) of each drawn element of the evaluation's row."""
    row = html.split(f'data-evaluation="{code}"')[1].split("</tr>")[0]
    found = re.findall(
        r'<div class="([^"]+)" data-stage="([^"]+)" data-kind="([^"]+)" data-from="([^"]+)" data-to="([^"]+)"', row
    )
    return {(stage, kind): (css, start, end) for css, stage, kind, start, end in found}


@pytest.fixture
def recorded(sample_catalog):
    from builders import session_scope

    with session_scope() as session:
        # Completed today within minutes, its targets weeks ahead (December to February).
        finished = _recorded(
            session,
            "S-2019-011",
            status="completed",
            opened=DAY,
            targets={
                "preparation": date(2026, 12, 18),
                "implementation": date(2027, 1, 22),
                "conclusion": date(2027, 2, 26),
            },
            stages={
                "preparation": ("done", _at(DAY, 9, 0), _at(DAY, 9, 2)),
                "implementation": ("done", _at(DAY, 9, 2), _at(DAY, 9, 5)),
                "conclusion": ("done", _at(DAY, 9, 5), _at(DAY, 9, 8)),
            },
        )
        # Opened in October; 准备阶段 took three weeks; 实施阶段 under way since.
        running = _recorded(
            session,
            "S-2023-008",
            status="waiting",
            opened=date(2026, 10, 1),
            targets={
                "preparation": date(2026, 10, 30),
                "implementation": date(2026, 12, 31),
                "conclusion": date(2027, 2, 26),
            },
            stages={
                "preparation": ("done", _at(date(2026, 10, 1), 10), _at(date(2026, 10, 20), 16)),
                "implementation": ("running", _at(date(2026, 10, 20), 16), None),
            },
        )
    return finished, running


def test_a_finished_evaluation_spans_what_happened_with_its_targets_as_outlines(recorded):
    from pinggu.dashboard import render_dashboard

    finished, _ = recorded
    spans = _spans(render_dashboard(today=DAY), finished)
    assert spans[("准备阶段", "actual")] == ("bar done", "2026-11-27", "2026-11-27")
    assert spans[("实施阶段", "actual")] == ("bar done", "2026-11-27", "2026-11-27")
    assert spans[("结论形成阶段", "actual")] == ("bar done", "2026-11-27", "2026-11-27")
    # The target windows stay behind, as outlines: opening → each stage's target, one after the other.
    assert spans[("准备阶段", "target")] == ("outline done", "2026-11-27", "2026-12-18")
    assert spans[("实施阶段", "target")] == ("outline done", "2026-12-18", "2027-01-22")
    assert spans[("结论形成阶段", "target")] == ("outline done", "2027-01-22", "2027-02-26")


def test_a_running_stage_ends_today_and_a_stage_not_started_is_only_its_outline(recorded):
    from pinggu.dashboard import render_dashboard

    _, running = recorded
    html = render_dashboard(today=DAY)
    spans = _spans(html, running)
    assert spans[("准备阶段", "actual")] == ("bar done", "2026-10-01", "2026-10-20")
    assert spans[("实施阶段", "actual")] == ("bar running", "2026-10-20", "2026-11-27")
    assert spans[("实施阶段", "target")] == ("outline running", "2026-10-30", "2026-12-31")
    assert spans[("结论形成阶段", "target")] == ("outline pending", "2026-12-31", "2027-02-26")
    assert {kind for stage, kind in spans if stage == "结论形成阶段"} == {"target"}

    # Past its target and not done: red, the bar still running on to today.
    later = _spans(render_dashboard(today=date(2027, 1, 5)), running)
    assert later[("实施阶段", "actual")] == ("bar overdue", "2026-10-20", "2027-01-05")
    assert later[("实施阶段", "target")] == ("outline overdue", "2026-10-30", "2026-12-31")


def test_an_overdue_stage_never_started_shows_its_overrun_from_the_target_to_today():
    from pinggu.dashboard import stage_spans

    row = {
        "started_on": date(2026, 10, 1),
        "status": "running",
        "status_name": "进行中",
        "stages": [
            {
                "name": "准备阶段",
                "status": "pending",
                "target": date(2026, 10, 30),
                "started": None,
                "finished": None,
                "overdue": True,
            },
        ],
    }
    spans = {(s["kind"], s["css"], s["from"], s["to"]) for s in stage_spans(row, date(2026, 11, 27))}
    assert spans == {
        ("target", "overdue", date(2026, 10, 1), date(2026, 10, 30)),
        ("overrun", "overdue", date(2026, 10, 30), date(2026, 11, 27)),
    }


def test_a_stage_waited_at_but_recorded_not_started_is_running_with_no_invented_start():
    """An evaluation that began waiting at 实施阶段's gate before stages were marked on entry: the
    stage is under way (running outline) but its start was never recorded, so no bar is drawn."""
    from pinggu.dashboard import stage_spans

    stages = [
        {
            "name": "准备阶段",
            "status": "done",
            "target": date(2026, 10, 30),
            "started": date(2026, 10, 1),
            "finished": date(2026, 10, 20),
            "overdue": False,
        },
        {
            "name": "实施阶段",
            "status": "pending",
            "target": date(2026, 12, 31),
            "started": None,
            "finished": None,
            "overdue": False,
        },
    ]
    row = {"started_on": date(2026, 10, 1), "status": "waiting", "status_name": "等待人工处理", "stages": stages}
    spans = {(s["stage"], s["kind"]): s["css"] for s in stage_spans(row, date(2026, 11, 27), waiting_stage="实施阶段")}
    assert spans == {("准备阶段", "target"): "done", ("准备阶段", "actual"): "done", ("实施阶段", "target"): "running"}
