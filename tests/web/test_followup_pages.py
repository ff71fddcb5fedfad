"""The web app's follow-up page (C-FOLLOWUP, issue 27 item 6): the follow-up is on the 待办 of its unit; the
unit responsible or the office reports back there (date, what was done, optionally a document) and it is
closed; someone else who may see the evaluation reads the page but may not report; a bad answer is refused in
Chinese with nothing recorded."""

from __future__ import annotations

from datetime import timedelta

import builders
import pytest
import signin

from pinggu.models.tables import now_beijing
from pinggu.services.followups import follow_up_state

pytestmark = pytest.mark.rule("C-FOLLOWUP")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
UNIT = "决策承办单位"  # 高峰 and 赵敏 of samples/people.csv


def test_the_unit_finds_it_in_its_todo_and_reports_back(app):
    today = now_beijing().date()
    code, item_id = builders.open_follow_up(today - timedelta(days=1), unit=UNIT)
    unit = signin.signed_in_client(app, "高峰")
    todo = unit.get("/")
    assert f"/followups/{item_id}" in todo.text and f"后续措施 #{item_id}：报告落实情况" in todo.text
    page = unit.get(f"/followups/{item_id}")
    assert page.status_code == 200 and "报告落实情况并办结" in page.text and "逾期" in page.text
    path = f"/followups/{item_id}"
    refused = signin.post(
        unit,
        path,
        {"reported_on": today.isoformat(), "note": "已落实"},
        files={"file": ("报告.pdf", ELF, "application/pdf")},
    )
    assert refused.status_code == 422 and "您上传的文件不是有效的PDF 文件" in refused.text
    future = signin.post(unit, path, {"reported_on": (today + timedelta(days=1)).isoformat(), "note": "已落实"})
    assert future.status_code == 422 and "晚于今天" in future.text
    assert follow_up_state(item_id).open
    done = signin.post(
        unit,
        path,
        {"reported_on": today.isoformat(), "note": "补贴标准已调整，张伟反映的问题已答复"},
        files={"file": ("落实情况.pdf", PDF, "application/pdf")},
    )
    assert done.status_code == 200 and f"已记录后续措施 #{item_id}（{UNIT}）的落实情况报告（{today}）" in done.text
    state = follow_up_state(item_id)
    assert not state.open and state.note == "补贴标准已调整，[已隐去]反映的问题已答复" and len(state.documents) == 1
    assert f"/followups/{item_id}" not in unit.get("/").text
    shown = unit.get(f"/followups/{item_id}")
    assert "已办结" in shown.text and "报告落实情况并办结" not in shown.text
    ((_, document_id),) = state.documents
    assert unit.get(f"/followups/{item_id}/documents/{document_id}").content == PDF
    assert code


def test_someone_outside_the_unit_reads_but_may_not_report(app):
    today = now_beijing().date()
    _, item_id = builders.open_follow_up(today + timedelta(days=30), unit=UNIT)
    body = signin.signed_in_client(app, "刘志强")  # the decision body: sees the evaluation, is not the unit
    page = body.get(f"/followups/{item_id}")
    assert page.status_code == 200 and "报告落实情况并办结" not in page.text
    refused = signin.post(body, f"/followups/{item_id}", {"reported_on": today.isoformat(), "note": "已落实"}, page="/")
    assert (
        refused.status_code == 422 and f"本项后续措施由{UNIT}报告落实情况，您（人民政府）不能代为报告" in refused.text
    )
    assert follow_up_state(item_id).open
