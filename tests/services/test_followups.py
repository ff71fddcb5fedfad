"""A follow-up (后续措施, C-FOLLOWUP: bazhou 15, ningxia 14, ordos 20) is closed by the unit's report-back (issue
27 item 6): its date (not in the future, not before the follow-up opened), what was done (stored masked) and
optionally a document (checked by its content). From the command line and the service both faces call; the
deadline watch escalates an open one that is overdue and stops once it is closed; the annual summary counts
open, closed and overdue ones."""

from __future__ import annotations

from datetime import date, timedelta

import builders
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from pinggu.core.errors import InputFileError, StateConflict
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import AuditEvent, Document, now_beijing
from pinggu.services.followups import Attachment, follow_up_state, report_back

pytestmark = pytest.mark.rule("C-FOLLOWUP")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def test_a_report_back_closes_the_follow_up_with_its_date_and_a_masked_note(settings):
    today = now_beijing().date()
    _, item_id = builders.open_follow_up(today + timedelta(days=30))
    said = report_back(
        item_id,
        reported_on=today,
        note="已调整补贴标准；居民王秀英（13800138000）的来信已答复",
        by="区住房保障局 陈立",
        today=today,
        document=Attachment(PDF, ".pdf"),
    )
    assert said == f"已记录后续措施 #{item_id}（区住房保障局）的落实情况报告（{today}）；该后续措施已办结"
    state = follow_up_state(item_id)
    assert (state.status_name, state.reported_on, state.overdue(today)) == ("已办结", today, False)
    assert state.note == "已调整补贴标准；居民[已隐去]（[已隐去]）的来信已答复"
    ((title, document_id),) = state.documents
    assert title == f"后续措施 #{item_id} 落实情况报告（{today}）"
    with read_session() as session:
        assert session.get(Document, document_id).path.endswith(".pdf")
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "follow_up_closed")).all()
    assert any(e.detail.get("follow_up") == item_id and e.actor == "区住房保障局 陈立" for e in events)
    with pytest.raises(StateConflict, match=f"后续措施 #{item_id} 已办结（{today} 报告），不能再次报告"):
        report_back(item_id, reported_on=today, note="再报一次", by="区住房保障局 陈立", today=today)


def test_a_report_back_is_refused_with_nothing_written(settings):
    today = now_beijing().date()
    _, item_id = builders.open_follow_up(today + timedelta(days=30))
    cases = [
        ({"reported_on": today + timedelta(days=1)}, f"报告日期 {today + timedelta(days=1)} 晚于今天（{today}）"),
        ({"reported_on": today - timedelta(days=1)}, f"早于后续措施 #{item_id} 开启之日（{today}）"),
        ({"note": "  "}, "请写明落实情况（采取的措施及效果）和报告人"),
        ({"document": Attachment(ELF, ".pdf")}, "您上传的文件不是有效的PDF 文件"),
        ({"document": Attachment(PDF, ".exe", "文件“x.exe”")}, "文件“x.exe”的类型“.exe”不受理"),
    ]
    for change, reason in cases:
        given = {"reported_on": today, "note": "已落实", "by": "区住房保障局 陈立", "today": today, **change}
        with pytest.raises((StateConflict, InputFileError)) as refused:
            report_back(item_id, **given)
        assert reason in str(refused.value)
    assert follow_up_state(item_id).open and follow_up_state(item_id).documents == ()


def test_the_watch_escalates_an_overdue_follow_up_until_it_is_closed(settings):
    from pinggu.models.watch import record_escalations, watched_items
    from pinggu.rules.watch import alerts

    today = now_beijing().date()
    code, item_id = builders.open_follow_up(today - timedelta(days=2))

    def escalated(day: date) -> list:
        def work(session):
            ours = [
                a
                for a in alerts(watched_items(session=session), day, (7, 3))
                if a.item.ref == f"{code}/follow-up/{item_id}"
            ]
            record_escalations(session=session, alerts=ours)
            return ours

        return transaction(work)

    (alert,) = escalated(today)
    assert alert.level == "overdue" and alert.item.owner == "区住房保障局"
    assert f"后续措施 #{item_id}" in alert.text() and f"/followups/{item_id}" in alert.text()
    assert alert.text().startswith("【已逾期 2 日】")
    said = report_back(item_id, reported_on=today, note="已落实", by="区住房保障局 陈立", today=today)
    assert said.endswith(f"晚于期限 {today - timedelta(days=2)}（逾期办结）；该后续措施已办结")
    assert escalated(today + timedelta(days=1)) == []
    assert follow_up_state(item_id).overdue(today)  # closed late: still counted as overdue


def test_the_command_line_closes_a_follow_up_with_a_document(people_listed, tmp_path):
    from pinggu.cli import app

    today = now_beijing().date()
    code, item_id = builders.open_follow_up(today + timedelta(days=30))
    runner = CliRunner()
    listed = runner.invoke(app, ["followup", "list", code])
    assert listed.exit_code == 0, listed.output
    assert f"后续措施 #{item_id} · 评估 {code}" in listed.output and "办理中" in listed.output
    assert f"pinggu followup close {code} {item_id}" in listed.output
    fake = tmp_path / "落实情况.pdf"
    fake.write_bytes(ELF)
    args = ["followup", "close", code, str(item_id), "--note", "已调整补贴标准", "--by"]
    unknown = runner.invoke(app, [*args, "区住房保障局 陈立"])  # a typed name is no login
    assert unknown.exit_code == 1 and "人员名单中没有登录名为“区住房保障局 陈立”的人员" in unknown.output
    other_unit = runner.invoke(app, [*args, "gaofeng"])  # 决策承办单位: neither the unit responsible nor the office
    assert other_unit.exit_code == 1
    assert "本项后续措施由区住房保障局报告落实情况，高峰（决策承办单位）不能代为报告" in other_unit.output
    args.append("sunli")  # the office reports for the unit
    refused = runner.invoke(app, [*args, "--file", str(fake)])
    assert refused.exit_code == 1 and "文件“落实情况.pdf”不是有效的PDF 文件" in refused.output
    future = runner.invoke(app, [*args, "--date", (today + timedelta(days=1)).isoformat()])
    assert future.exit_code == 1 and "晚于今天" in future.output
    wrong = runner.invoke(app, ["followup", "close", "PG-0000-0000", str(item_id), "--note", "x", "--by", "sunli"])
    assert wrong.exit_code == 1 and f"后续措施 #{item_id} 不属于评估 PG-0000-0000" in wrong.output
    report = tmp_path / "落实情况.txt"
    report.write_text("补贴标准已调整\n", encoding="utf-8")
    done = runner.invoke(app, [*args, "--date", today.isoformat(), "--file", str(report)])
    assert done.exit_code == 0, done.output
    assert f"已记录后续措施 #{item_id}（区住房保障局）的落实情况报告（{today}）" in done.output
    status = runner.invoke(app, ["status", code])
    assert f"后续措施 #{item_id}" in status.output and f"已办结（{today} 报告）" in status.output


@pytest.mark.rule("C-FOLLOWUP", "R-ANNUAL")
def test_the_annual_summary_counts_open_closed_and_overdue_follow_ups(settings):
    from pinggu.annual_summary import annual_summary

    today = now_beijing().date()
    if today.month == 1 and today.day <= 3 or today.month == 12 and today.day >= 28:
        pytest.skip("the follow-ups of this test must fall due within this year")
    before = annual_summary(today.year, "ordos")["follow_ups"]
    _, on_time = builders.open_follow_up(today + timedelta(days=2), profile="ordos")
    _, late = builders.open_follow_up(today - timedelta(days=2), profile="ordos")
    builders.open_follow_up(today - timedelta(days=1), profile="ordos")  # open, overdue
    builders.open_follow_up(today + timedelta(days=3), profile="ordos")  # open, not yet due
    for item_id in (on_time, late):
        report_back(item_id, reported_on=today, note="已落实", by="承办单位", today=today)
    after = annual_summary(today.year, "ordos")["follow_ups"]
    assert {key: after[key] - before[key] for key in after} == {
        "due": 4,
        "closed": 2,
        "closed_late": 1,
        "open": 2,
        "overdue": 1,
    }
