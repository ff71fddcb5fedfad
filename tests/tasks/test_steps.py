"""Every registered step is run by a task named after it (tasks/preparation.py, implementation.py, conclusion.py)."""

from __future__ import annotations

from typing import get_type_hints

import pytest

import pinggu.tasks.conclusion
import pinggu.tasks.implementation
import pinggu.tasks.preparation
from pinggu.rules.step_results import ScoringResult
from pinggu.rules.steps import STEPS, StepId
from pinggu.tasks.ledger import SkipWhenDone, ledger_step


def test_every_registered_step_is_run_by_a_task_named_after_it():
    tasks_by_step = {
        obj.task.name: obj
        for module in (pinggu.tasks.preparation, pinggu.tasks.implementation, pinggu.tasks.conclusion)
        for obj in vars(module).values()
        if isinstance(obj, SkipWhenDone)
    }
    assert set(tasks_by_step) == {STEPS[step].name for step in StepId}


def test_every_steps_task_returns_its_registered_result_model():
    returned = {
        obj.task.name: get_type_hints(obj.fn)["return"]
        for module in (pinggu.tasks.preparation, pinggu.tasks.implementation, pinggu.tasks.conclusion)
        for obj in vars(module).values()
        if isinstance(obj, SkipWhenDone)
    }
    assert returned == {spec.name: spec.result for spec in STEPS.values()}


def test_a_task_declaring_another_result_than_its_steps_is_refused():
    def wrong(evaluation_id: int) -> ScoringResult:
        raise AssertionError("never run")

    with pytest.raises(TypeError, match="must return PreliminaryResult"):
        ledger_step(StepId.preliminary)(wrong)
