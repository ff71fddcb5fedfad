"""What the Prefect UI shows of an evaluation (issue 14 item 3): the 审批记录 artifact (tasks/evaluation.py
approvals_markdown, publish_approvals), the progress artifact's links to the gate's web page and to the final
report (progress_markdown), the gate form's description (tasks/gates.py _description), the documents' link
artifacts (publish_document_link) and the web app's addresses they use (core/links.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

import builders
import pytest
from builders import session_scope

from pinggu.core.links import document_url, gate_url
from pinggu.core.settings import Settings, get_settings
from pinggu.models import evaluations as store
from pinggu.models.tables import BEIJING, Approval, now_beijing
from pinggu.rules.gates import GateId
from pinggu.rules.steps import StepId

WEB = get_settings().web_url


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    """The Markdown and link artifacts the tasks publish, caught instead of sent to a Prefect server."""
    import pinggu.tasks.evaluation as evaluation_tasks

    caught: list[dict] = []
    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: caught.append(artifact))
    monkeypatch.setattr(evaluation_tasks, "create_link_artifact", lambda **artifact: caught.append(artifact))
    return caught


def _approval(evaluation_id: int, gate: GateId, at: datetime, **fields) -> Approval:
    """An accepted answer at `gate`, given at `at` (Beijing time)."""
    return Approval(
        evaluation_id=evaluation_id,
        gate=gate,
        attempt=1,
        pause_key=f"{gate.replace('_', '-')}-{uuid.uuid4().hex[:8]}",
        decided_at=at,
        **fields,
    )


def _document(session, evaluation_id: int, kind: str, title: str, name: str) -> int:
    """A stored document row (the file itself is not needed to link to it); its id."""
    document = store.add_document(
        session=session, evaluation_id=evaluation_id, kind=kind, title=title, path=f"/srv/{name}", sha256="ab" * 32
    )
    assert document.id is not None
    return document.id


# ── core/links.py ─────────────────────────────────────────────────────────────


def test_links_are_built_from_the_web_apps_address(monkeypatch):
    import pinggu.core.links

    assert Settings(prefect_host="127.0.0.1", web_port=4300).web_url == "http://127.0.0.1:4300"
    assert document_url(7) == f"{WEB}/documents/7"
    assert gate_url("PG-2026-0001", GateId.plan_approval) == f"{WEB}/evaluations/PG-2026-0001/gates/plan_approval"

    behind_proxy = Settings(web_base_url="https://pinggu.example.gov.cn/web/")
    monkeypatch.setattr(pinggu.core.links, "get_settings", lambda: behind_proxy)
    assert document_url(12) == "https://pinggu.example.gov.cn/web/documents/12"
    assert gate_url("PG-2026-0001", GateId.approval) == (
        "https://pinggu.example.gov.cn/web/evaluations/PG-2026-0001/gates/approval"
    )
    # A code with characters a path segment cannot hold stays one segment.
    assert gate_url("PG 2026/1", "survey") == "https://pinggu.example.gov.cn/web/evaluations/PG%202026%2F1/gates/survey"


# ── the 审批记录 artifact ─────────────────────────────────────────────────────


def test_the_approvals_table_lists_every_accepted_answer_and_marks_the_one_a_send_back_set_aside(published):
    from pinggu.services.evaluation.artifacts import approvals_markdown, artifact_key
    from pinggu.tasks.evaluation import publish_approvals

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "changli", prefix="APPROVALS")
        evaluation_id, code = evaluation.id, evaluation.code
        session.add(
            _approval(
                evaluation_id,
                GateId.approval,
                datetime(2027, 2, 1, 9, 30, tzinfo=BEIJING),
                approver="张建国",
                approver_role="县长",
                choice="退回修改",
                comment="补充满意度数据\n并说明 | 样本来源",
                details={"rework": "evidence"},
                superseded=True,
            )
        )
        session.add(
            _approval(
                evaluation_id,
                GateId.approval,
                datetime(2027, 2, 20, 15, 5, tzinfo=BEIJING),
                approver="张建国",
                approver_role="县长",
                choice="通过",
                conclusion="继续执行",
            )
        )

    markdown = approvals_markdown(evaluation_id)
    assert markdown.splitlines() == [
        f"### {code} · 审批记录",
        "",
        "| 环节 | 办理人 | 职务 | 时间（北京） | 答复 | 说明 |",
        "|---|---|---|---|---|---|",
        "| 县政府审定 | 张建国 | 县长 | 2027-02-01 09:30 | 退回修改（已被退回重做取代） | 补充满意度数据 并说明 \\| 样本来源 |",
        "| 县政府审定 | 张建国 | 县长 | 2027-02-20 15:05 | 通过（结论：继续执行） | — |",
    ]

    publish_approvals(evaluation_id)
    assert published == [
        {"key": artifact_key(code, "approvals"), "markdown": markdown, "description": f"{code} 审批记录"}
    ]
    assert published[0]["key"] == f"{code.lower()}-approvals"


def test_an_evaluation_without_answers_says_so():
    from pinggu.services.evaluation.artifacts import approvals_markdown

    with session_scope() as session:
        evaluation_id = builders.add_evaluation(session, prefix="APPROVALS").id
    assert approvals_markdown(evaluation_id).endswith("|---|---|---|---|---|---|\n\n尚无已受理的答复。")


# ── the progress artifact's links ─────────────────────────────────────────────


def test_waiting_at_a_gate_the_progress_links_to_the_gates_web_page():
    from pinggu.services.evaluation.artifacts import progress_markdown

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "changli", prefix="PROGRESS")
        evaluation.status, evaluation.waiting_gate = "waiting", GateId.approval
        evaluation.waiting_for = "县政府审定（县政府；第1次）"
        session.add(evaluation)
        evaluation_id, code = evaluation.id, evaluation.code

    lines = progress_markdown(evaluation_id).splitlines()
    assert "正在等待：县政府审定（县政府；第1次）" in lines
    assert f"办理入口：[县政府审定]({WEB}/evaluations/{code}/gates/approval)" in lines
    assert not any(line.startswith("正式报告") for line in lines)


def test_a_finished_evaluation_links_its_final_report_not_its_server_path():
    from pinggu.services.evaluation.artifacts import progress_markdown

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, prefix="PROGRESS")
        report_id = _document(session, evaluation.id, StepId.final_report, "后评估报告（正式）", "报告.pdf")
        _document(session, evaluation.id, f"{StepId.final_report}_docx", "后评估报告（正式）（Word）", "报告.docx")
        evaluation.status, evaluation.report_path = "completed", "/srv/报告.pdf"
        evaluation.completed_at = now_beijing()  # set with the status, as complete_evaluation does
        session.add(evaluation)
        evaluation_id = evaluation.id

    markdown = progress_markdown(evaluation_id)
    assert markdown.endswith(f"\n\n正式报告：[后评估报告（正式）]({WEB}/documents/{report_id})")
    assert "/srv/" not in markdown and "办理入口" not in markdown


# ── the gate form's description (services/evaluation/gates.py) ──────────────────────────────


def test_the_gate_forms_description_links_the_material_under_review_and_the_gates_web_page():
    from pinggu.models.evaluations import procedure_of
    from pinggu.services.evaluation.gates import _description

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, prefix="GATELINK")
        plan_id = _document(session, evaluation.id, StepId.plan, "评估方案（第1稿）", "评估方案-第1稿.pdf")
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        description = _description(
            session, evaluation, decision, procedure_of(session, evaluation), GateId.plan_approval, "评估方案审定", None
        )
        code = evaluation.code

    lines = description.splitlines()
    assert lines[0] == f"**评估方案审定** · 评估 {code} · 《{decision.title}》"
    assert f"待审材料：[评估方案（第1稿）]({WEB}/documents/{plan_id})" in lines
    assert lines[-1] == f"在网页办理：{WEB}/evaluations/{code}/gates/plan_approval"
    assert "/srv/" not in description


# ── the documents' link artifacts ─────────────────────────────────────────────


def test_a_recorded_report_is_published_as_a_link_to_the_web_app_inside_a_run_only(published, monkeypatch):
    import pinggu.tasks.evaluation as evaluation_tasks

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, prefix="LINKS")
        report_id = _document(session, evaluation.id, StepId.final_report, "后评估报告（正式）", "报告.pdf")
        word_id = _document(
            session, evaluation.id, f"{StepId.final_report}_docx", "后评估报告（正式）（Word）", "报告.docx"
        )
        evaluation.conclusion = "继续执行"
        session.add(evaluation)
        evaluation_id, code = evaluation.id, evaluation.code

    evaluation_tasks.publish_document_link(evaluation_id, StepId.final_report, "report")
    assert published == []  # a step's .fn called outside a run (tests, benches) sends nothing

    monkeypatch.setattr(evaluation_tasks, "_in_run", lambda: True)
    evaluation_tasks.publish_document_link(evaluation_id, StepId.final_report, "report")
    evaluation_tasks.publish_document_link(evaluation_id, StepId.draft_report, "draft-report")  # none stored yet
    assert published == [
        {
            "key": f"{code.lower()}-report",
            "link": f"{WEB}/documents/{report_id}",
            "link_text": "后评估报告（正式）",
            "description": (
                f"{code} 后评估报告（正式） · 评估结论：**继续执行** · [Word 版]({WEB}/documents/{word_id})"
                f" · SHA-256：`{'ab' * 32}`"
            ),
        }
    ]
