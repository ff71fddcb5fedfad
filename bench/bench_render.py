"""What rendering one evaluation report costs a resumed flow run: the draft and the final report of
S-2022-003's profile (minhang), each rendered as the conclusion steps do it (pinggu.tasks.conclusion:
the template, then the PDF and the Word file, written and hashed), in a process forked from a parent
that has imported what the serving process's fork server preloads (deployments/fork_server.py WARM_MODULES,
pinggu.deployments.warm last), as each resume of a served run is.

Each report is rendered in its own fresh child, alternating draft and final; prints the medians of
wall and CPU seconds (CPU is what other work on the cores does not inflate), split into template,
PDF and Word. Usage: .venv/bin/python bench/bench_render.py [CHILDREN]

Figures (2 cores, 2026-12-07, load average 1.3–1.7 while measuring, another engineer's tests before;
10 children a run, three runs each, before and after alternating; wall ≈ CPU):
- before (880e795: a WeasyPrint font configuration and URL fetcher per document, templates compiled
  by each run's first report): per report 1.23 / 1.24 / 1.36 s (template 0.05, PDF 1.01–1.09,
  Word 0.17–0.19);
- after (one font configuration and TLS context per process, and reporting.pdf.warm_up in the fork
  server: templates compiled, fonts opened, a page laid out and a Word file built): 1.12 / 1.15 /
  1.14 s (template 0.00, PDF 0.97–1.00, Word 0.14).
What is left is WeasyPrint's own work on a 9-page report (CPU, profiled in a warm child): the cascade
0.26 s, layout 0.3 s, drawing 0.14 s, subsetting the four Noto CJK faces 0.16 s, writing and compressing
the PDF 0.14 s; python-docx 0.14 s (a third of it looking up the heading and table styles by name).
"""

from __future__ import annotations

import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PINGGU_HOME", tempfile.mkdtemp(prefix="pinggu-bench-render-"))

PARTS = ("template", "pdf", "word", "total")


def child(context, work: Path) -> dict[str, tuple[float, float]]:
    """One report rendered as the step's `produce` does it: (wall, CPU) seconds per part."""
    from pinggu.reporting.context import render_report
    from pinggu.reporting.docx import write_docx
    from pinggu.reporting.pdf import write_pdf

    clocks = [(time.perf_counter(), time.process_time())]
    html = render_report(context)
    clocks.append((time.perf_counter(), time.process_time()))
    write_pdf(html, work / "report.pdf")
    clocks.append((time.perf_counter(), time.process_time()))
    write_docx(html, work / "report.docx")
    clocks.append((time.perf_counter(), time.process_time()))
    spans = {
        part: (clocks[i + 1][0] - clocks[i][0], clocks[i + 1][1] - clocks[i][1]) for i, part in enumerate(PARTS[:-1])
    }
    spans["total"] = (clocks[-1][0] - clocks[0][0], clocks[-1][1] - clocks[0][1])
    return spans


def main() -> None:
    from builders import report_context

    from pinggu.deployments.fork_server import WARM_MODULES

    children = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    clock = time.perf_counter()
    for module in WARM_MODULES:
        importlib.import_module(module)
    print(f"warm-up in the parent (as the fork server): {time.perf_counter() - clock:.1f} s")
    contexts = [report_context("minhang", final=False), report_context("minhang", final=True)]
    print(f"load average before: {', '.join(f'{value:.1f}' for value in os.getloadavg())}")
    results: dict[str, list[tuple[float, float]]] = {part: [] for part in PARTS}
    for n in range(children):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the resumed run's process
            os.close(reader)
            with tempfile.TemporaryDirectory() as work:
                spans = child(contexts[n % 2], Path(work))
            os.write(writer, repr(spans).encode())
            os._exit(0)
        os.close(writer)
        with os.fdopen(reader) as pipe:
            spans = eval(pipe.read())  # noqa: S307  (this script's own child's repr of floats)
        os.waitpid(pid, 0)
        for part in PARTS:
            results[part].append(spans[part])
    print(f"{children} reports (draft and final alternately), each in a fresh child; medians (min–max):")
    for part in PARTS:
        wall = [w for w, _ in results[part]]
        cpu = [c for _, c in results[part]]
        print(
            f"  {part:<8} wall {statistics.median(wall):5.2f} s ({min(wall):.2f}–{max(wall):.2f})"
            f"   CPU {statistics.median(cpu):5.2f} s ({min(cpu):.2f}–{max(cpu):.2f})"
        )
    print(f"load average after: {', '.join(f'{value:.1f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
