"""跟踪反馈: each month, ask every lead unit under tracking for its report, render what was handed in,
and refresh the tracking board (OR-6, OR-8, MH-S6). What a unit reports at once (OR-9) becomes an event
trigger when it is handed in (pinggu.services.tracking), not at the next run.
"""

# No `from __future__ import annotations`: the serving process hands this flow to each run by value
# (cloudpickle), and Prefect resolves the parameters' types from the annotations it carries.

from datetime import date

from prefect import flow

from pinggu.models.tables import now_beijing
from pinggu.tasks.tracking import publish_tracking_board, render_tracking_reports, request_tracking_reports


@flow(name="tracking", flow_run_name="跟踪反馈", persist_result=False, log_prints=True)
def tracking(as_of: date | None = None, decision: str | None = None) -> dict:
    """Ask for each ended period's tracking report, render the reports handed in, refresh the tracking board.

    Args:
        as_of: 基准日期：默认今天（北京时间）
        decision: 决策编号：只处理这一项决策；留空为全部纳入跟踪的决策
    """
    today = as_of or now_beijing().date()
    # ── 开出本期跟踪反馈报告（周期和报送期限按各决策适用的规定）──────────────────────
    requested = request_tracking_reports(today, decision)
    # ── 生成已报送的跟踪反馈报告（PDF 和 Word，来自已记录的内容）────────────────────────
    rendered = render_tracking_reports(today, decision)
    # ── 更新跟踪督查总览（报告报送、时间节点、整改事项）──────────────────────────────────
    publish_tracking_board(today)
    return {**requested, **rendered}
