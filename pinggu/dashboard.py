"""`pinggu dashboard`, and the web app's /dashboard: an HTML page an office puts on a wall screen — every item of
the year on one time axis with today's line (an evaluation's stages: what happened, actual start to finish or to
today, over the target window drawn as an outline; a tracked decision's milestones and a supervision round's
rectification items as marks on their due dates; a decision procedure from its opening to its publication with the
dates its records hold), overdue items in red and those due soon in yellow, charts, the portfolio by profile and
unit. It reads the product database only (pinggu.services.ledger), never the Prefect server."""

from __future__ import annotations

import functools
import http.server
import os
import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from pinggu.core.links import app_path, evaluation_url, procedure_url, supervision_url
from pinggu.core.settings import get_settings
from pinggu.models.tables import now_beijing
from pinggu.reporting.pdf import render_html
from pinggu.rules.steps import STAGE_NAMES, STAGE_ORDER
from pinggu.rules.tracking import RectificationStatus
from pinggu.rules.vocabulary import EvaluationStatus, StageStatus
from pinggu.services.decision_procedure import PUBLISHED, UNDER_WAY
from pinggu.services.ledger import (
    EVALUATIONS_UNDER_WAY,
    KIND_NAMES,
    NOT_ASSIGNED,
    DecisionRow,
    EvaluationRow,
    LedgerFilter,
    LedgerKind,
    LedgerRow,
    RectificationRow,
    TrackingRow,
    decisions_in_scope,
    evaluation_rows,
    ledger_rows,
    standing,
)
from pinggu.services.portfolio import portfolio, tracking_board

TEMPLATE = "dashboard.html.j2"


def _position(day: date, start: date, span: int) -> float:
    return round(100 * (day - start).days / span, 2)


def stage_spans(row: dict, today: date, waiting_stage: str | None = None, horizon: int = 0) -> list[dict]:
    """What the row's stages show, in days: for each stage its target window as an outline (from the
    evaluation's start, or the previous stage's target, to its own target), and what happened as a
    bar — the recorded start to the recorded finish, or to today while the stage runs. A stage not
    started has only its outline; one overdue and not started also a red overrun from its target to
    today. A running stage with no recorded start has no bar, except the first, drawn from the day
    the evaluation was opened, which the bar's title says. The outline of a stage not done whose target
    falls within `horizon` days from today is marked 即将到期 (css `soon`)."""
    spans: list[dict] = []
    window_start = row["started_on"]
    under_way = row["status"] in EVALUATIONS_UNDER_WAY
    for index, stage in enumerate(row["stages"]):
        name, target = stage["name"], stage["target"]
        status = stage["status"]
        if name == waiting_stage and status == StageStatus.pending:
            status = StageStatus.running  # the run waits at this stage's gate: the stage is under way
        css = "overdue" if stage["overdue"] else status
        soon = (
            under_way
            and not stage["overdue"]
            and status != StageStatus.done
            and target is not None
            and 0 <= (target - today).days <= horizon
        )
        if target:
            window_end = max(target, window_start)
            spans.append(
                {
                    "stage": name,
                    "kind": "target",
                    "css": "soon" if soon else css,
                    "label": name,
                    "from": window_start,
                    "to": window_end,
                    "title": f"{name}：目标完成日 {target}"
                    + (
                        "，已逾期"
                        if stage["overdue"]
                        else f"，即将到期（还有 {(target - today).days} 天）"
                        if soon
                        else ""
                    ),
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


# ── one line per item on the shared time axis: evaluations, tracked decisions, supervision rounds, procedures ──

LINE_KINDS = {
    "evaluation": "评估",
    "tracking": "跟踪反馈：时间节点",
    "supervision": "督查整改",
    "procedure": "决策作出程序",
}
# A due date's mark, the worst first: where several items fall due on one day the mark shows the worst of them.
MARK_STATES = ("overdue", "soon", "pending", "waiting", "done-late", "done")
MARK_NAMES = {
    "overdue": "逾期未完成",
    "soon": "即将到期",
    "pending": "未到期",
    "waiting": "已报告，待审核",
    "done-late": "逾期完成",
    "done": "按期完成",
}


def _soon(day: date, today: date, horizon: int) -> bool:
    return 0 <= (day - today).days <= horizon


def _due_state(due: date, done: date | None, today: date, horizon: int) -> str:
    """A due date's mark: done on time or late, or not done and overdue, due within the horizon, or later."""
    if done is not None:
        return "done-late" if done > due else "done"
    return "overdue" if due < today else "soon" if _soon(due, today, horizon) else "pending"


def _marks(items: list[tuple[date, str, str, str]], kind: str = "due") -> list[dict]:
    """Marks on the axis from (day, state, short name, what its title says), one per day: the worst state of the
    day's items, their names, and how many when more than one."""
    days: dict[date, list[tuple[str, str, str]]] = {}
    for day, state, name, said in items:
        days.setdefault(day, []).append((state, name, said))
    marks = []
    for day, found in sorted(days.items()):
        marks.append(
            {
                "stage": "、".join(name for _, name, _ in found),
                "kind": kind,
                "css": min((state for state, _, _ in found), key=MARK_STATES.index),
                "label": str(len(found)) if len(found) > 1 else "",
                "from": day,
                "to": day,
                "title": "；".join(said for _, _, said in found),
            }
        )
    return marks


def _overrun(overdue: list[date], today: date, what: str) -> list[dict]:
    """A red hatched span from the earliest date passed with its item still open to today, as a stage's."""
    if not overdue:
        return []
    first = min(overdue)
    return [
        {
            "stage": what,
            "kind": "overrun",
            "css": "overdue",
            "label": "",
            "from": first,
            "to": today,
            "title": f"{what}：期限 {first}，已逾期 {(today - first).days} 天",
        }
    ]


def _outline_css(states: list[str], start: date, today: date) -> str:
    """An item's whole outline: red while anything is overdue, yellow while something falls due soon, green when
    everything is done, otherwise under way (or not yet begun)."""
    if "overdue" in states:
        return "overdue"
    if "soon" in states:
        return "soon"
    if states and all(state in ("done", "done-late") for state in states):
        return "done"
    return "running" if start <= today else "pending"


def evaluation_lines(
    rows: list[dict], today: date, waiting: dict[str, str] | None = None, horizon: int = 0
) -> list[dict]:
    """An evaluation's line (rows: EvaluationRow dumps): its stages (stage_spans), its gate and conclusion."""
    waiting = waiting or {}
    return [
        {
            "kind": "evaluation",
            "key": row["evaluation"],
            "code": row["evaluation"],
            "link": app_path(evaluation_url(row["evaluation"])),
            "title": row["title"],
            "unit": row["unit"],
            "profile_name": row.get("profile_name", ""),
            "type_name": row.get("type_name", ""),
            "status_name": row["status_name"],
            "notes": [
                *([row["waiting_for"]] if row.get("waiting_for") else []),
                *([f"结论：{row['conclusion']}"] if row.get("conclusion") else []),
            ],
            "next_date": row.get("next_date"),
            "next_what": row.get("next_what"),
            "overdue_items": row.get("overdue_items", 0),
            "anchor": row["started_on"],
            "spans": stage_spans(row, today, waiting.get(row["evaluation"]), horizon),
        }
        for row in rows
    ]


def tracking_lines(rows: Sequence[TrackingRow], today: date, horizon: int, year: int | None = None) -> list[dict]:
    """A tracked decision's line: its milestones (时间节点) as marks on their due dates, each done on time, done
    late, overdue, due soon or not yet due; the tracking outlined from the plan's start (at the earliest the year's
    first day) to the last milestone; a red overrun from the first milestone missed and still open. Reports
    asked for monthly are not drawn (the 台账 and the table below list them)."""
    milestones: dict[str, list[TrackingRow]] = {}
    for row in rows:
        if row.type == "milestone":
            milestones.setdefault(row.decision, []).append(row)
    lines = []
    for decision, group in milestones.items():
        group.sort(key=lambda r: (r.due_date, r.item))
        states = [_due_state(r.due_date, r.done_on, today, horizon) for r in group]
        first, last = group[0], group[-1]
        begun = min(first.tracking_from or first.due_date, first.due_date)
        start = max(begun, date(year, 1, 1)) if year is not None and begun.year < year else begun
        done = sum(r.done_on is not None for r in group)
        missed = [r for r, state in zip(group, states, strict=True) if state == "overdue"]
        upcoming = [r for r in group if r.done_on is None]
        outline = {
            "stage": "跟踪反馈",
            "kind": "target",
            "css": _outline_css(states, start, today),
            "label": "跟踪反馈",
            "from": start,
            "to": max(last.due_date, start),
            "title": f"跟踪反馈：自 {begun} 起，最后一个时间节点 {last.due_date}",
        }
        marks = _marks(
            [
                (
                    r.due_date,
                    state,
                    r.item.split("：", 1)[0],
                    f"{r.item}（{r.unit}）：期限 {r.due_date}，{MARK_NAMES[state]}"
                    + (f"，{r.done_on} 报告完成" if r.done_on else ""),
                )
                for r, state in zip(group, states, strict=True)
            ]
        )
        lines.append(
            {
                "kind": "tracking",
                "key": f"tracking-{decision}",
                "code": decision,
                "link": f"/tracking/plans/{decision}",
                "title": first.title,
                "unit": "、".join(dict.fromkeys(r.unit for r in group)),
                "profile_name": first.profile_name,
                "type_name": "跟踪反馈（时间节点）",
                "status_name": f"已完成 {done}/{len(group)} 个时间节点",
                "notes": [f"逾期未完成 {len(missed)} 个"] if missed else [],
                "next_date": upcoming[0].due_date if upcoming else None,
                "next_what": upcoming[0].item if upcoming else None,
                "overdue_items": len(missed),
                "anchor": start,
                "spans": [outline, *_overrun([r.due_date for r in missed], today, "时间节点"), *marks],
            }
        )
    return lines


def _rectification_state(row: RectificationRow, today: date, horizon: int) -> str:
    """A rectification item's mark: closed (on time or reported late), reported and awaiting review, not yet
    assigned (its report unapproved), or open: overdue, due soon or not yet due."""
    if row.reported_on is not None:
        if row.reported_on > row.due_date:
            return "done-late"
        return "done" if row.status == RectificationStatus.closed else "waiting"
    if row.status == RectificationStatus.closed:
        return "done"
    if row.status == NOT_ASSIGNED:
        return "pending"
    return _due_state(row.due_date, None, today, horizon)


def supervision_lines(rows: Sequence[RectificationRow], today: date, horizon: int) -> list[dict]:
    """A supervision round's line: its rectification items as marks on their deadlines (closed, reported and
    awaiting review, overdue, due soon or not yet due), the round outlined from the day it was held to its last
    deadline, a red overrun from the first deadline passed with its report still missing."""
    rounds: dict[int, list[RectificationRow]] = {}
    for row in rows:
        rounds.setdefault(row.round_id, []).append(row)
    lines = []
    for round_id, group in rounds.items():
        group.sort(key=lambda r: r.seq)
        states = [_rectification_state(r, today, horizon) for r in group]
        first = group[0]
        last_due = max(r.due_date for r in group)
        closed = sum(r.status == RectificationStatus.closed for r in group)
        reported = sum(state == "waiting" for state in states)
        missed = [r for r, state in zip(group, states, strict=True) if state == "overdue"]
        upcoming = sorted(
            (r for r in group if r.reported_on is None and r.status != NOT_ASSIGNED), key=lambda r: r.due_date
        )
        not_assigned = sum(r.status == NOT_ASSIGNED for r in group)
        lines.append(
            {
                "kind": "supervision",
                "key": f"round-{round_id}",
                "code": first.decision,
                "link": app_path(supervision_url(round_id)),
                "title": first.title,
                "unit": "、".join(dict.fromkeys(r.unit for r in group)),
                "profile_name": first.profile_name,
                "type_name": f"第 {first.round} 轮督查整改",
                "status_name": f"已办结 {closed}/{len(group)} 项",
                "notes": [
                    f"{first.held_on} 督查（{first.supervisor}）",
                    *([f"待审核 {reported} 项"] if reported else []),
                    *([f"逾期未报告 {len(missed)} 项"] if missed else []),
                    *([f"督查专报待审定，{not_assigned} 项尚未下达"] if not_assigned else []),
                ],
                "next_date": upcoming[0].due_date if upcoming else None,
                "next_what": f"整改事项 {upcoming[0].seq}" if upcoming else None,
                "overdue_items": len(missed),
                "anchor": first.held_on,
                "spans": [
                    {
                        "stage": "整改期限",
                        "kind": "target",
                        "css": _outline_css(states, first.held_on, today),
                        "label": "整改",
                        "from": first.held_on,
                        "to": max(last_due, first.held_on),
                        "title": f"第 {first.round} 轮督查：{first.held_on} 督查，整改期限至 {last_due}",
                    },
                    *_overrun([r.due_date for r in missed], today, "整改期限"),
                    *_marks(
                        [
                            (
                                r.due_date,
                                state,
                                f"整改事项 {r.seq}",
                                f"整改事项 {r.seq}：{r.item}（{r.unit}）：期限 {r.due_date}，{r.status_name}"
                                + (f"，{r.reported_on} 报告" if r.reported_on else "")
                                + ("，逾期报告" if state == "done-late" else ""),
                            )
                            for r, state in zip(group, states, strict=True)
                        ]
                    ),
                ],
            }
        )
    return lines


def procedure_lines(rows: Sequence[DecisionRow], today: date, horizon: int) -> list[dict]:
    """A decision procedure's line: a bar from its opening to its publication (or other ending), or to today
    while under way; the periods its records hold outlined (公开征求意见, 专家论证, 综合会审); the days that
    happened marked (集体讨论决定, 决策公布); the catalog's planned date for deliberation as a due mark, with a red
    overrun while it is passed and the procedure still under way; the step it asks now."""
    lines = []
    for row in rows:
        if row.type != "procedure":
            continue
        assert row.procedure is not None  # a procedure's row is read from its stored record (pinggu.services.ledger)
        under_way = row.status == UNDER_WAY
        ended = row.done_on or (today if under_way else row.from_date)
        planned = next((d for d in row.dates if d.target), None)
        state = None
        if planned is not None and (under_way or planned.met_on is not None):
            state = _due_state(planned.day, planned.met_on, today, horizon)
        bar_css = (
            "overdue"
            if state == "overdue"
            else "running"
            if under_way
            else "done"
            if row.status == PUBLISHED
            else "pending"
        )
        spans: list[dict] = [
            {
                "stage": "决策程序",
                "kind": "actual",
                "css": bar_css,
                "label": "",
                "from": row.from_date,
                "to": max(ended, row.from_date),
                "title": f"决策程序：{row.from_date} 启动，"
                + (
                    f"办理中，当前：{row.step}" if under_way and row.step else f"{row.done_on or '—'} {row.status_name}"
                ),
            }
        ]
        for period in row.dates:
            if period.start is not None:
                spans.append(
                    {
                        "stage": period.label,
                        "kind": "target",
                        "css": "done" if period.day < today else "running",
                        "label": period.label,
                        "from": period.start,
                        "to": period.day,
                        "title": f"{period.label}：{period.start} 至 {period.day}",
                    }
                )
        if state == "overdue" and planned is not None:
            spans += _overrun([planned.day], today, "拟提请审议")
        if planned is not None:
            said = f"{planned.label}：{planned.day}"
            said += (
                f"，{planned.met_on} 集体讨论"
                if planned.met_on
                else f"，{MARK_NAMES[state]}"
                if state
                else "，程序已结束"
            )
            spans += _marks([(planned.day, state or "pending", "拟提请审议", said)])
        spans += _marks(
            [(d.day, "done", d.label, f"{d.label}：{d.day}") for d in row.dates if d.start is None and not d.target],
            kind="event",
        )
        lines.append(
            {
                "kind": "procedure",
                "key": f"procedure-{row.procedure}",
                "code": row.decision or "未入目录",
                "link": app_path(procedure_url(row.procedure)),
                "title": row.title,
                "unit": row.unit,
                "profile_name": row.profile_name,
                "type_name": row.type_name,
                "status_name": row.status_name,
                "notes": [f"当前：{row.step}"] if under_way and row.step else [],
                "next_date": planned.day if planned is not None and state in ("overdue", "soon", "pending") else None,
                "next_what": "拟提请审议" if planned is not None and state in ("overdue", "soon", "pending") else None,
                "overdue_items": int(state == "overdue"),
                "anchor": row.from_date,
                "spans": spans,
            }
        )
    return lines


def _css_class(bar: dict) -> str:
    """The drawn element's classes: a target outline, a bar (an overrun hatched), or a mark."""
    kind = bar["kind"]
    if kind == "target":
        return f"outline {bar['css']}"
    if kind in ("due", "event"):
        return f"mark {kind} {bar['css']}"
    return f"bar {bar['css']}" + (" overrun" if kind == "overrun" else "")


MARK_GAP = 3.0  # marks closer than this (per cent of the axis, ~10 px on a phone) would cover each other


def _stagger(marks: list[dict]) -> None:
    """Lift every other mark of a run of marks too close to tell apart (class `lift`), so that both show."""
    previous: dict | None = None
    for mark in sorted(marks, key=lambda m: m["left"]):
        lifted = previous is not None and not previous["lift"] and mark["left"] - previous["left"] < MARK_GAP
        mark["lift"] = lifted
        if lifted:
            mark["cls"] += " lift"
        previous = mark


def timeline(lines: list[dict], today: date) -> dict:
    """Every line's spans placed on one shared time axis as `line["bars"]` (with their classes); the axis's
    months, each with how widely it is labelled, and today's position."""
    days = [line["anchor"] for line in lines if line.get("anchor")] + [
        day for line in lines for b in line["spans"] for day in (b["from"], b["to"])
    ]
    first, last = min([*days, today]), max([*days, today])
    # A margin of a fortieth of the axis (at least 3 days), so a mark on the first or last day stays inside a phone's row.
    margin = timedelta(days=max(3, (last - first).days // 40))
    start, end = first - margin, last + margin
    span = max((end - start).days, 1)
    for line in lines:
        line["bars"] = [
            bar
            | {
                "cls": _css_class(bar),
                "left": _position(bar["from"], start, span),
                "width": 0
                if bar["kind"] in ("due", "event")
                else max(
                    _position(bar["to"], start, span) - _position(bar["from"], start, span),
                    0.6 if bar["kind"] == "target" else 0.8,  # a stage done within the day still shows
                ),
            }
            for bar in line["spans"]
        ]
        _stagger([bar for bar in line["bars"] if bar["kind"] in ("due", "event")])
    firsts = []
    cursor = date(start.year, start.month, 1)
    while cursor <= end:
        if cursor >= start:
            firsts.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    # Label every k-th month, counted from January, so that at most 6 labels share a screen's column and 4 a phone's
    # (level 2: on both, 1: not on a phone, 0: none); January carries its year.
    wide = next((k for k in MONTH_STEPS if len(firsts) / k <= 6), MONTH_STEPS[-1])
    narrow = next((k for k in MONTH_STEPS if len(firsts) / k <= 4), MONTH_STEPS[-1])
    months = [
        {
            "label": f"{day.year}年1月" if day.month == 1 else f"{day.month}月",
            "left": _position(day, start, span),
            "level": 2 if (day.month - 1) % narrow == 0 else 1 if (day.month - 1) % wide == 0 else 0,
        }
        for day in firsts
    ]
    return {"today": _position(today, start, span), "months": months}


MONTH_STEPS = (1, 2, 3, 6, 12)  # steps that divide a year, so January is always labelled


# ── charts: horizontal bars drawn as inline SVG by the template (no script: the web app's CSP allows none) ──

CHART_WIDTH = 360  # the SVG's own units: about its width in CSS pixels on a phone, so its text reads at ~13 px
ROW_PITCH = 44  # a label line above each bar (long unit names get the whole width), then the bar
BAR_TOP, BAR_HEIGHT = 20, 14
LABEL_CHARS = 16  # longer labels are cut with "…"; the bar's tooltip and the chart's description say them whole
MAX_UNITS = 10

STANDING_SEGMENTS = (("overdue", "逾期"), ("open", "办理中"), ("done", "已完成"))
STAGE_SEGMENTS = (("overdue", "逾期"), ("soon", "即将到期"), ("open", "按期推进"))


def bar_chart(
    key: str, title: str, note: str, bars: list[tuple[str, dict[str, int]]], segments: tuple[tuple[str, str], ...]
) -> dict:
    """A horizontal stacked bar chart's geometry: per bar its label, its total and each segment's count as text,
    and each segment's place in the SVG's units (all bars on one scale); a description that says every
    number for a screen reader."""
    largest = max((sum(counts.values()) for _, counts in bars), default=0)
    scale = CHART_WIDTH / largest if largest else 0
    drawn: list[dict[str, Any]] = []
    for index, (label, counts) in enumerate(bars):
        top, x, parts = index * ROW_PITCH, 0.0, []
        for segment, name in segments:
            count = counts.get(segment, 0)
            if count:
                width = max(count * scale, 3.0)  # one item still shows beside a hundred
                parts.append({"key": segment, "name": name, "count": count, "x": round(x, 1), "width": round(width, 1)})
                x += width
        total = sum(counts.values())
        said = "，".join(f"{name} {counts[segment]}" for segment, name in segments if counts.get(segment))
        drawn.append(
            {
                "label": label,
                "short": label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
                "total": total,
                "count_text": f"{total}"
                + "".join(f" · {name} {counts[segment]}" for segment, name in segments[:1] if counts.get(segment)),
                "said": f"{label}：共 {total}" + (f"（{said}）" if said else ""),
                "text_y": top + 14,
                "bar_y": top + BAR_TOP,
                "segments": parts,
            }
        )
    return {
        "id": key,
        "title": title,
        "note": note,
        "width": CHART_WIDTH,
        "height": max(len(drawn), 1) * ROW_PITCH,
        "bar_height": BAR_HEIGHT,
        "bars": drawn,
        "legend": list(segments),
        "description": f"{title}。" + ("；".join(bar["said"] for bar in drawn) if drawn else "暂无事项") + "。",
    }


def dashboard_charts(
    evaluations: Sequence[EvaluationRow], items: Sequence[tuple[LedgerKind, LedgerRow]], today: date, horizon: int
) -> list[dict]:
    """The dashboard's three charts: the stage each evaluation under way is in (逾期, 即将到期 or on time), every
    kind of item of the year by where it stands, and the units with the most items (overdue first)."""
    stages: dict[str, dict[str, int]] = {STAGE_NAMES[stage]: {} for stage in STAGE_ORDER}
    for row in evaluations:
        if row.status in EVALUATIONS_UNDER_WAY and row.current_stage:
            soon = row.next_date is not None and 0 <= (row.next_date - today).days <= horizon
            segment = "overdue" if row.overdue else "soon" if soon else "open"
            counts = stages.setdefault(row.current_stage, {})
            counts[segment] = counts.get(segment, 0) + 1
    by_kind: dict[str, dict[str, int]] = {name: {} for name in KIND_NAMES.values()}
    by_unit: dict[str, dict[str, int]] = {}
    every: list[tuple[LedgerKind, LedgerRow]] = [(LedgerKind.evaluations, row) for row in evaluations]
    for kind, item in [*every, *items]:
        where = standing(item)
        counts = by_kind[KIND_NAMES[kind]]
        counts[where] = counts.get(where, 0) + 1
        if kind != LedgerKind.plan:  # a plan item started is counted as its evaluation
            counts = by_unit.setdefault(item.unit, {})
            counts[where] = counts.get(where, 0) + 1
    units = sorted(by_unit.items(), key=lambda u: (-u[1].get("overdue", 0), -sum(u[1].values()), u[0]))
    left_out = len(units) - MAX_UNITS
    return [
        bar_chart(
            "chart-stages",
            "进行中的评估所处阶段",
            f"逾期：有事项已过期限；即将到期：下一期限在 {horizon} 日内",
            list(stages.items()),
            STAGE_SEGMENTS,
        ),
        bar_chart(
            "chart-kinds",
            "各类事项办理情况",
            "逾期：已过期限仍未完成（逾期后完成的计入已完成，台账中标为逾期）",
            list(by_kind.items()),
            STANDING_SEGMENTS,
        ),
        bar_chart(
            "chart-units",
            "各单位事项（逾期多者在前）",
            "评估、跟踪反馈、督查整改、决策程序与法定期限"
            + (f"；另有 {left_out} 个单位未列出，可按单位筛选" if left_out > 0 else ""),
            units[:MAX_UNITS],
            STANDING_SEGMENTS,
        ),
    ]


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
    profiles = (web or {}).get("profiles") or ()
    evaluations = [row for row in evaluation_rows(filters, today) if not profiles or row.profile in profiles]
    items = [
        (kind, row)
        for kind in LedgerKind
        if kind != LedgerKind.evaluations
        for row in ledger_rows(kind, filters, today)
        if not profiles or row.profile in profiles
    ]
    horizon = _horizon()
    waiting = {row.evaluation: row.waiting_stage for row in evaluations if row.waiting_stage}
    of_kind = {kind: [row for k, row in items if k == kind] for kind in LedgerKind}
    lines = [
        *evaluation_lines([row.model_dump() for row in evaluations], today, waiting, horizon),
        *tracking_lines(cast(list[TrackingRow], of_kind[LedgerKind.tracking]), today, horizon, year),
        *supervision_lines(cast(list[RectificationRow], of_kind[LedgerKind.rectification]), today, horizon),
        *procedure_lines(cast(list[DecisionRow], of_kind[LedgerKind.decisions]), today, horizon),
    ]
    axis = timeline(lines, today) if lines else {"today": 0, "months": []}
    groups = [
        {"kind": kind, "name": name, "lines": [line for line in lines if line["kind"] == kind]}
        for kind, name in LINE_KINDS.items()
    ]
    # The tracking table lists the decisions of the person's jurisdictions that the jurisdiction and unit
    # filters admit (its columns are per decision, so the type and status filters do not apply to it).
    scope = decisions_in_scope(filters, profiles)
    return render_html(
        TEMPLATE,
        {
            "groups": [group for group in groups if group["lines"]],
            "axis": axis,
            "charts": dashboard_charts(evaluations, items, today, horizon),
            "summary": portfolio(evaluations),
            "tracking": [t for t in tracking_board(today) if t["决策编号"] in scope],
            "today": today,
            "generated_at": now_beijing().strftime("%Y-%m-%d %H:%M"),
            "year": year,
            # Open items past their dates, and items (not overdue) whose next date falls within the horizon, of
            # every kind on the axis.
            "overdue": sum(line["overdue_items"] for line in lines),
            "soon": sum(
                1
                for line in lines
                if not line["overdue_items"]
                and line["next_date"] is not None
                and _soon(line["next_date"], today, horizon)
            ),
            "horizon": horizon,
            "web": web,
            "under_way": sum(row.status in EVALUATIONS_UNDER_WAY for row in evaluations),
            EvaluationStatus.completed: sum(row.status == EvaluationStatus.completed for row in evaluations),
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
