"""Every evaluation type end to end on the real Prefect server: serve, suspend, resume through the API.

One module-scoped fixture starts the runs of all scenarios at once and answers each one's gates as
they open (through the API, the server's own form check, or the CLI); the tests then check what
each produced. Driving them side by side keeps the suite quick: every resume starts a new process.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from datetime import timedelta
from uuid import UUID

import pytest
from builders import (
    SAMPLES,
    acceptance,
    agreement,
    bad_survey,
    expert_marks_submission,
    expert_review,
    plan_approval,
    records_submission,
    report_approval,
    start_approval,
    survey_submission,
    team,
)
from driving import answers_of, code_for, done_counts, evaluation_of, internal_ids_in, pdf_text, signed
from typer.testing import CliRunner

from pinggu.core.document_store import file_sha256, local_file
from pinggu.models.tables import BEIJING

pytestmark = pytest.mark.e2e

AGENCY = "北方公共政策研究院"
BAD_AGENCY = "某失信咨询公司"
CONFLICTED_EXPERT = "钱立群"
SKIP_REVIEW = {
    "organised": "不组织专家论证",
    "handling": "本次评估以问卷和意见征集为主，规定未要求专家论证",
    "submitter": "王明",
    "submitter_role": "评估小组组长",
}
DEPART = "结合实施情况综合判断"


def _cli(*args: str, refused: str | None = None) -> None:
    from pinggu.cli import app

    result = CliRunner().invoke(app, list(args))
    if refused:  # the flow refused the answer: the command says why and exits 1
        assert result.exit_code == 1 and refused in result.output and "未受理" in result.output, result.output
    else:
        assert result.exit_code == 0 and "已受理" in result.output, result.output


def _cli_submit_minutes(run_id, tmp) -> None:
    form = records_submission(tmp / "座谈会纪要.txt")
    _cli(
        "submit",
        evaluation_of(run_id).code,
        form["file"],
        "--kind",
        "minutes",
        "--summary",
        form["summary"],
        "--submitter",
        "赵敏",
        "--role",
        "承办单位 科员",
        "--code",
        code_for(evaluation_of(run_id).code, "minutes", "赵敏"),
    )


def _cli_approve(run_id, *conclusion: str, refused: str | None = None, code: str | None = None) -> None:
    evaluation = evaluation_of(run_id).code
    _cli(
        "approve",
        evaluation,
        "--gate",
        "approval",
        "--approver",
        "刘志强",
        "--role",
        "市长",
        "--choice",
        "通过",
        "--code",
        code or code_for(evaluation, "approval", "刘志强"),
        *conclusion,
        refused=refused,
    )


def _drive(scripts: dict, then: dict, timeout: float = 400) -> dict:
    """Answer each run's gates in its script's order as they open; return each run's final flow run.

    `then[name](flow_run)` is called when scenario `name` has ended and returns the next scenario
    (name, run id, steps) that continues the same evaluation.
    """
    from pinggu.services.orchestration import answer_gate, paused_at, read_flow_run

    last_key: dict[str, str | None] = {name: None for name in scripts}
    finished: dict = {}
    deadline = time.monotonic() + timeout
    while len(finished) < len(scripts):
        assert time.monotonic() < deadline, f"超时：{ {n: s[1][:1] for n, s in scripts.items() if n not in finished} }"
        for name, (run_id, steps) in scripts.items():
            if name in finished:
                continue
            flow_run = read_flow_run(run_id)
            if flow_run.state and flow_run.state.is_final():
                assert not steps, f"{name} ended ({flow_run.state.name}: {flow_run.state.message}) before {steps[0][0]}"
                finished[name] = (flow_run, evaluation_of(flow_run.id))  # the evaluation as this run left it
                if name in then:
                    following, run, more = then[name](flow_run)
                    scripts[following], last_key[following] = (run, more), None
                break  # `scripts` may have grown: iterate afresh
            gate = paused_at(flow_run)
            key = flow_run.state.state_details.pause_key if gate else None
            if gate is None or key == last_key[name]:
                continue
            assert steps, f"{name} waits at {gate} beyond its script"
            expected, form = steps.pop(0)
            assert gate == expected, f"{name} waits at {gate}, script expected {expected}"
            last_key[name] = key
            form(run_id) if callable(form) else answer_gate(run_id, gate, signed(run_id, gate, form))
        else:
            time.sleep(0.3)
    return finished


def _server_refuses_incomplete_forms_then_send_back(run_id) -> None:
    """The server refuses a form without its choice, or with one not offered, and the run stays suspended."""
    from prefect import get_client
    from prefect.client.schemas.responses import SetStateStatus

    from pinggu.services.orchestration import answer_gate, read_flow_run

    with get_client(sync_client=True) as client:
        assert (
            client.resume_flow_run(run_id, run_input={"approver": "张建国", "comment": "可行"}).status
            == SetStateStatus.REJECT
        )
        assert client.resume_flow_run(run_id, run_input=plan_approval(choice="随便")).status == SetStateStatus.REJECT
    still = read_flow_run(run_id)
    assert still.state.is_paused() and still.state.state_details.pause_key == "plan-approval-1"
    answer_gate(
        run_id, "plan_approval", signed(run_id, "plan_approval", plan_approval("退回修改", comment="补充经费测算"))
    )


def _rerun(flow_run):
    """A new flow run for the finished evaluation: it must redo nothing and suspend nowhere."""
    from pinggu.services.orchestration import start_evaluation

    code = evaluation_of(flow_run.id).code
    return "ordinary_rerun", start_evaluation("ordinary", {"decision": "S-2022-003", "evaluation": code}), []


def _reopen(flow_run):
    """MH-12 through the CLI: redo the finished evaluation from its conclusion stage."""
    from pinggu.cli import app

    code = evaluation_of(flow_run.id).code
    result = CliRunner().invoke(
        app,
        [
            "reopen",
            code,
            "--stage",
            "conclusion",
            "--reason",
            "专家论证程序严重违法",
            "--by",
            "zhangjianguo",
        ],
    )
    assert result.exit_code == 0, result.output
    redo = UUID(result.output.strip().rsplit(" ", 1)[-1])
    return (
        "ordinary_redo",
        redo,
        [("expert_review", expert_review()), ("approval", report_approval("通过", "继续执行"))],
    )


@pytest.fixture(scope="module")
def outcomes(prefect_server, sample_catalog, tmp_path_factory):
    """Start every scenario's run at once and drive them all to their end."""
    from builders import session_scope

    from pinggu.models.agencies import register_agency
    from pinggu.models.tables import Decision
    from pinggu.services.orchestration import start_evaluation

    tmp = tmp_path_factory.mktemp("types")
    with session_scope() as session:
        register_agency(session=session, name=AGENCY, kind="科研机构")
        register_agency(session=session, name=BAD_AGENCY, kind="咨询机构", credit_status="不良")
        decision = session.get(Decision, "S-2020-020")
        decision.pre_decision_assessors = [CONFLICTED_EXPERT]
        session.add(decision)

    runs = {
        "ordinary": start_evaluation("ordinary", {"decision": "S-2022-003", "team": team(), "budget_yuan": 50000}),
        "simplified": start_evaluation("simplified", {"decision": "S-2021-018", "team": team(), "methods": ["座谈会"]}),
        "midterm": start_evaluation(
            "midterm",
            {
                "decision": "S-2020-020",
                "team": team(),
                "methods": ["问卷调查", "意见征询"],
                "third_party": agreement(AGENCY),
            },
        ),
        "final": start_evaluation("final", {"decision": "S-2019-005", "team": team()}),
        "ningxia_refused": start_evaluation("ningxia_90day", {"decision": "S-2022-002", "team": team()}),
        "ningxia": start_evaluation("ningxia_90day", {"decision": "S-2021-007", "team": team()}),
        "bad_agency": start_evaluation(
            "midterm",
            {
                "decision": "S-2024-025",
                "team": team(),
                "third_party": agreement(BAD_AGENCY),
            },
        ),
    }
    survey = survey_submission(SAMPLES / "survey.csv")
    opinions = survey_submission(SAMPLES / "opinions.csv")
    scripts = {
        "ordinary": [
            ("plan_approval", _server_refuses_incomplete_forms_then_send_back),
            ("plan_approval", plan_approval("同意", comment="方案可行")),
            ("survey", survey_submission(bad_survey(tmp / "bad.csv"))),  # refused: row 5, Q3
            ("survey", survey),
            ("expert_marks", expert_marks_submission("minhang", tmp / "minhang.csv", mark=95, completion=98)),
            ("expert_review", expert_review()),
            ("approval", report_approval("通过", "调整", comment="按专家意见调整补贴标准")),  # refused: MH-14
            (
                "approval",
                report_approval(
                    "通过", "调整", comment="按专家意见调整补贴标准", departure_reason="补贴对象覆盖不足，须调整"
                ),
            ),
        ],
        "simplified": [
            ("minutes", lambda run: _cli_submit_minutes(run, tmp)),
            # 赵敏's spent code of another gate, then a made-up one: neither signs the decision body's approval
            (
                "approval",
                lambda run: _cli_approve(
                    run,
                    refused="不是本评估本环节发出的签署码",
                    code=code_for(evaluation_of(run).code, "minutes", "赵敏"),
                ),
            ),
            (
                "approval",
                lambda run: _cli_approve(run, "--conclusion", "继续执行", refused="签署码不正确", code="ABCD-2345"),
            ),
            ("approval", lambda run: _cli_approve(run, refused="C-CONCLUSION")),  # 通过 without a conclusion
            ("approval", lambda run: _cli_approve(run, "--conclusion", "继续执行")),
        ],
        "midterm": [
            ("plan_approval", plan_approval()),
            ("survey", survey),
            ("opinions", opinions),
            ("expert_marks", expert_marks_submission("ordos", tmp / "ordos.csv")),
            ("expert_review", expert_review(f"{CONFLICTED_EXPERT}、周立平")),  # refused: TEAM-CONFLICT
            ("expert_review", SKIP_REVIEW),
            ("third_party_acceptance", acceptance("退回修改", "问卷样本代表性分析不足")),
            ("expert_review", SKIP_REVIEW),
            ("third_party_acceptance", acceptance()),
            ("approval", report_approval("通过", "继续执行", departure_reason=DEPART)),
        ],
        "final": [
            ("plan_approval", plan_approval()),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("changli", tmp / "changli.csv", mark=40, completion=30)),
            ("expert_review", expert_review()),
            ("approval", report_approval("退回修改", None, comment="补充第二轮问卷", rework="补充评估材料")),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("changli", tmp / "changli2.csv", mark=40, completion=30)),
            ("expert_review", expert_review()),
            ("approval", report_approval("通过", "终止执行", departure_reason=DEPART)),
        ],
        "ningxia_refused": [("start_approval", start_approval("不开展", "上级已部署同类评估"))],
        "ningxia": [
            ("start_approval", start_approval()),
            ("survey", survey),
            ("expert_marks", expert_marks_submission("ningxia_commerce", tmp / "nx.csv")),
            ("expert_review", SKIP_REVIEW),
            ("approval", report_approval("退回修改", None, comment="补充成本效益分析", rework="修改评估报告")),
            ("expert_review", SKIP_REVIEW),
            ("approval", report_approval("通过", "继续执行", departure_reason=DEPART)),
        ],
        "bad_agency": [],
    }
    finished = _drive(
        {name: (runs[name], scripts[name]) for name in runs}, {"ordinary": _rerun, "ordinary_rerun": _reopen}
    )
    return finished


def _ended_well(outcomes, name):
    flow_run, evaluation = outcomes[name]
    assert flow_run.state.is_completed(), flow_run.state.message
    return flow_run, evaluation


@pytest.mark.rule(
    "S-PREP", "S-IMPL", "S-CONCL", "G-APPROVE", "C-CONCLUSION", "C-FOLLOWUP", "MH-14", "R-PROCESS", "E-PRIVACY"
)
def test_ordinary_runs_end_to_end_with_rework_refusals_and_an_embedded_cjk_pdf(outcomes):
    from builders import session_scope

    from pinggu.models import audit
    from pinggu.models import evaluations as store

    flow_run, evaluation = _ended_well(outcomes, "ordinary")
    assert flow_run.name == "后评估·S-2022-003·一般程序"
    assert evaluation.status == "completed" and evaluation.conclusion == "调整"
    with session_scope() as session:
        first_run = [
            a
            for a in store.step_attempts(session=session, evaluation_id=evaluation.id)
            if a.flow_run_id == str(flow_run.id)
        ]
        answers = store.approvals(session=session, evaluation_id=evaluation.id)
        refusals = store.rejections(session=session, evaluation_id=evaluation.id)
        assert audit.verify_chain(session=session) is None
    counts = Counter(a.step for a in first_run)
    # each step ran exactly once in the first run (the plan twice: it was sent back)
    assert counts == {
        "team": 1,
        "plan": 2,
        "analysis": 1,
        "scoring": 1,
        "preliminary": 1,
        "draft_report": 1,
        "reviewed_draft": 1,
        "work_completed": 1,
        "report_submitted": 1,
        "final_report": 1,
        "follow_up": 1,
        "archive": 1,
    }
    first = [a for a in answers if a.flow_run_id == str(flow_run.id)]
    assert [(a.gate, a.choice, a.pause_key) for a in first] == [
        ("plan_approval", "退回修改", "plan-approval-1"),
        ("plan_approval", "同意", "plan-approval-2"),
        ("survey", "提交", "survey-2"),
        ("expert_marks", "提交", "expert-marks-1"),
        ("expert_review", "提交", "expert-review-1"),
        ("approval", "通过", "approval-2"),
    ]
    # the signer as the people file lists them (单位 + 职务), not the role the form typed
    assert (first[-1].approver, first[-1].approver_role, first[-1].conclusion) == (
        "刘志强",
        "人民政府主要负责人",
        "调整",
    )
    assert first[-1].details == {
        "rework": None,
        "recommended": "继续执行",
        "departure_reason": "补贴对象覆盖不足，须调整",
    }
    assert [r.gate for r in refusals] == ["survey", "approval"]
    assert "第 5 行" in refusals[0].reason and "Q3 满意度" in refusals[0].reason
    assert "推荐的结论“继续执行”不同" in refusals[1].reason and "MH-14" in refusals[1].reason

    # the PDF: several pages, the decision's Chinese title, no personal data of respondents, embedded CJK font
    pdf = local_file(evaluation.report_path)
    text = pdf_text(pdf)
    assert "关于智慧停车建设的实施方案" in text and "共" in text and "页" in text and "指标评分" in text
    for personal in ("刘伟", "15667952275", "134436195112142669"):
        assert personal not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and "yes" in fonts

    # What an operator reads says each step, gate, stage and status in Chinese, never by its internal id.
    from pinggu.status import evaluation_status, render_text

    assert internal_ids_in(text) == []
    assert internal_ids_in(render_text(evaluation_status(evaluation.code))) == []


def test_a_new_run_for_a_finished_evaluation_redoes_nothing(outcomes):
    flow_run, evaluation = _ended_well(outcomes, "ordinary_rerun")
    from builders import session_scope

    from pinggu.models import evaluations as store

    with session_scope() as session:
        by_rerun = [
            a
            for a in store.step_attempts(session=session, evaluation_id=evaluation.id)
            if a.flow_run_id == str(flow_run.id)
        ]
    assert by_rerun == []


@pytest.mark.rule("MH-12")
def test_a_redo_from_the_conclusion_stage_keeps_the_first_attempt(outcomes):
    from builders import session_scope

    from pinggu.models import audit
    from pinggu.models import evaluations as store

    _, first = outcomes["ordinary"]
    flow_run, redone = _ended_well(outcomes, "ordinary_redo")
    assert redone.code == first.code and redone.status == "completed" and redone.conclusion == "继续执行"
    counts = done_counts(redone.id)
    assert counts["draft_report"] == counts["final_report"] == counts["archive"] == 2 and counts["analysis"] == 1
    with session_scope() as session:
        follow_ups = store.follow_ups(session=session, evaluation_id=redone.id)
        reopened = audit.events_for(session=session, evaluation_id=redone.id, action="evaluation_reopened")
        kept = [(a.gate, a.superseded) for a in store.approvals(session=session, evaluation_id=redone.id)]
        reports = [d for d in store.documents(session=session, evaluation_id=redone.id) if d.kind == "final_report"]
    assert [(f.conclusion, f.status) for f in follow_ups] == [("调整", "withdrawn")]
    assert reopened[0].detail == {"stage": "conclusion", "reason": "专家论证程序严重违法", "rule": "MH-12"}
    assert kept[:3] == [("plan_approval", True), ("plan_approval", False), ("survey", False)]
    assert kept[-4:] == [("expert_review", True), ("approval", True), ("expert_review", False), ("approval", False)]
    assert [d.superseded for d in reports] == [True, False]
    # Kept by content: the redone report is a new object, the first one is still there as recorded.
    assert [d.path for d in reports] == [first.report_path, redone.report_path] and len({d.path for d in reports}) == 2
    assert [file_sha256(local_file(d.path)) for d in reports] == [d.sha256 for d in reports]


@pytest.mark.rule("S-SIMPLE", "G-APPROVE", "C-CONCLUSION")
@pytest.mark.rule("MH-A5")  # who answered is recorded truly: the holder of the code, not a typed name
def test_simplified_has_one_method_no_plan_gate_and_is_driven_from_the_cli(outcomes):
    from builders import session_scope

    from pinggu.models import audit
    from pinggu.models import evaluations as store

    flow_run, evaluation = _ended_well(outcomes, "simplified")
    assert flow_run.name == "后评估·S-2021-018·简易程序"
    assert evaluation.status == "completed" and evaluation.methods == ["座谈会"]
    assert [gate for gate, _, _ in answers_of(evaluation.id)] == ["minutes", "approval"]
    with session_scope() as session:
        answers = store.approvals(session=session, evaluation_id=evaluation.id)
        refusals = [r.reason for r in store.rejections(session=session, evaluation_id=evaluation.id)]
        refused_signatures = audit.events_for(
            session=session, evaluation_id=evaluation.id, action="gate_answer_refused"
        )
    # Recorded as the people file lists them, whatever the command line typed as the role
    assert [(a.approver, a.approver_role) for a in answers] == [
        ("赵敏", "决策承办单位科员"),
        ("刘志强", "人民政府主要负责人"),
    ]
    assert len(refusals) == 3 and "签署码不正确" in refusals[0] and "签署码不正确" in refusals[1]
    assert "C-CONCLUSION" in refusals[2] and len(refused_signatures) == 3  # every attempt is in the audit log
    text = pdf_text(evaluation.report_path)
    assert "简易程序" in text and "2026年3月召开座谈会" in text


@pytest.mark.rule("S-MID", "OR-14", "OR-19", "TEAM-CONFLICT", "TP-AGREEMENT", "C-NOPRESET")
def test_midterm_with_a_third_party_its_acceptance_and_the_one_month_report_deadline(outcomes):
    from builders import session_scope

    from pinggu.models import evaluations as store
    from pinggu.models.agencies import current_entrustment
    from pinggu.rules.periods import add_months

    flow_run, evaluation = _ended_well(outcomes, "midterm")
    assert flow_run.name == "后评估·S-2020-020·中期评估"
    assert [(g, c) for g, c, _ in answers_of(evaluation.id)] == [
        ("plan_approval", "同意"),
        ("survey", "提交"),
        ("opinions", "提交"),
        ("expert_marks", "提交"),
        ("expert_review", "不组织"),
        ("third_party_acceptance", "退回修改"),
        ("expert_review", "不组织"),
        ("third_party_acceptance", "验收通过"),
        ("approval", "通过"),
    ]
    with session_scope() as session:
        refusals = store.rejections(session=session, evaluation_id=evaluation.id)
        deadlines = store.deadlines(session=session, evaluation_id=evaluation.id)
        entrustment = current_entrustment(session=session, evaluation_id=evaluation.id)
    assert [r.gate for r in refusals] == ["expert_review"] and CONFLICTED_EXPERT in refusals[0].reason
    assert "TEAM-CONFLICT" in refusals[0].reason
    assert entrustment is not None and entrustment.fee == "人民币8万元"
    assert done_counts(evaluation.id)["draft_report"] == 2  # redrafted after the acceptance sent it back

    (or19,) = deadlines
    completed_on = evaluation.work_completed_at.astimezone(BEIJING).date()  # the office's day
    assert or19.rule == "OR-19" and or19.from_date == completed_on
    assert or19.due_date == add_months(completed_on, 1).due
    assert or19.met_at is not None
    text = pdf_text(evaluation.report_path)
    assert AGENCY in text and "决策实施以来的效果" in text and "OR-19" in text and "意见征集" in text


@pytest.mark.rule("S-FINAL", "C-FOLLOWUP", "G-APPROVE", "MH-14")
def test_final_goes_back_for_more_evidence_then_terminates_with_a_follow_up(outcomes):
    from builders import session_scope

    from pinggu.models import evaluations as store

    flow_run, evaluation = _ended_well(outcomes, "final")
    assert flow_run.name == "后评估·S-2019-005·终期评估"
    assert evaluation.conclusion == "终止执行"
    counts = done_counts(evaluation.id)
    assert counts["analysis"] == 2 and counts["scoring"] == 2 and counts["plan"] == 1 and counts["team"] == 1
    with session_scope() as session:
        (follow_up,) = store.follow_ups(session=session, evaluation_id=evaluation.id)
        approval = store.current_approval(session=session, evaluation_id=evaluation.id, gate="approval")
    assert follow_up.conclusion == "终止执行" and follow_up.status == "open"
    assert follow_up.due_date >= follow_up.created_at.astimezone(BEIJING).date() + timedelta(days=30)
    assert approval.details["departure_reason"] == DEPART or approval.details.get("recommended") == "终止执行"
    text = pdf_text(evaluation.report_path)
    assert "终期评估须说明的内容" in text and "终止执行" in text


@pytest.mark.rule("NX-10")
def test_a_refused_ningxia_start_ends_the_evaluation_as_not_started(outcomes):
    flow_run, evaluation = _ended_well(outcomes, "ningxia_refused")
    assert evaluation.status == "not_started" and evaluation.report_path is None
    assert done_counts(evaluation.id) == {"team": 1, "plan": 1}
    assert answers_of(evaluation.id) == [("start_approval", "不开展", False)]


@pytest.mark.rule("NX-10", "NX-11", "NX-12", "G-APPROVE")
def test_ningxia_90_and_15_day_deadlines_count_from_the_real_approval_and_completion(outcomes):
    from builders import session_scope

    from pinggu.models import evaluations as store
    from pinggu.rules.periods import add_days

    flow_run, evaluation = _ended_well(outcomes, "ningxia")
    with session_scope() as session:
        start = store.current_approval(session=session, evaluation_id=evaluation.id, gate="start_approval")
        deadlines = {d.rule: d for d in store.deadlines(session=session, evaluation_id=evaluation.id)}
        stages = store.stages(session=session, evaluation_id=evaluation.id)
    approved_on = start.decided_at.astimezone(BEIJING).date()
    completed_on = evaluation.work_completed_at.astimezone(BEIJING).date()
    assert evaluation.start_approved_on == approved_on
    assert deadlines["NX-11"].from_date == approved_on
    assert deadlines["NX-11"].due_date == add_days(approved_on, 90).due
    assert deadlines["NX-12"].from_date == completed_on
    assert deadlines["NX-12"].due_date == add_days(completed_on, 15).due
    assert all(d.met_at is not None for d in deadlines.values())
    assert stages[-1].target_date == deadlines["NX-11"].due_date  # the stages share the 90 days
    # the report was sent back once: redrafted, reviewed and submitted again
    assert done_counts(evaluation.id)["draft_report"] == 2 and done_counts(evaluation.id)["work_completed"] == 2


@pytest.mark.rule("TP-CREDIT", "TP-QUALIFY")
def test_a_bad_credit_agency_is_refused_and_nothing_is_written(outcomes):
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models.tables import Evaluation

    flow_run, evaluation = outcomes["bad_agency"]
    assert flow_run.state.is_failed()
    assert evaluation is None
    with session_scope() as session:
        assert session.exec(select(Evaluation).where(Evaluation.decision_code == "S-2024-025")).first() is None
