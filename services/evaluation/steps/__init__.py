"""The work of each step written against the ledger, without Prefect: what it reads, does and records.

Each stage's module (preparation, implementation, conclusion) builds a step's `StepWork` from the step's
inputs; the step's Prefect task (pinggu.tasks.preparation, implementation, conclusion) hands its three phases to
the ledger (`pinggu.tasks.ledger.run_step`) and publishes whatever Prefect artifact the step shows. `gather`
reads in a read-only session, `produce` does the slow work with no transaction open, `record` writes and
returns the step's result model in one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import Session

from pinggu.models.tables import Evaluation
from pinggu.rules.step_results import StepResult

G = TypeVar("G")
P = TypeVar("P")
R = TypeVar("R", bound=StepResult)


def keep_produced(_session: Session, _evaluation: Evaluation, produced: R) -> R:
    """A step's record when what it produced is its whole result (nothing else to write)."""
    return produced


@dataclass(frozen=True)
class StepWork(Generic[G, P, R]):
    """A step's three phases as the ledger runs them: `gather` reads, `produce` does the slow part, `record`
    writes and returns the result (a step that only touches the database has `record` alone)."""

    record: Callable[[Session, Evaluation, P], R]
    gather: Callable[[Session, Evaluation, int], G] | None = None
    produce: Callable[[G], P] | None = None
