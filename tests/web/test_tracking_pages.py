"""The web app's tracking pages (pinggu/web/tracking.py), without a Prefect server: a lead unit hands in its
period's report from a form (a refusal shown in Chinese, nothing recorded), reports a rectification back."""

from __future__ import annotations

from datetime import date

import builders
import pytest
import signin
from builders import session_scope
from sqlmodel import select

from pinggu.models.db import read_session
from pinggu.models.tables import (
    OpinionContact,
    PublicOpinion,
    Rectification,
    TrackingPlan,
    TrackingReport,
    TriggerEvent,
    now_beijing,
)
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import TrackingPeriod
from pinggu.services import supervision, tracking

OFFICE = "区人民政府办公室张建国"  # the signed-in person the records name
FORM = {
    "progress": "新增签约 30 台。",
    "effect": "出行条件改善。",
    "problems": "低层住户意见不一。",
    "proposals": "街道加强协商。",
    "next_steps": "推进开工。",
    "serious": "无",
    "milestones_done": "1，2026-03-20",
}


@pytest.fixture(scope="module")
def client(settings):
    """张建国 of the 区人民政府办公室 (评估办公室), signed in."""
    from pinggu.core.settings import SAMPLES_DIR
    from pinggu.people import import_people_file
    from pinggu.web.app import create_app

    import_people_file(SAMPLES_DIR / "people.csv")
    return signin.signed_in_client(create_app(), "张建国")


@pytest.fixture
def asked(tmp_path):
    """A minhang decision with a tracking plan, its March report asked for."""
    with session_scope() as session:
        code = builders.add_decision(session, "minhang", prefix="WTR").code
    plan = tmp_path / "方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{code},区住房保障局,科长 周敏,每月调度,完成意愿摸底,2026-03-31,区住房保障局\n",
        encoding="utf-8",
    )
    tracking.import_plans(plan, "办公室", date(2026, 3, 2))
    tracking.open_requests(date(2026, 4, 1), code)
    with read_session() as session:
        (report,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == code)).all()
    return code, report.id


@pytest.mark.rule("OR-8")
def test_the_report_form_lists_the_milestones_and_a_bad_answer_is_refused_with_nothing_recorded(client, asked):
    code, report_id = asked
    todo = client.get("/tracking")
    assert (
        todo.status_code == 200
        and f"/tracking/reports/{report_id}" in todo.text
        and "2026年3月跟踪反馈报告" in todo.text
    )

    page = client.get(f"/tracking/reports/{report_id}")
    assert page.status_code == 200 and "完成意愿摸底" in page.text and "未到期" not in page.text  # due 31 March, past

    refused = signin.post(
        client,
        f"/tracking/reports/{report_id}",
        {**FORM, "progress": " ", "serious": "发生不可抗力", "milestones_done": "第一个，三月"},
    )
    assert refused.status_code == 422
    assert "本期完成的时间节点填写有误" in refused.text and "第 1 行“第一个，三月”应写作" in refused.text
    refused = signin.post(client, f"/tracking/reports/{report_id}", {**FORM, "progress": " "})
    assert refused.status_code == 422 and "&#34;工作进展&#34;" not in refused.text
    assert "“工作进展”不能为空" in refused.text
    refused = signin.post(client, f"/tracking/reports/{report_id}", {**FORM, "serious": "发生不可抗力"})
    assert refused.status_code == 422 and "报告了须及时报告的情况，请在“情况说明”中写明" in refused.text
    with read_session() as session:
        report = session.get(TrackingReport, report_id)
        assert report is not None and report.status == "requested"
        assert not session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == code)).all()


@pytest.mark.rule("OR-8", "OR-9")
def test_a_report_handed_in_from_the_page_is_recorded_and_an_immediate_report_is_a_trigger(client, asked, monkeypatch):
    import prefect.deployments

    def server_down(*args, **kwargs):
        raise ConnectionError("无法连接 127.0.0.1:4200")

    monkeypatch.setattr(prefect.deployments, "run_deployment", server_down)
    code, report_id = asked
    handed = signin.post(
        client,
        f"/tracking/reports/{report_id}",
        {**FORM, "serious": "客观情况发生重大变化", "serious_note": "上级补贴政策调整"},
    )
    assert handed.status_code == 200, handed.text
    period = TrackingPeriod(date(2026, 3, 1), date(2026, 3, 31)).label
    assert f"已记录 {code} {period}跟踪反馈报告" in handed.text
    assert "已记录为评估情形“决策依据的法律、法规、政策或客观情况发生重大变化”" in handed.text
    # The server is down: the proposal and the rendering say what to do, and the report stays recorded.
    assert f"服务恢复后请评估办公室为决策 {code} 提出 {now_beijing().year} 年的专项评估计划" in handed.text
    assert "pinggu" not in handed.text
    assert "报告已记录；流程服务暂时无法连接，报告文书将在服务恢复后的下一次跟踪反馈运行中生成" in handed.text
    with read_session() as session:
        report = session.get(TrackingReport, report_id)
        assert report is not None and report.status == "received" and report.reporter == OFFICE
        (trigger,) = session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == code)).all()
    assert trigger.kind == "basis_changed"
    again = client.get(f"/tracking/reports/{report_id}")
    assert "本期跟踪反馈报告已于" in again.text and '<form class="card" method="post"' not in again.text


@pytest.mark.rule("OR-10")
def test_a_rectification_is_reported_back_from_its_page(client, asked):
    code, _ = asked
    findings = SupervisionInput(
        methods=["书面督查"], held_on=date(2026, 4, 10), execution="推进中。", effect="初显。", problems="滞后。",
        proposals="加快。", rectifications=[{"item": "补齐签约", "unit": "莘庄镇", "deadline": date(2026, 5, 31)}],
    )  # fmt: skip
    round_id = supervision.record_round(f"web-{code}", code, findings, "督查科", date(2026, 4, 10))
    with read_session() as session:
        (item,) = session.exec(select(Rectification).where(Rectification.round_id == round_id)).all()
    assert f"/tracking/rectifications/{item.id}" in client.get("/tracking").text
    refused = signin.post(client, f"/tracking/rectifications/{item.id}", {"report": " "})
    assert refused.status_code == 422 and "请写明整改情况和报告人" in refused.text
    done = signin.post(client, f"/tracking/rectifications/{item.id}", {"report": "已签约 40 户。"})
    assert done.status_code == 200 and f"已记录整改事项 {item.id}（补齐签约）的整改报告" in done.text
    with read_session() as session:
        assert session.get(Rectification, item.id).status == "reported"


@pytest.mark.rule("OR-6", "MH-S6")
def test_a_plan_is_set_from_the_page_and_bad_lines_are_named(client, settings):
    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="WPL").code
    found = client.get("/tracking/plans", params={"code": code}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/tracking/plans/{code}"
    assert "尚无方案" in client.get(f"/tracking/plans/{code}").text
    form = {"body": "县城管局跟踪小组", "people": "李明", "methods": "每月调度"}
    refused = signin.post(
        client, f"/tracking/plans/{code}", {**form, "milestones": "建成转运站，明年三月，县城管局\n\n完成招标"}
    )
    assert refused.status_code == 422
    assert "第 1 行“建成转运站，明年三月，县城管局”应写作" in refused.text and "第 3 行“完成招标”应写作" in refused.text
    with read_session() as session:
        assert session.get(TrackingPlan, code) is None  # nothing saved
    saved = signin.post(
        client,
        f"/tracking/plans/{code}",
        {**form, "milestones": "建成转运站，2027-03-31，县城管局\n完成招标，2027-01-15，县财政局"},
    )
    assert saved.status_code == 200 and f"{code}：新建跟踪反馈工作方案，时间节点 2 个" in saved.text
    page = client.get(f"/tracking/plans/{code}").text
    assert "完成招标，2027-01-15，县财政局\n建成转运站，2027-03-31，县城管局" in page  # in date order


@pytest.mark.rule("E-PUBLIC")
def test_an_opinion_is_registered_from_the_page_and_its_contact_never_shown_back(client, asked):
    code, _ = asked
    assert 'value="' + code + '"' in client.get("/tracking/opinions", params={"code": code}).text
    form = {"code": code, "channel": "电子邮件", "received_on": "2026-04-02", "summary": "建议增加无障碍设施",
            "contact": "lisi@example.com"}  # fmt: skip
    refused = signin.post(
        client, "/tracking/opinions", {**form, "channel": "微信"}, page=f"/tracking/opinions?code={code}"
    )
    assert refused.status_code == 422 and "请选择渠道：信函、电话、传真、电子邮件、网站、媒体" in refused.text
    assert "lisi@example.com" not in refused.text
    done = signin.post(client, "/tracking/opinions", form, page=f"/tracking/opinions?code={code}")
    assert done.status_code == 200 and f"已登记 {code} 的公众意见（电子邮件，2026-04-02）" in done.text
    with read_session() as session:
        (opinion,) = session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == code)).all()
        assert session.get(OpinionContact, opinion.id).contact == "lisi@example.com"
