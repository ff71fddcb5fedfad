"""MH-A10 (minhang 档案细则第十条第一款): 决策承办单位应当在重大行政决策出台后10个工作日内，将全套重大行政决策档案资料
扫描电子档向区政府办公室报备. A duty of the decision, counted from its issue date (决策日期 in the catalog),
started when the catalog is imported, met when the filing is recorded (`pinggu catalog archived`)."""

from __future__ import annotations

import csv
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from builders import SAMPLES, session_scope
from typer.testing import CliRunner

from pinggu.models.decisions import decision_deadlines
from pinggu.models.tables import now_beijing
from pinggu.models.watch import watched_items
from pinggu.catalog import import_catalog
from pinggu.cli import app
from pinggu.status import evaluation_status, render_text

ARCHIVE_REGULATION = "《闵行区人民政府重大行政决策全过程记录和档案管理工作实施细则》第十条第一款"


def _catalog(tmp_path: Path, profile: str, decided_on: date) -> str:
    """A one-row catalog (the sample's columns) of a new decision under `profile` issued on `decided_on`."""
    with (SAMPLES / "catalog.csv").open(encoding="utf-8") as handle:
        header, row = next(csv.reader(handle)), None
        row = next(csv.reader(handle))
    code = f"S-2026-{uuid.uuid4().hex[:6]}"
    values = dict(zip(header, row, strict=True)) | {"编号": code, "规则": profile, "决策日期": decided_on.isoformat()}
    path = tmp_path / f"{code}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(values)
    import_catalog(path)
    return code


@pytest.mark.rule("MH-A10")
def test_importing_a_minhang_decision_starts_its_archive_deadline_ten_working_days_on(settings, tmp_path):
    code = _catalog(tmp_path, "minhang", date(2026, 3, 2))
    with session_scope() as session:
        (deadline,) = decision_deadlines(session=session, decision_code=code)
        assert (deadline.rule, deadline.from_date, deadline.due_date) == ("MH-A10", date(2026, 3, 2), date(2026, 3, 16))
        assert deadline.basis == ARCHIVE_REGULATION and deadline.until == "archive_filed" and deadline.met_on is None


@pytest.mark.rule("MH-A10")
def test_a_profile_without_the_duty_starts_nothing_and_a_reimport_starts_nothing_twice(settings, tmp_path):
    bazhou = _catalog(tmp_path, "bazhou", date(2026, 3, 2))
    with session_scope() as session:
        assert decision_deadlines(session=session, decision_code=bazhou) == []
    minhang = _catalog(tmp_path, "minhang", date(2026, 3, 2))
    import_catalog(tmp_path / f"{minhang}.csv")
    with session_scope() as session:
        assert len(decision_deadlines(session=session, decision_code=minhang)) == 1


@pytest.mark.rule("MH-A10")
def test_a_running_archive_deadline_is_watched_and_a_recorded_filing_meets_it(settings, tmp_path, people_listed):
    today = now_beijing().date()
    code = _catalog(tmp_path, "minhang", today)
    with session_scope() as session:
        watched = [item for item in watched_items(session=session) if item.ref == f"{code}/deadline/MH-A10"]
        (due,) = [d.due_date for d in decision_deadlines(session=session, decision_code=code)]
    assert [item.due for item in watched] == [due] and "MH-A10" in watched[0].label

    unknown = CliRunner().invoke(app, ["catalog", "archived", code, "--by", "赵敏（办公室科员）"])
    assert unknown.exit_code == 1 and "人员名单中没有登录名为“赵敏（办公室科员）”的人员" in unknown.output
    result = CliRunner().invoke(app, ["catalog", "archived", code, "--by", "zhaomin"])
    assert result.exit_code == 0, result.output
    assert f"已登记：{code} MH-A10" in result.output and "按期" in result.output
    with session_scope() as session:
        (deadline,) = decision_deadlines(session=session, decision_code=code)
        assert (deadline.met_on, deadline.recorded_by) == (today, "赵敏（决策承办单位）")
        assert not [item for item in watched_items(session=session) if item.ref == f"{code}/deadline/MH-A10"]


@pytest.mark.rule("MH-A10")
def test_a_late_filing_says_how_late_and_a_deadline_past_at_import_is_not_escalated(settings, tmp_path, people_listed):
    code = _catalog(tmp_path, "minhang", date(2026, 3, 2))  # due 2026-03-16, long past
    with session_scope() as session:
        assert not [item for item in watched_items(session=session) if item.ref == f"{code}/deadline/MH-A10"]
    result = CliRunner().invoke(app, ["catalog", "archived", code, "--on", "2026-03-20", "--by", "zhaomin"])
    assert result.exit_code == 0, result.output
    assert "2026-03-20 报备，2026-03-16 届满（逾期 4 天）" in result.output


@pytest.mark.rule("MH-A10")
@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2026-02-27", "应在决策出台之日（2026-03-02）与今天之间"),
        ((now_beijing().date() + timedelta(days=9)).isoformat(), "与今天之间"),
    ],
)
def test_a_filing_date_before_the_issue_or_in_the_future_is_refused(settings, tmp_path, on, message, people_listed):
    code = _catalog(tmp_path, "minhang", date(2026, 3, 2))
    result = CliRunner().invoke(app, ["catalog", "archived", code, "--on", on, "--by", "zhaomin"])
    assert result.exit_code == 1 and message in result.output
    with session_scope() as session:
        assert decision_deadlines(session=session, decision_code=code)[0].met_on is None


@pytest.mark.rule("MH-A10")
def test_status_shows_the_decisions_archive_deadline(settings, tmp_path, monkeypatch):
    from pinggu.models import evaluations as store

    code = _catalog(tmp_path, "minhang", date(2026, 3, 2))
    with session_scope() as session:
        evaluation = store.create_evaluation(
            session=session,
            decision=store.get_decision(session=session, code=code),
            type="ordinary",
            scope="whole",
            scope_parts=[],
            methods=["问卷调查"],
            stage_targets={},
            flow_run_id=None,
        )
        evaluation_code = evaluation.code
    text = render_text(evaluation_status(evaluation_code))
    assert (
        "决策法定期限 MH-A10 决策档案资料扫描电子档向区政府办公室报备：自 2026-03-02 起算，2026-03-16 届满，未登记报备"
        in text
    )
    assert ARCHIVE_REGULATION in text and "【逾期】" in text
