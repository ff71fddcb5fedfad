"""`pinggu export 台账`: the workbook written with one sheet per kind; a bad --kind or year refused in Chinese
with nothing written."""

from __future__ import annotations

import uuid

import builders
import openpyxl
from builders import session_scope
from typer.testing import CliRunner

from pinggu.models.tables import now_beijing
from pinggu.cli import app

runner = CliRunner()
YEAR = now_beijing().year


def test_the_ledger_is_written_with_a_sheet_per_kind_and_what_it_counted(tmp_path):
    unit = f"导出测试局{uuid.uuid4().int % 10**6:06d}"
    with session_scope() as session:
        code = builders.add_evaluation(session, "minhang", prefix="EXP", lead_unit=unit).code
    target = tmp_path / "台账.xlsx"
    result = runner.invoke(app, ["export", "台账", "--year", str(YEAR), "--unit", unit, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"已导出台账（{YEAR} 年度 · 单位含“{unit}”）：{target}" in result.output
    assert "  评估：1 条\n" in result.output and "  督查整改：0 条\n" in result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["评估", "年度计划", "跟踪反馈", "督查整改", "决策程序与法定期限"]
    assert book["评估"]["A2"].value == code and book["督查整改"].max_row == 1  # the header only

    only = tmp_path / "评估.xlsx"
    result = runner.invoke(app, ["export", "ledger", "--kind", "评估", "--unit", unit, "-o", str(only)])
    assert result.exit_code == 0, result.output  # the ASCII name, a kind by its Chinese name, this year by default
    assert openpyxl.load_workbook(only).sheetnames == ["评估"]


def test_a_bad_kind_or_year_is_refused_in_chinese_and_nothing_is_written(tmp_path):
    target = tmp_path / "台账.xlsx"
    result = runner.invoke(app, ["export", "台账", "--year", str(YEAR), "--kind", "budget", "-o", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "错误：台账类别应为 evaluations（评估）、plan（年度计划）、tracking（跟踪反馈）" in result.output
    assert "收到：budget" in result.output
    for year in ("二〇二六", "26", "3026"):
        result = runner.invoke(app, ["export", "台账", "--year", year, "-o", str(target)])
        assert result.exit_code == 1, result.output
        assert f"错误：年度应为 2000 至 2100 之间的四位数字年份，例如 2026；收到：{year}" in result.output
    result = runner.invoke(app, ["export", "台账", "--status", "差不多", "-o", str(target)])
    assert result.exit_code == 1 and "错误：未知的状态 差不多，可选：进行中、" in result.output
    assert not target.exists()
