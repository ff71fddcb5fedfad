"""`pinggu db …`: the product database's schema version — upgrade, check, current (models.migrate).

Registered in pinggu.cli.main; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from core.settings import get_settings
from pinggu.cli.common import friendly

db_app = typer.Typer(help="产品数据库结构版本：升级、检查、查看", no_args_is_help=True)


def _configured_engine():
    from models.migrate import connect

    return connect(get_settings().resolved_database_url)


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def upgrade_configured_database() -> str:
    """Upgrade the configured product database to the newest schema and say what was done."""
    from models import migrate

    engine = _configured_engine()
    try:
        before = migrate.current_revision(engine)
        applied = migrate.upgrade(engine)
    finally:
        engine.dispose()
    if not applied:
        return f"产品数据库已是最新版本（{migrate.HEAD_REVISION}）：{_where(engine)}"
    if before is not None:
        origin = before
    elif applied[0] == migrate.BASELINE_REVISION:
        origin = "空数据库"
    else:
        origin = f"迁移前创建的数据库（已识别，标记为 {migrate.BASELINE_REVISION}，数据全部保留）"
    return f"产品数据库从 {origin} 升级到 {applied[-1]}（执行迁移 {'、'.join(applied)}）：{_where(engine)}"


@db_app.command("upgrade")
@friendly
def upgrade() -> None:
    """把已配置的产品数据库升级到程序需要的结构版本（升级前请先备份数据库）。"""
    typer.echo(upgrade_configured_database())


@db_app.command("check")
@friendly
def check(
    database: Annotated[
        bool, typer.Option("--database", help="检查已配置的产品数据库（只读），而不是临时 SQLite 数据库")
    ] = False,
) -> None:
    """检查迁移得到的数据库结构与模型是否一致；不一致时列出差异，退出码 1。"""
    from models import migrate

    if not database:
        problems = migrate.check()
        where = "临时 SQLite 数据库，已升级到最新版本"
    else:
        engine = _configured_engine()
        try:
            problems = migrate.check(engine)
        finally:
            engine.dispose()
        where = f"产品数据库 {_where(engine)}"
    if not problems:
        typer.echo(f"模型与迁移一致（{where}）")
        return
    typer.secho(f"模型与迁移不一致（{where}）：", fg=typer.colors.RED)
    for problem in problems:
        typer.echo(f"  - {problem}")
    raise typer.Exit(1)


@db_app.command("current")
@friendly
def current() -> None:
    """显示已配置的产品数据库的结构版本和程序需要的版本。"""
    from models import migrate

    engine = _configured_engine()
    try:
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"产品数据库：{_where(engine)}")
    typer.echo(f"当前结构版本：{revision or '无（空数据库，或迁移前创建）'}")
    typer.echo(f"程序需要版本：{migrate.HEAD_REVISION}")
    if revision != migrate.HEAD_REVISION:
        typer.echo("请先备份数据库，再运行 pinggu db upgrade")
