"""An evaluation from the command line: `pinggu evaluate` starts one; `approve`, `submit` and `review` answer its
gates (signed with the person's one-time code); `reopen`, `decide` and `status`.

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import BY_LOGIN, LOGIN, friendly, parse_date
from pinggu.core.document_store import keep
from pinggu.core.errors import InputFileError, SignoffRefused, StateConflict
from pinggu.core.file_types import check_file
from pinggu.core.links import flow_run_url
from pinggu.rules.gates import GATES, ExpertsConvened, GateId, GateKind, GateSpec
from pinggu.rules.vocabulary import EVALUATION_TYPES, EvaluationType, SatisfactionScale, Scope


def _validate_form(form_class, values: dict) -> dict:
    # Imported here: forms pull in Prefect, which the commands that take no form need not load.
    from pinggu.forms.gates import validated

    return validated(form_class, values)


def _answer(evaluation: str, gate: str, run_input: dict, done: str) -> None:
    """Resume the evaluation's run at `gate`, then say whether the flow accepted the answer (exit 1 if not)."""
    from pinggu.services.orchestration import answer_gate, outcome_of

    key = answer_gate(_evaluation_run(evaluation).flow_run_id, gate, run_input)
    outcome = outcome_of(evaluation, key)
    if outcome is None:
        typer.echo(f"{done}；评估流程仍在处理，稍后用 pinggu status {evaluation} 查看是否受理")
    elif outcome.accepted:
        typer.echo(f"{done}，已受理")
    else:
        raise StateConflict(f"未受理：{outcome.reason}。评估流程仍在等待，请修改后重新提交")


CodeOption = Annotated[str, typer.Option("--code", help="办理通知中发给您本人的一次性签署码")]
OverrideOption = Annotated[
    str,
    typer.Option(
        "--override-reason",
        help="管理员代办：无人可办理时由管理员代为办理，须写明书面理由（记入审计日志），并用 --approver/--submitter "
        "给出代办管理员的登录名",
    ),
]


def _signature(evaluation: str, gate: str, code: str, override_reason: str, by: str) -> str:
    """The code the answer is signed with: the one typed, or an administrator's one-time override code — the
    administrator named by their 登录名 (`by`), never a typed name."""
    if override_reason.strip():
        from pinggu.models import evaluations as store
        from pinggu.models.db import transaction
        from pinggu.models.people import override_code
        from pinggu.services.accounts import viewer_by_login

        admin = viewer_by_login(by)
        if not admin.admin:
            raise SignoffRefused(f"管理员代办须由管理员办理：{admin.name}（{admin.unit}）不是管理员")
        actor = f"{admin.name}（{admin.unit}）"

        def issue(session):
            found = store.get_evaluation(session=session, code=evaluation)
            return override_code(session=session, evaluation=found, gate=gate, by=actor, reason=override_reason)

        return transaction(issue)
    if not code.strip():
        raise StateConflict(
            "缺少签署码：请用 --code 填写办理通知中发给您本人的签署码"
            "（未收到可请评估办公室运行 pinggu people resend；无人可办理时管理员用 --override-reason 代办）"
        )
    return code


def _evaluation_run(code: str):
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session

    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
    if not evaluation.flow_run_id:
        raise StateConflict(f"评估 {code} 没有对应的流程运行")
    return evaluation


def _member(text: str) -> dict:
    parts = [part.strip() for part in text.replace("：", ":").split(":")]
    if len(parts) < 2 or not parts[0]:
        raise StateConflict(f"评估小组成员“{text}”格式应为 姓名:角色[:单位]，例如 张三:单位工作人员:区司法局")
    return {"name": parts[0], "role": parts[1], "unit": parts[2] if len(parts) > 2 and parts[2] else None}


@friendly
def evaluate(
    decision: Annotated[str, typer.Argument(help="决策编号，例如 S-2024-001")],
    member: Annotated[
        list[str], typer.Option("--member", "-m", help="评估小组成员 姓名:角色[:单位]，可重复；续办时可不填")
    ] = [],
    type: Annotated[
        str,
        typer.Option(
            "--type",
            help="评估类型：" + "、".join(f"{spec.id} {spec.name}" for spec in EVALUATION_TYPES.values()),
        ),
    ] = EvaluationType.ordinary,
    method: Annotated[
        list[str], typer.Option("--method", help="评估方法，可重复，例如 问卷调查、座谈会；简易程序只选一种")
    ] = [],
    part: Annotated[list[str], typer.Option("--part", help="部分评估涉及的内容，可重复；填写即为部分评估")] = [],
    third_party: Annotated[
        Path | None,
        typer.Option(
            "--third-party",
            help="委托第三方评估：协议要点的 JSON 文件（agency、matter、quality、deadline、fee、ownership、confidentiality、liability）",
        ),
    ] = None,
    due: Annotated[str | None, typer.Option(help="评估完成期限 YYYY-MM-DD（年度计划确定的）")] = None,
    evaluation: Annotated[str | None, typer.Option(help="续办已有评估时填写评估编号")] = None,
) -> None:
    """启动一项评估（在 Prefect 服务上创建流程运行）。"""
    from pinggu.services.orchestration import DEPLOYMENTS, start_evaluation

    if type not in DEPLOYMENTS:
        raise StateConflict(f"评估类型应为 {'、'.join(DEPLOYMENTS)} 之一，收到：{type}")
    parameters: dict = {"decision": decision.strip(), "team": [_member(m) for m in member]}
    if method:
        parameters["methods"] = method
    if part:
        parameters["scope"], parameters["scope_parts"] = Scope.partial.name_zh, part
    if third_party:
        parameters["third_party"] = _agreement(third_party)
    if due:
        parameters["due_date"] = parse_date(due, "评估完成期限").isoformat()
    if evaluation:
        parameters["evaluation"] = evaluation
    from pinggu.models.db import read_session
    from pinggu.models.evaluations import get_decision

    with read_session() as session:  # an unknown code is refused here, before any run exists
        get_decision(session=session, code=parameters["decision"])
    run_id = start_evaluation(type, parameters)
    typer.echo(f"已启动评估流程运行 {run_id}")
    typer.echo(f"在界面查看：{flow_run_url(run_id)}")


def _agreement(path: Path) -> dict:
    from pinggu.forms.parameters import ThirdPartySpec

    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"找不到委托协议文件 {path}") from None
    except json.JSONDecodeError as error:
        raise InputFileError(f"委托协议文件 {path.name} 不是有效的 JSON：第 {error.lineno} 行 {error.msg}") from None
    return _validate_form(ThirdPartySpec, values)


def _gates_of(kind: GateKind) -> dict[str, GateSpec]:
    return {gate.value: spec for gate, spec in GATES.items() if spec.kind is kind}


APPROVAL_GATES = _gates_of(GateKind.approval)
SUBMISSION_GATES = _gates_of(GateKind.submission)
# `--kind expert` has been the documented spelling (docs/operate.md) since the first release; it stays accepted.
SUBMISSION_ALIASES = {"expert": GateId.expert_marks.value}


@friendly
def approve(
    evaluation: Annotated[str, typer.Argument(help="评估编号，例如 PG-2026-0001")],
    gate: Annotated[
        str,
        typer.Option(
            help="审批环节："
            + "；".join(f"{gate}（{spec.name}：{' / '.join(spec.choices)}）" for gate, spec in APPROVAL_GATES.items())
        ),
    ],
    approver: Annotated[str, typer.Option(help="审批人姓名")] = "",
    role: Annotated[str, typer.Option(help="审批人职务")] = "",
    choice: Annotated[str, typer.Option(help="审批意见，见各环节的选项")] = "",
    conclusion: Annotated[str | None, typer.Option(help="评估结论：继续执行/调整/中止执行/终止执行")] = None,
    departure_reason: Annotated[str, typer.Option(help="评估结论与按得分推荐的结论不同时的理由")] = "",
    rework: Annotated[str, typer.Option(help="决策机关退回时：修改评估报告 / 补充评估材料")] = "修改评估报告",
    comment: Annotated[str, typer.Option(help="说明（退回、不开展、认定虚假报告时必填）")] = "",
    code: CodeOption = "",
    override_reason: OverrideOption = "",
) -> None:
    """在审批环节给出意见（与 Prefect 界面的恢复表单、网页办理等效）；须有本人的签署码。"""
    from pinggu.forms.gates import GATE_FORMS

    if gate not in APPROVAL_GATES:
        raise StateConflict(f"未知的审批环节 {gate}，可选：{'、'.join(APPROVAL_GATES)}")
    form = GATE_FORMS[GateId(gate)]
    values: dict[str, str | None] = {"approver": approver, "approver_role": role, "choice": choice, "comment": comment}
    extra = {"conclusion": conclusion, "departure_reason": departure_reason, "rework": rework}
    values.update({field: value for field, value in extra.items() if field in form.model_fields})
    run_input = _validate_form(form, values)
    run_input["code"] = _signature(evaluation, gate, code, override_reason, approver)
    _answer(evaluation, gate, run_input, f"已提交：{evaluation} {APPROVAL_GATES[gate].name} {choice}")


@friendly
def submit(
    evaluation: Annotated[str, typer.Argument(help="评估编号")],
    file: Annotated[Path, typer.Argument(help="材料文件")],
    kind: Annotated[
        str,
        typer.Option(
            help="材料类型：" + "；".join(f"{gate} {spec.material}" for gate, spec in SUBMISSION_GATES.items())
        ),
    ] = GateId.survey.value,
    submitter: Annotated[str, typer.Option(help="提交人姓名")] = "",
    role: Annotated[str, typer.Option(help="提交人单位及职务")] = "",
    summary: Annotated[str, typer.Option(help="会议纪要、调研记录的主要情况摘要（写入报告）")] = "",
    data: Annotated[
        list[str], typer.Option("--data", help="统计数据“名称：数值”，可重复，例如 目标任务完成率（%）：92")
    ] = [],
    scale: Annotated[
        SatisfactionScale | None,
        typer.Option(
            "--scale",
            help="问卷满意度题答案为数字 1–5、表头又未注明方向时：1=很满意（问卷星按选项序号下载）或 5=很满意（按分值）",
        ),
    ] = None,
    code: CodeOption = "",
    override_reason: OverrideOption = "",
) -> None:
    """提交评估所需的材料；材料在评估流程中校验，不合格时流程会说明原因并再次等待提交。须有本人的签署码。"""
    from pinggu.forms.gates import GATE_FORMS

    gate = SUBMISSION_ALIASES.get(kind, kind)
    if gate not in SUBMISSION_GATES:
        raise StateConflict(f"材料类型应为 {'、'.join(SUBMISSION_GATES)} 之一，收到：{kind}")
    if not file.is_file():
        raise InputFileError(f"找不到文件 {file}")
    check_file(file, f"文件“{file.name}”")  # by its content, as the web app's uploads (pinggu.core.file_types)
    form = GATE_FORMS[GateId(gate)]
    # Into the document store's quarantine: the worker that runs the evaluation may be another machine. The
    # run reads nothing but the store (pinggu.services.evaluation.submissions): a path on this machine would not reach it anyway.
    values = {"file": keep(file.resolve(), "uploads").location, "submitter": submitter, "submitter_role": role}
    extra = {"summary": summary, "data_values": "\n".join(data)}
    if scale is not None:
        extra["scale"] = scale.value
    values.update({field: value for field, value in extra.items() if field in form.model_fields})
    run_input = _validate_form(form, values)
    run_input["code"] = _signature(evaluation, gate, code, override_reason, submitter)
    _answer(evaluation, gate, run_input, f"已提交{SUBMISSION_GATES[gate].name.removesuffix('提交')} {file.name}")


@friendly
def review(
    evaluation: Annotated[str, typer.Argument(help="评估编号")],
    experts: Annotated[str, typer.Option(help="论证专家，顿号或逗号分隔")] = "",
    opinion: Annotated[str, typer.Option(help="论证意见")] = "",
    handling: Annotated[str, typer.Option(help="意见采纳及处理情况；--skip 时写不组织的理由")] = "",
    skip: Annotated[bool, typer.Option("--skip", help="不组织专家论证（规定可以不组织时）")] = False,
    submitter: Annotated[str, typer.Option(help="录入人姓名")] = "",
    role: Annotated[str, typer.Option(help="录入人职务")] = "",
    code: CodeOption = "",
    override_reason: OverrideOption = "",
) -> None:
    """录入专家对评估报告送审稿的论证意见；须有本人的签署码。"""
    from pinggu.forms.gates import ExpertReviewForm

    values = {
        "organised": ExpertsConvened.skipped if skip else ExpertsConvened.held,
        "experts": experts,
        "opinion": opinion,
        "handling": handling,
        "submitter": submitter,
        "submitter_role": role,
    }
    run_input = _validate_form(ExpertReviewForm, values)
    run_input["code"] = _signature(evaluation, GateId.expert_review, code, override_reason, submitter)
    _answer(evaluation, GateId.expert_review, run_input, "已提交专家论证意见")


@friendly
def reopen(
    evaluation: Annotated[str, typer.Argument(help="评估编号")],
    stage: Annotated[
        str, typer.Option(help="从哪个阶段重做：preparation 准备、implementation 实施、conclusion 结论形成")
    ],
    reason: Annotated[str, typer.Option(help="重做原因，例如 严重违反评估程序的情形")] = "",
    by: Annotated[str, typer.Option(help=f"作出重做决定的人员：{BY_LOGIN}；须是该辖区评估办公室的人员")] = "",
) -> None:
    """重新评估（闵行区细则第十二条）：从指定阶段起重做，第一次评估的记录全部保留。"""
    from pinggu.services.actors import evaluation_decision, office_actor
    from pinggu.services.orchestration import reopen_evaluation

    decider = office_actor(by, evaluation_decision(evaluation), f"重新评估 {evaluation}")
    cancelled, run_id = reopen_evaluation(evaluation, stage, reason, decider)
    if cancelled:
        typer.echo(f"已取消仍在等待的流程运行 {cancelled}")
    typer.echo(f"评估 {evaluation} 已从{stage}阶段起重做，新的流程运行 {run_id}")


@friendly
def decide(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    outcome: Annotated[str, typer.Option(help="决定：继续执行 / 调整 / 中止执行 / 终止执行")],
    by: Annotated[str, typer.Option(help=f"作出决定的人员：{LOGIN}；须是决策机关的人员，记为其姓名")] = "",
    role: Annotated[str, typer.Option(help="职务或会议，例如 区政府常务会议；不填记为其单位")] = "",
    on: Annotated[str | None, typer.Option(help="决定日期 YYYY-MM-DD，默认今天")] = None,
    note: Annotated[str, typer.Option(help="说明")] = "",
) -> None:
    """记录决策机关对决策继续执行、调整、中止或终止执行的决定；所适用规定要求时（如闵行区细则第二条），须已完成后评估。"""
    from pinggu.models.db import transaction
    from pinggu.models.decisions import record_outcome
    from pinggu.models.tables import now_beijing
    from pinggu.services.actors import decision_maker

    person = decision_maker(by, decision)
    decided_on = parse_date(on, "决定日期") if on else now_beijing().date()
    entry = transaction(
        lambda session: record_outcome(
            session=session,
            decision_code=decision,
            outcome=outcome,
            decided_by=person.name,
            decided_by_role=role.strip() or person.unit,
            decided_on=decided_on,
            note=note,
        )
    )
    # Said once it is recorded: the transaction may run its work again, and may yet fail.
    grounds = (
        f"依据评估 {entry.evaluation_code}"
        if entry.evaluation_code
        else "尚无已完成的后评估；所适用规定未以后评估为前提"
    )
    typer.echo(f"已记录：决策 {decision} {entry.outcome}（{grounds}）")


@friendly
def status(
    evaluation: Annotated[str | None, typer.Argument(help="评估编号或决策编号；不填则列出全部评估")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """查看评估进度（各阶段目标与实际日期、逾期标记、等待的环节）；给决策编号则看该决策的评估和跟踪反馈、督查记录。"""
    from pinggu.status import evaluations_overview, render_decision_text, render_text, status_of

    data = status_of(evaluation) if evaluation else evaluations_overview()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(render_decision_text(data) if "tracking" in data else render_text(data))


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main command, in the order --help lists them."""
    for command in (evaluate, approve, submit, review, reopen, decide, status):
        app.command()(command)
