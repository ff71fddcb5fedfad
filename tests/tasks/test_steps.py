"""Every registered step is run by a task named after it (tasks/preparation.py, implementation.py, conclusion.py)."""

from __future__ import annotations

import pinggu.tasks.conclusion
import pinggu.tasks.implementation
import pinggu.tasks.preparation
from pinggu.rules.steps import STEPS, StepId
from pinggu.tasks.ledger import SkipWhenDone


def test_every_registered_step_is_run_by_a_task_named_after_it():
    tasks_by_step = {
        obj.task.name: obj
        for module in (pinggu.tasks.preparation, pinggu.tasks.implementation, pinggu.tasks.conclusion)
        for obj in vars(module).values()
        if isinstance(obj, SkipWhenDone)
    }
    assert set(tasks_by_step) == {STEPS[step].name for step in StepId}
