"""Sending sign-off codes when a gate opens (pinggu.tasks.gates.send_codes): once per person, through their
contact (here the local outbox), with the gate's web link; nobody entitled is said in the log."""

from __future__ import annotations

import logging

import builders
import pytest
from builders import session_scope

from pinggu.core.links import gate_url
from pinggu.core.settings import SAMPLES_DIR
from pinggu.models.evaluations import get_decision
from pinggu.services.signoff import outbox_messages
from pinggu.tasks.gates import send_codes

pytestmark = pytest.mark.rule("MH-A5")


@pytest.fixture
def evaluation():
    from pinggu.people import import_people_file

    import_people_file(SAMPLES_DIR / "people.csv")
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "bazhou", prefix="CODES")
        decision = get_decision(session=session, code=evaluation.decision_code)
    return evaluation, decision


def test_each_entitled_person_gets_one_code_with_the_gates_link(evaluation):
    evaluation, decision = evaluation
    assert send_codes(evaluation, decision, "approval", "决策机关审定", "决策机关（市政府）") == ["刘志强"]
    assert send_codes(evaluation, decision, "approval", "决策机关审定", "决策机关（市政府）") == []  # asked again
    (sent,) = outbox_messages(evaluation.code, "approval")
    assert sent["to"] == "刘志强" and len(sent["code"]) == 8
    assert sent["text"].startswith(f"【待办】评估 {evaluation.code}《{decision.title}》的“决策机关审定”等待您办理。")
    assert f"您的签署码：{sent['code']}（30 日内有效" in sent["text"]
    assert sent["text"].endswith(f"办理入口：{gate_url(evaluation.code, 'approval')}")


def test_a_gate_nobody_listed_may_answer_is_named_in_the_log(evaluation, caplog):
    evaluation, decision = evaluation
    with caplog.at_level(logging.WARNING, logger="pinggu.steps"):
        assert send_codes(evaluation, decision, "approval", "决策机关审定", "某委员会") == []
    assert (
        f"人员名单中没有可办理“决策机关审定”（某委员会）的人员：请导入人员名单（pinggu people import）后运行 pinggu people resend {evaluation.code}"
        in caplog.text
    )
