"""Which evaluations of a decision are still under way (models/evaluations.py)."""

from __future__ import annotations

import pytest
from builders import session_scope

from pinggu.models.evaluations import create_evaluation, get_decision, unfinished_evaluations
from pinggu.models.tables import now_beijing


@pytest.mark.rule("NX-10")
@pytest.mark.parametrize(
    ("status", "under_way"),
    [("running", True), ("waiting", True), ("reopened", True), ("completed", False), ("not_started", False)],
)
def test_an_evaluation_decided_against_or_completed_does_not_block_a_new_one(sample_catalog, status, under_way):
    with session_scope() as session:
        decision = get_decision(session=session, code="S-2024-023")
        for earlier in unfinished_evaluations(session=session, decision_code=decision.code, type="ningxia_90day"):
            earlier.status, earlier.completed_at = "completed", now_beijing()
            session.add(earlier)
        evaluation = create_evaluation(
            session=session,
            decision=decision,
            type="ningxia_90day",
            scope="whole",
            scope_parts=[],
            methods=["问卷调查"],
            stage_targets={},
            flow_run_id=None,
        )
        evaluation.status = status
        evaluation.completed_at = now_beijing() if status == "completed" else None
        session.add(evaluation)
        session.flush()
        found = unfinished_evaluations(session=session, decision_code=decision.code, type="ningxia_90day")
        assert (evaluation in found) is under_way
