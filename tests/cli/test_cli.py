"""The operator's command line: help everywhere, Chinese errors, no traceback, nothing half-written."""

from __future__ import annotations

import json

import pytest
from builders import SAMPLES
from sqlmodel import func, select
from typer.main import get_command
from typer.testing import CliRunner

from pinggu.cli import app

runner = CliRunner()


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_has_chinese_help_text():
    for path, command in _commands(get_command(app)):
        assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help), path
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path


@pytest.mark.rule("P-START", "P-HOLIDAY", "P-WORKDAY", "P-MONTH")
@pytest.mark.parametrize(
    ("args", "due"),
    [
        (["--working-days", "7"], "2026-10-13"),  # start 2026-09-28; make-up Saturday 10-10 counts
        (["--days", "15"], "2026-10-08"),  # start 2026-09-20; day 15 is in the National Day holiday
        (["--months", "1"], "2026-02-28"),  # start 2026-01-31; a make-up working Saturday
    ],
    ids=["workdays-national-day", "days-into-holiday", "month-end-makeup-day"],
)
def test_deadline_json(args, due):
    start = {"2026-10-13": "2026-09-28", "2026-10-08": "2026-09-20", "2026-02-28": "2026-01-31"}[due]
    result = runner.invoke(app, ["deadline", "--start", start, *args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"due": due, "calendar_complete": True, "warnings": []}


@pytest.mark.rule("P-UNKNOWN", "P-WORKDAY")
def test_deadline_in_a_year_without_official_data_is_flagged_not_crashed():
    result = runner.invoke(app, ["deadline", "--start", "2027-12-20", "--working-days", "30"])
    assert result.exit_code == 0
    assert "届满日为 2028-02-07（星期一）【暂定】" in result.output and "2028年尚无" in result.output
    # The provisional date itself, by hand on the fallback (weekends and the statutory holidays of
    # 《全国年节及纪念日放假办法》, with 补假 for a holiday on a weekend, no 调休): Dec 21–24 (4),
    # Dec 27–31 (9); 2028-01-01 元旦 is a Saturday → 补假 Mon 01-03; Jan 4–7 (13), 10–14 (18),
    # 17–21 (23), 24 (24); 春节 除夕 Tue 01-25 to 初三 Fri 01-28; Jan 31 (25), Feb 1–4 (29), Mon Feb 7 (30).
    result = runner.invoke(app, ["deadline", "--start", "2027-12-20", "--working-days", "30", "--json"])
    answer = json.loads(result.output)
    assert (answer["due"], answer["calendar_complete"]) == ("2028-02-07", False)
    assert [w[:7] for w in answer["warnings"]] == ["2027年尚无", "2028年尚无"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-02-30", "--days", "3"], "格式应为"),
        (["--start", "2026-01-01"], "仅请指定"),
        (["--start", "2026-01-01", "--days", "1", "--months", "1"], "仅请指定"),
    ],
)
def test_deadline_bad_input_gets_a_chinese_error(args, message):
    result = runner.invoke(app, ["deadline", *args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def _decision_count():
    from builders import session_scope

    from pinggu.models.tables import Decision

    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Decision)).one()


def test_catalog_with_bad_rows_writes_nothing_and_names_each_row(tmp_path):
    rows = (SAMPLES / "catalog.csv").read_text(encoding="utf-8").splitlines()
    bad = rows[0].split(",")
    good_row = "X-2026-901," + ",".join(rows[1].split(",")[1:])
    broken = rows[2].split(",")
    broken[0], broken[2] = "X-2026-902", "shanghai"  # unknown profile
    (tmp_path / "目录.csv").write_text("\n".join([",".join(bad), good_row, ",".join(broken)]), encoding="utf-8")
    before = _decision_count()

    result = runner.invoke(app, ["catalog", "import", str(tmp_path / "目录.csv")])
    assert result.exit_code == 1
    assert "未导入任何记录" in result.output and "第 3 行" in result.output and "规则" in result.output
    assert _decision_count() == before

    result = runner.invoke(app, ["catalog", "import", str(tmp_path / "目录.csv"), "--skip-bad"])
    assert result.exit_code == 0 and "新增 1 项" in result.output and "第 3 行" in result.output
    assert _decision_count() == before + 1


def test_catalog_file_that_is_not_a_catalog_is_refused(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7")
    result = runner.invoke(app, ["catalog", "import", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "错误" in result.output and "Traceback" not in result.output


def test_approve_without_a_choice_is_refused_before_reaching_the_server():
    result = runner.invoke(app, ["approve", "PG-2026-9999", "--gate", "plan_approval", "--code", "ABCD2345"])
    assert result.exit_code == 1 and "“审定意见”未填写或为空" in result.output


def test_approve_without_a_sign_off_code_is_refused_before_reaching_the_server():
    result = runner.invoke(app, ["approve", "PG-2026-9999", "--gate", "plan_approval", "--choice", "同意"])
    assert result.exit_code == 1 and "缺少签署码：请用 --code 填写" in result.output


def test_status_of_an_unknown_evaluation_says_what_to_do():
    result = runner.invoke(app, ["status", "PG-1999-0001"])
    assert result.exit_code == 1 and "不存在" in result.output


# Inputs a new user tried that once printed a traceback or did the wrong thing silently (issue 13 item 8):
# each now gets its Chinese reason, exit code 1, and nothing is started or written.
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["deadline", "--start", "2026-01-01", "--months", "99999"],
            "2026-01-01 起 99999个月 超出可计算的日期范围（至 9999-12-31）",
        ),
        (
            ["evaluate", "NO-SUCH-DECISION"],
            "决策事项 NO-SUCH-DECISION 不存在，请先导入决策目录（pinggu catalog import 文件）",
        ),
        (["plan", "--year", "1800"], "计划年度 1800 超出范围：应在 2000 至 2100 年之间"),
        (["plan", "--year", "20266", "--start"], "计划年度 20266 超出范围：应在 2000 至 2100 年之间"),
        (["plan", "--year", "2026", "--as-of", "2026-13-01"], "基准日“2026-13-01”格式应为 YYYY-MM-DD"),
        (["deadline", "--start", "2026-01-01", "--days", "-5"], "期间长度应为正整数，实际为“-5”"),
        (["catalog", "import", "{tmp}/empty.csv"], "目录文件“empty.csv”是空的"),
        (["catalog", "import", "{tmp}/junk.csv"], "无法识别目录文件“junk.csv”的编码：请另存为 UTF-8 或 GBK 编码的 CSV"),
        (["catalog", "import", "{tmp}/cols.csv"], "目录文件“cols.csv”缺少列：编号、决策名称、规则"),
        (["catalog", "import", "{tmp}/missing.csv"], "找不到目录文件“missing.csv”，请检查文件路径"),
        (["survey", "analyze", "{tmp}/empty.csv"], "问卷文件“empty.csv”是空的，没有任何内容。"),
        (["survey", "analyze", "{tmp}/junk.csv"], "无法识别“junk.csv”的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV。"),
        (["status", "PG-2026-9999"], "评估或决策 PG-2026-9999 不存在，请用 pinggu status 查看已有评估"),
        (
            ["trigger", "NOPE", "--kind", "basis_changed", "--date", "2026-01-01"],
            "决策事项 NOPE 不存在，请先导入决策目录（pinggu catalog import 文件）",
        ),
        (["rules", "NOPE"], "规则登记表中没有编号为 NOPE 的规则；运行 pinggu rules 查看全部编号"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_bad_input_is_refused_in_chinese_before_anything_starts(tmp_path, args, message):
    # The refusal comes before any call to the Prefect server, whether or not one is running, and
    # nothing is written: the catalog keeps its decisions.
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 12)
    (tmp_path / "cols.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = _decision_count()
    result = runner.invoke(app, [arg.replace("{tmp}", str(tmp_path)) for arg in args])
    assert (result.exit_code, "Traceback" in result.output) == (1, False)
    assert f"错误：{message}" in result.output
    assert _decision_count() == before


def test_recover_with_no_crashed_run_says_so(prefect_server):
    result = runner.invoke(app, ["recover"])
    assert result.exit_code == 0 and result.output.strip() == "没有运行中断的评估"
