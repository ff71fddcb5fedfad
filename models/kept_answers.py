"""The answers kept as JSON on their row, typed: a decision procedure's (`DecisionProcedure.answers`) and a
supervision round's (`SupervisionRound.answers`, `Rectification.reviews`).

Each answer is recorded once under its pause key, accepted or refused, and never changed; the services read them
back by key and by step. A record here is the envelope as it has always been stored (key, step, date, who, what
followed or why it was refused). A decision procedure's answer itself stays the JSON it was given — a refused
answer is kept as it came, even when it fits no model — and is read through its step's own model
(pinggu.rules.decision_procedure.ANSWERS) when an accepted one is needed.

The stored shape is the one written since the tables exist, so rows already in databases read without a
migration: a field an older version did not write (who signed, the step of a review) is optional and left out
again when the record is written back (`stored_json`: only the fields set). A row that fits no record is
`StoredAnswerInvalid`, in Chinese, never a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from pinggu.rules.decision_procedure import ANSWERS, Outcome, ProcedureStep
from pinggu.rules.gate_details import read_kept
from pinggu.rules.step_results import StoredModel
from pinggu.rules.tracking import ReviewVerdict, SupervisionStep

A = TypeVar("A", bound=BaseModel)
R = TypeVar("R", bound="KeptAnswer")


class KeptAnswer(StoredModel):
    """The base of every kept answer: written back as it was read, a field built by name or by its stored key."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _read(model: type[R], stored: Mapping[str, Any], what: str) -> R:
    """`stored` read as `model`, every key its own (an envelope holds no key a version stopped writing)."""
    return read_kept(model, stored, what, ignore_unknown=False)


# --- the decision procedure ------------------------------------------------------------------------


class PanelRecord(KeptAnswer):
    """The centre's confirmation of the expert panel an accepted 专家论证 stood on (CL-32-PANEL): who confirmed it,
    in which role, when, and the experts' names."""

    by: str
    confirmed_as: str = Field(alias="as")
    on: date
    experts: tuple[str, ...]


class CountersignDone(KeptAnswer):
    """What the experts' 会签 records when it completes (its step's answer): who signed, and the place among the
    procedure's answers of the 专家论证 that named the panel."""

    signed: str
    panel_at: int


class ProcedureAnswer(KeptAnswer):
    """One answer of a decision procedure as kept on its row, accepted or refused."""

    key: str
    step: ProcedureStep
    # The values as given, in JSON: a refused answer may fit no model; read an accepted one with `values`.
    answer: dict[str, JsonValue]
    outcome: Outcome
    note: str
    refused: str | None = None
    on: date
    answered_by: str | None = None  # the signer (姓名（单位）); absent before answers were signed in person
    person_id: int | None = None
    panel: PanelRecord | None = None  # on an accepted 专家论证 only

    @property
    def accepted(self) -> bool:
        """Whether the answer was accepted (a refused one is kept with why)."""
        return self.refused is None

    @property
    def by(self) -> str:
        """Who answered, as the record shows it (older answers carried a typed 记录人 in the answer itself)."""
        return self.answered_by or str(self.answer.get("answered_by") or "")

    def values(self) -> BaseModel:
        """The answer read through its step's model (the 会签's completion for the experts' opinions); a field the
        model no longer reads (a typed 记录人 or panel confirmer, now signed acts) is ignored."""
        model = CountersignDone if self.step is ProcedureStep.expert_opinions else ANSWERS[self.step]
        return read_kept(model, self.answer, f"决策程序的办理记录（{self.key}）的答复")

    def values_as(self, model: type[A]) -> A:
        """`values` typed as `model`, which must be the step's own model (a programming error otherwise)."""
        values = self.values()
        if not isinstance(values, model):
            raise TypeError(f"{self.step} answers {type(values).__name__}, not {model.__name__}")
        return values


def procedure_answers(stored: Sequence[Mapping[str, Any]]) -> tuple[ProcedureAnswer, ...]:
    """A procedure's kept answers (`DecisionProcedure.answers`) read as records, oldest first."""
    return tuple(_read(ProcedureAnswer, a, f"决策程序的第 {n} 条办理记录") for n, a in enumerate(stored, start=1))


# --- a supervision round ---------------------------------------------------------------------------


class ReviewAnswer(KeptAnswer):
    """The office's review of one rectification item (kept on the round and on the item)."""

    key: str
    # Reviews recorded before the round's steps were named carry no step: they are all reviews.
    step: Literal[SupervisionStep.rectification_review] = SupervisionStep.rectification_review
    item: int
    verdict: ReviewVerdict
    reviewer: str
    comment: str
    on: date
    refused: str | None = None


class ApprovalAnswer(KeptAnswer):
    """The leaders' approval of a round's report (CL-53) and their instructions."""

    key: str
    step: Literal[SupervisionStep.report_approval]
    approver: str
    approved_on: date
    instructions: str
    on: date
    refused: str | None = None


def round_answers(stored: Sequence[Mapping[str, Any]]) -> tuple[ReviewAnswer | ApprovalAnswer, ...]:
    """A round's kept answers (`SupervisionRound.answers`) read as records, oldest first."""
    read = []
    for n, answer in enumerate(stored, start=1):
        step = answer.get("step", SupervisionStep.rectification_review.value)
        model: type[ReviewAnswer | ApprovalAnswer] = (
            ApprovalAnswer if step == SupervisionStep.report_approval.value else ReviewAnswer
        )
        read.append(_read(model, answer, f"督查记录的第 {n} 条审定或审核记录"))
    return tuple(read)


def item_reviews(stored: Sequence[Mapping[str, Any]]) -> tuple[ReviewAnswer, ...]:
    """A rectification item's kept reviews (`Rectification.reviews`) read as records, oldest first."""
    return tuple(_read(ReviewAnswer, a, f"整改事项的第 {n} 条审核记录") for n, a in enumerate(stored, start=1))
