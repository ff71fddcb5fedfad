"""The web app without a Prefect server (pinggu/web/app.py): the 待办 list, a gate's page, an outsider
refused at once and recorded, documents opened in the browser. The browser end to end is in
tests/web/test_browser_e2e.py."""

from __future__ import annotations

import uuid
from datetime import date

import builders
import pytest
from fastapi.testclient import TestClient

from core.settings import SAMPLES_DIR
from models import evaluations as store
from models.audit import events_for
from models.db import session_scope
from rules.gates import GateId

PAST = {
    "preparation": (date(2026, 1, 9), False),
    "implementation": (date(2026, 2, 20), False),
    "conclusion": (date(2026, 3, 31), False),
}


@pytest.fixture(scope="module")
def client():
    from pinggu.people import import_people_file
    from pinggu.web.app import create_app

    import_people_file(SAMPLES_DIR / "people.csv")
    return TestClient(create_app())


@pytest.fixture
def waiting(monkeypatch, tmp_path):
    """An evaluation (bazhou) waiting at the decision body's approval, its draft report stored."""
    import tasks.evaluation as evaluation_tasks
    from tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    draft = tmp_path / "评估报告（送审稿）.pdf"
    draft.write_bytes(b"%PDF-1.4 test")
    word = tmp_path / "评估报告（送审稿）.docx"
    word.write_bytes(b"PK\x03\x04 test")
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, stage_targets=PAST, prefix="WEB", flow_run_id=str(uuid.uuid4()))
        pdf = store.add_document(
            session=session, evaluation_id=evaluation.id, kind="draft_report", title="评估报告（送审稿）",
            path=str(draft), sha256="0" * 64,
        )  # fmt: skip
        docx = store.add_document(
            session=session, evaluation_id=evaluation.id, kind="draft_report_docx", title="评估报告（送审稿，Word）",
            path=str(word), sha256="1" * 64,
        )  # fmt: skip
        evaluation_id, code, ids = evaluation.id, evaluation.code, (pdf.id, docx.id)
    gate_status.fn(evaluation_id, GateId.approval)
    return evaluation_id, code, ids


def test_the_todo_list_shows_the_gate_who_acts_the_overdue_target_and_the_document_link(client, waiting):
    _, code, (pdf_id, _) = waiting
    page = client.get("/").text
    row = page[page.index(code) : page.index("</tr>", page.index(code))]
    assert f"/evaluations/{code}/gates/approval" in row and "决策机关审定" in row
    assert "决策机关（市政府）" in row and "2026-03-31" in row and "逾期" in row
    assert f"/documents/{pdf_id}" in row and "评估报告（送审稿）" in row


def test_the_gate_page_asks_for_the_answer_and_the_code_but_no_name(client, waiting):
    _, code, _ = waiting
    page = client.get(f"/evaluations/{code}/gates/approval").text
    assert "审定意见" in page and "评估结论" in page and 'name="code"' in page
    assert "审批人姓名" not in page and "可办理人员：刘志强" in page


@pytest.mark.rule("MH-A5")
def test_an_outsider_is_refused_at_once_in_chinese_recorded_and_the_gate_still_waits(client, waiting):
    evaluation_id, code, _ = waiting
    answer = client.post(f"/evaluations/{code}/gates/approval", data={"choice": "通过", "code": "ABCD2345"})
    assert answer.status_code == 422
    assert "未受理：</strong>签署码不正确：它不是本评估本环节发出的签署码" in answer.text
    assert 'value="通过" selected' in answer.text  # what was chosen comes back; the code does not
    with session_scope() as session:
        (refused,) = events_for(session=session, evaluation_id=evaluation_id, action="signoff_refused")
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
    assert "文件 999999 不存在" in client.get("/documents/999999").text
    missing = client.get("/evaluations/PG-1999-0001/gates/approval")
    assert missing.status_code == 404 and "PG-1999-0001" in missing.text
    assert "没有名为 nothing 的办理环节" in client.get("/evaluations/PG-1999-0001/gates/nothing").text


def test_with_a_web_login_set_every_page_but_the_health_check_asks_for_it(monkeypatch):
    import base64

    from core.settings import get_settings
    from pinggu.web.app import create_app

    guarded = get_settings().model_copy(update={"web_auth_string": "office:长口令"})
    monkeypatch.setattr("pinggu.web.app.get_settings", lambda: guarded)
    client = TestClient(create_app())
    refused = client.get("/")
    assert refused.status_code == 401 and "需要登录" in refused.text
    assert refused.headers["www-authenticate"].startswith("Basic")
    wrong = base64.b64encode("office:错的".encode()).decode()
    assert client.get("/documents/1", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode("office:长口令".encode()).decode()
    assert client.get("/", headers={"Authorization": f"Basic {right}"}).status_code == 200
    assert client.get("/healthz").status_code == 200
