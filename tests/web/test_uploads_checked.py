"""Uploads are checked by their content before anything is kept (issue 27 item 4a): an executable renamed
会议纪要.pdf is refused in Chinese, naming it 您上传的文件 (never its content hash), and nothing of it is
stored; a real PDF goes on to the run as a store location, the only kind of path an answer may name."""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import builders
import pytest
import signin
from builders import session_scope

from pinggu.rules.gates import GateId

pytestmark = pytest.mark.rule("E-PRIVACY")

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"payload"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def at_minutes(monkeypatch):
    """An evaluation waiting at 座谈会纪要提交, its run (faked) paused there; what the run would be resumed with."""
    import pinggu.services.orchestration as orchestration
    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, methods=("座谈会",), prefix="UPL", flow_run_id=str(uuid.uuid4()))
        evaluation_id, code = evaluation.id, evaluation.code
    gate_status.fn(evaluation_id, GateId.minutes)
    resumed: list[dict] = []
    run = SimpleNamespace(state=SimpleNamespace(state_details=SimpleNamespace(pause_key="minutes-1")))
    monkeypatch.setattr(orchestration, "read_flow_run", lambda run_id: run)
    monkeypatch.setattr(orchestration, "paused_at", lambda flow_run: GateId.minutes.value)
    monkeypatch.setattr(orchestration, "answer_gate", lambda run_id, gate, answer: resumed.append(answer))
    monkeypatch.setattr(orchestration, "outcome_of", lambda *args, **kwargs: orchestration.AnswerOutcome(accepted=True))
    return code, resumed


def _uploads() -> set:
    from pinggu.core.settings import get_settings

    return {p for p in (get_settings().home / "store" / "uploads").rglob("*") if p.is_file()}


def test_an_executable_named_pdf_is_refused_and_nothing_is_kept(app, at_minutes):
    code, resumed = at_minutes
    client = signin.signed_in_client(app, "赵敏")
    path = f"/evaluations/{code}/gates/minutes"
    before = _uploads()
    refused = signin.post(
        client, path, {"summary": "座谈会情况"}, files={"file": ("会议纪要.pdf", ELF, "application/pdf")}
    )
    assert refused.status_code == 422
    assert "您上传的文件不是有效的PDF 文件：文件开头没有 PDF 标识（%PDF-），未受理" in refused.text
    assert not re.search(r"[0-9a-f]{64}", refused.text)  # never the store's content hash
    assert _uploads() == before and resumed == []


def test_a_real_pdf_reaches_the_run_as_a_store_location(app, at_minutes):
    from pinggu.core.document_store import in_store

    code, resumed = at_minutes
    client = signin.signed_in_client(app, "赵敏")
    done = signin.post(
        client,
        f"/evaluations/{code}/gates/minutes",
        {"summary": "座谈会情况"},
        files={"file": ("会议纪要.pdf", PDF, "application/pdf")},
    )
    assert done.status_code == 200, done.text
    (answer,) = resumed
    assert in_store(answer["file"]) and "/uploads/" in answer["file"]
