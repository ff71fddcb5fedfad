"""`pinggu up`, `pinggu worker`, `pinggu down`: the local Prefect server, the deployments' workers and the web app.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pinggu.cli.common import friendly
from pinggu.core.settings import configure_prefect_environment, get_settings


@friendly
def up(
    host: Annotated[
        str | None,
        typer.Option(help="Prefect 服务监听的地址，默认 127.0.0.1；非本机地址须先设置 PREFECT_SERVER_API_AUTH_STRING"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="把各部署放到工作池，并在本机启动 N 个工作进程（代替单一的部署服务进程）；其他机器上的工作进程见 docs/deploy.md“一台机器不够用时”",
        ),
    ] = 0,
    pool: Annotated[str, typer.Option(help="工作池名称（与 --workers 一起使用）")] = "pinggu",
    ha: Annotated[
        bool,
        typer.Option(
            "--ha",
            help="高可用方式：Redis、两个 Prefect API 服务、haproxy 负载均衡和一个后台服务进程（Prefect 须用 PostgreSQL；见 docs/deploy.md“一台机器不够用时”）",
        ),
    ] = False,
) -> None:
    """升级产品数据库，再启动本地 Prefect 服务（127.0.0.1，SQLite；--ha 时为高可用的一组服务）、部署服务进程（或 --workers 个工作进程）和网页办理服务，在后台运行。"""
    if host:  # as PINGGU_PREFECT_HOST would: the server listens there and this machine's clients call it there
        import os

        os.environ["PINGGU_PREFECT_HOST"] = host
        for derived in ("PREFECT_API_URL", "PREFECT_UI_URL", "PREFECT_SERVER_API_HOST"):
            os.environ.pop(derived, None)
        get_settings.cache_clear()
        configure_prefect_environment()
    from pinggu.cli.db import upgrade_configured_database
    from pinggu.localserver import (
        KILLED,
        STOPPED,
        await_server,
        await_web,
        await_worker,
        start_server,
        start_web,
        start_worker,
        start_workers,
        stop_service,
    )

    settings = get_settings()
    # The server first: an exposed host without authentication (or --ha on SQLite) is refused before anything
    # is changed. It comes up while the product database is upgraded and the web app starts (issue 32: ready
    # in seconds, not the sum of each part's start).
    if ha:
        _up_ha(settings)
    else:
        started = start_server(settings, wait=False)
    # Before the worker and the web app start: they refuse a database that is not at the program's version.
    typer.echo(upgrade_configured_database())
    web_started = start_web(settings, wait=False)  # it needs no Prefect server to start
    # The serving process imports the flows and warms its fork server while the Prefect server comes up; it waits
    # for the server before it registers the deployments.
    serve_started = None if workers else start_worker(settings, wait=False)
    if not ha:
        await_server(settings)
        typer.echo("Prefect 服务：" + ("已启动" if started else "已在运行") + f"  {settings.prefect_ui_url}")
    if workers:
        # A deployment is either served or in the pool: the serving process would compete for its runs.
        stopped = stop_service(settings, "serve")
        if stopped and stopped.outcome in (STOPPED, KILLED):
            typer.echo("部署服务进程：已停止（改由工作池运行）")
        started_workers = start_workers(settings, workers, pool)
        typer.echo(f"工作池 {pool}：已部署；工作进程：新启动 {started_workers} 个，共 {workers} 个在线")
    else:
        await_worker(settings)
        typer.echo("部署服务进程：" + ("已启动" if serve_started else "已在运行"))
    _ensure_recovery_automations()
    await_web(settings)
    typer.echo(
        "网页办理（待办、上传材料、审批）：" + ("已启动" if web_started else "已在运行") + f"  {settings.web_url}"
    )


def _up_ha(settings) -> None:
    """Start the highly available Prefect server (pinggu.localserver.start_ha_server) and say what runs where."""
    from pinggu.localserver import ha_api_ports, redis_url, start_ha_server

    started = start_ha_server(settings)

    def said(key: str) -> str:
        return "已启动" if started[key] else "已在运行"

    ports = "、".join(str(port) for port in ha_api_ports(settings))
    typer.echo(f"Redis：{said('redis')}  {redis_url(settings)}")
    typer.echo(f"Prefect API 服务（端口 {ports}）：{said('prefect-api')}")
    typer.echo(f"Prefect 后台服务进程：{said('prefect-services')}")
    typer.echo(f"负载均衡（haproxy）：{said('haproxy')}  {settings.prefect_ui_url}")


def _ensure_recovery_automations() -> None:
    """Create or update the automations that find runs dead with their process and continue them; say so."""
    from pinggu.services.recovery import ensure_recovery_automations

    try:
        outcome = ensure_recovery_automations()
    except Exception as error:  # a worker still starts: the daily watch and `pinggu recover` remain
        typer.secho(
            f"未能创建中断运行的检测与续办自动化：{error}（每日期限巡查仍会检查并续办）",
            fg=typer.colors.YELLOW,
            err=True,
        )
        return
    minutes = get_settings().zombie_minutes
    typer.echo(
        f"中断运行的检测与续办（超过 {minutes:g} 分钟无心跳即标记中断并续办）："
        + "、".join(sorted(set(outcome.values())))
    )


@friendly
def worker(
    pool: Annotated[str, typer.Option(help="工作池名称（pinggu up --workers 创建的默认是 pinggu）")] = "pinggu",
) -> None:
    """在本机前台运行一个工作进程，从工作池领取评估运行（多台机器时在每台工作机上运行；须与服务器使用同一产品数据库和文档存储）。"""
    import os
    import sys

    from pinggu.localserver import service_environment, worker_environment

    settings = get_settings()
    _ensure_recovery_automations()  # at each worker's start, as at `pinggu up`: idempotent
    environment = {**service_environment(settings), **worker_environment(settings)}
    # Prefect's worker in this process's place (Ctrl-C stops it), with its warm server (pinggu.deployments.warm_worker).
    command = [sys.executable, "-m", "pinggu.deployments.warm_worker", "--pool", pool, "--type", "process"]
    os.execve(sys.executable, command, environment)


@friendly
def down() -> None:
    """停止 pinggu up 启动的本地服务：先停部署服务进程，再停 Prefect 服务；有未能停止的进程时退出码为 1。"""
    from pinggu.localserver import NOT_STOPPED, service_name, stop_all

    results = stop_all()
    if not results:
        typer.echo("没有 pinggu up 启动的本地服务在运行")
    for result in results:
        pid = f"（进程 {result.pid}）" if result.pid else ""
        line = f"{service_name(result.name)}{pid}：{result.outcome}" + (f"。{result.detail}" if result.detail else "")
        if result.outcome == NOT_STOPPED:
            typer.secho(line, fg=typer.colors.RED, err=True)
        else:
            typer.echo(line)
    if any(result.outcome == NOT_STOPPED for result in results):
        typer.secho("有进程未能停止，其 pid 文件已保留；请手动结束后再运行 pinggu down", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `pinggu up`, `pinggu worker` and `pinggu down` to the main command, in the order --help lists them."""
    for command in (up, worker, down):
        app.command()(command)
