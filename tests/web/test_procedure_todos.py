"""A decision procedure whose kept answers do not read is listed, named, in its lead unit's 待办 and in the office's
台账, and takes nobody else's page with it."""

from __future__ import annotations

import builders

from pinggu.models.tables import DecisionProcedure, now_beijing
from pinggu.services.ledger import decision_rows
from pinggu.web.procedures import procedure_todos


def test_an_unreadable_record_is_listed_for_its_lead_unit_with_the_reason_and_the_rest_still_listed(settings):
    with builders.session_scope() as session:
        made_by = builders.add_decision(session, "changli", prefix="TODO-BAD", lead_unit="县交通运输局")
        broken = DecisionProcedure(
            key="todo-unreadable",
            profile="changli",
            matter="记录损坏的事项",
            lead_unit="县交通运输局",
            catalog_year=2026,
            decision_code=made_by.code,
            answers=[{"step": "launch", "answer": {}, "outcome": "proceed", "note": "", "key": "k-launch"}],  # no date
            opened_at=now_beijing(),
        )
        session.add(broken)
        session.flush()
        broken_id = broken.id
    try:
        listed = {todo.procedure.id: todo for todo in procedure_todos()}
        assert listed[broken_id].actor == "县交通运输局" and listed[broken_id].by_lead_unit
        assert listed[broken_id].step_name.startswith("办理记录无法读取，请联系系统管理员：")
        assert "on：缺少此项" in listed[broken_id].step_name
        # The dashboard and the Excel 台账 read the same rows: the others as ever, this one named.
        rows = {row.procedure: row for row in decision_rows() if row.type == "procedure"}
        assert rows[broken_id].item.startswith("办理记录无法读取，请联系系统管理员：") and rows[broken_id].dates == ()
    finally:
        with builders.session_scope() as session:  # the web tests after this one read every procedure under way
            session.delete(session.get(DecisionProcedure, broken_id))
