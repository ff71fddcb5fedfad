"""`pinggu followup …`: the follow-up measures after an adjust, suspend or terminate conclusion (C-FOLLOWUP) —
listed, and closed by the unit's report-back. Registered in pinggu.cli like `pinggu tracking`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pinggu.core.errors import InputFileError, StateConflict
from pinggu.cli.common import UNIT_REPORTER, friendly

followup_app = typer.Typer(
    help="后续措施：评估结论为调整、中止或终止执行后，执行单位采取措施并报告落实情况", no_args_is_help=True
)


def _day(text: str | None, what: str) -> date:
    from pinggu.models.tables import now_beijing

    if text is None:
        return now_beijing().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None


@followup_app.command("list")
@friendly
def list_follow_ups(
    evaluation: Annotated[str | None, typer.Argument(help="评估编号；不填则列出所有未办结的后续措施")] = None,
) -> None:
    """列出后续措施：编号、责任单位、期限、状态（逾期标出）及在网页报告落实情况的地址。"""
    from pinggu.core.links import follow_up_url
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.models.tables import now_beijing
    from pinggu.services.followups import follow_up_state, open_follow_ups

    today = now_beijing().date()
    if evaluation is None:
        items = open_follow_ups()
    else:
        with read_session() as session:
            found = store.get_evaluation(session=session, code=evaluation)
            ids = [f.id for f in store.follow_ups(session=session, evaluation_id=found.id) if f.id is not None]
        items = [follow_up_state(i) for i in ids]
    if not items:
        typer.echo("没有后续措施" if evaluation else "没有未办结的后续措施")
    for item in items:
        state = item.status_name + (f"（{item.reported_on} 报告）" if item.reported_on else "")
        typer.echo(
            f"后续措施 #{item.id} · 评估 {item.evaluation} ·《{item.title}》 · {item.unit} · {item.due_date} 前 · {state}"
            + ("  【逾期】" if item.overdue(today) else "")
        )
        if item.open:
            typer.echo(f"  报告落实情况：pinggu followup close {item.evaluation} {item.id} 或 {follow_up_url(item.id)}")


@followup_app.command("close")
@friendly
def close(
    evaluation: Annotated[str, typer.Argument(help="评估编号")],
    item: Annotated[int, typer.Argument(help="后续措施编号（pinggu followup list 或 pinggu status 评估编号 列出）")],
    note: Annotated[str, typer.Option(help="落实情况：采取的措施及其效果")],
    by: Annotated[str, typer.Option(help="报告人：" + UNIT_REPORTER.format(unit="责任单位"))],
    on: Annotated[str | None, typer.Option("--date", help="书面报告日期 YYYY-MM-DD，默认今天；不能晚于今天")] = None,
    file: Annotated[Path | None, typer.Option(help="落实情况报告文件（PDF、Word 或文本，可不提供）")] = None,
) -> None:
    """执行单位报告后续措施的落实情况，办结该后续措施（落实情况中的姓名、电话等个人信息自动隐去）。"""
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.models.tables import now_beijing
    from pinggu.services.actors import follow_up_reporter
    from pinggu.services.followups import Attachment, report_back

    with read_session() as session:
        found = store.get_follow_up(session=session, follow_up_id=item)
        if store.get_evaluation_by_id(session=session, evaluation_id=found.evaluation_id).code != evaluation:
            raise StateConflict(
                f"后续措施 #{item} 不属于评估 {evaluation}：请用 pinggu followup list {evaluation} 查看编号"
            )
    reporter = follow_up_reporter(by, item)
    document = None
    if file is not None:
        if not file.is_file():
            raise InputFileError(f"找不到文件 {file}")
        document = Attachment(file.read_bytes(), file.suffix, f"文件“{file.name}”")
    typer.echo(
        report_back(
            item,
            reported_on=_day(on, "报告日期"),
            note=note,
            by=reporter,
            today=now_beijing().date(),
            document=document,
        )
    )
