"""Per-step overhead of the evaluation machinery, and the cost of a skipped (already done) step.

Runs the ordinary flow's preparation steps in-process against a throwaway Prefect server and
product database, N times, and prints the figures. Usage: .venv/bin/python bench/bench_stage_overhead.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="pinggu-bench-"))
os.environ.update(
    PINGGU_HOME=str(HOME),
    PINGGU_PREFECT_PORT="4391",
    PREFECT_API_URL="http://127.0.0.1:4391/api",
    PREFECT_HOME=str(HOME / "prefect"),
)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pinggu.core.settings import configure_prefect_environment, get_settings

configure_prefect_environment()

from prefect import flow

from pinggu.core.settings import PROJECT_ROOT
from pinggu.catalog import import_catalog
from pinggu.localserver import start_server, stop_all
from pinggu.rules.vocabulary import EvaluationType, Scope
from pinggu.tasks.evaluation import open_evaluation
from pinggu.tasks.preparation import form_team, write_plan

TEAM = [{"name": "王明", "role": "单位工作人员", "unit": "区司法局"}]


@flow(name="bench-preparation")
def preparation(decision: str, rounds: int) -> dict:
    """Open an evaluation, run two steps, then re-run them `rounds` times (all skipped)."""
    from prefect.runtime import flow_run

    run_id = str(flow_run.id)
    started = time.perf_counter()
    evaluation_id = open_evaluation(decision, None, run_id, EvaluationType.ordinary, Scope.whole, [], ["问卷调查"])
    assert isinstance(evaluation_id, int), evaluation_id  # not refused
    form_team(evaluation_id, TEAM, run_id)
    write_plan(evaluation_id, None, run_id)
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        form_team(evaluation_id, TEAM, run_id)
        write_plan(evaluation_id, None, run_id)
    skipped = (time.perf_counter() - started) / (2 * rounds)
    return {"first_three_steps_s": first, "skipped_step_ms": skipped * 1000}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    started = time.perf_counter()
    start_server(get_settings())
    print(f"local Prefect server start: {time.perf_counter() - started:.1f} s")
    try:
        import_catalog(PROJECT_ROOT / "samples" / "catalog.csv")
        figures = preparation("S-2024-001", rounds)
        print(f"open evaluation + team + plan (first run): {figures['first_three_steps_s'] * 1000:.0f} ms")
        print(f"a step already done (skipped), mean of {2 * rounds}: {figures['skipped_step_ms']:.1f} ms")
    finally:
        stop_all(get_settings())


if __name__ == "__main__":
    main()
