"""The web app without a Prefect server (pinggu/web/app.py): the 待办 list, a gate's page, an outsider
refused at once and recorded, documents opened in the browser. Sign-in and the guards of every request
are in tests/web/test_signin.py; the browser end to end in tests/web/test_browser_e2e.py."""

from __future__ import annotations

import pytest
import signin
from builders import session_scope

from pinggu.models import evaluations as store
from pinggu.models.audit import events_for


def test_the_todo_list_shows_the_gate_who_acts_the_overdue_target_and_the_document_link(client, waiting):
    _, code, (pdf_id, _) = waiting
    page = client.get("/").text
    row = page[page.index(code) : page.index("</tr>", page.index(code))]
    assert f"/evaluations/{code}/gates/approval" in row and "决策机关审定" in row
    assert "决策机关（市政府）" in row and "2026-03-31" in row and "逾期" in row
    assert f"/documents/{pdf_id}" in row and "评估报告（送审稿）" in row


def test_the_gate_page_asks_a_signed_in_person_for_the_answer_but_no_name_and_no_code(client, waiting):
    _, code, _ = waiting
    page = client.get(f"/evaluations/{code}/gates/approval").text
    assert "审定意见" in page and "评估结论" in page and 'name="code"' not in page
    assert "将以您本人（刘志强，人民政府）的名义办理并记录" in page
    assert "审批人姓名" not in page and "可办理人员：刘志强" in page


def test_without_an_account_the_gate_asks_for_the_code_first_and_shows_no_documents_or_names(stranger, waiting):
    _, code, (pdf_id, _) = waiting
    page = stranger.get(f"/evaluations/{code}/gates/approval").text
    assert "请先填写办理通知中发给您本人的签署码" in page and f"/documents/{pdf_id}" not in page
    assert "刘志强" not in page


@pytest.mark.rule("MH-A5")
def test_an_outsider_is_refused_at_once_in_chinese_recorded_and_the_gate_still_waits(stranger, waiting):
    evaluation_id, code, _ = waiting
    gate = f"/evaluations/{code}/gates/approval"
    answer = signin.post(stranger, gate, {"choice": "通过", "code": "ABCD2345"})
    assert answer.status_code == 422
    assert "未受理：</strong>签署码不正确：它不是本评估本环节发出的签署码" in answer.text
    unlock = signin.post(stranger, f"{gate}/unlock", {"code": "ZZZZ2345"}, page=gate)
    assert unlock.status_code == 422 and "签署码不正确" in unlock.text and "评估报告（送审稿）" not in unlock.text
    with session_scope() as session:
        (refused, _) = events_for(session=session, evaluation_id=evaluation_id, action="signoff_refused")
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
    assert refused.detail["via"] == "网页" and "签署码不正确" in refused.detail["reason"]
    assert evaluation.status == "waiting" and evaluation.waiting_gate == "approval"


def test_a_pdf_opens_in_the_browser_and_a_word_file_downloads(client, waiting):
    _, _, (pdf_id, docx_id) = waiting
    pdf = client.get(f"/documents/{pdf_id}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;") and pdf.content == b"%PDF-1.4 test"
    docx = client.get(f"/documents/{docx_id}")
    assert docx.headers["content-disposition"].startswith("attachment;")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_unknown_pages_say_so_in_chinese(client):
    assert "没有这份文件" in client.get("/documents/999999").text
    bad_number = client.get("/documents/abc")
    assert bad_number.status_code == 404 and "没有这份文件" in bad_number.text and "detail" not in bad_number.text
    missing = client.get("/evaluations/PG-1999-0001/gates/approval")
    assert missing.status_code == 404 and "PG-1999-0001" in missing.text
    assert "没有这个办理环节" in client.get("/evaluations/PG-1999-0001/gates/nothing").text
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "没有这个页面" in nowhere.text and "Not Found" not in nowhere.text


def test_every_page_but_the_health_check_and_the_login_asks_who_you_are(stranger):
    todo = stranger.get("/", follow_redirects=False)
    assert todo.status_code == 303 and todo.headers["location"] == "/login?next=%2F"
    assert stranger.get("/tracking", follow_redirects=False).status_code == 303
    assert stranger.get("/documents/1", follow_redirects=False).status_code == 303
    assert stranger.get("/healthz").status_code == 200
    assert "登录名" in stranger.get("/login").text


def test_the_evaluation_page_lists_its_documents_for_those_who_may_see_it(client, app, waiting):
    import signin

    _, code, (pdf_id, docx_id) = waiting
    page = client.get(f"/evaluations/{code}")
    assert page.status_code == 200 and f"/documents/{pdf_id}" in page.text and f"/documents/{docx_id}" in page.text
    assert "评估报告（送审稿）" in page.text and f"/evaluations/{code}/gates/approval" in page.text
    assert signin.signed_in_client(app, "高峰").get(f"/evaluations/{code}").status_code == 403


def test_the_expert_marks_page_lists_the_indicator_names_it_accepts(client, app, monkeypatch):
    import uuid

    import builders

    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "minhang", prefix="MRK", flow_run_id=str(uuid.uuid4()))
        evaluation_id, code = evaluation.id, evaluation.code
    gate_status.fn(evaluation_id, "expert_marks")
    page = signin.signed_in_client(app, "王明").get(f"/evaluations/{code}/gates/expert_marks").text
    assert "可填写的指标名称" in page and "预期目标和效果实现程度" in page


def test_an_answer_still_being_judged_shows_progress_and_then_the_flows_verdict(client, waiting):
    from pinggu.models.tables import FormRejection

    evaluation_id, code, _ = waiting
    waiting_page = client.get(f"/evaluations/{code}/answers/approval-1")
    assert "已提交，评估流程正在校验并继续办理" in waiting_page.text
    assert f'http-equiv="refresh" content="2;url=/evaluations/{code}/answers/approval-1"' in waiting_page.text
    with session_scope() as session:
        session.add(
            FormRejection(evaluation_id=evaluation_id, gate="approval", pause_key="approval-1", reason="缺少结论")
        )
    decided = client.get(f"/evaluations/{code}/answers/approval-1")
    assert "未受理：</strong>缺少结论" in decided.text and "http-equiv" not in decided.text
    assert client.get(f"/evaluations/{code}/answers/nothing-1").status_code == 404
