"""Which dates need attention today: due soon (at the thresholds, e.g. 7 and 3 days) or overdue.

A deadline never fails an evaluation (SPEC §6); it is shown, escalated once per level, and the
evaluation keeps waiting. Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

OVERDUE = "overdue"


@dataclass(frozen=True)
class Watched:
    """Something with a date to meet: a stage, a waiting gate, a statutory deadline, a follow-up."""

    kind: str  # stage / gate / deadline / follow_up
    ref: str  # stable identity, e.g. "PG-2026-0001/stage/implementation"
    label: str  # what an operator reads
    due: date
    evaluation: str | None = None
    owner: str = ""  # who must act


@dataclass(frozen=True)
class Alert:
    """One escalation: the item, its level (due-7, due-3 or overdue) and the days left (negative: late)."""

    item: Watched
    level: str
    days_left: int

    @property
    def key(self) -> str:
        """The escalation's identity: each item is escalated once per level (and a due date it has)."""
        return f"{self.item.ref}@{self.item.due.isoformat()}#{self.level}"

    def text(self) -> str:
        """The notification text, in Chinese."""
        when = (
            f"已逾期 {-self.days_left} 日"
            if self.days_left < 0
            else ("今日到期" if self.days_left == 0 else f"还有 {self.days_left} 日到期")
        )
        who = f"，请{self.item.owner}办理" if self.item.owner else ""
        return f"【{when}】{self.item.label}（期限 {self.item.due}）{who}"


def alerts(items: Iterable[Watched], today: date, thresholds: Sequence[int]) -> list[Alert]:
    """The highest level each item has reached today; items not yet within a threshold give none.

    An item due today counts as due (0 days left), not overdue; one day after its due date it is.
    """
    found = []
    for item in items:
        days_left = (item.due - today).days
        if days_left < 0:
            found.append(Alert(item, OVERDUE, days_left))
            continue
        reached = [t for t in sorted(thresholds) if days_left <= t]
        if reached:
            found.append(Alert(item, f"due-{reached[0]}", days_left))
    return sorted(found, key=lambda a: (a.days_left, a.item.ref))


# 催办 to the person (issue 29): the items a person or a unit holds, reminded to them once within a number of
# working days of the target and again once overdue; the group channels keep their own summary (alerts above).
PERSONAL_KINDS = frozenset({"gate", "follow_up", "tracking_report", "milestone", "rectification"})
PERSONAL_DUE, PERSONAL_OVERDUE = "person-due", "person-overdue"


def working_days_left(today: date, due: date, is_workday: Callable[[date], bool]) -> int:
    """The working days after today up to and including the due date (0 when it is today or past)."""
    return sum(1 for offset in range(1, (due - today).days + 1) if is_workday(today + timedelta(days=offset)))


def personal_alerts(
    items: Iterable[Watched], today: date, working_days: int, is_workday: Callable[[date], bool]
) -> list[Alert]:
    """The reminders due to the people holding each item today: within `working_days` working days of its target
    (an item due today is within any), or overdue."""
    found = []
    for item in items:
        if item.kind not in PERSONAL_KINDS:
            continue
        days_left = (item.due - today).days
        if days_left < 0:
            found.append(Alert(item, PERSONAL_OVERDUE, days_left))
        elif working_days_left(today, item.due, is_workday) <= working_days:
            found.append(Alert(item, PERSONAL_DUE, days_left))
    return sorted(found, key=lambda a: (a.days_left, a.item.ref))
