"""What a worker runs for each flow run (`python -m pinggu.deployments.engine`, the deployments' job command in
pinggu.deployments.workpool): Prefect's own engine entry (`python -m prefect.engine`), with one difference.

A flow that ends Failed by its own account — a run form naming a decision not in the catalog, ended
with the Chinese reason — is not an engine error: Prefect's entry also writes "Engine execution exited
with unexpected exception" and a traceback into the run's logs, which an operator reads. Here, as in
the one serving process (`run_flow_in_subprocess`), that goes to the worker's own log only.
"""

from __future__ import annotations

import os
import sys
from uuid import UUID

from prefect._internal.control_listener import configure_from_env
from prefect.engine import handle_engine_signals


def main() -> None:
    """Run the flow run named by PREFECT__FLOW_RUN_ID (or the first argument) in this process."""
    flow_run_id = UUID(sys.argv[1] if len(sys.argv) > 1 else os.environ["PREFECT__FLOW_RUN_ID"])
    configure_from_env()  # the worker's control channel (cancellation), as prefect.engine does
    with handle_engine_signals(flow_run_id):
        from prefect.flow_engine import load_flow, load_flow_run, run_flow

        flow_run = load_flow_run(flow_run_id=flow_run_id)
        run_flow(load_flow(flow_run), flow_run=flow_run)


if __name__ == "__main__":
    main()
