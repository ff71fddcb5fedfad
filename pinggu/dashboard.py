"""`pinggu dashboard`: an HTML page an office puts on a wall screen — every evaluation's stages on a
timeline against their target dates, overdue items in red, the portfolio by profile and unit."""

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
from rules.vocabulary import EvaluationStatus
from services.portfolio import evaluations_board, portfolio

TEMPLATE = "dashboard.html.j2"


def _position(day: date, start: date, span: int) -> float:
    return round(100 * (day - start).days / span, 2)


def timeline(rows: list[dict], today: date) -> dict:
    """Each stage as a bar on one shared time axis: from the evaluation's start (or the previous
    stage's target) to its own target, classed done / running / pending / overdue; the axis's months."""
    days = [r["started_on"] for r in rows] + [s["target"] for r in rows for s in r["stages"] if s["target"]] + [today]
    start, end = min(days) - timedelta(days=3), max(days) + timedelta(days=3)
    span = max((end - start).days, 1)
    for row in rows:
        left_day = row["started_on"]
        bars = []
        for stage in row["stages"]:
            if not stage["target"]:
                continue
            right_day = max(stage["target"], left_day)
            if stage["overdue"]:  # the bar runs on to today: the overrun is what the screen must show
                right_day = max(right_day, today)
            css = "overdue" if stage["overdue"] else stage["status"]
            bars.append(
                {
                    "name": stage["name"],
                    "css": css,
                    "target": stage["target"],
                    "left": _position(left_day, start, span),
                    "width": max(_position(right_day, start, span) - _position(left_day, start, span), 0.6),
                }
            )
            left_day = max(stage["target"], left_day)
        row["bars"] = bars
    months = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        if cursor >= start:
            months.append({"label": f"{cursor.year}年{cursor.month}月", "left": _position(cursor, start, span)})
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    return {"today": _position(today, start, span), "months": months}


def render_dashboard(year: int | None = None, today: date | None = None) -> str:
    """The dashboard page as HTML."""
    today = today or now_beijing().date()
    rows = evaluations_board(year, today)
    axis = timeline(rows, today) if rows else {"today": 0, "months": []}
    return render_html(
        TEMPLATE,
        {
            "rows": rows,
            "axis": axis,
            "summary": portfolio(rows),
            "today": today,
            "generated_at": now_beijing().strftime("%Y-%m-%d %H:%M"),
            "year": year,
            "overdue": sum(r["overdue"] for r in rows),
            "under_way": sum(
                r["status"] in (EvaluationStatus.running, EvaluationStatus.waiting, EvaluationStatus.reopened)
                for r in rows
            ),
            EvaluationStatus.completed: sum(r["status"] == EvaluationStatus.completed for r in rows),
        },
    )


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
