"""Time to render a long evaluation report as PDF and Word (Jinja2 → WeasyPrint / python-docx).

Builds a report context from the sample survey and opinions (tests/builders.report_context), with
the survey chart and its breakdown tables shown in ten parts, repeated until the report is about
60 pages, and prints pages and seconds. Target (issue 5): a 60-page report with 10 charts under 15 s.
Usage: .venv/bin/python bench/bench_report.py [REPEATS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builders import report_context

from pinggu.reporting.context import OutlineSection, ReportContext, render_report
from pinggu.reporting.docx import write_docx
from pinggu.reporting.pdf import write_pdf

CHARTS = 10


def context(repeats: int) -> ReportContext:
    """The bazhou report with its analysis part shown ten times: ten survey charts."""
    base = report_context("bazhou", repeats=repeats)
    outline = list(base.outline)
    analysis = outline[1]
    extra = [
        OutlineSection(numeral=f"{analysis.numeral}之{n}", title=f"{analysis.title}（第{n}组样本）", blocks=["survey"])
        for n in range(2, CHARTS + 1)
    ]
    outline[2:2] = extra
    return base.model_copy(update={"outline": outline})


def main() -> None:
    from pypdf import PdfReader

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    data = context(repeats)
    started = time.perf_counter()
    html = render_report(data)
    rendered = time.perf_counter() - started
    target = Path(tempfile.mkdtemp()) / "bench.pdf"
    started = time.perf_counter()
    write_pdf(html, target)
    written = time.perf_counter() - started
    pages = len(PdfReader(target).pages)
    charts = html.count('class="bars"')
    started = time.perf_counter()
    write_docx(html, target.with_suffix(".docx"))
    word = time.perf_counter() - started
    print(
        f"template render: {rendered * 1000:.0f} ms; PDF: {pages} pages, {charts} charts in {written:.2f} s "
        f"({target.stat().st_size / 1024:.0f} KiB); Word: {word:.2f} s"
    )


if __name__ == "__main__":
    main()
