"""`pinggu deadline`, `pinggu trigger`, `pinggu plan`: statutory periods, the events that call for an evaluation
and the annual plan of evaluations.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pinggu.core.errors import StateConflict
from pinggu.core.links import flow_run_url
from pinggu.cli.common import BY_LOGIN, friendly, parse_date
from pinggu.rules.vocabulary import EventKind


@friendly
def deadline(
    start: Annotated[str, typer.Option(help="起算日 YYYY-MM-DD（期间自次日起算）")],
    days: Annotated[int | None, typer.Option(help="按日计算的期间")] = None,
    working_days: Annotated[int | None, typer.Option(help="按工作日计算的期间")] = None,
    months: Annotated[int | None, typer.Option(help="按月计算的期间")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """计算期间届满日（民法典第二百零一至二百零三条，含法定节假日与调休）。"""
    from datetime import date

    from pinggu.rules.periods import Period, PeriodUnit, add_period

    chosen = [
        (n, unit)
        for n, unit in ((days, PeriodUnit.days), (working_days, PeriodUnit.working_days), (months, PeriodUnit.months))
        if n is not None
    ]
    if len(chosen) != 1:
        raise StateConflict("请且仅请指定 --days、--working-days、--months 中的一项")
    try:
        start_date = date.fromisoformat(start)
        period = Period(chosen[0][0], chosen[0][1])
    except ValueError as error:
        message = str(error) if "期间" in str(error) else f"起算日“{start}”格式应为 YYYY-MM-DD"
        raise StateConflict(message) from None
    try:
        result = add_period(start_date, period)
    except ValueError as error:  # beyond the calendar's last day: the rule says so in Chinese
        raise StateConflict(str(error)) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    from pinggu.rules.calendar import default_calendar

    weekday = f"星期{'一二三四五六日'[result.due.weekday()]}"
    if result.due.weekday() >= 5 and default_calendar().is_workday(result.due):
        weekday += "，调休上班日"
    line = f"自 {start_date} 起 {period}，届满日为 {result.due}（{weekday}）"
    typer.echo(line if result.calendar_complete else line + "【暂定】")
    for warning in result.warnings:
        typer.secho(f"注意：{warning}", fg=typer.colors.YELLOW)


# The situations the help offers as examples (pinggu.services.planning lists them all on a wrong one).
_EXAMPLE_KINDS = (
    EventKind.basis_changed,
    EventKind.effect_not_met,
    EventKind.many_opinions,
    EventKind.controversy_risk,
)


@friendly
def trigger(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    kind: Annotated[str, typer.Option(help=f"触发情形，如 {'、'.join(_EXAMPLE_KINDS)}")],
    date: Annotated[str, typer.Option(help="发生或申请日期 YYYY-MM-DD")],
    note: Annotated[str, typer.Option(help="情况说明")] = "",
    by: Annotated[str, typer.Option(help=f"记录人：{BY_LOGIN}；须是该辖区评估办公室的人员")] = "",
    approved_on: Annotated[str | None, typer.Option(help="上级同意日期（执行单位申请须经同意的情形）")] = None,
) -> None:
    """记录一项触发评估的情形（决策依据变化、效果未达预期、意见较多、争议风险等）；
    较大争议或风险（controversy_risk）须及时评估：记录后立即提出该项决策的专项评估计划，审定后启动。"""
    from pinggu.models.tables import now_beijing
    from pinggu.rules.planning_types import PROMPT_EVENT_KINDS
    from pinggu.services.actors import office_actor
    from pinggu.services.planning import add_trigger, propose_prompt_plan

    recorder = office_actor(by, decision, f"决策 {decision} 的触发情形")
    typer.echo(
        add_trigger(decision, kind, parse_date(date, "日期"), note, recorder, parse_date(approved_on, "同意日期"))
    )
    if kind in PROMPT_EVENT_KINDS:
        typer.echo(propose_prompt_plan(decision, now_beijing().date()))


# Years a plan can be made for. Outside them a typo (1800, 20266) would print an empty plan as if
# nothing were due.
PLAN_YEARS = (2000, 2100)


@friendly
def plan(
    year: Annotated[int, typer.Option(help="计划年度")],
    as_of: Annotated[str | None, typer.Option(help="计算基准日 YYYY-MM-DD，默认今天")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    profile: Annotated[str | None, typer.Option(help="只计划适用该规则（辖区）的决策，例如 ordos")] = None,
    decision: Annotated[str | None, typer.Option(help="只为这一项决策编制专项计划（如发生重大争议或风险）")] = None,
    start: Annotated[
        bool, typer.Option("--start", help="运行年度计划流程：生成计划文件，经审定后逐项启动评估")
    ] = False,
) -> None:
    """列出年度评估计划：每项决策在该年度依规应开展的评估、原因、评估单位和完成期限。"""
    if not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
        raise StateConflict(f"计划年度 {year} 超出范围：应在 {PLAN_YEARS[0]} 至 {PLAN_YEARS[1]} 年之间")
    from pinggu.models.tables import now_beijing
    from pinggu.status import render_plan
    from pinggu.services.planning import build_plan

    if start:
        from pinggu.services.orchestration import start_annual_plan

        run_id = start_annual_plan(year, profile, decision)
        typer.echo(
            f"已启动{'专项' if decision else '年度'}计划流程运行 {run_id}；计划生成后在界面审定"
            f"（可逐项调整完成期限或不列入计划）：{flow_run_url(run_id)}"
        )
        return
    result = build_plan(year, parse_date(as_of, "基准日") or now_beijing().date(), profile, decision)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else render_plan(result))


def register(app: typer.Typer) -> None:
    """Add `pinggu deadline`, `pinggu trigger` and `pinggu plan` to the main command, in the order --help lists them."""
    for command in (deadline, trigger, plan):
        app.command()(command)
