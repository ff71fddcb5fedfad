"""Many evaluations at once on a busy machine: every run ends, every step is done once, the chain holds.

Starts PINGGU_STRESS_N (default 20) simplified evaluations together on the session's server while two
processes keep the cores busy (the load under which, before short transactions, three of twenty runs
died of "database is locked"), answers every gate the moment its form is stored
(bench/load_driver.py, shared with bench/bench_load.py), then checks the product database and that
no flow run of the session held a write transaction longer than PINGGU_SLOW_TRANSACTION_MS (set by
conftest). Slow: deselect with -m "not stress".
"""

from __future__ import annotations

import os

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.stress]

N = int(os.environ.get("PINGGU_STRESS_N", "20"))
# A simplified evaluation costs about 10 CPU-seconds (three flow-run processes, three PDFs); with two
# burners taking their share, give every evaluation its turn with room to spare.
DEADLINE_S = float(os.environ.get("PINGGU_STRESS_DEADLINE", str(300 + 30 * N)))


def test_many_evaluations_at_once_under_cpu_load_each_step_done_once(prefect_server, settings):
    """N evaluations driven side by side beside two burners all complete, each step once, chain intact."""
    from bench.load_driver import check_ledger, drive, evaluations_of, start_burners, start_evaluations, stop_burners

    burners = start_burners(2)
    try:
        run_ids = start_evaluations(N, evaluation_type="simplified")
        result = drive(run_ids, deadline_s=DEADLINE_S)
    finally:
        stop_burners(burners)

    report = result.report()
    assert result.completed == N and result.failed == 0 and result.stuck == 0, report
    assert result.refusals == [], report  # every form the driver sends is valid: none refused or asked again
    evaluations = evaluations_of(run_ids)
    assert all(evaluations.values()), evaluations

    ledger = check_ledger(list(evaluations.values()))
    assert ledger.problems == [], ledger.problems
    assert ledger.chain_intact, f"audit chain broken at event {ledger.chain_broken_at}"
    # every evaluation went the same way, each of its steps done exactly once
    steps = {frozenset(done) for done in ledger.done.values()}
    assert len(steps) == 1 and "archive" in next(iter(steps)), ledger.done
    assert all(set(done.values()) == {1} for done in ledger.done.values()), ledger.done

    # No step's slow work (rendering, analysis, file copies) ran inside a write transaction, in this
    # test or any earlier one of the session: every flow run logs a write transaction held longer.
    # The flow runs log where their process's output goes: the serving process's log, or each worker's.
    logs = sorted((settings.home / "logs").glob("serve.log")) + sorted((settings.home / "logs").glob("worker-*.log"))
    assert logs, "no serving process or worker log"
    served = "\n".join(log.read_text(encoding="utf-8", errors="replace") for log in logs)
    assert "写事务持有" not in served, [line for line in served.splitlines() if "写事务持有" in line]
