"""The wall-screen dashboard rendered in real headless Chromium: what an office sees."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest

TODAY = date.today()


def _evaluation(session, decision, *, status, targets, done=(), waiting=None, conclusion=None):
    from models import evaluations as store

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
    for stage in done:
        store.mark_stage(session=session, evaluation_id=evaluation.id, stage=stage, status="done")
    evaluation.status, evaluation.waiting_for, evaluation.conclusion = status, waiting, conclusion
    evaluation.starts_on = TODAY - timedelta(days=30)
    session.add(evaluation)
    return evaluation.code


@pytest.fixture
def board(sample_catalog, tmp_path):
    from models.db import session_scope
    from pinggu.dashboard import write_dashboard

    with session_scope() as session:
        late = _evaluation(
            session,
            "S-2023-008",
            status="waiting",
            waiting="方案审定（评估单位负责人；第1次）",
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
    assert "逾期" not in on_time_row and 'class="bar done"' in on_time_row and 'class="bar pending"' in on_time_row
    assert 'class="today"' in late_row

    shot = tmp_path / "dashboard.png"
    _chromium(f"--screenshot={shot}", "--window-size=1600,1000", path.as_uri())
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
