"""`pinggu tracking …` and `pinggu supervision …`: tracking plans, reports and opinions (OR-6/8/9, MH-S6,
E-PUBLIC); supervision rounds and rectification (OR-10). Registered in pinggu.cli like `pinggu agency`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pinggu.core.errors import StateConflict
from pinggu.core.links import flow_run_url
from pinggu.cli.common import LOGIN, UNIT_REPORTER, friendly

tracking_app = typer.Typer(help="跟踪反馈：跟踪反馈工作方案、跟踪反馈报告、及时报告、公众意见", no_args_is_help=True)
supervision_app = typer.Typer(help="督查：督查情况和督查报告、整改报告", no_args_is_help=True)


def _day(text: str | None, what: str) -> date:
    from pinggu.models.tables import now_beijing

    if text is None:
        return now_beijing().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None


@tracking_app.command("import")
@friendly
def import_plans(
    source: Annotated[
        Path,
        typer.Argument(
            help="CSV 或 XLSX，每行一个时间节点：决策编号、责任机构、责任人员、方法步骤、节点目标、完成时限、责任单位"
        ),
    ],
    by: Annotated[str, typer.Option(help=f"导入人：{LOGIN}；记为其 单位姓名；不填记为“办公室”")] = "",
) -> None:
    """导入跟踪反馈工作方案（全年决策目录的时间节点）：有任何一行有误则全部不导入，并逐行列出问题。"""
    from pinggu.services.accounts import viewer_by_login
    from pinggu.services.actors import unit_and_name
    from pinggu.services.tracking import import_plans as run_import

    recorded_by = unit_and_name(viewer_by_login(by)) if by.strip() else "办公室"
    lines = run_import(source, recorded_by, _day(None, ""))
    typer.echo("\n".join(lines))
    typer.echo(f"已导入 {len(lines)} 项决策的跟踪反馈工作方案；每月 1 日起请承办单位报送上一期跟踪反馈报告")


@tracking_app.command("run")
@friendly
def run_now(
    as_of: Annotated[str | None, typer.Option(help="基准日期 YYYY-MM-DD，默认今天")] = None,
    decision: Annotated[str | None, typer.Option(help="只处理这一项决策")] = None,
) -> None:
    """立即运行一次跟踪反馈（与每月 1 日的定时运行相同）：开出已结束期间的报告要求，生成已报送的报告文书。"""
    from pinggu.services.orchestration import start_tracking

    run_id = start_tracking(_day(as_of, "基准日期").isoformat(), decision)
    typer.echo(f"已启动跟踪反馈：{flow_run_url(run_id)}")


@tracking_app.command("report")
@friendly
def submit(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    period: Annotated[str, typer.Argument(help="报告期间，如 2026-03（pinggu status 决策编号 列出待报送的期间）")],
    source: Annotated[
        Path,
        typer.Argument(
            help="YAML 或 JSON：progress 工作进展、effect 执行效果、problems 存在问题、proposals 解决建议、"
            "next_steps 下一步工作安排、milestones_done 本期完成的节点（seq、done_on）、serious 须及时报告的情况"
            "（无／决策存在问题／客观情况发生重大变化／发生不可抗力）、serious_note 情况说明"
        ),
    ],
    by: Annotated[str, typer.Option(help="填报人：" + UNIT_REPORTER.format(unit="决策承办单位"))],
) -> None:
    """报送一期跟踪反馈报告：记录后生成 PDF 和 Word；报告了严重问题、重大变化或不可抗力的，立即记为评估情形。"""
    from pinggu.reporting.other_documents import TrackingInput, read_input
    from pinggu.services.actors import urgent_reporter
    from pinggu.services.tracking import render_report, submit_report

    report = read_input("tracking", source, reporter=urgent_reporter(by, decision))
    assert isinstance(report, TrackingInput)
    today = _day(None, "")
    received = submit_report(decision, period, report, today)
    typer.echo(f"已记录 {received.decision} {received.period}跟踪反馈报告" + ("（逾期报送）" if received.late else ""))
    for line in (received.trigger, received.proposal):
        if line:
            typer.echo(line)
    pdf = render_report(received.report_id, today)
    typer.echo(f"已生成：{pdf}" if pdf else "报告文书将由下一次跟踪反馈运行生成")


@tracking_app.command("urgent")
@friendly
def urgent(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    kind: Annotated[str, typer.Option(help="决策存在问题／客观情况发生重大变化／发生不可抗力")],
    note: Annotated[str, typer.Option(help="情况说明")],
    by: Annotated[str, typer.Option(help="报告人：" + UNIT_REPORTER.format(unit="决策承办单位"))],
) -> None:
    """及时报告：决策存在问题、客观情况发生重大变化或发生不可抗力，严重影响决策目标实现（不等到下一期报告）。"""
    from pinggu.rules.tracking import SeriousReport
    from pinggu.services.actors import urgent_reporter
    from pinggu.services.tracking import report_at_once

    choices = [k.value for k in SeriousReport if k is not SeriousReport.none]
    if kind not in choices:
        raise StateConflict(f"情况类别“{kind}”无效，可选：{'、'.join(choices)}")
    reporter = urgent_reporter(by, decision)
    typer.echo(report_at_once(decision, SeriousReport(kind), note, reporter, _day(None, "")))


@tracking_app.command("opinion")
@friendly
def opinion(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    channel: Annotated[str, typer.Option(help="信函／电话／传真／电子邮件／网站／媒体")],
    summary: Annotated[str, typer.Option(help="意见摘要（不写姓名、电话等个人信息）")],
    by: Annotated[
        str,
        typer.Option(help=f"登记人：{LOGIN}；须参与该决策的跟踪反馈（承办单位、督查或评估办公室），记为其 单位姓名"),
    ],
    received: Annotated[str | None, typer.Option(help="收到日期 YYYY-MM-DD，默认今天")] = None,
    contact: Annotated[str, typer.Option(help="来信人联系方式：单独保存，不进入任何报告和档案")] = "",
) -> None:
    """登记一条公众意见；达到规定的数量时提示办公室研判是否属“较多意见”。"""
    from pinggu.rules.tracking import OpinionChannel
    from pinggu.services.actors import opinion_recorder
    from pinggu.services.tracking import record_opinion

    channels = [c.value for c in OpinionChannel]
    if channel not in channels:
        raise StateConflict(f"渠道“{channel}”无效，可选：{'、'.join(channels)}")
    recorder = opinion_recorder(by, decision)
    typer.echo(
        record_opinion(decision, OpinionChannel(channel), _day(received, "收到日期"), summary, contact, recorder)
    )


@supervision_app.command("start")
@friendly
def start(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    source: Annotated[
        Path,
        typer.Argument(
            help="YAML 或 JSON：methods 督查方式、supervised 被督查单位、held_on 督查日期、self_inspection_due 书面自查报告期限、"
            "already_supervised 已按其他规定督查的情况、repeat_reason 再次督查的理由、execution 执行情况、effect 实施效果、"
            "problems 存在的问题、proposals 改进建议、leader_matters、suggestions、rectifications（item 事项、unit 责任单位、"
            "deadline 期限）"
        ),
    ],
    by: Annotated[
        str, typer.Option(help=f"记录人：{LOGIN}；须是督查或评估办公室的人员，记为其 姓名（单位）；不填记为“督查机关”")
    ] = "",
) -> None:
    """启动一次督查：记录督查情况，形成督查报告；须经领导审定的（如昌黎县第五十三条）先审定再反馈，整改事项逐项审核，均在 Prefect 界面（督查运行）中办理。"""
    from pinggu.models.db import read_session
    from pinggu.models.evaluations import get_decision
    from pinggu.reporting.other_documents import SupervisionInput, read_input
    from pinggu.rules.periods import check_not_after_today
    from pinggu.services.actors import supervision_recorder
    from pinggu.services.orchestration import start_supervision
    from pinggu.services.supervision import check_findings

    findings = read_input("supervision", source)
    assert isinstance(findings, SupervisionInput)
    if findings.held_on is not None:  # refused here rather than by the run it would start
        check_not_after_today(findings.held_on, _day(None, ""), "督查日期")
    with read_session() as session:
        profile = get_decision(session=session, code=decision).profile  # an unknown code is refused here
    check_findings(profile, findings)  # OR-10, MH-S2, MH-S9: refused before any run starts
    recorder = supervision_recorder(by, decision) if by.strip() else "督查机关"
    run_id = start_supervision(decision, findings.model_dump(mode="json"), recorder)
    typer.echo(f"已启动督查：{flow_run_url(run_id)}")


@supervision_app.command("rectified")
@friendly
def rectified(
    item: Annotated[int, typer.Argument(help="整改事项编号（pinggu status 决策编号 列出）")],
    report: Annotated[str, typer.Option(help="整改情况")],
    by: Annotated[str, typer.Option(help="报告人：" + UNIT_REPORTER.format(unit="整改事项的责任单位"))],
    on: Annotated[str | None, typer.Option(help="报告日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """责任单位书面报告整改情况，等待办公室审核。"""
    from pinggu.services.actors import rectification_reporter
    from pinggu.services.supervision import report_back

    reported_on = _day(on, "报告日期")
    typer.echo(report_back(item, report, reported_on, rectification_reporter(by, item)))
