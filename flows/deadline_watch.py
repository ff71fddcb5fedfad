"""期限巡查: the daily deadline watch (SPEC §6) — escalate what is due soon or overdue, notify."""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow

from models.tables import now_beijing
from tasks.tracking import publish_tracking_board
from tasks.watch import continue_crashed_evaluations, deliver_notices, escalate_due_dates, publish_portfolio


@flow(name="deadline-watch", flow_run_name="期限巡查", persist_result=False, log_prints=True)
def deadline_watch(as_of: date | None = None) -> dict:
    """Continue evaluations whose run crashed; find stages, gates, statutory deadlines, follow-ups, tracking
    reports, milestones and rectification items due soon or overdue, record and notify them.

    Args:
        as_of: 巡查日期：默认今天（北京时间）
    """
    continued = continue_crashed_evaluations()
    found = escalate_due_dates(as_of)
    delivered = deliver_notices()
    today = as_of or now_beijing().date()
    publish_portfolio(today.year)
    publish_tracking_board(today)
    return {**continued, **found, **delivered}
