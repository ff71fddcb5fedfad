"""Catalog import and annual plan over a 10,000-decision catalog (issue 32 item 5; goals on 2 cores: the import
≤ 5 s, new or all updates; the plan ≤ 1.5 s).

Generates a catalog from the sample's rows with new 编号 (6 of its 40 rows are minhang decisions with an issue
date, so the import starts 1,500 archive deadlines, MH-A10), imports it into a throwaway home with `pinggu
catalog import`, imports it again (every row an update, nothing started twice), then times `pinggu plan --year
2026 --json` as a whole command. Each figure is the median of RUNS runs (wall seconds, and the command's CPU
seconds), printed beside its goal; then the audit chain is verified (`pinggu audit verify`).
Usage: .venv/bin/python bench/bench_plan.py [ROWS] [RUNS]

Measured on 2026-12-07 on the 2-core development machine, beside a full CI run (load average 2–5), median of
3 runs, wall (CPU):
- before (per row a query and a Decision built through pydantic, whose default factory `list` cost an
  `inspect.signature` → `compile` each; per deadline an audit append; the plan built a Decision per row):
  import new 8.22 s (8.31 s), all updates 4.84 s (4.93 s), plan 1.15 s (1.14 s);
- after (pinggu.models.decisions.upsert_decisions in bulk: a few INSERT/UPDATE executemany statements whatever the
  rows, one audit entry per import naming the deadlines it started; the plan reads the catalog's columns):
  import new 2.18 s (2.28 s), all updates 2.01 s (2.09 s), plan 1.07 s (1.05 s). All three goals met; the
  audit chain intact; the stored rows and the plan's JSON the same as before.
At load average 5–6.5 the same: before 8.81 / 5.30 / 1.30 s, after 2.44 / 2.13 / 1.14 s. What is left is mostly
start-up (importing the CLI, SQLModel's tables, pandas): about 1 s CPU of the import, 0.7 s of the plan.
"""

from __future__ import annotations

import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "catalog.csv"

GOAL_IMPORT_S = 5.0
GOAL_PLAN_S = 1.5


def generate(rows: int, target: Path) -> None:
    """Write a catalog of `rows` decisions: the sample's rows in turn, each with a new 编号."""
    with SAMPLE.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header, *samples = list(reader)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n in range(rows):
            row = list(samples[n % len(samples)])
            row[0] = f"B-{n:06d}"
            writer.writerow(row)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `command`; return its wall seconds, its CPU seconds (user + system) and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def verdict(met: bool) -> str:
    """达到 or 未达到, as the benches print a goal."""
    return "达到 (met)" if met else "未达到 (not met)"


def main() -> None:
    """Import the catalog into fresh homes, import it again, plan over it; print the medians beside the goals."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    pinggu = str(Path(sys.executable).parent / "pinggu")
    work = Path(tempfile.mkdtemp(prefix="pinggu-bench-plan-"))
    catalog = work / "catalog.csv"
    generate(rows, catalog)
    figures: dict[str, list[tuple[float, float]]] = {"new": [], "updates": [], "plan": []}
    plan_size = 0
    for run in range(runs):
        env = {**os.environ, "PINGGU_HOME": str(work / f"home-{run}")}
        figures["new"].append(timed([pinggu, "catalog", "import", str(catalog)], env)[:2])
        figures["updates"].append(timed([pinggu, "catalog", "import", str(catalog)], env)[:2])
        *plan, output = timed([pinggu, "plan", "--year", "2026", "--as-of", "2026-11-22", "--json"], env)
        figures["plan"].append((plan[0], plan[1]))
        plan_size = len(output) // 1024
    wall = {name: statistics.median(w for w, _ in taken) for name, taken in figures.items()}
    cpu = {name: statistics.median(c for _, c in taken) for name, taken in figures.items()}

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{rows} decisions, median of {runs} run(s); {os.cpu_count()} cores, load average {load} at the end")
    for name, what, goal in (
        ("new", f"pinggu catalog import, {rows} rows (new)", GOAL_IMPORT_S),
        ("updates", f"pinggu catalog import, {rows} rows (all updates)", GOAL_IMPORT_S),
        ("plan", f"pinggu plan --year 2026 ({plan_size} KiB of JSON)", GOAL_PLAN_S),
    ):
        print(f"  {what} ≤ {goal:g} s: {wall[name]:.2f} s ({cpu[name]:.2f} s CPU) — {verdict(wall[name] <= goal)}")
    verified = subprocess.run(
        [pinggu, "audit", "verify"],
        env={**os.environ, "PINGGU_HOME": str(work / "home-0")},
        capture_output=True,
        text=True,
    )
    print(f"pinggu audit verify: {(verified.stdout + verified.stderr).strip()}")
    print(f"(throwaway homes under {work})")


if __name__ == "__main__":
    main()
