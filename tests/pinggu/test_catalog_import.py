"""Importing the decision catalog in bulk (issue 32 item 5): every column as the file says, one audit entry per
import naming the decision deadlines it started (MH-A10), nothing started twice, an intact chain, and a number
of statements that does not grow with the catalog's rows."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path

import pytest
from builders import SAMPLES, session_scope
from sqlalchemy import event
from sqlmodel import col, select
from typer.testing import CliRunner

from pinggu.analysis.catalog import CatalogRow, read_catalog
from pinggu.models import audit
from pinggu.models.db import get_engine, read_session
from pinggu.models.decisions import decision_deadlines, record_archive_filed
from pinggu.models.tables import AuditEvent, Decision, SuperiorAssistance
from pinggu.catalog import import_catalog
from pinggu.cli import app
from pinggu.rules.profiles import known_profile_ids


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    """A catalog file of the sample's columns (and 协助上级评估) with these rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*_sample(), "协助上级评估"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _sample() -> dict[str, str]:
    with (SAMPLES / "catalog.csv").open(encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def _row(code: str, profile: str = "minhang", decided_on: str = "2026-03-02", **cells: str) -> dict[str, str]:
    return _sample() | {"编号": code, "规则": profile, "决策日期": decided_on, "协助上级评估": ""} | cells


def _imports(source: str) -> list[AuditEvent]:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "catalog_imported").order_by(col(AuditEvent.id))
        return [event for event in session.exec(query) if event.detail["source"] == source]


@pytest.mark.rule("MH-A10")
def test_an_import_is_one_audit_entry_naming_the_deadlines_it_started_and_a_reimport_starts_none(settings, tmp_path):
    prefix = f"IMP-{uuid.uuid4().hex[:6]}"
    rows = [
        _row(f"{prefix}-1", 实施终止日="", 执行进度=""),  # blanks beside filled cells: one bulk INSERT
        _row(f"{prefix}-2", decided_on="2026-04-01", 实施终止日="2030-12-31", 执行进度="40", 协助上级评估="是"),
        _row(f"{prefix}-3", decided_on=""),  # no issue date: nothing starts
        _row(f"{prefix}-4", profile="bazhou"),  # a profile without the duty
    ]
    path = _write(tmp_path / f"{prefix}.csv", rows)
    assert import_catalog(path)[:2] == (4, 0)

    (entry,) = _imports(path.name)
    assert (entry.actor, entry.decision_code, entry.detail["created"], entry.detail["updated"]) == ("系统", None, 4, 0)
    assert entry.detail["deadlines_started"] == [
        {"decision_code": f"{prefix}-1", "rule": "MH-A10", "from_date": "2026-03-02", "due_date": "2026-03-16"},
        {"decision_code": f"{prefix}-2", "rule": "MH-A10", "from_date": "2026-04-01", "due_date": "2026-04-16"},
    ]
    with read_session() as session:
        stored = {d.code: d for d in session.exec(select(Decision).where(col(Decision.code).startswith(prefix)))}
        per_deadline = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "decision_deadline_started", col(AuditEvent.decision_code).startswith(prefix)
            )
        ).all()
        assisted = set(session.exec(select(SuperiorAssistance.decision_code)))
        counts = {code: len(decision_deadlines(session=session, decision_code=code)) for code in stored}
    # Every column as the file says; what the catalog does not say starts empty.
    columns = set(CatalogRow.model_fields) - {"assists_superior"}
    for parsed in read_catalog(path, known_profile_ids()).rows:
        decision = stored[parsed.code]
        assert {name: getattr(decision, name) for name in columns} == parsed.model_dump(exclude={"assists_superior"})
        assert decision.pre_decision_assessors == []
    assert per_deadline == [] and f"{prefix}-2" in assisted and f"{prefix}-1" not in assisted
    assert counts == {f"{prefix}-1": 1, f"{prefix}-2": 1, f"{prefix}-3": 0, f"{prefix}-4": 0}

    assert import_catalog(path)[:2] == (0, 4)  # the same catalog again: every row an update, nothing started
    again = _imports(path.name)[-1]
    assert (again.detail["created"], again.detail["updated"], again.detail["deadlines_started"]) == (0, 4, [])
    with read_session() as session:
        assert [len(decision_deadlines(session=session, decision_code=code)) for code in sorted(stored)] == [1, 1, 0, 0]
        assert audit.chain_problems(session=session) == []
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "审计链完整" in result.output, result.output


@pytest.mark.rule("MH-A10")
def test_a_corrected_issue_date_moves_a_running_deadline_and_leaves_a_met_one(settings, tmp_path):
    prefix = f"MOV-{uuid.uuid4().hex[:6]}"
    running, met = f"{prefix}-running", f"{prefix}-met"
    import_catalog(_write(tmp_path / "first.csv", [_row(running), _row(met)]))
    with session_scope() as session:
        record_archive_filed(session=session, decision_code=met, on=date(2026, 3, 5), by="赵敏（办公室科员）")
        # What the decision procedure records and the catalog does not say stays through a re-import.
        decision = session.get(Decision, running)
        assert decision is not None
        decision.pre_decision_assessors = ["专家 李明"]

    corrected = _write(
        tmp_path / "corrected.csv", [_row(running, "minhang", "2026-03-09"), _row(met, "minhang", "2026-03-09")]
    )
    assert import_catalog(corrected)[:2] == (0, 2)
    assert _imports(corrected.name)[-1].detail["deadlines_started"] == [
        {"decision_code": running, "rule": "MH-A10", "from_date": "2026-03-09", "due_date": "2026-03-23"}
    ]
    with read_session() as session:
        (moved,) = decision_deadlines(session=session, decision_code=running)
        (kept,) = decision_deadlines(session=session, decision_code=met)
        assessors = session.exec(select(Decision.pre_decision_assessors).where(Decision.code == running)).one()
    assert (moved.from_date, moved.due_date, moved.met_on) == (date(2026, 3, 9), date(2026, 3, 23), None)
    assert (kept.from_date, kept.due_date, kept.met_on) == (date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 5))
    assert assessors == ["专家 李明"]


def _statements_of_import(path: Path) -> int:
    """How many SQL statements importing `path` runs (an executemany counts once)."""
    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        import_catalog(path)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_the_imports_statements_do_not_grow_with_its_rows(settings, tmp_path):
    # Issue 32 item 5: a query, an audit append and an object per row made 10,000 decisions take 22 s.
    def catalog(size: int) -> Path:
        prefix = f"N{size}-{uuid.uuid4().hex[:6]}"
        rows = [
            _row(f"{prefix}-{n:03d}", decided_on=f"2026-03-{1 + n % 28:02d}", 协助上级评估="是" if n % 2 else "否")
            for n in range(size)
        ]
        return _write(tmp_path / f"{prefix}.csv", rows)

    small, large = catalog(10), catalog(300)
    assert _statements_of_import(small) == _statements_of_import(large)  # all new
    assert _statements_of_import(small) == _statements_of_import(large)  # all updates
