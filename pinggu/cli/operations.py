"""`pinggu watch`, `pinggu recover`, `pinggu dashboard`, `pinggu demo`: the office's day-to-day operations beside
the evaluations: the deadline watch, continuing interrupted runs, the progress dashboard and the demonstration.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pinggu.cli.common import friendly, parse_date


@friendly
def watch(
    on: Annotated[str | None, typer.Option(help="巡查日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """立即进行一次期限巡查：续办运行中断的评估，查找临期和逾期事项，记录并发送提醒（每日 8:00 也会自动运行）。"""
    from pinggu.flows.deadline_watch import deadline_watch

    result = deadline_watch(as_of=parse_date(on, "巡查日期"))
    typer.echo(
        f"{result['as_of']} 临期或逾期 {result['due_or_overdue']} 项（逾期 {result['overdue']} 项），新提醒 {result['new']} 项；"
        f"发送成功 {result['sent']} 条，未送达 {result['failed']} 条（下次巡查重试），提醒渠道 {result['channels']} 个"
    )
    if result["silent"]:
        typer.echo(f"运行长时间无心跳、已标记为中断的评估：{'、'.join(result['silent'])}")
    if result["continued"]:
        typer.echo(f"运行中断后已续办的评估：{'、'.join(result['continued'])}")


@friendly
def recover() -> None:
    """续办运行中断的评估：流程运行因进程被终止、机器宕机而中断（Crashed），或超过 PINGGU_ZOMBIE_MINUTES 分钟无心跳的，在同一部署上启动续办运行，已完成的步骤不重做（通常已自动续办；每日期限巡查也会续办）。"""
    from pinggu.services.recovery import continue_crashed_runs, crash_silent_runs

    for silent in crash_silent_runs():
        typer.echo(f"评估 {silent.evaluation}：运行 {silent.run} 已 {silent.silent_minutes:g} 分钟无心跳，已标记为中断")
    continued = continue_crashed_runs()
    if not continued:
        typer.echo("没有运行中断的评估")
    for item in continued:
        typer.echo(f"评估 {item.evaluation}：运行 {item.crashed_run} 已中断，已启动续办运行 {item.continuation}")


@friendly
def dashboard(
    year: Annotated[int | None, typer.Option(help="只显示该年度开启的评估")] = None,
    serve: Annotated[int | None, typer.Option("--serve", help="在 127.0.0.1 的该端口提供页面（Ctrl+C 停止）")] = None,
) -> None:
    """生成进度看板页面（HTML）：各评估的阶段时间轴、期限和逾期事项，可投放到大屏。"""
    from pinggu.dashboard import serve_dashboard, write_dashboard

    path = write_dashboard(year)
    typer.echo(f"看板页面：{path}")
    if serve:
        typer.echo(f"正在提供：http://127.0.0.1:{serve}/index.html（Ctrl+C 停止）")
        serve_dashboard(path, serve)


@friendly
def demo() -> None:
    """演示：启动本地服务，导入样例目录，完整办理一项一般程序评估并输出 PDF 报告。"""
    from pinggu.demo import run_demo

    run_demo()


def register(app: typer.Typer) -> None:
    """Add `pinggu watch`, `recover`, `dashboard` and `demo` to the main command, in the order --help lists them."""
    for command in (watch, recover, dashboard, demo):
        app.command()(command)
