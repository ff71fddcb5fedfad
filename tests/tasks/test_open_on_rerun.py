"""A resumed run re-runs its flow from the top: the evaluation it already opened goes on without a task run
(tasks/evaluation.py open_evaluation behind SkipWhenDone, pinggu.services.evaluation.lifecycle.resume_bound; issue 32)."""

from __future__ import annotations

import uuid

import builders
from sqlmodel import select

from pinggu.models.db import read_session, transaction
from pinggu.models.tables import Evaluation
from pinggu.rules.vocabulary import EvaluationStatus

ARGUMENTS = ("whole", [], ["问卷调查"])


def _decision() -> str:
    """A decision of its own: an evaluation left unfinished here stands in no other test's way."""
    with builders.session_scope() as session:
        return builders.add_decision(session, prefix="RERUN").code


def _call(flow_run_id: str, decision: str):
    from pinggu.tasks.evaluation import open_evaluation

    return open_evaluation(decision, None, flow_run_id, "ordinary", *ARGUMENTS)


def test_a_rerun_finds_its_evaluation_marks_it_running_and_starts_no_task_run(monkeypatch):
    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.services.evaluation.lifecycle import open_evaluation

    decision, flow_run_id = _decision(), str(uuid.uuid4())
    evaluation_id = open_evaluation(decision, None, flow_run_id, "ordinary", *ARGUMENTS)
    assert isinstance(evaluation_id, int)

    def wait(session):
        evaluation = session.get(Evaluation, evaluation_id)
        evaluation.status, evaluation.waiting_gate, evaluation.waiting_for = "waiting", "survey", "调查数据提交"
        session.add(evaluation)

    transaction(wait)  # as the run left it when it suspended

    def no_task_run(*_args, **_kwargs):
        raise AssertionError("a re-run started the task 开启或接续评估 again")

    monkeypatch.setattr(evaluation_tasks.open_evaluation, "task", no_task_run)
    assert _call(flow_run_id, decision) == evaluation_id
    with read_session() as session:
        evaluation = session.get(Evaluation, evaluation_id)
        assert (evaluation.status, evaluation.waiting_gate, evaluation.waiting_for) == (
            EvaluationStatus.running,
            None,
            None,
        )
        assert len(session.exec(select(Evaluation).where(Evaluation.flow_run_id == flow_run_id)).all()) == 1


def test_a_first_run_opens_its_evaluation_through_the_task(monkeypatch):
    import pinggu.tasks.evaluation as evaluation_tasks

    started: list[tuple] = []
    monkeypatch.setattr(evaluation_tasks.open_evaluation, "task", lambda *args: started.append(args) or 7)
    flow_run_id = str(uuid.uuid4())
    assert _call(flow_run_id, _decision()) == 7
    assert [args[2] for args in started] == [flow_run_id]
