"""A step's slow work runs with no write transaction open, its record is written once, and a done
step is neither redone nor even started again (tasks/ledger.py)."""

from __future__ import annotations

import uuid
from collections import Counter

import builders
import pytest
from builders import session_scope
from sqlite_lock import write_lock_free

from pinggu.core.errors import StepResultInvalid
from pinggu.models import evaluations as store
from pinggu.models.audit import events_for
from pinggu.models.tables import TeamMember
from pinggu.rules.step_results import AnalysisResult, PreliminaryResult, RecordSummary, TeamResult
from pinggu.rules.steps import StepId


def _evaluation(flow_run_id: str) -> int:
    with session_scope() as session:
        return builders.add_evaluation(session, methods=("座谈会",), flow_run_id=flow_run_id, prefix="LEDGER").id


@pytest.fixture
def sqlite_path(settings) -> str:
    url = settings.resolved_database_url
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock shows whether a write transaction is open")
    return url.removeprefix("sqlite:///")


def test_the_plan_is_rendered_with_no_write_transaction_open_and_recorded_once(sqlite_path, monkeypatch):
    import pinggu.services.evaluation.steps.preparation as plan_work
    import pinggu.tasks.preparation as preparation

    evaluation_id, renders = _evaluation(str(uuid.uuid4())), []
    real_write_pdf = plan_work.write_pdf

    def watched_write_pdf(html, path):
        renders.append(write_lock_free(sqlite_path))  # another process could write while this renders
        return real_write_pdf(html, path)

    monkeypatch.setattr(plan_work, "write_pdf", watched_write_pdf)
    preparation.form_team.fn(evaluation_id, builders.team())
    first = preparation.write_plan.fn(evaluation_id, 50000.0)
    again = preparation.write_plan(evaluation_id, 50000.0)  # as a re-run from the top calls it: no task run

    assert renders == [True] and again == first
    with session_scope() as session:
        plans = [d for d in store.documents(session=session, evaluation_id=evaluation_id) if d.kind == "plan"]
        assert [d.title for d in plans] == ["评估方案（第1稿）"] and plans[0].path.endswith(f"/{plans[0].sha256}.pdf")


def test_a_commit_whose_answer_was_lost_is_not_written_twice(settings, monkeypatch):
    import pinggu.tasks.ledger as ledger

    flow_run_id = str(uuid.uuid4())
    evaluation_id = _evaluation(flow_run_id)
    real_transaction = ledger.transaction

    def lossy(work, **options):
        real_transaction(work, **options)  # committed, but the answer never arrived: tried again
        return real_transaction(work, **options)

    monkeypatch.setattr(ledger, "transaction", lossy)
    result = ledger.run_step(
        evaluation_id,
        StepId.preliminary,
        lambda _s, _e, _p: PreliminaryResult(text="初步结论"),
        flow_run_id=flow_run_id,
    )

    assert result == PreliminaryResult(text="初步结论")
    with session_scope() as session:
        attempts = [(a.attempt, a.status) for a in store.step_attempts(session=session, evaluation_id=evaluation_id)]
        actions = Counter(e.action for e in events_for(session=session, evaluation_id=evaluation_id))
    assert attempts == [(1, "done")]
    assert (actions["step_started"], actions["step_done"]) == (1, 1)


def test_work_that_fails_leaves_the_step_not_done_and_the_next_run_redoes_only_it(settings):
    import pinggu.tasks.ledger as ledger

    evaluation_id = _evaluation(str(uuid.uuid4()))

    def crash(_gathered):
        raise OSError("磁盘已满")

    def analysis(summary: str) -> AnalysisResult:
        record = RecordSummary(kind="minutes", title="会议纪要", summary=summary, sha256="ab" * 32)
        return AnalysisResult(survey=None, opinions=None, records=(record,))

    with pytest.raises(OSError):
        ledger.run_step(evaluation_id, StepId.analysis, lambda _s, _e, p: p, produce=crash)
    done = ledger.run_step(evaluation_id, StepId.analysis, lambda _s, _e, p: p, produce=lambda _g: analysis("第一次"))
    again = ledger.run_step(evaluation_id, StepId.analysis, lambda _s, _e, p: analysis("第二次"))

    assert done == again == analysis("第一次")
    with session_scope() as session:
        attempts = [(a.attempt, a.status) for a in store.step_attempts(session=session, evaluation_id=evaluation_id)]
    assert attempts == [(1, "failed"), (2, "done")]


def test_a_result_that_does_not_fit_its_model_is_refused_and_nothing_of_the_step_is_written(settings):
    import pinggu.tasks.ledger as ledger

    evaluation_id = _evaluation(str(uuid.uuid4()))

    def record(session, _evaluation, _produced):
        session.add(TeamMember(evaluation_id=evaluation_id, name="王明", role="评估小组组长", unit=None))
        return TeamResult.model_construct(members=[{"name": "王明"}])  # built without validation: no role, no unit

    with pytest.raises(StepResultInvalid) as refused:
        ledger.run_step(evaluation_id, StepId.team, record)

    assert str(refused.value).startswith("步骤“组建评估小组”的结果不符合其格式，未予记录：")
    assert "members.0.role：缺少此项" in str(refused.value)
    with session_scope() as session:
        assert store.team(session=session, evaluation_id=evaluation_id) == []  # the record's writes rolled back
        (attempt,) = store.step_attempts(session=session, evaluation_id=evaluation_id)
        actions = Counter(e.action for e in events_for(session=session, evaluation_id=evaluation_id))
    assert attempt.status == "failed" and not attempt.result and "未予记录" in (attempt.error or "")
    assert (actions["step_failed"], actions["step_done"]) == (1, 0)
