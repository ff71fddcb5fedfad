"""`pinggu survey analyze FILE --scale 1=很满意|5=很满意` (E-SCALE, issue 30 item 10): numeric satisfaction
codes are counted in the direction stated, and a file that does not say it is refused naming the column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pinggu.cli import app

runner = CliRunner()


def _issue_file(tmp_path: Path) -> Path:
    # The issue's answers: 1 1 1 2 5 under a 满意 header, downloaded by option number.
    path = tmp_path / "wjx.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["序号", "Q2 您对窗口服务满意吗"], *[[str(i), c] for i, c in enumerate("11125", 1)]]
        )
    return path


@pytest.mark.rule("E-SCALE")
@pytest.mark.parametrize(("scale", "rate", "mean"), [("1=很满意", 0.8, 4.0), ("5=很满意", 0.2, 2.0)])
def test_the_stated_direction_gives_the_figures(tmp_path: Path, scale: str, rate: float, mean: float) -> None:
    result = runner.invoke(app, ["survey", "analyze", str(_issue_file(tmp_path)), "--scale", scale, "--json"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)["items"]
    assert (item["question"], item["n"], item["rate"], item["mean"]) == ("Q2 您对窗口服务满意吗", 5, rate, mean)


@pytest.mark.rule("E-SCALE")
def test_without_a_direction_the_file_is_refused_in_chinese(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "analyze", str(_issue_file(tmp_path)), "--json"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "问卷文件有 1 道满意度题以数字记录答案，但没有说明数字的方向，不作推测：" in result.output
    assert "“Q2 您对窗口服务满意吗”列：答案是数字 1–5，但文件没有说明数字的方向" in result.output
    assert "--scale" in result.output


def test_an_unknown_direction_is_refused_by_the_option_itself(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "analyze", str(_issue_file(tmp_path)), "--scale", "3=很满意"])
    assert result.exit_code == 2 and "1=很满意" in result.output and "5=很满意" in result.output
