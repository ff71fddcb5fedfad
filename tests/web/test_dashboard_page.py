"""The office's dashboard in the web app (issue 33): behind sign-in, for the office only, filtered by unit,
with 逾期 and 即将到期 counted, and the 台账 downloaded as Excel with the same filters."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import builders
import pytest
import signin
from builders import session_scope
from openpyxl import load_workbook

from pinggu.models.tables import now_beijing


@pytest.fixture(scope="module")
def unit(app) -> str:
    """Three evaluations of one unit of their own, in different stages: one overdue, one due soon, one later."""
    unit = f"看板测试局{uuid.uuid4().int % 10**6:06d}"
    today = now_beijing().date()
    with session_scope() as session:
        builders.add_evaluation(
            session, "minhang", prefix="DSH", lead_unit=unit, title="逾期的评估",
            stage_targets={"preparation": (date(2026, 1, 9), False), "implementation": (date(2026, 2, 20), False),
                           "conclusion": (date(2026, 3, 31), False)},
        )  # fmt: skip
        soon = today + timedelta(days=3)
        builders.add_evaluation(
            session, "minhang", prefix="DSH", lead_unit=unit, title="即将到期的评估",
            stage_targets={"preparation": (soon, False), "implementation": (soon + timedelta(days=30), False),
                           "conclusion": (soon + timedelta(days=60), False)},
        )  # fmt: skip
        later = today + timedelta(days=40)
        builders.add_evaluation(
            session, "minhang", prefix="DSH", lead_unit=unit, title="尚早的评估",
            stage_targets={"preparation": (later, False), "implementation": (later + timedelta(days=30), False),
                           "conclusion": (later + timedelta(days=60), False)},
        )  # fmt: skip
        builders.add_evaluation(session, "minhang", prefix="DSH", lead_unit="别的单位", title="别的单位的评估")
    return unit


def test_the_office_sees_the_dashboard_filtered_by_unit_with_overdue_and_soon_counted(app, unit):
    office = signin.signed_in_client(app, "孙丽")
    page = office.get("/dashboard", params={"unit": unit})
    assert page.status_code == 200
    text = page.text
    assert "逾期的评估" in text and "即将到期的评估" in text and "尚早的评估" in text
    assert "别的单位的评估" not in text
    assert 'id="overdue">' in text and 'id="soon">1<' in text
    assert "即将到期" in text and "逾期" in text and "下载台账（Excel）" in text
    assert "script" not in text.lower().replace("noscript", "")  # no script at all: the CSP allows none inline


def test_the_ledger_downloads_with_the_same_filters_and_opens_in_excel(app, unit):
    office = signin.signed_in_client(app, "孙丽")
    download = office.get("/dashboard/ledger.xlsx", params={"unit": unit, "kind": "evaluations"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheet")
    assert "attachment" in download.headers["content-disposition"]
    book = load_workbook(io.BytesIO(download.content))
    (sheet,) = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    assert any("逾期的评估" in str(value) for row in rows for value in row if value)
    assert not any("别的单位的评估" in str(value) for row in rows for value in row if value)
    assert sheet.freeze_panes == "A2" and sheet.title == "评估"


def test_someone_outside_the_office_is_refused_the_dashboard_and_the_ledger(app, unit):
    clerk = signin.signed_in_client(app, "赵敏")
    assert clerk.get("/dashboard").status_code == 403
    assert clerk.get("/dashboard/ledger.xlsx").status_code == 403
    bad = signin.signed_in_client(app, "孙丽").get("/dashboard", params={"year": "明年"})
    assert bad.status_code == 200 and "筛选条件有误" in bad.text
