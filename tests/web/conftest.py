"""Fixtures of the web app's tests: the app over the sample people, and an evaluation waiting at a gate."""

from __future__ import annotations

import shutil
import uuid
from datetime import date

import builders
import pytest
import signin
from builders import session_scope
from fastapi.testclient import TestClient

from pinggu.core.settings import SAMPLES_DIR
from pinggu.models import evaluations as store
from pinggu.rules.gates import GateId

PAST = {
    "preparation": (date(2026, 1, 9), False),
    "implementation": (date(2026, 2, 20), False),
    "conclusion": (date(2026, 3, 31), False),
}


@pytest.fixture(scope="module")
def app():
    from pinggu.people import import_people_file
    from pinggu.web.app import create_app

    import_people_file(SAMPLES_DIR / "people.csv")
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    """刘志强, of the decision body, signed in."""
    return signin.signed_in_client(app, "刘志强")


@pytest.fixture
def stranger(app):
    """A browser nobody signed in on: someone without an account, who answers with a sign-off code."""
    return TestClient(app)


@pytest.fixture
def waiting(monkeypatch, tmp_path):
    """An evaluation (bazhou) waiting at the decision body's approval, its draft report stored."""
    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.tasks.gates import gate_status

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


@pytest.fixture(scope="module")
def browser():
    """One Chromium per browser test module: Debian's, through Playwright (its own download cannot reach the
    internet here)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is not installed: scripts/setup.sh installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()
