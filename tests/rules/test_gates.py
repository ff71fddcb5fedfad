"""The gate and step registries (rules/gates.py, rules/steps.py): every entry complete, every derived table agreeing."""

from __future__ import annotations

from enum import StrEnum

import pytest

from pinggu.rules.gates import (
    GATES,
    METHOD_SUBMISSIONS,
    PROFILE_GATE_IDS,
    SUBMISSION_OF_METHOD,
    GateId,
    GateKind,
    gate_name,
    gate_stage,
)
from pinggu.rules.profiles import load_profile
from pinggu.rules.steps import STAGE_NAMES, STEPS, Stage, StepId, step_name
from pinggu.rules.vocabulary import METHODS


@pytest.mark.parametrize("gate", list(GateId))
def test_every_gate_is_registered_with_a_name_stage_kind_and_choices(gate):
    spec = GATES[gate]
    assert spec.id is gate
    assert spec.name.strip() and not spec.name.isascii()  # operators read Chinese
    assert spec.stage in Stage and spec.kind in GateKind
    assert issubclass(spec.choices, StrEnum) and len(spec.choices) >= 1
    if spec.kind is GateKind.submission:
        assert spec.profile_gate is GateId.survey and spec.material
    if spec.reviews is not None:
        assert spec.reviews in StepId


def test_the_registry_order_is_the_order_the_flow_meets_the_gates():
    stages = [GATES[gate].stage for gate in GATES]
    assert stages == sorted(stages, key=list(Stage).index)


def test_profiles_declare_the_gates_that_are_their_own_profile_gate():
    assert PROFILE_GATE_IDS == (
        "plan_approval",
        "start_approval",
        "survey",
        "expert_review",
        "third_party_acceptance",
        "approval",
    )
    for profile_id in ("bazhou", "ordos", "ningxia_commerce", "changli", "minhang"):
        assert {gate.id for gate in load_profile(profile_id).gates} <= set(PROFILE_GATE_IDS)


@pytest.mark.rule("E-METHODS")
def test_every_method_opens_a_registered_submission_in_flow_order():
    assert set(SUBMISSION_OF_METHOD) == set(METHODS)
    assert (GateId.survey, GateId.minutes, GateId.field, GateId.opinions) == METHOD_SUBMISSIONS
    assert all(GATES[gate].kind is GateKind.submission for gate in METHOD_SUBMISSIONS)


@pytest.mark.parametrize("choices", {spec.choices for spec in GATES.values()}, ids=lambda c: c.__name__)
def test_choices_are_what_operators_read(choices):
    assert all(not choice.value.isascii() for choice in choices)


def test_a_gate_or_step_no_longer_registered_is_shown_as_it_is():
    assert gate_name("approval") == "决策机关审定" and gate_name("retired_gate") == "retired_gate"
    assert gate_stage("expert_marks") is Stage.implementation and gate_stage("retired_gate") is None
    assert gate_stage(None) is None
    assert (
        step_name("work_completed") == "评估工作完成（起算报送期限）" and step_name("survey_import") == "survey_import"
    )


@pytest.mark.parametrize("step", list(StepId))
def test_every_step_is_registered_with_a_chinese_name_and_stage(step):
    assert STEPS[step].id is step and not STEPS[step].name.isascii()
    assert STEPS[step].stage in STAGE_NAMES
