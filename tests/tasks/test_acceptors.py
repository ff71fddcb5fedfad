"""Every registered gate has a form and exactly one way in (tasks/acceptors.py HANDLERS); every step a task."""

from __future__ import annotations

import pytest

import tasks.conclusion
import tasks.implementation
import tasks.preparation
from rules.gates import GATES, GateId, GateKind
from rules.steps import STEPS, StepId
from tasks.acceptors import HANDLERS
from tasks.ledger import SkipWhenDone


@pytest.mark.parametrize("gate", list(GateId))
def test_every_gate_has_a_form_and_one_way_in(gate):
    handler = HANDLERS[gate]
    assert (handler.accept is None) != (handler.prepare is None)
    fields = handler.form.model_fields
    if GATES[gate].kind is GateKind.submission:
        assert handler.prepare is not None and {"file", "submitter", "submitter_role"} <= set(fields)
    if GATES[gate].kind is GateKind.approval:
        assert {"approver", "approver_role", "choice"} <= set(fields)


@pytest.mark.parametrize("gate", [g for g, spec in GATES.items() if spec.kind is GateKind.approval])
def test_an_approval_form_offers_exactly_the_gates_choices(gate):
    schema = HANDLERS[gate].form.model_json_schema()["properties"]["choice"]
    assert schema["enum"] == [choice.value for choice in GATES[gate].choices]
    assert schema["title"] and not schema["title"].isascii()


def test_no_handler_for_a_gate_outside_the_registry():
    assert set(HANDLERS) == set(GATES)


def test_every_registered_step_is_run_by_a_task_named_after_it():
    tasks_by_step = {
        obj.task.name: obj
        for module in (tasks.preparation, tasks.implementation, tasks.conclusion)
        for obj in vars(module).values()
        if isinstance(obj, SkipWhenDone)
    }
    assert set(tasks_by_step) == {STEPS[step].name for step in StepId}
