"""E-PRIVACY for what is typed on the web app's tracking pages (issue 27 item 5): an opinion's summary is
stored masked — contact data and names, those of no list included (pinggu.analysis.names) — and so is what the
many-opinions notice lists; the contact goes to its own table only."""

from __future__ import annotations

from datetime import date

import builders
import pytest
import signin
from builders import session_scope
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import Escalation, OpinionContact, PublicOpinion
from pinggu.rules.tracking import OpinionChannel
from pinggu.services import tracking

pytestmark = pytest.mark.rule("E-PRIVACY", "E-PUBLIC")

TYPED = "张伟 13800138000 反映小区停车难，可回复 zhangwei@example.com"
STORED = "[已隐去] [已隐去] 反映小区停车难，可回复 [已隐去]"


@pytest.fixture(scope="module")
def client(settings):
    """张建国 of the 区人民政府办公室 (评估办公室), signed in."""
    from pinggu.core.settings import SAMPLES_DIR
    from pinggu.people import import_people_file
    from pinggu.web.app import create_app

    import_people_file(SAMPLES_DIR / "people.csv")
    return signin.signed_in_client(create_app(), "张建国")


@pytest.fixture
def decision(settings) -> str:
    with session_scope() as session:
        return builders.add_decision(session, "minhang", prefix="MASK").code


def _opinions(code: str) -> list[PublicOpinion]:
    with read_session() as session:
        return list(session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == code)))


def test_an_opinion_typed_on_the_page_is_stored_masked(client, decision):
    form = {
        "code": decision,
        "channel": "电话",
        "received_on": "2026-04-02",
        "summary": TYPED,
        "contact": "13800138000",
    }
    done = signin.post(client, "/tracking/opinions", form, page=f"/tracking/opinions?code={decision}")
    assert done.status_code == 200, done.text
    (opinion,) = _opinions(decision)
    assert opinion.summary == STORED
    with read_session() as session:
        assert session.get(OpinionContact, opinion.id).contact == "13800138000"  # kept apart, as typed


def test_the_many_opinions_notice_lists_only_masked_summaries(decision):
    said = ""
    for day in range(1, 11):  # minhang: 10 opinions within a month (tracking.many_opinions)
        summary = TYPED if day == 1 else f"第{day}条意见：刘建华反映电梯噪声大"
        said = tracking.record_opinion(
            decision, OpinionChannel.phone, date(2026, 4, day), summary, "", "区信访办 孙丽", today=date(2026, 4, 30)
        )
    assert "【意见较多】" in said
    with read_session() as session:
        (notice,) = session.exec(select(Escalation).where(Escalation.ref == f"{decision}/opinions")).all()
    for text in (said, notice.text, *(o.summary for o in _opinions(decision))):
        assert "张伟" not in text and "13800138000" not in text and "zhangwei@" not in text and "刘建华" not in text
    assert STORED in notice.text


def test_a_tracking_report_and_an_immediate_report_are_stored_masked(decision, tmp_path):
    from pinggu.models.tables import TrackingReport, TriggerEvent
    from pinggu.reporting.other_documents import TrackingInput
    from pinggu.rules.tracking import SeriousReport

    plan = tmp_path / "方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{decision},区住房保障局,科长 周敏,每月调度,完成意愿摸底,2026-03-31,区住房保障局\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "办公室", date(2026, 3, 2))
    tracking.open_requests(date(2026, 4, 1), decision)
    report = TrackingInput(
        reporter="区住房保障局 陈立",
        progress="新增签约 30 台。",
        effect="出行条件改善。",
        problems="居民王秀英（13900001111）反映低层住户意见不一。",
        proposals="街道加强协商。",
        next_steps="推进开工。",
    )
    tracking.submit_report(decision, "2026-03", report, date(2026, 4, 5))
    tracking.report_at_once(
        decision, SeriousReport.force_majeure, "暴雨致井道停工，刘建华家进水", "区住房保障局 陈立", date(2026, 4, 6)
    )
    with read_session() as session:
        (row,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == decision)).all()
        notes = [t.note for t in session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == decision))]
    assert row.content["problems"] == "居民[已隐去]（[已隐去]）反映低层住户意见不一。"
    assert row.content["reporter"] == "区住房保障局 陈立"  # who signed it is kept: the record names them
    assert notes and all("刘建华" not in note for note in notes)
