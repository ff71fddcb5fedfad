"""The decision body records its decision in the web app (issue 29, `pinggu decide`): only the profile's decision
body may, the decision is recorded as the signed-in person's, and a bad answer is refused in Chinese."""

from __future__ import annotations

import builders
import signin
from builders import session_scope
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import DecisionOutcome


def test_the_decision_body_records_its_decision_as_itself_and_nobody_else_may(app, client):
    with session_scope() as session:
        code = builders.add_decision(session, "bazhou", prefix="OUT", title="城区供暖补贴办法").code
    page = client.get(f"/decisions/{code}/outcome")  # 刘志强, of the decision body (决策机关)
    assert page.status_code == 200 and "决策机关（市政府）的决定" in page.text
    refused = signin.post(client, f"/decisions/{code}/outcome", {"outcome": "继续"})
    assert refused.status_code == 422 and "决定应为 继续执行、调整、中止执行、终止执行 之一" in refused.text
    done = signin.post(client, f"/decisions/{code}/outcome", {"outcome": "调整", "role": "市政府常务会议"})
    assert done.status_code == 200 and f"已记录：决策 {code} 调整" in done.text, done.text[-800:]
    with read_session() as session:
        (entry,) = session.exec(select(DecisionOutcome).where(DecisionOutcome.decision_code == code)).all()
    assert (entry.decided_by, entry.decided_by_role, entry.outcome) == ("刘志强", "市政府常务会议", "调整")

    clerk = signin.signed_in_client(app, "赵敏")  # of the lead unit: not the decision body
    assert clerk.get(f"/decisions/{code}/outcome").status_code == 403


def test_the_office_records_a_trigger_as_itself_and_a_reopen_needs_its_reason(app):
    from pinggu.models.tables import TriggerEvent

    with session_scope() as session:
        code = builders.add_decision(session, "bazhou", prefix="TRG", title="城区停车收费办法").code
        evaluation = builders.add_evaluation(session, prefix="TRG").code
    office = signin.signed_in_client(app, "孙丽")
    assert "决策依据的法律、法规、政策或客观情况发生重大变化" in office.get(f"/decisions/{code}/trigger").text
    refused = signin.post(office, f"/decisions/{code}/trigger", {"kind": "basis_changed", "occurred_on": "2999-01-01"})
    assert refused.status_code == 422 and "2999-01-01" in refused.text
    done = signin.post(
        office,
        f"/decisions/{code}/trigger",
        {"kind": "basis_changed", "occurred_on": "2026-11-02", "note": "上位法修订"},
    )
    assert done.status_code == 200, done.text[-600:]
    with read_session() as session:
        (event,) = session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == code)).all()
    assert (event.kind, event.recorded_by, event.note) == ("basis_changed", "孙丽（区人民政府办公室）", "上位法修订")

    no_reason = signin.post(
        office,
        f"/evaluations/{evaluation}/reopen",
        {"stage": "implementation", "reason": " "},
        page=f"/evaluations/{evaluation}",
    )
    assert no_reason.status_code == 422 and "重新评估须写明原因" in no_reason.text
    clerk = signin.signed_in_client(app, "赵敏")
    assert clerk.get(f"/decisions/{code}/trigger").status_code == 403
    assert signin.post(clerk, f"/evaluations/{evaluation}/reopen", {"stage": "implementation", "reason": "程序违法"},
                       page="/").status_code == 403  # fmt: skip
