"""The year's evaluation work for the annual law-based-administration assessment (R-ANNUAL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from driving import pdf_text
from typer.testing import CliRunner


def _evaluation(session, code, *, status, last_target, completed=None, conclusion=None):
    from models import evaluations as store
    from models.tables import BEIJING

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
    from models.db import session_scope
    from pinggu.annual_summary import annual_summary
    from pinggu.cli import app

    year = date.today().year
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
