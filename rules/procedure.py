"""Which steps and human gates one evaluation passes, from its profile, type, methods and entrustment.

One stage model serves every type (SPEC §4); the differences are data:

* gates come from the profile (``Profile.gates_for``): the plan gate, Ningxia's start gate (NX-10),
  expert review, the acceptance of a third party's report (OR-14, only when entrusted) and the
  decision body's approval (G-APPROVE);
* the profile's data-submission gate (``survey``) becomes one submission per kind of material the
  chosen methods produce: questionnaire data, meeting minutes, field-research records, opinions;
* the simplified procedure takes exactly one method from the profile's list (S-SIMPLE);
* a partial evaluation names the parts it covers (S-SCOPE);
* mid-term and final evaluations are for decisions running five years or more (bazhou 15).

Pure Python: no Prefect, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pinggu.core.errors import RuleViolation
from pinggu.rules.gates import GATES, METHOD_SUBMISSIONS, SUBMISSION_OF_METHOD, GateId, GateKind, Rework
from pinggu.rules.periods import last_day_of_term
from pinggu.rules.profiles import Gate, Profile
from pinggu.rules.steps import Stage, StepId
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, EvaluationType, Scope

# bazhou 15 第四款、第五款: mid-term and final evaluations concern plans and policies of five years or more.
LONG_TERM_YEARS = 5

DEFAULT_METHOD = "问卷调查"


@dataclass(frozen=True)
class Procedure:
    """The route of one evaluation through its stages."""

    evaluation_type: str
    methods: tuple[str, ...]
    start_gate: Gate | None
    plan_gate: Gate | None
    submission_gate: Gate | None  # whose actor submits the materials
    submissions: tuple[GateId, ...]
    scored: bool  # expert marks are collected and the indicator score computed (MH-14, SPEC §8)
    expert_review: Gate | None
    third_party_acceptance: Gate | None
    approval: Gate
    report_parts: tuple[str, ...]

    @property
    def gates(self) -> tuple[GateId, ...]:
        """Every gate id in the order the flow meets them (the registry's order), team excepted."""
        passed = {
            GateId.plan_approval: self.plan_gate is not None,
            GateId.start_approval: self.start_gate is not None,
            GateId.expert_marks: self.scored,
            GateId.expert_review: self.expert_review is not None,
            GateId.third_party_acceptance: self.third_party_acceptance is not None,
            GateId.approval: True,
        }
        return tuple(gate for gate in GATES if gate in self.submissions or passed.get(gate, False))

    def gate(self, gate_id: str) -> Gate | None:
        """The profile gate behind a gate id (submissions share the profile's submission gate)."""
        if gate_id not in GATES:
            return None
        spec = GATES[GateId(gate_id)]
        declared = {
            GateId.plan_approval: self.plan_gate,
            GateId.start_approval: self.start_gate,
            GateId.survey: self.submission_gate,
            GateId.expert_review: self.expert_review,
            GateId.third_party_acceptance: self.third_party_acceptance,
            GateId.approval: self.approval,
        }
        return declared.get(spec.profile_gate) if spec.profile_gate else None


def choose_methods(profile: Profile, evaluation_type: str, methods: Sequence[str]) -> tuple[str, ...]:
    """The methods the evaluation uses, checked against the profile (E-METHODS, S-SIMPLE)."""
    chosen = tuple(dict.fromkeys(m.strip() for m in methods if m.strip()))
    if evaluation_type == EvaluationType.simplified:
        offered = profile.simplified_methods
        if not chosen:
            chosen = (DEFAULT_METHOD,) if DEFAULT_METHOD in offered else offered[:1]
        if len(chosen) != 1 or chosen[0] not in offered:
            raise RuleViolation(
                f"简易程序只能从{'、'.join(offered)}中选择一种方法，实际选择：{'、'.join(chosen)}",
                rule="S-SIMPLE",
                methods=list(chosen),
            )
        return chosen
    chosen = chosen or (DEFAULT_METHOD,)
    unknown = [m for m in chosen if m not in profile.methods]
    if unknown:
        raise RuleViolation(
            f"《{profile.title}》未规定“{'、'.join(unknown)}”这种评估方法；可用：{'、'.join(profile.methods)}",
            rule="E-METHODS",
            methods=unknown,
        )
    return chosen


def check_scope(scope: str, scope_parts: Sequence[str]) -> None:
    """A partial evaluation names the parts it covers; a whole one names none (S-SCOPE)."""
    named = [part for part in scope_parts if part.strip()]
    if scope == Scope.partial and not named:
        raise RuleViolation("部分评估须逐项写明评估涉及的内容（评估范围）", rule="S-SCOPE")
    if scope == Scope.whole and named:
        raise RuleViolation("整体评估不需填写“部分评估涉及的内容”；如只评估部分内容，请选择部分评估", rule="S-SCOPE")


def check_type_fits(evaluation_type: str, starts_on: date, ends_on: date | None, today: date) -> None:
    """Mid-term and final evaluations only for decisions running five years or more (S-MID, S-FINAL)."""
    if evaluation_type not in (EvaluationType.midterm, EvaluationType.final):
        return
    rule = "S-MID" if evaluation_type == EvaluationType.midterm else "S-FINAL"
    name = EVALUATION_TYPE_NAMES[evaluation_type]
    if ends_on is None or ends_on < last_day_of_term(starts_on, 12 * LONG_TERM_YEARS):
        span = f"{starts_on} 至 {ends_on}" if ends_on else f"自 {starts_on} 起，未定终止日"
        raise RuleViolation(f"{name}适用于执行期限五年以上的规划、政策、改革事项，该决策实施期间为 {span}", rule=rule)
    if evaluation_type == EvaluationType.final and ends_on >= today:
        raise RuleViolation(f"终期评估在决策执行结束后开展，该决策实施终止日为 {ends_on}", rule=rule)


def procedure_for(profile: Profile, evaluation_type: str, methods: Sequence[str], *, entrusted: bool) -> Procedure:
    """The route of an evaluation of this type under this profile."""
    chosen = choose_methods(profile, evaluation_type, methods)
    gates = {gate.id: gate for gate in profile.gates_for(evaluation_type, entrusted=entrusted)}
    submission_gate = gates.get(GateId.survey)
    kinds = {SUBMISSION_OF_METHOD[m] for m in chosen}
    submissions = tuple(kind for kind in METHOD_SUBMISSIONS if kind in kinds) if submission_gate else ()
    return Procedure(
        evaluation_type=evaluation_type,
        methods=chosen,
        start_gate=gates.get(GateId.start_approval),
        plan_gate=gates.get(GateId.plan_approval),
        submission_gate=submission_gate,
        submissions=submissions,
        # The simplified procedure ends in a report without an indicator score unless the profile requires one.
        scored=profile.score_required or evaluation_type != EvaluationType.simplified,
        expert_review=gates.get(GateId.expert_review),
        third_party_acceptance=gates.get(GateId.third_party_acceptance),
        approval=gates[GateId.approval],
        report_parts=profile.type_parts(evaluation_type),
    )


@dataclass(frozen=True)
class ReworkScope:
    """What sending an evaluation back sets aside: steps to redo, gates to ask again, stages reopened."""

    steps: tuple[StepId, ...]
    gates: tuple[GateId, ...]
    stages: tuple[Stage, ...]


def rework_for(procedure: Procedure, target: Rework) -> ReworkScope:
    """Rework after a gate sends the evaluation back: ``plan`` (plan gate), ``report`` (rewrite the
    report: expert review, acceptance and approval again) or ``evidence`` (collect and analyse again)."""
    report_gates = tuple(g for g in procedure.gates if GATES[g].reviews is StepId.draft_report)
    # The draft formed again after the expert review exists only where the procedure has that review.
    reviewed = (StepId.reviewed_draft,) if procedure.expert_review is not None else ()
    redraft = (StepId.draft_report, *reviewed, StepId.work_completed, StepId.report_submitted)
    match Rework(target):
        case Rework.plan:
            return ReworkScope(steps=(StepId.plan,), gates=(GateId.plan_approval,), stages=(Stage.preparation,))
        case Rework.report:
            return ReworkScope(steps=redraft, gates=report_gates, stages=(Stage.conclusion,))
        case Rework.evidence:
            evidence_gates = tuple(g for g in procedure.gates if GATES[g].kind is GateKind.submission)
            return ReworkScope(
                steps=(StepId.analysis, StepId.scoring, StepId.preliminary, *redraft),
                gates=evidence_gates + report_gates,
                stages=(Stage.implementation, Stage.conclusion),
            )
