"""续办中断的评估: started by the server's automation whenever an evaluation's run is Crashed (pinggu.services.recovery)."""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from prefect import flow

from pinggu.services.recovery import AUTOMATIC_CONTINUATIONS_PER_DAY
from pinggu.tasks.watch import continue_crashed_evaluations, crash_silent_evaluations


@flow(name="recovery", flow_run_name="续办中断的评估", persist_result=False, log_prints=True)
def recovery() -> dict:
    """Mark Crashed the evaluation runs silent past PINGGU_ZOMBIE_MINUTES, then continue every evaluation whose
    run crashed, each at most AUTOMATIC_CONTINUATIONS_PER_DAY times a day (the daily watch goes on regardless)."""
    silent = crash_silent_evaluations()
    continued = continue_crashed_evaluations(AUTOMATIC_CONTINUATIONS_PER_DAY)
    return {**silent, **continued}
