"""The evaluation's progress artifact and the stage marks it reads (tasks/evaluation.py progress_markdown,
close_stage; models/evaluations.py close_stage): a stage is running from the moment the flow enters it,
so while the run waits at 实施阶段's survey gate that stage is 进行中 and the gate is named."""

from __future__ import annotations

import uuid
from datetime import date

import builders
import pytest
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.audit import events_for
from pinggu.rules.gates import GateId
from pinggu.rules.profiles import load_profile
from pinggu.rules.steps import Stage

TARGETS = {
    "preparation": (date(2026, 12, 18), False),
    "implementation": (date(2027, 1, 22), False),
    "conclusion": (date(2027, 2, 26), False),
}


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    """The progress artifacts the tasks publish, caught instead of sent to a Prefect server."""
    import pinggu.tasks.evaluation as evaluation_tasks

    caught: list[dict] = []
    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: caught.append(artifact))
    return caught


def _statuses(evaluation_id: int) -> dict[str, str]:
    with session_scope() as session:
        return {s.stage: s.status for s in store.stages(session=session, evaluation_id=evaluation_id)}


def test_waiting_at_the_survey_gate_the_implementation_stage_is_running_and_the_gate_is_named(published):
    from pinggu.services.evaluation.artifacts import progress_markdown
    from pinggu.services.evaluation.gates import Waiting
    from pinggu.tasks.evaluation import close_stage
    from pinggu.tasks.gates import gate_status

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, stage_targets=TARGETS, prefix="PROGRESS")
        store.mark_stage(session=session, evaluation_id=evaluation.id, stage=Stage.preparation, status="running")
        evaluation_id, code = evaluation.id, evaluation.code

    close_stage.fn(evaluation_id, Stage.preparation)  # the flow leaves 准备阶段 …
    waiting = gate_status.fn(evaluation_id, GateId.survey)  # … and suspends for 实施阶段's survey data

    gate_name = load_profile("bazhou").gate_title(GateId.survey)
    assert isinstance(waiting, Waiting) and waiting.name == gate_name == "调查数据提交"
    assert _statuses(evaluation_id) == {"preparation": "done", "implementation": "running", "conclusion": "pending"}
    with session_scope() as session:
        preparation, implementation, _ = store.stages(session=session, evaluation_id=evaluation_id)
        assert implementation.started_at == preparation.finished_at is not None
        assert implementation.finished_at is None

    markdown = progress_markdown(evaluation_id, today=date(2026, 11, 27))
    assert "| 实施阶段 | 进行中（等待：调查数据提交） | 2027-01-22 |" in markdown
    assert "| 结论形成阶段 | 未开始 | 2027-02-26 |" in markdown
    assert "正在等待：调查数据提交（" in markdown and "未开始 | 2027-01-22" not in markdown
    # What was published as the flow went on: once, where the run stops (issue 32: once per resume) — the
    # gate named at once, 准备阶段 done, 实施阶段 under way; leaving 准备阶段 published nothing of its own.
    assert [p["key"] for p in published] == [f"{code.lower()}-progress"]
    assert "| 准备阶段 | 已完成 |" in published[0]["markdown"]
    assert "| 实施阶段 | 进行中（等待：调查数据提交） | 2027-01-22 |" in published[0]["markdown"]


def test_an_evaluation_already_waiting_with_its_stage_recorded_pending_is_shown_running_without_a_start():
    """An evaluation that began waiting before the flow marked stages on entry: the wait shows the
    stage is under way; its start was never recorded, so none is shown."""
    from pinggu.services.evaluation.artifacts import progress_markdown

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, stage_targets=TARGETS, prefix="PROGRESS")
        store.mark_stage(session=session, evaluation_id=evaluation.id, stage=Stage.preparation, status="done")
        evaluation.status, evaluation.waiting_gate = "waiting", GateId.survey
        evaluation.waiting_for = "调查数据提交（评估单位；第1次）"
        session.add(evaluation)
        evaluation_id = evaluation.id

    markdown = progress_markdown(evaluation_id, today=date(2027, 1, 25))
    assert "| 实施阶段 | 进行中（等待：调查数据提交） | 2027-01-22 | — | — | 是 |" in markdown
    assert "正在等待：调查数据提交（评估单位；第1次）" in markdown
    assert _statuses(evaluation_id)["implementation"] == "pending"  # reading changes nothing


def test_closing_a_stage_again_changes_nothing_and_records_each_mark_once(published):
    from pinggu.tasks.evaluation import close_stage

    with session_scope() as session:
        evaluation_id = builders.add_evaluation(session, stage_targets=TARGETS, prefix="PROGRESS").id

    close_stage.fn(evaluation_id, Stage.preparation)
    with session_scope() as session:
        first = [
            (s.status, s.started_at, s.finished_at) for s in store.stages(session=session, evaluation_id=evaluation_id)
        ]
    close_stage(evaluation_id, Stage.preparation)  # as a re-run from the top calls it: skipped, no task run
    with session_scope() as session:
        store.close_stage(session=session, evaluation_id=evaluation_id, stage=Stage.preparation)  # and even if not
    with session_scope() as session:
        again = [
            (s.status, s.started_at, s.finished_at) for s in store.stages(session=session, evaluation_id=evaluation_id)
        ]
        started = [
            e.detail["stage"] for e in events_for(session=session, evaluation_id=evaluation_id, action="stage_started")
        ]
        finished = [
            e.detail["stage"] for e in events_for(session=session, evaluation_id=evaluation_id, action="stage_finished")
        ]
    assert again == first and [status for status, _, _ in first] == ["done", "running", "pending"]
    assert started == ["implementation"] and finished == ["preparation"]
    assert published == []  # the run publishes its progress where it stops, not per stage

    close_stage.fn(evaluation_id, Stage.implementation)
    close_stage.fn(evaluation_id, Stage.conclusion)  # the last stage has no next one to enter
    assert _statuses(evaluation_id) == {"preparation": "done", "implementation": "done", "conclusion": "done"}


def test_a_new_evaluation_is_in_its_preparation_stage_from_the_moment_it_is_opened():
    """The flow goes straight into 准备阶段; an evaluation started without a team first waits at the
    team gate, which belongs to that stage."""
    from pinggu.tasks.evaluation import open_evaluation

    with session_scope() as session:
        decision = builders.add_decision(session, prefix="PROGRESS").code
    run_id = str(uuid.uuid4())
    evaluation_id = open_evaluation.fn(decision, None, run_id, "ordinary", "whole", [], ["问卷调查"])
    assert isinstance(evaluation_id, int)
    again = open_evaluation.fn(decision, None, run_id, "ordinary", "whole", [], ["问卷调查"])  # a re-run
    assert again == evaluation_id
    with session_scope() as session:
        preparation = store.stages(session=session, evaluation_id=evaluation_id)[0]
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        started = events_for(session=session, evaluation_id=evaluation_id, action="stage_started")
        assert (preparation.stage, preparation.status) == ("preparation", "running")
        assert preparation.started_at is not None
        assert abs((preparation.started_at - evaluation.created_at).total_seconds()) <= 2
        assert [e.detail["stage"] for e in started] == ["preparation"]
