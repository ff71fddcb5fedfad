"""No profile annotation (``default: seed silent``) in a document or a message a person reads (issue 27, 2).

bazhou has no supervision or rectification article ("tracking.rectification_basis: default: seed silent（办法没有
整改条款）") and sets the count of “较多意见” itself (bazhou 7(3), "（…数量和期间 default: seed silent）"): the
supervision report cites no article for rectification, and the many-opinions notice cites bazhou 7(3) alone.

Runs on the test home's database; each test makes a decision of its own (prefix ANN).
"""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from driving import pdf_text
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import Escalation
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import OpinionChannel
from pinggu.services import supervision, tracking

ANNOTATIONS = ("default", "seed silent", "seedsilent")  # pdf_text drops spaces


@pytest.fixture
def decision(settings) -> str:
    with session_scope() as session:
        return builders.add_decision(session, "bazhou", prefix="ANN").code


@pytest.mark.rule("OR-10")
def test_the_supervision_report_cites_no_rectification_article_where_the_regulation_has_none(decision):
    findings = SupervisionInput(
        methods=["书面督查"],
        held_on=date(2026, 9, 15),
        execution="总体按计划推进。",
        effect="成效初显。",
        problems="个别乡镇进度滞后。",
        proposals="建立周调度。",
        rectifications=[{"item": "补齐进度", "unit": "某镇", "deadline": date(2026, 10, 31)}],
    )
    round_id = supervision.record_round(f"ann-{decision}", decision, findings, "督查科", date(2026, 9, 16))
    text = pdf_text(supervision.render_round(round_id, date(2026, 9, 16)))
    assert "并将整改情况书面报告市人民政府办公室。" in text
    assert not any(mark in text for mark in ANNOTATIONS)


@pytest.mark.rule("E-PUBLIC")
def test_the_many_opinions_notice_cites_the_article_without_the_annotation(decision):
    said = ""
    for day in range(1, 11):
        said = tracking.record_opinion(
            decision,
            OpinionChannel.letter,
            date(2026, 3, day),
            f"第 {day} 件意见",
            "",
            "信访办",
            today=date(2026, 3, 31),
        )
    assert "【意见较多】" in said
    with read_session() as session:
        (notice,) = session.exec(select(Escalation).where(Escalation.ref == f"{decision}/opinions")).all()
    for text in (said, notice.text):
        assert "（达到 10 件，《霸州市重大行政决策实施情况跟踪反馈与后评估规定（征求意见稿）》第七条（三））" in text
        assert not any(mark in text for mark in ANNOTATIONS)
