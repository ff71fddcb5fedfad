"""Conclusion stage (结论形成阶段, bazhou 11): report drafts, final report, archive."""

from __future__ import annotations

import json
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from sqlmodel import Session

from models import audit
from models import evaluations as store
from models.tables import Evaluation, beijing_minute, now_beijing
from pinggu.settings import get_settings
from reporting.pdf import file_sha256, render_html, write_pdf
from rules.vocabulary import EVALUATION_TYPE_NAMES, GATE_NAMES, SCOPE_NAMES, STAGE_NAMES, STEP_NAMES
from tasks.evaluation import artifact_key
from tasks.ledger import IO_RETRIES, STEP_TASK_OPTIONS, run_step

REPORT_TEMPLATE = "evaluation_report.html.j2"


def report_context(session: Session, evaluation: Evaluation, *, final: bool) -> dict:
    """Everything the report template shows, read from the product database (R-PROCESS)."""
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    steps = {s.step: s for s in store.step_attempts(session=session, evaluation_id=evaluation.id) if s.status == "done"}
    answers = [a for a in store.approvals(session=session, evaluation_id=evaluation.id)]
    expert = next((a for a in reversed(answers) if a.gate == "expert_review" and not a.superseded), None)
    process = [
        {"at": beijing_minute(s.finished_at, ""), "what": STEP_NAMES.get(s.step, s.step), "outcome": f"第{s.attempt}次 · 完成"}
        for s in store.step_attempts(session=session, evaluation_id=evaluation.id)
        if s.status in ("done", "superseded")
    ] + [
        {"at": beijing_minute(a.decided_at, ""), "what": GATE_NAMES.get(a.gate, a.gate), "outcome": f"{a.approver}（{a.approver_role}）：{a.choice}"}
        for a in answers
    ]
    return {
        "report": {"status": "正式报告" if final else "送审稿", "generated_on": now_beijing().date().isoformat()},
        "decision": decision.model_dump(),
        "evaluation": {
            "code": evaluation.code,
            "type_name": EVALUATION_TYPE_NAMES[evaluation.type],
            "scope_name": SCOPE_NAMES[evaluation.scope],
            "scope_parts": evaluation.scope_parts,
        },
        "team": [m.model_dump() for m in store.team(session=session, evaluation_id=evaluation.id)],
        "plan": steps["plan"].result,
        "stages": [
            {
                "name": STAGE_NAMES[s.stage],
                "target_date": f"{s.target_date}（暂定）" if s.target_provisional else s.target_date,
                "started": beijing_minute(s.started_at, ""),
                "finished": beijing_minute(s.finished_at, ""),
            }
            for s in store.stages(session=session, evaluation_id=evaluation.id)
        ],
        "schedule_provisional": any(
            s.target_provisional for s in store.stages(session=session, evaluation_id=evaluation.id)
        ),
        "survey": steps["survey_analysis"].result,
        "preliminary": steps["preliminary"].result["text"],
        "expert_review": expert.details if expert else None,
        "approvals": [
            {
                "gate_name": GATE_NAMES.get(a.gate, a.gate),
                "approver": a.approver,
                "role": a.approver_role,
                "choice": a.choice,
                "conclusion": a.conclusion,
                "comment": a.comment,
                "decided_at": beijing_minute(a.decided_at, ""),
            }
            for a in answers
            if a.gate in ("plan_approval", "approval")
        ],
        "conclusion": evaluation.conclusion if final else None,
        "process": sorted(process, key=lambda entry: entry["at"]),
    }


def _render(session: Session, evaluation: Evaluation, *, final: bool, kind: str, title: str) -> dict:
    attempt = store.latest_step(session=session, evaluation_id=evaluation.id, step=kind).attempt
    name = f"{evaluation.code}-{'后评估报告' if final else f'报告送审稿-第{attempt}稿'}.pdf"
    path = get_settings().reports_dir / evaluation.code / name
    html = render_html(REPORT_TEMPLATE, report_context(session, evaluation, final=final))
    sha256 = write_pdf(html, path)
    store.add_document(
        session=session, evaluation_id=evaluation.id, kind=kind, title=title, path=str(path), sha256=sha256
    )
    return {"path": str(path), "sha256": sha256}


@task(name="起草评估报告", **STEP_TASK_OPTIONS, **IO_RETRIES)
def draft_report(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Render the draft report for expert review and approval; it presets no conclusion."""

    def work(session: Session, evaluation: Evaluation) -> dict:
        return _render(session, evaluation, final=False, kind="draft_report", title="评估报告送审稿")

    return run_step(evaluation_id, "conclusion", "draft_report", work, flow_run_id=flow_run_id)


@task(name="正式形成评估报告", **STEP_TASK_OPTIONS, **IO_RETRIES)
def final_report(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Render the final report with the approved conclusion and every approval."""

    def work(session: Session, evaluation: Evaluation) -> dict:
        rendered = _render(session, evaluation, final=True, kind="final_report", title="后评估报告（正式）")
        evaluation.report_path = rendered["path"]
        session.add(evaluation)
        create_markdown_artifact(
            key=artifact_key(evaluation.code, "report"),
            markdown=(
                f"### 《{store.get_decision(session=session, code=evaluation.decision_code).title}》后评估报告\n\n"
                f"- 评估结论：**{evaluation.conclusion}**\n- PDF：`{rendered['path']}`\n- SHA-256：`{rendered['sha256']}`"
            ),
            description=f"{evaluation.code} 正式报告",
        )
        return rendered

    return run_step(evaluation_id, "conclusion", "final_report", work, flow_run_id=flow_run_id)


@task(name="归档", **STEP_TASK_OPTIONS, **IO_RETRIES)
def archive(evaluation_id: int, flow_run_id: str | None = None) -> dict:
    """Write the archive manifest: every document with its hash and the audit chain head (minhang 档案)."""

    def work(session: Session, evaluation: Evaluation) -> dict:
        documents = [
            {"kind": d.kind, "title": d.title, "path": d.path, "sha256": d.sha256, "superseded": d.superseded}
            for d in store.documents(session=session, evaluation_id=evaluation.id)
        ]
        head = audit.record(session=session, action="archive_sealed", evaluation_id=evaluation.id, documents=len(documents))
        manifest = {
            "evaluation": evaluation.code,
            "decision": evaluation.decision_code,
            "conclusion": evaluation.conclusion,
            "sealed_at": head.at.isoformat(),
            "audit_chain_head": head.hash,
            "documents": documents,
        }
        path = get_settings().documents_dir / evaluation.code / "归档清单.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        store.add_document(
            session=session,
            evaluation_id=evaluation.id,
            kind="archive_manifest",
            title="归档清单",
            path=str(path),
            sha256=file_sha256(Path(path)),
        )
        return {"manifest": str(path), "documents": len(documents)}

    return run_step(evaluation_id, "conclusion", "archive", work, flow_run_id=flow_run_id)
