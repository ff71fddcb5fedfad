"""Catalog import and annual plan over a 10,000-decision catalog (targets: import < 10 s, plan < 2 s).

Generates a catalog from the sample's rows with new 编号, imports it into a throwaway database with
`pinggu catalog import`, then times `pinggu plan --year 2026 --json` as a whole command.
Usage: .venv/bin/python bench/bench_plan.py [ROWS]
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "catalog.csv"


def generate(rows: int, target: Path) -> None:
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


def timed(command: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    home = Path(tempfile.mkdtemp(prefix="pinggu-bench-plan-"))
    env = {**os.environ, "PINGGU_HOME": str(home)}
    catalog = home / "catalog.csv"
    generate(rows, catalog)
    pinggu = str(Path(sys.executable).parent / "pinggu")
    seconds, _ = timed([pinggu, "catalog", "import", str(catalog)], env)
    print(f"pinggu catalog import, {rows} rows (new): {seconds:.2f} s")
    seconds, _ = timed([pinggu, "catalog", "import", str(catalog)], env)
    print(f"pinggu catalog import, {rows} rows (all updates): {seconds:.2f} s")
    seconds, output = timed([pinggu, "plan", "--year", "2026", "--as-of", "2026-11-22", "--json"], env)
    print(
        f"pinggu plan --year 2026 over {rows} decisions (whole command): {seconds:.2f} s, {len(output) // 1024} KiB of JSON"
    )


if __name__ == "__main__":
    main()
