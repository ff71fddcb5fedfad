"""The product's one error hierarchy.

Every error carries a Chinese message an operator can act on (what is wrong and what to do) and
its context as keyword arguments. Only the edges — the CLI, a gate's form, a flow's failure
message — show them to people.

    PingguError
    ├── InputFileError        a file an operator supplied cannot be used (catalog, survey …)
    ├── RuleViolation         a registered rule refuses the action (rule id attached)
    ├── NotFound              a decision / evaluation / document does not exist
    ├── StateConflict         the action does not fit the evaluation's current state
    ├── SignoffRefused        an answer whose sign-off code is missing, wrong, used, expired or not the answerer's
    ├── ReportError           a report could not be rendered or written
    ├── StepResultInvalid     a step's result does not fit the model its registry entry names; not recorded
    ├── StoredAnswerInvalid   an answer kept as JSON on its row (decision procedure, supervision round) does not read
    ├── OrchestrationError    the Prefect server is unreachable or refused a request
    ├── NotifyUrlError        a configured notification URL cannot be used (named without its secrets)
    ├── NotDelivered          a notice the endpoint did not take; the watch tries again
    ├── DatabaseBusy          the product database stayed locked or unreachable through every retry
    └── StoreUnavailable      the document store (directory or object storage) could not be read or written
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class PingguError(Exception):
    """Base class: a message for people plus the context that produced it."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: where (row as the operator sees it, column) and why."""

    reason: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        return f"{'，'.join(where)}：{self.reason}" if where else self.reason


class InputFileError(PingguError):
    """A file supplied by an operator is unreadable or has bad rows; nothing was written."""

    def __init__(self, message: str, *, problems: list[Problem] | None = None, **context: Any):
        super().__init__(message, **context)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.message, *(f"  - {p}" for p in self.problems[:50])]
        if len(self.problems) > 50:
            lines.append(f"  … 另有 {len(self.problems) - 50} 处问题")
        return "\n".join(lines)


class RuleViolation(PingguError):
    """A registered rule (rules/register.yaml) refuses the action."""

    def __init__(self, message: str, *, rule: str, **context: Any) -> None:
        super().__init__(message, rule=rule, **context)
        self.rule = rule

    def __str__(self) -> str:
        return f"{self.message}（规则 {self.rule}）"


class NotFound(PingguError):
    """The named decision, evaluation or document does not exist."""


class StateConflict(PingguError):
    """The action does not fit the current state (e.g. approving a gate that is not waiting)."""


class SignoffRefused(PingguError):
    """An answer not signed by someone entitled to give it: the code is missing, wrong, used or expired,
    belongs to someone else, or its holder may not act at this gate; the run keeps waiting."""


class LoginRefused(PingguError):
    """A sign-in refused: wrong login name or password, a locked account, someone not in the people file."""


class AccessDenied(PingguError):
    """A page or document the signed-in person may not open (pinggu.rules.access.may_see)."""


class OrchestrationError(PingguError):
    """The Prefect server is unreachable or refused the request."""


class ReportError(PingguError):
    """A report could not be rendered or written."""


class StepResultInvalid(PingguError):
    """A step's result does not fit its model (pinggu.rules.steps.STEPS): the step is not recorded as done."""


class StoredAnswerInvalid(PingguError):
    """An answer kept as JSON on its row (a decision procedure's, a supervision round's, a gate's details, a
    submitted file's record) that does not fit its record (pinggu.models.kept_answers, pinggu.rules.gate_details):
    the row was changed by hand or by a version that wrote another shape."""


class DatabaseBusy(PingguError):
    """The product database stayed locked or unreachable through every retry; nothing was written."""


class NotifyUrlError(PingguError):
    """A configured notification URL that cannot be used; the message names it without its secrets."""


class NotDelivered(PingguError):
    """A notice the endpoint did not take (down, refusing, wrong credentials); tried again later."""


class StoreUnavailable(PingguError):
    """The document store could not be read or written (full, read-only, unreachable, wrong credentials)."""
