"""Time to render the evaluation report PDF (Jinja2 → WeasyPrint, embedded CJK subset fonts).

Renders the report template with the sample survey's figures, repeated to a long report, and
prints pages and seconds. Usage: .venv/bin/python bench/bench_report.py [REPEATS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.survey import read_survey, summarise_survey  # noqa: E402
from reporting.pdf import render_html, write_pdf  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def context(repeats: int) -> dict:
    figures = summarise_survey(read_survey(SAMPLES / "survey.csv")).to_dict()
    figures.update(source_title="survey.csv", source_sha256="0" * 64)
    # Longer reports: the breakdown tables repeated under distinct headings.
    figures["breakdowns"] = {
        f"{name}（{n}）": rows for n in range(repeats) for name, rows in figures["breakdowns"].items()
    }
    stage = {"name": "准备阶段", "target_date": "2026-12-12", "started": "", "finished": ""}
    return {
        "report": {"status": "送审稿", "generated_on": "2026-11-22"},
        "decision": {"code": "S-2024-001", "title": "关于高标准农田建设的实施方案", "decision_body": "闵行区人民政府",
                     "lead_unit": "区发展和改革委员会", "category": "重大公共政策", "decided_on": "2024-08-19",
                     "starts_on": "2024-08-30", "ends_on": "2029-08-29", "progress_percent": 26},
        "evaluation": {"code": "PG-2026-0001", "type_name": "一般程序", "scope_name": "整体评估", "scope_parts": []},
        "team": [{"name": "王明", "role": "单位工作人员", "unit": "区司法局"}],
        "plan": {"purpose": "评估目的", "content": "评估内容", "methods": ["问卷调查"], "budget": "—", "organisation": "—"},
        "stages": [stage] * 3,
        "schedule_provisional": False,
        "survey": figures,
        "preliminary": "初步结论。",
        "expert_review": None,
        "approvals": [],
        "conclusion": None,
        "process": [],
    }


def main() -> None:
    from pypdf import PdfReader

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    started = time.perf_counter()
    html = render_html("evaluation_report.html.j2", context(repeats))
    rendered = time.perf_counter() - started
    target = Path(tempfile.mkdtemp()) / "bench.pdf"
    started = time.perf_counter()
    write_pdf(html, target)
    written = time.perf_counter() - started
    pages = len(PdfReader(target).pages)
    print(f"template render: {rendered * 1000:.0f} ms; PDF: {pages} pages in {written:.2f} s "
          f"({target.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
