"""The 台账's plan sheet over a 10,000-decision catalog (target: the export under 5 s).

Generates a catalog like bench_plan.py (the sample's rows with new 编号), imports it into a throwaway home
with `pinggu catalog import`, computes the 2026 plan over it and keeps its items as the plan's draft does
(pinggu.services.planning.keep_plan_items), then times, in one process, reading the plan rows
(pinggu.services.ledger.plan_rows) and building the workbook (pinggu.services.ledger_export.ledger_workbook_bytes), and
`pinggu export 台账 --year 2026 --kind plan` as a whole command.

Measured on 2026-12-07 (two cores, a full test run going on beside it): 10,000 decisions give 3,750 plan
items; rows read in 0.37 s, the workbook (read + write, 197 KiB) in 1.05 s, the whole command in 2.29 s.

Usage: .venv/bin/python bench/bench_ledger.py [ROWS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="pinggu-bench-ledger-"))
os.environ["PINGGU_HOME"] = str(HOME)  # before anything reads the settings

from bench.bench_plan import generate

TARGET_SECONDS = 5.0


def main() -> None:
    """Generate and import the catalog, keep its plan, and print the times."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    pinggu = str(Path(sys.executable).parent / "pinggu")
    catalog = HOME / "catalog.csv"
    generate(rows, catalog)
    subprocess.run([pinggu, "catalog", "import", str(catalog)], env=os.environ, capture_output=True, check=True)

    from pinggu.services.ledger import LedgerFilter, LedgerKind, plan_rows
    from pinggu.services.ledger_export import ledger_workbook_bytes
    from pinggu.services.planning import build_plan, keep_plan_items

    as_of = date(2026, 11, 22)
    started = time.perf_counter()
    kept = keep_plan_items(build_plan(2026, as_of), "all")
    print(f"plan over {rows} decisions computed and its {kept} items kept: {time.perf_counter() - started:.2f} s")

    filters = LedgerFilter(year=2026)
    started = time.perf_counter()
    read = plan_rows(filters, as_of)
    reading = time.perf_counter() - started
    started = time.perf_counter()
    content = ledger_workbook_bytes(filters, [LedgerKind.plan], as_of)
    whole = time.perf_counter() - started
    print(
        f"plan rows read: {len(read)} in {reading:.2f} s; workbook (read + write) {whole:.2f} s, "
        f"{len(content) // 1024} KiB (target < {TARGET_SECONDS:.0f} s)"
    )

    target = HOME / "台账.xlsx"
    started = time.perf_counter()
    subprocess.run(
        [pinggu, "export", "台账", "--year", "2026", "--kind", "plan", "-o", str(target)],
        env=os.environ,
        capture_output=True,
        check=True,
    )
    print(f"pinggu export 台账 --year 2026 --kind plan (whole command): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
