"""`pinggu catalog …`: import the catalog of decisions (决策事项目录), record a decision's archive as filed.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import BY_LOGIN, friendly, parse_date

catalog_app = typer.Typer(help="决策事项目录", no_args_is_help=True)


@catalog_app.command("import")
@friendly
def catalog_import(
    file: Annotated[Path, typer.Argument(help="决策目录文件（CSV 或 XLSX，中文表头）")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="只导入无误的行，列出有误的行")] = False,
) -> None:
    """导入决策事项目录（按编号新增或更新）。有任何错误行时默认不写入。"""
    from pinggu.catalog import import_catalog

    created, updated, parsed = import_catalog(file, skip_bad=skip_bad)
    typer.echo(f"已导入决策目录 {file.name}：新增 {created} 项，更新 {updated} 项")
    if parsed.problems:
        typer.secho(f"跳过 {len(parsed.bad_rows)} 行错误：", fg=typer.colors.YELLOW)
        for problem in parsed.problems:
            typer.echo(f"  - {problem}")


@catalog_app.command("archived")
@friendly
def catalog_archived(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    by: Annotated[str, typer.Option(help=f"报备人：{BY_LOGIN}")] = "",
    on: Annotated[str | None, typer.Option(help="报备日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """登记决策档案已报备（闵行档案细则第十条：决策出台后10个工作日内报备电子档）；网页办理：评估页面的办公室操作。"""
    from pinggu.models.tables import now_beijing
    from pinggu.services.accounts import actor_by_login
    from pinggu.services.decision_archive import record_filing

    by = actor_by_login(by)
    day = parse_date(on, "报备日期") if on else now_beijing().date()
    for rule, line in record_filing(decision, day, by):
        typer.echo(f"已登记：{decision} {rule} {line}")


def register(app: typer.Typer) -> None:
    """Add `pinggu catalog` to the main command."""
    app.add_typer(catalog_app, name="catalog")
