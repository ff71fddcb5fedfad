"""`pinggu dashboard`: an HTML page an office puts on a wall screen — every evaluation's stages on a
timeline, what happened (actual start to finish, or to today) over the target window drawn as an
outline, overdue items in red, the portfolio by profile and unit."""

from __future__ import annotations

import functools
import http.server
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from core.settings import get_settings
from models.tables import now_beijing
from reporting.pdf import render_html
from rules.vocabulary import EvaluationStatus, StageStatus
from services.ledger import EVALUATIONS_UNDER_WAY, LedgerFilter, evaluation_rows
from services.portfolio import portfolio, tracking_board

TEMPLATE = "dashboard.html.j2"


def _position(day: date, start: date, span: int) -> float:
    return round(100 * (day - start).days / span, 2)


def stage_spans(row: dict, today: date, waiting_stage: str | None = None) -> list[dict]:
    """What the row's stages show, in days: for each stage its target window as an outline (from the
    evaluation's start, or the previous stage's target, to its own target), and what happened as a
    bar — the recorded start to the recorded finish, or to today while the stage runs. A stage not
    started has only its outline; one overdue and not started also a red overrun from its target to
    today. A running stage with no recorded start has no bar, except the first, drawn from the day
    the evaluation was opened, which the bar's title says."""
    spans: list[dict] = []
    window_start = row["started_on"]
    under_way = row["status"] in EVALUATIONS_UNDER_WAY
    for index, stage in enumerate(row["stages"]):
        name, target = stage["name"], stage["target"]
        status = stage["status"]
        if name == waiting_stage and status == StageStatus.pending:
            status = StageStatus.running  # the run waits at this stage's gate: the stage is under way
        css = "overdue" if stage["overdue"] else status
        if target:
            window_end = max(target, window_start)
            spans.append(
                {
                    "stage": name,
                    "kind": "target",
                    "css": css,
                    "label": name,
                    "from": window_start,
                    "to": window_end,
                    "title": f"{name}：目标完成日 {target}" + ("，已逾期" if stage["overdue"] else ""),
                }
            )
            window_start = window_end
        started, note = stage["started"], ""
        if started is None and status != StageStatus.pending and index == 0:
            started, note = row["started_on"], "（开始时间未记录，按评估开启日）"
        if started is not None:
            if status == StageStatus.done:
                ended, what = stage["finished"] or started, f"{stage['finished'] or '—'} 完成"
            elif under_way:
                ended, what = max(today, started), "进行中"
            else:  # the evaluation stopped (e.g. decided not to be carried out) with the stage unfinished
                ended, what = started, f"未完成（评估{row['status_name']}）"
            spans.append(
                {
                    "stage": name,
                    "kind": "actual",
                    "css": css,
                    "label": "",
                    "from": started,
                    "to": ended,
                    "title": f"{name}：{started} 开始{note}，{what}"
                    + (f"，已逾期（目标 {target}）" if stage["overdue"] else ""),
                }
            )
        elif stage["overdue"] and target:
            spans.append(
                {
                    "stage": name,
                    "kind": "overrun",
                    "css": "overdue",
                    "label": "",
                    "from": target,
                    "to": today,
                    "title": f"{name}：目标完成日 {target}，已逾期 {(today - target).days} 天"
                    + ("，开始时间未记录" if status == StageStatus.running else "，尚未开始"),
                }
            )
    return spans


def timeline(rows: list[dict], today: date, waiting: dict[str, str] | None = None) -> dict:
    """Each row's stage spans (stage_spans) placed on one shared time axis as `row["bars"]`; the
    axis's months and today's position."""
    waiting = waiting or {}
    spans = {row["evaluation"]: stage_spans(row, today, waiting.get(row["evaluation"])) for row in rows}
    days = [row["started_on"] for row in rows] + [
        day for s in spans.values() for b in s for day in (b["from"], b["to"])
    ]
    start, end = min([*days, today]) - timedelta(days=3), max([*days, today]) + timedelta(days=3)
    span = max((end - start).days, 1)
    for row in rows:
        row["bars"] = [
            bar
            | {
                "left": _position(bar["from"], start, span),
                "width": max(
                    _position(bar["to"], start, span) - _position(bar["from"], start, span),
                    0.6 if bar["kind"] == "target" else 0.8,  # a stage done within the day still shows
                ),
            }
            for bar in spans[row["evaluation"]]
        ]
    months = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        if cursor >= start:
            months.append({"label": f"{cursor.year}年{cursor.month}月", "left": _position(cursor, start, span)})
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return {"today": _position(today, start, span), "months": months}


def render_dashboard(
    year: int | None = None,
    today: date | None = None,
    filters: LedgerFilter | None = None,
    web: dict | None = None,
) -> str:
    """The dashboard page as HTML: the wall screen's (`pinggu dashboard`), or with `web` (the filters and
    links of the web app's /dashboard) the same page for a signed-in office, its rows already filtered."""
    today = today or now_beijing().date()
    filters = filters or LedgerFilter(year=year)
    year = filters.year
    evaluations = evaluation_rows(filters, today)
    if web and web.get("profiles"):
        evaluations = [row for row in evaluations if row.profile in web["profiles"]]
    rows = [row.model_dump() for row in evaluations]  # the timeline adds each row's bars
    waiting = {row.evaluation: row.waiting_stage for row in evaluations if row.waiting_stage}
    axis = timeline(rows, today, waiting) if rows else {"today": 0, "months": []}
    return render_html(
        TEMPLATE,
        {
            "rows": rows,
            "axis": axis,
            "summary": portfolio(evaluations),
            "tracking": tracking_board(today),
            "today": today,
            "generated_at": now_beijing().strftime("%Y-%m-%d %H:%M"),
            "year": year,
            "overdue": sum(r.overdue_items for r in evaluations),
            "soon": sum(
                1
                for r in evaluations
                if not r.overdue and r.next_date is not None and 0 <= (r.next_date - today).days <= _horizon()
            ),
            "horizon": _horizon(),
            "web": web,
            "under_way": sum(r["status"] in EVALUATIONS_UNDER_WAY for r in rows),
            EvaluationStatus.completed: sum(r["status"] == EvaluationStatus.completed for r in rows),
        },
    )


def _horizon() -> int:
    """即将到期: within the deadline watch's farthest warning (PINGGU_WATCH_DAYS)."""
    return max(get_settings().watch_days, default=7)


def write_dashboard(year: int | None = None, target: Path | None = None) -> Path:
    """Write the page (with its stylesheet beside it) atomically; return its path."""
    target = target or get_settings().home / "dashboard" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(render_dashboard(year))
    os.replace(temporary, target)
    return target


def serve_dashboard(path: Path, port: int) -> None:
    """Serve the page's folder on 127.0.0.1 until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(path.parent))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()
