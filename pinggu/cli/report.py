"""`pinggu report …`: the tracking-feedback report (OR-8) and the supervision report (OR-10).

Registered in pinggu.cli like `pinggu agency`; errors go through pinggu.cli.friendly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import friendly

report_app = typer.Typer(help="跟踪反馈报告、督查报告", no_args_is_help=True)


def _write(kind: str, decision_code: str, source: Path) -> None:
    from core.settings import get_settings
    from models import audit
    from models import evaluations as store
    from models.db import session_scope
    from models.tables import now_beijing
    from reporting.other_documents import read_input, render_document

    report_input = read_input(kind, source)
    with session_scope() as session:
        decision = store.get_decision(session=session, code=decision_code).model_dump(mode="json")
    today = now_beijing().date()
    pdf, docx = render_document(kind, decision, report_input, get_settings().reports_dir / decision_code, today)
    with session_scope() as session:
        audit.record(
            session=session, action=f"{kind}_report_written", decision_code=decision_code, pdf=str(pdf), docx=str(docx)
        )
    typer.echo(f"已生成：{pdf}\n　　　　{docx}")


@report_app.command("tracking")
@friendly
def tracking(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    source: Annotated[
        Path,
        typer.Argument(
            help="YAML 或 JSON：period 报告期间、unit 报告单位、progress 工作进展、effect 执行效果、problems 存在问题、proposals 解决建议、next_steps 下一步工作安排、major_change 重大情况（可选）"
        ),
    ],
) -> None:
    """生成跟踪反馈报告（鄂尔多斯市办法第八条）：PDF 和 Word。"""
    _write("tracking", decision, source)


@report_app.command("supervision")
@friendly
def supervision(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    source: Annotated[
        Path,
        typer.Argument(
            help="YAML 或 JSON：supervisor 督查单位、methods 督查方式（书面督查/听取汇报/实地督查/网上信息核查）、execution、effect、problems、proposals、leader_matters、suggestions、rectifications（item、unit、deadline）"
        ),
    ],
) -> None:
    """生成督查报告（鄂尔多斯市办法第十条、闵行区督查细则第十条）：PDF 和 Word。"""
    _write("supervision", decision, source)


@report_app.command("annual")
@friendly
def annual(
    year: Annotated[int, typer.Option(help="年度")],
    profile: Annotated[str | None, typer.Option(help="只汇总适用该规则（辖区）的决策，例如 bazhou")] = None,
) -> None:
    """生成年度评估工作情况（供依法行政考核）：完成、按期、结论、各单位情况，PDF 和 Word。"""
    from core.settings import get_settings
    from models.tables import now_beijing
    from pinggu.annual_summary import annual_summary
    from reporting.docx import write_pdf_and_docx
    from reporting.pdf import render_html

    summary = annual_summary(year, profile)
    html = render_html("annual_summary.html.j2", {"s": summary, "generated_on": now_beijing().date().isoformat()})
    stem = get_settings().reports_dir / "annual" / f"{year}年度后评估工作情况{'-' + profile if profile else ''}"
    written = write_pdf_and_docx(html, stem)
    pdf, docx = written["pdf"][0], written["docx"][0]
    typer.echo(
        f"{year} 年度：完成 {summary['done']} 项，按期 {summary['on_time']} 项，进行中 {summary['under_way']} 项"
    )
    typer.echo(f"已生成：{pdf}\n　　　　{docx}")
