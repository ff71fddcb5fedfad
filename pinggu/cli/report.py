"""`pinggu report …`: the year's evaluation work for the annual law-based-administration assessment (R-ANNUAL).

The tracking report (OR-8) and the supervision report (OR-10) are rendered from recorded data by
`pinggu tracking` and `pinggu supervision` (pinggu/cli/tracking.py).

Registered in pinggu.cli like `pinggu agency`; errors go through pinggu.cli.friendly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pinggu.cli.common import friendly

report_app = typer.Typer(help="年度评估工作情况", no_args_is_help=True)


@report_app.command("annual")
@friendly
def annual(
    year: Annotated[int, typer.Option(help="年度")],
    profile: Annotated[str | None, typer.Option(help="只汇总适用该规则（辖区）的决策，例如 bazhou")] = None,
) -> None:
    """生成年度评估工作情况（供依法行政考核）：完成、按期、结论、各单位情况，PDF 和 Word。"""
    from pinggu.core.settings import get_settings
    from pinggu.models.tables import now_beijing
    from pinggu.annual_summary import annual_summary
    from pinggu.reporting.docx import write_pdf_and_docx
    from pinggu.reporting.pdf import render_html

    summary = annual_summary(year, profile)
    html = render_html("annual_summary.html.j2", {"s": summary, "generated_on": now_beijing().date().isoformat()})
    stem = get_settings().reports_dir / "annual" / f"{year}年度后评估工作情况{'-' + profile if profile else ''}"
    written = write_pdf_and_docx(html, stem)
    pdf, docx = written["pdf"][0], written["docx"][0]
    typer.echo(
        f"{year} 年度：完成 {summary['done']} 项，按期 {summary['on_time']} 项，进行中 {summary['under_way']} 项"
    )
    typer.echo(f"已生成：{pdf}\n　　　　{docx}")
