"""The warm process every served flow run is forked from (`python -m pinggu.deployments.serve`).

Prefect's runner starts every flow run (and every resume of a suspended one) in a freshly spawned interpreter that
imports Prefect and the product again: about 3 CPU-seconds of a resume's 6, which under load is what an operator waits
for. A fork server with those modules preloaded (and pinggu.deployments.warm's set-up done) starts the same run in
milliseconds; the run itself is unchanged (its own process, environment and settings, as Prefect's
`run_flow_in_subprocess` sets them up).

This module imports only the standard library, so the serving process starts the fork server before it imports the
flows itself: the two load side by side.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from typing import Any

# What a flow run imports before its first step: preloaded once into the fork server.
WARM_MODULES = [
    "prefect.flow_engine",
    "pinggu.flows.post_evaluation",
    "pinggu.flows.annual_plan",
    "pinggu.flows.deadline_watch",
    "pinggu.flows.recovery",
    "pinggu.flows.tracking",
    "pinggu.flows.supervision",
    "pinggu.flows.decision_procedure",
    "weasyprint",
    "pinggu.reporting.docx",
    "pinggu.analysis.survey_reading",
    "pinggu.analysis.survey_figures",
    "pinggu.analysis.opinions",
    "pinggu.deployments.warm",
]


def start_fork_server() -> None:
    """Start the fork server now and let it preload WARM_MODULES (it does so in its own process, at once)."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(WARM_MODULES)
    # Warm now, while `pinggu up` starts, not when the first operator's evaluation starts (~6 s cold).
    multiprocessing.forkserver.ensure_running()


def start_runs_from_the_fork_server() -> None:
    """Have Prefect's runner start each flow run by forking the fork server (started here if it is not yet)."""
    import prefect.flow_engine

    start_fork_server()  # a no-op when it runs already
    fork_server = multiprocessing.get_context("forkserver")

    class _WarmMultiprocessing:
        """`multiprocessing` as prefect.flow_engine sees it: its "spawn" context is the fork server."""

        def __getattr__(self, name: str) -> Any:
            return getattr(multiprocessing, name)

        def get_context(self, method: str | None = None) -> Any:
            return fork_server if method == "spawn" else multiprocessing.get_context(method)

    # A stand-in for the module, on purpose: mypy wants a real module there.
    prefect.flow_engine.multiprocessing = _WarmMultiprocessing()  # type: ignore[assignment]
