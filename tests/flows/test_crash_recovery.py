"""A flow run that dies between two steps, then a new run for the same evaluation: nothing is redone."""

from __future__ import annotations

from collections import Counter

import pytest
from builders import team


def _attempts(decision_code):
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models import evaluations as store
    from pinggu.models.tables import Evaluation

    with session_scope() as session:
        evaluation = session.exec(select(Evaluation).where(Evaluation.decision_code == decision_code)).one()
        return evaluation, store.step_attempts(session=session, evaluation_id=evaluation.id)


@pytest.mark.rule("S-PREP")
def test_new_flow_run_after_a_crash_skips_finished_steps(prefect_server, sample_catalog, monkeypatch):
    import pinggu.flows.stages as stages
    import pinggu.rules.plan
    from pinggu.flows.post_evaluation import post_evaluation

    def crash(**_):
        raise RuntimeError("模拟：写方案时进程崩溃")

    # The plan step dies after the team step has finished; no retry, to keep the test quick.
    monkeypatch.setattr(pinggu.rules.plan, "draft_plan", crash)
    monkeypatch.setattr(stages, "write_plan", stages.write_plan.with_options(retries=0))
    first = post_evaluation(decision="S-2021-004", team=team(), return_state=True)
    assert first.is_failed()
    evaluation, attempts = _attempts("S-2021-004")
    assert [(a.step, a.status) for a in attempts] == [("team", "done"), ("plan", "failed")]

    monkeypatch.undo()
    # A new run for the same evaluation continues to the plan gate. Outside a deployment a run
    # cannot suspend, so this in-process run stops there; the served end-to-end test goes on.
    second = post_evaluation(decision="S-2021-004", evaluation=evaluation.code, return_state=True)
    assert not second.is_completed()
    evaluation, attempts = _attempts("S-2021-004")
    assert [(a.step, a.attempt, a.status) for a in attempts] == [
        ("team", 1, "done"),
        ("plan", 1, "failed"),
        ("plan", 2, "done"),
    ]
    assert Counter(a.flow_run_id for a in attempts if a.status == "done").total() == 2
