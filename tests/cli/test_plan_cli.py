"""`pinggu trigger` and `pinggu plan` over the sample catalog in the database (MH-4, T-*, X-*)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pinggu.cli import app

runner = CliRunner()


def _plan(year="2026", as_of="2026-11-22"):
    result = runner.invoke(app, ["plan", "--year", year, "--as-of", as_of, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.rule("MH-4", "T-ONE-YEAR", "T-HALF", "T-ENDED")
def test_plan_json_lists_required_evaluations_of_the_catalog(sample_catalog):
    plan = _plan()
    assert plan["year"] == 2026 and plan["as_of"] == "2026-11-22"
    items = {item["decision"]: item for item in plan["items"]}
    assert len(items) == len(plan["items"])  # at most one planned evaluation per decision
    assert {item["type"] for item in plan["items"]} <= {"ordinary", "midterm", "final", "ningxia_90day"}
    for item in plan["items"]:
        assert set(item) >= {"decision", "type", "reason", "trigger_date", "evaluating_unit", "due"}
        assert item["trigger_date"] <= "2026-12-31" and item["due"] >= item["trigger_date"]
        # Never overdue on the day the plan is made; a passed trigger says so.
        assert item["due"] > plan["as_of"]
        assert bool(item["note"]) is (item["trigger_date"] < plan["as_of"])
    # S-2020-040 (ordos, 2020-06-18 … 2026-06-17, ≥ 5 years, ended): final, the day after it ended.
    assert items["S-2020-040"]["type"] == "final" and items["S-2020-040"]["trigger_date"] == "2026-06-18"


@pytest.mark.rule("T-EVENT")
def test_an_event_trigger_recorded_from_the_cli_enters_the_plan(sample_catalog, people_listed):
    # S-2019-010 (ningxia_commerce, open-ended) has no time trigger: ningxia 4 plans on events only,
    # and every evaluation there is the 90-day procedure (ningxia 10–12). No other test evaluates it, so
    # no evaluation done this year keeps it out of the plan, whatever ran before on the database.
    assert "S-2019-010" not in {item["decision"] for item in _plan()["items"]}
    result = runner.invoke(
        app,
        ["trigger", "S-2019-010", "--kind", "effect_not_met", "--date", "2026-10-09", "--note", "年度目标未完成"]
        + ["--by", "sunli"],
    )
    assert result.exit_code == 0, result.output
    item = {item["decision"]: item for item in _plan()["items"]}["S-2019-010"]
    assert (item["type"], item["reason"], item["trigger_date"]) == ("ningxia_90day", "effect_not_met", "2026-10-09")


def test_an_unknown_trigger_kind_is_refused_in_chinese(sample_catalog, people_listed):
    args = ["trigger", "S-2024-001", "--kind", "rainy_day", "--date", "2026-10-09", "--by", "sunli"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and "未知的触发情形" in result.output


def test_the_plan_table_reads_in_chinese(sample_catalog):
    result = runner.invoke(app, ["plan", "--year", "2026", "--as-of", "2026-11-22"])
    assert result.exit_code == 0 and "2026 年度评估计划" in result.output and "终期评估" in result.output
