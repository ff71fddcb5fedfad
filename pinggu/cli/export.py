"""`pinggu export 台账`: the year's 台账 as an Excel workbook (issue 33), one sheet per kind of item.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import friendly

export_app = typer.Typer(help="导出：台账（Excel）", no_args_is_help=True)


@export_app.command("台账")
@friendly
def ledger(
    year: Annotated[str | None, typer.Option("--year", metavar="年度", help="年度，例如 2026（默认：今年）")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="类别",
            help="只导出一类：evaluations（评估）、plan（年度计划）、tracking（跟踪反馈）、"
            "rectification（督查整改）、decisions（决策程序与法定期限）；默认全部，每类一个工作表",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="xlsx 文件路径（默认：当前目录下 <年度>年度台账.xlsx）")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="只列适用该规则（辖区）的事项，例如 minhang")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只列责任单位名称含此文字的事项")] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="只列该类型，例如 一般程序、时间节点、决策法定期限")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="只列该状态，例如 进行中、待报送；“逾期”只列逾期事项")
    ] = None,
) -> None:
    """导出年度台账（Excel）：评估、年度计划、跟踪反馈、督查整改、决策程序与法定期限，每类一个工作表，逾期事项标红。"""
    from pinggu.services.ledger import KIND_NAMES, ledger_filter, parse_kinds, parse_year
    from pinggu.services.ledger_export import ledger_filename, write_ledger

    kinds = parse_kinds(kind)
    filters = ledger_filter(parse_year(year), profile, unit, type_, status)
    target = output or Path.cwd() / ledger_filename(filters, kinds)
    counts = write_ledger(target, filters, kinds)
    typer.echo(f"已导出台账（{filters.describe()}）：{target}")
    for count in counts:
        overdue = f"，逾期 {count.overdue} 条" if count.overdue else ""
        typer.echo(f"  {KIND_NAMES[count.kind]}：{count.rows} 条{overdue}")


# The same command under an ASCII name, for a terminal where Chinese is awkward to type. It also widens the
# name column of `pinggu export --help`: Typer sizes that column by characters, not display width, so a
# two-character Chinese name alone would be shown as "…".
export_app.command("ledger", help="同 pinggu export 台账（英文名，便于不便输入中文的终端）")(ledger)


def register(app: typer.Typer) -> None:
    """Add `pinggu export` to the main command."""
    app.add_typer(export_app, name="export")
