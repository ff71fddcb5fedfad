"""What an operator waits for: from starting an evaluation to its first form, and from answering a
form to the next one, on the real served deployments (each resume starts a new flow-run process).

Runs a simplified evaluation (two gates) against a throwaway local Prefect server and product
database and prints the figures with the state timeline of the run.
Usage: .venv/bin/python bench/bench_resume.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="pinggu-bench-"))
os.environ.update(PINGGU_HOME=str(HOME), PINGGU_PREFECT_PORT="4392")
for variable in ("PREFECT_API_URL", "PREFECT_HOME", "PINGGU_PREFECT_API_URL", "PINGGU_DATABASE_URL"):
    os.environ.pop(variable, None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.document_store import keep
from core.settings import PROJECT_ROOT, configure_prefect_environment, get_settings

configure_prefect_environment()

from pinggu.catalog import import_catalog
from pinggu.localserver import start_server, start_worker, stop_all
from pinggu.people import import_people_file
from services.orchestration import answer_gate, paused_at, start_evaluation, wait_for
from services.signoff import run_code_in_outbox

TEAM = [{"name": "王明", "role": "单位工作人员", "unit": "区司法局"}]


def _at(run_id, gate: str):
    return wait_for(run_id, lambda run: paused_at(run) == gate, timeout=180, what=gate)


def main() -> None:
    settings = get_settings()
    started = time.perf_counter()
    start_server(settings)
    start_worker(settings)
    print(f"local Prefect server + serving process start: {time.perf_counter() - started:.1f} s")
    try:
        import_catalog(PROJECT_ROOT / "samples" / "catalog.csv")
        import_people_file(PROJECT_ROOT / "samples" / "people.csv")
        minutes = HOME / "座谈会纪要.txt"
        minutes.write_text("座谈会纪要\n", encoding="utf-8")
        clock = time.perf_counter()
        run_id = start_evaluation("simplified", {"decision": "S-2021-018", "team": TEAM, "methods": ["座谈会"]})
        _at(run_id, "minutes")
        print(f"start → first form (team, plan PDF): {time.perf_counter() - clock:.1f} s")
        clock = time.perf_counter()
        answer_gate(
            run_id,
            "minutes",
            {
                "file": keep(minutes, "uploads").location,
                "summary": "座谈会情况",
                "code": run_code_in_outbox(run_id, "minutes", "赵敏"),
            },
        )
        _at(run_id, "approval")
        print(f"answer → next form (analysis, draft report PDF): {time.perf_counter() - clock:.1f} s")
        clock = time.perf_counter()
        answer_gate(
            run_id,
            "approval",
            {"choice": "通过", "conclusion": "继续执行", "code": run_code_in_outbox(run_id, "approval", "刘志强")},
        )
        wait_for(run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成")
        print(f"approval → completed (final report PDF, archive): {time.perf_counter() - clock:.1f} s")

        from prefect import get_client

        with get_client(sync_client=True) as client:
            states = client.read_flow_run_states(run_id)
        print(
            "state timeline:",
            ", ".join(f"{s.name} +{(s.timestamp - states[0].timestamp).total_seconds():.1f}s" for s in states),
        )
    finally:
        stop_all(settings)


if __name__ == "__main__":
    main()
