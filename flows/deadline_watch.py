"""期限巡查: the daily deadline watch (SPEC §6) — escalate what is due soon or overdue, notify."""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow

from pinggu.models.tables import now_beijing
from pinggu.tasks.tracking import publish_tracking_board
from pinggu.tasks.watch import (
    continue_crashed_evaluations,
    crash_silent_evaluations,
    deliver_notices,
    escalate_due_dates,
    publish_portfolio,
    remind_people,
)


@flow(name="deadline-watch", flow_run_name="期限巡查", persist_result=False, log_prints=True)
def deadline_watch(as_of: date | None = None) -> dict:
    """Mark Crashed the evaluation runs silent past PINGGU_ZOMBIE_MINUTES and continue those whose run crashed; find stages, gates, statutory deadlines, follow-ups, tracking
    reports, milestones and rectification items due soon or overdue, record and notify them, and remind the people who hold them.

    Args:
        as_of: 巡查日期：默认今天（北京时间）
    """
    silent = crash_silent_evaluations()  # before continuing: a run found dead here is continued at once
    continued = continue_crashed_evaluations()
    found = escalate_due_dates(as_of)
    delivered = deliver_notices()
    reminded = remind_people(as_of)  # 催办 to the people who hold each item; the channels above get the summary
    today = as_of or now_beijing().date()
    publish_portfolio(today.year)
    publish_tracking_board(today)
    return {**silent, **continued, **found, **delivered, **reminded}
