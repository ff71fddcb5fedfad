"""The deadline watch's tasks: escalate what is due or overdue, then notify, recording every attempt."""

from __future__ import annotations

import functools
import time
from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from sqlmodel import Session

from pinggu.core.errors import PingguError
from pinggu.core.settings import get_settings
from pinggu.models import watch as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import now_beijing
from pinggu.rules.watch import alerts
from pinggu.services.notify import channels, send
from pinggu.services.recovery import continue_crashed, crash_silent_runs
from pinggu.tasks.ledger import STEP_TASK_OPTIONS

# Delivery attempts within one watch run; what still fails is tried again by the next run.
SEND_DELAYS = (0.5, 2.0)
LEVEL_NAMES = {"overdue": "已逾期"}


@task(name="标记无心跳的运行", **STEP_TASK_OPTIONS)
def crash_silent_evaluations() -> dict:
    """Mark Crashed each evaluation run left Running without a heartbeat past PINGGU_ZOMBIE_MINUTES: its process
    died with its worker or machine (pinggu.services.recovery; the server's automation normally does it first)."""
    silent = crash_silent_runs()
    for item in silent:
        get_run_logger().warning(
            "评估 %s 的运行 %s 已 %.1f 分钟无心跳，运行它的进程已不在：已标记为中断，随后续办",
            item.evaluation,
            item.run,
            item.silent_minutes,
        )
    return {"silent": [item.evaluation for item in silent]}


@task(name="续办中断的评估", **STEP_TASK_OPTIONS)
def continue_crashed_evaluations(max_per_day: int | None = None) -> dict:
    """Start a continuation run for each evaluation whose run died with its process (pinggu.services.recovery);
    with `max_per_day`, not for one continued that often in the last 24 hours."""
    recovered = continue_crashed(max_per_day)
    for item in recovered.continued:
        get_run_logger().warning(
            "评估 %s 的运行 %s 已中断（进程终止），已启动续办运行 %s：已完成的步骤不会重做",
            item.evaluation,
            item.crashed_run,
            item.continuation,
        )
    for code in recovered.left:
        get_run_logger().error(
            "评估 %s 的运行一天内已中断并续办 %s 次，不再自动续办：请查明原因（如内存不足）后运行 pinggu recover；"
            "每日期限巡查也会再续办一次",
            code,
            max_per_day,
        )
    return {"continued": [item.evaluation for item in recovered.continued], "left": recovered.left}


@task(name="查找临期和逾期事项", **STEP_TASK_OPTIONS)
def escalate_due_dates(as_of: date | None = None) -> dict:
    """Record an escalation for every stage, gate, statutory deadline and follow-up that is due soon or overdue."""
    today = as_of or now_beijing().date()

    def record(session: Session) -> tuple[list, set[str]]:
        found = alerts(store.watched_items(session=session), today, get_settings().watch_days)
        return found, {e.key for e in store.record_escalations(session=session, alerts=found)}

    found, new_keys = transaction(record)
    create_table_artifact(
        key="deadline-watch",
        table=[
            {
                "事项": alert.item.label,
                "期限": alert.item.due.isoformat(),
                "状态": LEVEL_NAMES.get(alert.level, f"{alert.days_left} 日内到期"),
                "本次新提醒": "是" if alert.key in new_keys else "否",
            }
            for alert in found
        ],
        description=f"期限巡查（{today}）：临期或逾期 {len(found)} 项，新提醒 {len(new_keys)} 项",
    )
    return {
        "as_of": today.isoformat(),
        "due_or_overdue": len(found),
        "new": len(new_keys),
        "overdue": sum(a.level == "overdue" for a in found),
    }


def _deliver(url: str, text: str, detail: dict) -> str | None:
    """Send with a few quick retries; the error of the last attempt (no secret in it), or None when delivered."""
    error = None
    for delay in (0.0, *SEND_DELAYS):
        time.sleep(delay)
        try:
            send(url, text, detail)
            return None
        except PingguError as failure:  # pinggu.services.notify's Chinese reason, secrets masked
            error = str(failure)
        except Exception as failure:  # an endpoint down or refusing must not stop the watch
            error = f"{type(failure).__name__}: {failure}"
    return error


def _record_delivery(session: Session, *, escalation_id: int, channel: str, error: str | None) -> None:
    store.record_delivery(session=session, escalation_id=escalation_id, channel=channel, error=error)


@task(name="发送提醒", **STEP_TASK_OPTIONS)
def deliver_notices() -> dict:
    """Send every escalation not yet delivered to each configured endpoint; record each outcome.

    The endpoints are Apprise URLs (services/notify.py), checked before anything is sent: one Apprise
    cannot parse fails the task with a Chinese message naming it without its secret. Each is recorded
    under its channel name, which never shows a token or password.
    """
    logger = get_run_logger()
    urls = channels(get_settings().notify_urls)
    with read_session() as session:
        pending = [
            (e.id, e.text, {"level": e.level, "due": e.due_date.isoformat(), "evaluation": e.evaluation_code}, channel)
            for e, channel in store.undelivered(session=session, channels=list(urls))
        ]
    sent = failed = 0
    for escalation_id, text, detail, channel in pending:
        assert escalation_id is not None  # a stored escalation
        error = _deliver(urls[channel], text, detail)
        transaction(functools.partial(_record_delivery, escalation_id=escalation_id, channel=channel, error=error))
        if error:
            failed += 1
            logger.warning("提醒未送达 %s：%s（下次巡查重试）", channel, error)
        else:
            sent += 1
    return {"sent": sent, "failed": failed, "channels": len(urls)}


@task(name="催办到人", **STEP_TASK_OPTIONS)
def remind_people(as_of: date | None = None) -> dict:
    """Remind the people holding each waiting item, on their own contact, within the working days before its target
    and again once overdue (pinggu.services.reminders), each once."""
    from pinggu.services.reminders import remind_holders

    reminded = remind_holders(as_of or now_beijing().date())
    if reminded.failed:
        get_run_logger().warning("催办通知有 %d 条未送达（下次巡查重试）", reminded.failed)
    return {"reminders": reminded.new, "reminded": reminded.sent, "reminders_failed": reminded.failed}


@task(name="更新评估总览", **STEP_TASK_OPTIONS)
def publish_portfolio(year: int) -> int:
    """Refresh the portfolio artifact of the year: by profile and unit, status, next deadline, overdue count."""
    from pinggu.services.ledger import LedgerFilter, evaluation_rows
    from pinggu.services.portfolio import portfolio

    summary = portfolio(evaluation_rows(LedgerFilter(year=year)))
    create_table_artifact(
        key=f"portfolio-{year}",
        table=summary or [{"说明": f"{year} 年度暂无评估"}],
        description=f"{year} 年度评估总览（按规则和单位）：进行中、已完成、下一期限、逾期事项",
    )
    return len(summary)
