"""The main job on the embedded default: bring the product up and take one ordinary evaluation
of a sample decision from start to an approved PDF report, answering every human step through
the Prefect API as the people involved would."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import typer

from pinggu.core.document_store import keep, local_file
from pinggu.core.links import dashboard_url, document_url, flow_run_url, home_url, tracking_url
from pinggu.core.settings import SAMPLES_DIR, get_settings
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.tables import now_beijing
from pinggu.rules.gates import GateId, PlanVerdict, ReportVerdict
from pinggu.rules.step_results import ScoringResult
from pinggu.rules.steps import StepId
from pinggu.rules.vocabulary import EvaluationType

SAMPLES = SAMPLES_DIR
DEMO_DECISION = "S-2024-001"
DEMO_TEAM = [
    {"name": "王明", "role": "单位工作人员", "unit": "区司法局"},
    {"name": "李华", "role": "法律专家", "unit": "华东政法大学"},
    {"name": "陈静", "role": "人大代表", "unit": None},
]


@contextmanager
def timed(label: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    """Print how long a step took and keep it for the summary."""
    typer.echo(f"▶ {label} …")
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    timings.append((label, elapsed))
    typer.echo(f"  完成（{elapsed:.1f} 秒）")


def run_demo(samples: Path = SAMPLES) -> Path:
    """Run the demo and return the final report's path."""
    from pinggu.localserver import start_server, start_web, start_worker
    from pinggu.services.orchestration import (
        answer_gate,
        paused_at,
        start_evaluation,
        wait_for,
    )

    settings = get_settings()
    timings: list[tuple[str, float]] = []
    total = time.perf_counter()

    with timed("启动本地 Prefect 服务", timings):
        start_server(settings)
    with timed("启动部署服务进程", timings):
        start_worker(settings)
    with timed("启动网页办理服务", timings):
        start_web(settings)
    with timed("导入样例决策目录", timings):
        _import_catalog(samples / "catalog.csv")
    with timed("导入样例人员名单（签署码发往本机发件箱）", timings):
        _import_people(samples / "people.csv")
    with timed("导入样例跟踪反馈工作方案（每月请承办单位报送跟踪反馈报告）", timings):
        _import_tracking_plans(samples / "tracking_plan.csv")

    with read_session() as session:
        unfinished = store.unfinished_evaluations(
            session=session, decision_code=DEMO_DECISION, type=EvaluationType.ordinary
        )
    parameters = {"decision": DEMO_DECISION, "team": DEMO_TEAM, "budget_yuan": 80000}
    if unfinished:
        parameters["evaluation"] = unfinished[0].code
    with timed(f"启动一般程序评估（{DEMO_DECISION}）", timings):
        run_id = start_evaluation(EvaluationType.ordinary, parameters)

    def reach(gate: GateId) -> Any:
        return wait_for(run_id, lambda run: paused_at(run) == gate, timeout=180, what=f"“{gate}”环节")

    def signed(gate: GateId, form: dict[str, Any]) -> dict[str, Any]:
        """The form with the code sent to the person it names, read from the local outbox as they would."""
        return {**form, "code": _code_sent(run_id, gate, form.get("approver") or form["submitter"])}

    with timed("准备阶段 → 方案审定（区政府办公室主任 同意）", timings):
        reach(GateId.plan_approval)
        answer_gate(
            run_id,
            GateId.plan_approval,
            signed(
                GateId.plan_approval,
                {
                    "approver": "张建国",
                    "approver_role": "区政府办公室主任",
                    "choice": PlanVerdict.agree,
                    "comment": "方案可行，按计划实施",
                },
            ),
        )
    with timed("实施阶段 → 提交问卷数据（样例 survey.csv）", timings):
        reach(GateId.survey)
        answer_gate(
            run_id,
            GateId.survey,
            signed(
                GateId.survey,
                {
                    "file": keep((samples / "survey.csv").resolve(), "uploads").location,
                    "submitter": "赵敏",
                    "submitter_role": "区发展和改革委员会 科员",
                },
            ),
        )
    with timed("专家评分及统计数据（演示用评分表）", timings):
        reach(GateId.expert_marks)
        answer_gate(
            run_id,
            GateId.expert_marks,
            signed(
                GateId.expert_marks,
                {
                    "file": keep(_demo_marks(settings.home / "demo"), "uploads").location,
                    "data_values": _demo_data(),
                    "submitter": "王明",
                    "submitter_role": "评估小组组长",
                },
            ),
        )
    with timed("分析材料、计分、起草报告送审稿 → 专家论证意见", timings):
        reach(GateId.expert_review)
        answer_gate(
            run_id,
            GateId.expert_review,
            signed(
                GateId.expert_review,
                {
                    "experts": "周立平、吴晓",
                    "opinion": "评估方法规范，数据可信；建议补充资金使用情况分析",
                    "handling": "已采纳，在报告第二部分补充说明",
                    "submitter": "王明",
                    "submitter_role": "评估小组组长",
                },
            ),
        )
    with timed("决策机关审定（区长 通过，采用按得分推荐的结论）", timings):
        reach(GateId.approval)
        answer_gate(
            run_id,
            GateId.approval,
            signed(
                GateId.approval,
                {
                    "approver": "刘志强",
                    "approver_role": "区长",
                    "choice": ReportVerdict.approved,
                    "conclusion": _recommended(run_id),
                    "comment": "同意评估结论，请承办单位落实专家意见",
                },
            ),
        )
    with timed("正式报告、归档", timings):
        flow_run = wait_for(
            run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成"
        )

    with read_session() as session:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=str(run_id))
    # The run completed: it opened the evaluation and wrote the final report.
    assert evaluation is not None and evaluation.report_path is not None
    report = local_file(evaluation.report_path)
    typer.echo("")
    typer.echo("各步骤耗时：" + "，".join(f"{label} {seconds:.1f}s" for label, seconds in timings))
    typer.echo(f"总耗时 {time.perf_counter() - total:.1f} 秒；流程运行：{flow_run.name}（{flow_run.state.name}）")
    typer.echo(f"评估编号：{evaluation.code}  评估结论：{evaluation.conclusion}")
    assert evaluation.id is not None  # a stored evaluation
    with read_session() as session:
        final = store.current_document(session=session, evaluation_id=evaluation.id, kind=StepId.final_report)
    link = f"（网页查阅：{document_url(final.id)}，须登录）" if final is not None and final.id is not None else ""
    typer.secho(f"PDF 报告：{report}{link}", fg=typer.colors.GREEN)
    typer.secho(f"Prefect 界面（运行、审批输入和产物）：{flow_run_url(run_id)}", fg=typer.colors.GREEN)
    typer.secho(f"网页办理（待办、上传材料、审批、查阅文件）：{home_url()}", fg=typer.colors.GREEN)
    typer.secho(f"进度看板（评估办公室）：{dashboard_url()}", fg=typer.colors.GREEN)
    typer.echo(_first_look_account())
    typer.echo(f"各环节的签署码（本机发件箱）：{settings.outbox_dir}")
    typer.echo(f"服务仍在后台运行；停止请用 {Path(sys.executable).parent / 'pinggu'} down")
    return report


def _recommended(run_id: UUID) -> str:
    """The conclusion the score recommends (the demo's approver follows it; departing needs a reason)."""
    with read_session() as session:
        evaluation = store.find_by_flow_run(session=session, flow_run_id=str(run_id))
        # The run waits at the approval: it opened the evaluation and scored it.
        assert evaluation is not None and evaluation.id is not None
        scored = store.done_result(
            session=session, evaluation_id=evaluation.id, step=StepId.scoring, model=ScoringResult
        )
        assert scored is not None
    return scored.recommended or "继续执行"


def _needed() -> dict:
    from pinggu.rules.profiles import load_profile
    from pinggu.rules.scoring import inputs_needed

    with read_session() as session:
        profile = store.get_decision(session=session, code=DEMO_DECISION).profile
    return inputs_needed(load_profile(profile))


def _demo_marks(directory: Path) -> Path:
    """A demonstration expert table: two experts mark every expert-scored indicator of the profile."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "专家打分表（演示）.csv"
    rows = ["指标,专家,分数"] + [
        f"{key},{expert},{mark}"
        for key, _ in _needed()["expert_marks"]
        for expert, mark in (("周立平", 88), ("吴晓", 92))
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _demo_data() -> str:
    return "\n".join(f"{measure}：93" for measure, _ in _needed()["data"])


def _code_sent(run_id: UUID, gate: GateId, name: str) -> str:
    from pinggu.services.signoff import run_code_in_outbox

    code = run_code_in_outbox(run_id, gate, name)
    assert code, f"{name} 未收到“{gate}”的签署码"
    return code


def _import_people(path: Path) -> None:
    from pinggu.people import import_people_file

    created, updated, _ = import_people_file(path)
    typer.echo(f"  新增 {created} 人，更新 {updated} 人")


def _import_tracking_plans(path: Path) -> None:
    from pinggu.services.tracking import import_plans

    for line in import_plans(path, "演示", now_beijing().date()):
        typer.echo(f"  {line}")
    typer.echo(f"  跟踪反馈与督查待办：{tracking_url()}")


def _import_catalog(path: Path) -> None:
    from pinggu.catalog import import_catalog

    created, updated, _ = import_catalog(path)
    typer.echo(f"  新增 {created} 项，更新 {updated} 项")


FIRST_LOOK = (
    "孙丽"  # samples/people.csv: 评估办公室, who answers no gate of the demo (so her account changes none of its codes)
)


def _first_look_account() -> str:
    """A password for the sample office clerk, so that a first look at the web app can sign in; made once,
    on this machine only (a real office sets each person's own with `pinggu people password`)."""
    import secrets

    from pinggu.models.db import read_session
    from pinggu.models.people import has_account
    from pinggu.services.accounts import find_person, set_password

    with read_session() as session:
        person = find_person(session, FIRST_LOOK)
        made = has_account(session=session, person_id=person.id)
    if made:
        return f"网页办理登录：登录名 {person.login}（密码见首次演示的输出；重设：.venv/bin/pinggu people password {FIRST_LOOK}）"
    password = f"Demo-{secrets.token_urlsafe(9)}-1"
    login = set_password(FIRST_LOOK, password, by="演示")
    return f"网页办理登录（评估办公室 {FIRST_LOOK}，仅本机演示用）：登录名 {login}，密码 {password}"
