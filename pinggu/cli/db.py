"""`pinggu db …`: the product database's schema version — upgrade, check, current (pinggu.models.migrate) — and
moving a SQLite installation's records to PostgreSQL — copy (pinggu.models.db_copy).

Registered in pinggu.cli.main; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pinggu.core.settings import get_settings
from pinggu.cli.common import friendly

if TYPE_CHECKING:
    from pinggu.models.db_copy import CopyReport

db_app = typer.Typer(
    help="产品数据库结构版本：升级、检查、查看；把 SQLite 安装的记录复制到 PostgreSQL", no_args_is_help=True
)


def _configured_engine():
    from pinggu.models.migrate import connect

    return connect(get_settings().resolved_database_url)


def _where(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def upgrade_configured_database() -> str:
    """Upgrade the configured product database to the newest schema and say what was done."""
    from pinggu.models import migrate

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
    from pinggu.models import migrate

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
    from pinggu.models import migrate

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


@db_app.command("copy")
@friendly
def copy_records(
    to: Annotated[
        str,
        typer.Option("--to", help="目标 PostgreSQL 空数据库，如 postgresql+psycopg://用户名:密码@主机:5432/数据库名"),
    ],
) -> None:
    """把当前 SQLite 产品数据库的全部记录复制到一个空的 PostgreSQL 数据库，并逐表核对（先 pinggu down）。"""
    from pinggu.models import db_copy

    settings = get_settings()
    target = db_copy.shown(db_copy.target_url(to))
    typer.echo(f"源数据库：{db_copy.shown(settings.resolved_database_url)}")
    typer.echo(f"目标数据库：{target}")
    report = db_copy.copy_database(
        settings.resolved_database_url, to, progress=lambda table, rows: typer.echo(f"  已复制 {table}：{rows} 行")
    )
    typer.echo(copy_summary(report))
    if not report.committed:
        problems = [f"表 {'、'.join(report.mismatched)} 的记录不一致"] if report.mismatched else []
        if not report.chain_matches:
            problems.append("目标数据库的审计链核验结果与源数据库不同")
        typer.secho(
            f"错误：复制核对未通过（{'；'.join(problems)}）。目标数据库已全部回滚，没有保留任何记录；"
            "源数据库未作任何修改。请保留以上输出并联系维护人员",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    typer.secho(
        f"复制完成，已提交：共 {len(report.tables)} 张表，{sum(t.target_rows for t in report.tables)} 行，全部一致",
        fg=typer.colors.GREEN,
    )
    typer.echo(f"文档仍在原文档存储中，没有移动（{settings.resolved_store_url}）：新安装必须使用同一个文档存储。")
    typer.echo("下一步：让 pinggu 改用 PostgreSQL（*** 处是 --to 地址中的密码），文档存储保持不变：")
    typer.echo(f"  export PINGGU_DATABASE_URL='{target}'")
    if not settings.store_url:
        typer.echo(f"  export PINGGU_STORE_URL={settings.resolved_store_url}")
    typer.echo("然后运行 pinggu db check --database 和 pinggu up；原 SQLite 数据库文件请保留作备份。")


def copy_summary(report: CopyReport) -> str:
    """The per-table summary of a copy (表、行数、核对结果) and the audit chain's verdict, in Chinese."""
    width = max(len(check.table) for check in report.tables)
    lines = [f"{'表'.ljust(width - 1)}  {'源行数':>6}  {'目标行数':>6}  核对结果"]
    for check in report.tables:
        verdict = (
            "一致" if check.matches else ("行数不一致" if check.source_rows != check.target_rows else "内容不一致")
        )
        lines.append(f"{check.table.ljust(width)}  {check.source_rows:>9}  {check.target_rows:>10}  {verdict}")
    if report.chain_matches and not report.target_chain:
        lines.append("审计链：目标数据库核验完整（与源数据库一致）")
    elif report.chain_matches:
        lines.append(
            f"审计链：源数据库本身有 {len(report.source_chain)} 处问题，已如实复制（运行 pinggu audit verify 查看）"
        )
    else:
        lines.append("审计链：目标数据库核验结果与源数据库不同：")
        lines += [f"  - {message}" for message in report.target_chain[:20]]
    return "\n".join(lines)
