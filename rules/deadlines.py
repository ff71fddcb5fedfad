"""Statutory deadlines of an evaluation, counted from the real dates of its events (SPEC §6).

A profile's deadline runs from one milestone (``counted_from``) until another (``until``): NX-11
runs 90 days from the day the start is approved until the evaluation is complete; NX-12 runs 15
days and OR-19 one month from that completion until the report reaches the decision body.

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pinggu.rules.periods import DueDate, add_period
from pinggu.rules.profiles import MILESTONES, Deadline, Profile


@dataclass(frozen=True)
class DueDeadline:
    """A deadline that has started running: from which event and day, due when."""

    rule: str
    label: str
    basis: str
    counted_from: str
    from_date: date
    until: str
    due: DueDate

    @property
    def until_name(self) -> str:
        """The milestone that meets the deadline, as operators read it."""
        return MILESTONES[self.until]


def started_by(profile: Profile, milestone: str, on: date) -> list[DueDeadline]:
    """The deadlines that start running when `milestone` happens on day `on`."""
    return [_due(profile, deadline, on) for deadline in profile.deadlines if deadline.counted_from == milestone]


def _due(profile: Profile, deadline: Deadline, on: date) -> DueDeadline:
    return DueDeadline(
        rule=deadline.rule,
        label=deadline.label,
        basis=profile.citation(deadline.basis),
        counted_from=deadline.counted_from,
        from_date=on,
        until=deadline.until,
        due=add_period(on, deadline.period),
    )
