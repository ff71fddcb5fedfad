"""`pinggu`: the operator's command line. A thin layer over the library; messages in Chinese."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from core.settings import configure_prefect_environment, get_settings

configure_prefect_environment()  # before anything imports Prefect

from core.document_store import keep
from core.errors import InputFileError, SignoffRefused, StateConflict
from core.file_types import check_file
from core.links import flow_run_url
from pinggu.cli.common import BY_LOGIN, LOGIN, friendly
from rules.gates import GATES, ExpertsConvened, GateId, GateKind, GateSpec
from rules.vocabulary import SatisfactionScale

app = typer.Typer(help="pinggu 重大行政决策跟踪反馈与后评估系统", no_args_is_help=True, add_completion=False)
catalog_app = typer.Typer(help="决策事项目录", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


def _validate_form(form_class, values: dict) -> dict:
    # Imported here: forms pull in Prefect, which the commands that take no form need not load.
    from forms.gates import validated

    return validated(form_class, values)


def _answer(evaluation: str, gate: str, run_input: dict, done: str) -> None:
    """Resume the evaluation's run at `gate`, then say whether the flow accepted the answer (exit 1 if not)."""
    from services.orchestration import answer_gate, outcome_of

    key = answer_gate(_evaluation_run(evaluation).flow_run_id, gate, run_input)
    outcome = outcome_of(evaluation, key)
    if outcome is None:
        typer.echo(f"{done}；评估流程仍在处理，稍后用 pinggu status {evaluation} 查看是否受理")
    elif outcome["accepted"]:
        typer.echo(f"{done}，已受理")
    else:
        raise StateConflict(f"未受理：{outcome['reason']}。评估流程仍在等待，请修改后重新提交")


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
        from models import evaluations as store
        from models.db import transaction
        from models.people import override_code
        from services.accounts import viewer_by_login

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
    from models import evaluations as store
    from models.db import session_scope

    with session_scope() as session:
        evaluation = store.get_evaluation(session=session, code=code)
    if not evaluation.flow_run_id:
        raise StateConflict(f"评估 {code} 没有对应的流程运行")
    return evaluation


# ── setup and services ───────────────────────────────────────────────────────


@app.command()
@friendly
def up(
    host: Annotated[
        str | None,
        typer.Option(help="Prefect 服务监听的地址，默认 127.0.0.1；非本机地址须先设置 PREFECT_SERVER_API_AUTH_STRING"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="把各部署放到工作池，并在本机启动 N 个工作进程（代替单一的部署服务进程）；其他机器上的工作进程见 README“一台机器不够用时”",
        ),
    ] = 0,
    pool: Annotated[str, typer.Option(help="工作池名称（与 --workers 一起使用）")] = "pinggu",
    ha: Annotated[
        bool,
        typer.Option(
            "--ha",
            help="高可用方式：Redis、两个 Prefect API 服务、haproxy 负载均衡和一个后台服务进程（Prefect 须用 PostgreSQL；见 README“一台机器不够用时”）",
        ),
    ] = False,
) -> None:
    """升级产品数据库，再启动本地 Prefect 服务（127.0.0.1，SQLite；--ha 时为高可用的一组服务）、部署服务进程（或 --workers 个工作进程）和网页办理服务，在后台运行。"""
    if host:  # as PINGGU_PREFECT_HOST would: the server listens there and this machine's clients call it there
        import os

        os.environ["PINGGU_PREFECT_HOST"] = host
        for derived in ("PREFECT_API_URL", "PREFECT_UI_URL", "PREFECT_SERVER_API_HOST"):
            os.environ.pop(derived, None)
        get_settings.cache_clear()
        configure_prefect_environment()
    from pinggu.cli.db import upgrade_configured_database
    from pinggu.localserver import KILLED, STOPPED, start_server, start_web, start_worker, start_workers, stop_service

    settings = get_settings()
    # The server first: an exposed host without authentication (or --ha on SQLite) is refused before anything
    # is changed.
    if ha:
        _up_ha(settings)
    else:
        started = start_server(settings)
    # Before the worker starts: its flow runs refuse a database that is not at the program's version.
    typer.echo(upgrade_configured_database())
    if not ha:
        typer.echo("Prefect 服务：" + ("已启动" if started else "已在运行") + f"  {settings.prefect_ui_url}")
    if workers:
        # A deployment is either served or in the pool: the serving process would compete for its runs.
        stopped = stop_service(settings, "serve")
        if stopped and stopped.outcome in (STOPPED, KILLED):
            typer.echo("部署服务进程：已停止（改由工作池运行）")
        started_workers = start_workers(settings, workers, pool)
        typer.echo(f"工作池 {pool}：已部署；工作进程：新启动 {started_workers} 个，共 {workers} 个在线")
    else:
        typer.echo("部署服务进程：" + ("已启动" if start_worker(settings) else "已在运行"))
    _ensure_recovery_automations()
    typer.echo(
        "网页办理（待办、上传材料、审批）："
        + ("已启动" if start_web(settings) else "已在运行")
        + f"  {settings.web_url}"
    )


def _up_ha(settings) -> None:
    """Start the highly available Prefect server (pinggu.localserver.start_ha_server) and say what runs where."""
    from pinggu.localserver import ha_api_ports, redis_url, start_ha_server

    started = start_ha_server(settings)

    def said(key: str) -> str:
        return "已启动" if started[key] else "已在运行"

    ports = "、".join(str(port) for port in ha_api_ports(settings))
    typer.echo(f"Redis：{said('redis')}  {redis_url(settings)}")
    typer.echo(f"Prefect API 服务（端口 {ports}）：{said('prefect-api')}")
    typer.echo(f"Prefect 后台服务进程：{said('prefect-services')}")
    typer.echo(f"负载均衡（haproxy）：{said('haproxy')}  {settings.prefect_ui_url}")


def _ensure_recovery_automations() -> None:
    """Create or update the automations that find runs dead with their process and continue them; say so."""
    from services.recovery import ensure_recovery_automations

    try:
        outcome = ensure_recovery_automations()
    except Exception as error:  # a worker still starts: the daily watch and `pinggu recover` remain
        typer.secho(
            f"未能创建中断运行的检测与续办自动化：{error}（每日期限巡查仍会检查并续办）",
            fg=typer.colors.YELLOW,
            err=True,
        )
        return
    minutes = get_settings().zombie_minutes
    typer.echo(
        f"中断运行的检测与续办（超过 {minutes:g} 分钟无心跳即标记中断并续办）："
        + "、".join(sorted(set(outcome.values())))
    )


@app.command()
@friendly
def worker(
    pool: Annotated[str, typer.Option(help="工作池名称（pinggu up --workers 创建的默认是 pinggu）")] = "pinggu",
) -> None:
    """在本机前台运行一个工作进程，从工作池领取评估运行（多台机器时在每台工作机上运行；须与服务器使用同一产品数据库和文档存储）。"""
    import os
    import sys

    from pinggu.localserver import service_environment, worker_environment

    settings = get_settings()
    _ensure_recovery_automations()  # at each worker's start, as at `pinggu up`: idempotent
    environment = {**service_environment(settings), **worker_environment(settings)}
    # Prefect's worker in this process's place (Ctrl-C stops it), with its warm server (deployments.warm_worker).
    command = [sys.executable, "-m", "deployments.warm_worker", "--pool", pool, "--type", "process"]
    os.execve(sys.executable, command, environment)


@app.command()
@friendly
def down() -> None:
    """停止 pinggu up 启动的本地服务：先停部署服务进程，再停 Prefect 服务；有未能停止的进程时退出码为 1。"""
    from pinggu.localserver import NOT_STOPPED, service_name, stop_all

    results = stop_all()
    if not results:
        typer.echo("没有 pinggu up 启动的本地服务在运行")
    for result in results:
        pid = f"（进程 {result.pid}）" if result.pid else ""
        line = f"{service_name(result.name)}{pid}：{result.outcome}" + (f"。{result.detail}" if result.detail else "")
        if result.outcome == NOT_STOPPED:
            typer.secho(line, fg=typer.colors.RED, err=True)
        else:
            typer.echo(line)
    if any(result.outcome == NOT_STOPPED for result in results):
        typer.secho("有进程未能停止，其 pid 文件已保留；请手动结束后再运行 pinggu down", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


# ── catalog ──────────────────────────────────────────────────────────────────


@catalog_app.command("import")
@friendly
def catalog_import(
    file: Annotated[Path, typer.Argument(help="决策目录文件（CSV 或 XLSX，中文表头）")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="只导入无误的行，列出有误的行")] = False,
) -> None:
    """导入决策事项目录（按编号新增或更新）。有任何错误行时默认不写入。"""
    from pinggu.catalog import import_catalog

    created, updated, parsed = import_catalog(file, skip_bad=skip_bad)
    typer.echo(f"已导入决策目录 {file.name}：新增 {created} 项，更新 {updated} 项")
    if parsed.problems:
        typer.secho(f"跳过 {len(parsed.bad_rows)} 行错误：", fg=typer.colors.YELLOW)
        for problem in parsed.problems:
            typer.echo(f"  - {problem}")


@catalog_app.command("archived")
@friendly
def catalog_archived(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    by: Annotated[str, typer.Option(help=f"报备人：{BY_LOGIN}")] = "",
    on: Annotated[str | None, typer.Option(help="报备日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """登记决策档案已报备（闵行档案细则第十条：决策出台后10个工作日内报备电子档）；网页办理：评估页面的办公室操作。"""
    from models.tables import now_beijing
    from services.accounts import actor_by_login
    from services.decision_archive import record_filing

    by = actor_by_login(by)
    day = _date(on, "报备日期") if on else now_beijing().date()
    for rule, line in record_filing(decision, day, by):
        typer.echo(f"已登记：{decision} {rule} {line}")


# ── periods ──────────────────────────────────────────────────────────────────


@app.command()
@friendly
def deadline(
    start: Annotated[str, typer.Option(help="起算日 YYYY-MM-DD（期间自次日起算）")],
    days: Annotated[int | None, typer.Option(help="按日计算的期间")] = None,
    working_days: Annotated[int | None, typer.Option(help="按工作日计算的期间")] = None,
    months: Annotated[int | None, typer.Option(help="按月计算的期间")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """计算期间届满日（民法典第二百零一至二百零三条，含法定节假日与调休）。"""
    from datetime import date

    from rules.periods import Period, PeriodUnit, add_period

    chosen = [
        (n, unit)
        for n, unit in ((days, PeriodUnit.days), (working_days, PeriodUnit.working_days), (months, PeriodUnit.months))
        if n is not None
    ]
    if len(chosen) != 1:
        raise StateConflict("请且仅请指定 --days、--working-days、--months 中的一项")
    try:
        start_date = date.fromisoformat(start)
        period = Period(chosen[0][0], chosen[0][1])
    except ValueError as error:
        message = str(error) if "期间" in str(error) else f"起算日“{start}”格式应为 YYYY-MM-DD"
        raise StateConflict(message) from None
    try:
        result = add_period(start_date, period)
    except ValueError as error:  # beyond the calendar's last day: the rule says so in Chinese
        raise StateConflict(str(error)) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    from rules.calendar import default_calendar

    weekday = f"星期{'一二三四五六日'[result.due.weekday()]}"
    if result.due.weekday() >= 5 and default_calendar().is_workday(result.due):
        weekday += "，调休上班日"
    line = f"自 {start_date} 起 {period}，届满日为 {result.due}（{weekday}）"
    typer.echo(line if result.calendar_complete else line + "【暂定】")
    for warning in result.warnings:
        typer.secho(f"注意：{warning}", fg=typer.colors.YELLOW)


# ── triggers and the annual plan ─────────────────────────────────────────────


def _date(text: str | None, what: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None


@app.command()
@friendly
def trigger(
    decision: Annotated[str, typer.Argument(help="决策编号")],
    kind: Annotated[
        str, typer.Option(help="触发情形，如 basis_changed、effect_not_met、many_opinions、controversy_risk")
    ],
    date: Annotated[str, typer.Option(help="发生或申请日期 YYYY-MM-DD")],
    note: Annotated[str, typer.Option(help="情况说明")] = "",
    by: Annotated[str, typer.Option(help=f"记录人：{BY_LOGIN}；须是该辖区评估办公室的人员")] = "",
    approved_on: Annotated[str | None, typer.Option(help="上级同意日期（执行单位申请须经同意的情形）")] = None,
) -> None:
    """记录一项触发评估的情形（决策依据变化、效果未达预期、意见较多、争议风险等）；
    较大争议或风险（controversy_risk）须及时评估：记录后立即提出该项决策的专项评估计划，审定后启动。"""
    from models.tables import now_beijing
    from rules.planning_types import PROMPT_EVENT_KINDS
    from services.actors import office_actor
    from services.planning import add_trigger, propose_prompt_plan

    recorder = office_actor(by, decision, f"决策 {decision} 的触发情形")
    typer.echo(add_trigger(decision, kind, _date(date, "日期"), note, recorder, _date(approved_on, "同意日期")))
    if kind in PROMPT_EVENT_KINDS:
        typer.echo(propose_prompt_plan(decision, now_beijing().date()))


# Years a plan can be made for. Outside them a typo (1800, 20266) would print an empty plan as if
# nothing were due.
PLAN_YEARS = (2000, 2100)


@app.command()
@friendly
def plan(
    year: Annotated[int, typer.Option(help="计划年度")],
    as_of: Annotated[str | None, typer.Option(help="计算基准日 YYYY-MM-DD，默认今天")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    profile: Annotated[str | None, typer.Option(help="只计划适用该规则（辖区）的决策，例如 ordos")] = None,
    decision: Annotated[str | None, typer.Option(help="只为这一项决策编制专项计划（如发生重大争议或风险）")] = None,
    start: Annotated[
        bool, typer.Option("--start", help="运行年度计划流程：生成计划文件，经审定后逐项启动评估")
    ] = False,
) -> None:
    """列出年度评估计划：每项决策在该年度依规应开展的评估、原因、评估单位和完成期限。"""
    if not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
        raise StateConflict(f"计划年度 {year} 超出范围：应在 {PLAN_YEARS[0]} 至 {PLAN_YEARS[1]} 年之间")
    from models.tables import now_beijing
    from pinggu.status import render_plan
    from services.planning import build_plan

    if start:
        from services.orchestration import start_annual_plan

        run_id = start_annual_plan(year, profile, decision)
        typer.echo(
            f"已启动{'专项' if decision else '年度'}计划流程运行 {run_id}；计划生成后在界面审定"
            f"（可逐项调整完成期限或不列入计划）：{flow_run_url(run_id)}"
        )
        return
    result = build_plan(year, _date(as_of, "基准日") or now_beijing().date(), profile, decision)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else render_plan(result))


# ── evaluations ──────────────────────────────────────────────────────────────


def _member(text: str) -> dict:
    parts = [part.strip() for part in text.replace("：", ":").split(":")]
    if len(parts) < 2 or not parts[0]:
        raise StateConflict(f"评估小组成员“{text}”格式应为 姓名:角色[:单位]，例如 张三:单位工作人员:区司法局")
    return {"name": parts[0], "role": parts[1], "unit": parts[2] if len(parts) > 2 and parts[2] else None}


@app.command()
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
            help="评估类型：ordinary 一般程序、simplified 简易程序、midterm 中期评估、final 终期评估、ningxia_90day 九十日评估",
        ),
    ] = "ordinary",
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
    from services.orchestration import DEPLOYMENTS, start_evaluation

    if type not in DEPLOYMENTS:
        raise StateConflict(f"评估类型应为 {'、'.join(DEPLOYMENTS)} 之一，收到：{type}")
    parameters: dict = {"decision": decision.strip(), "team": [_member(m) for m in member]}
    if method:
        parameters["methods"] = method
    if part:
        parameters["scope"], parameters["scope_parts"] = "部分评估", part
    if third_party:
        parameters["third_party"] = _agreement(third_party)
    if due:
        parameters["due_date"] = _date(due, "评估完成期限").isoformat()
    if evaluation:
        parameters["evaluation"] = evaluation
    from models.db import read_session
    from models.evaluations import get_decision

    with read_session() as session:  # an unknown code is refused here, before any run exists
        get_decision(session=session, code=parameters["decision"])
    run_id = start_evaluation(type, parameters)
    typer.echo(f"已启动评估流程运行 {run_id}")
    typer.echo(f"在界面查看：{flow_run_url(run_id)}")


def _agreement(path: Path) -> dict:
    from forms.parameters import ThirdPartySpec

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
# `--kind expert` has been the spelling in the README since the first release; it stays accepted.
SUBMISSION_ALIASES = {"expert": GateId.expert_marks.value}


@app.command()
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
    from tasks.acceptors import HANDLERS

    if gate not in APPROVAL_GATES:
        raise StateConflict(f"未知的审批环节 {gate}，可选：{'、'.join(APPROVAL_GATES)}")
    form = HANDLERS[GateId(gate)].form
    values: dict[str, str | None] = {"approver": approver, "approver_role": role, "choice": choice, "comment": comment}
    extra = {"conclusion": conclusion, "departure_reason": departure_reason, "rework": rework}
    values.update({field: value for field, value in extra.items() if field in form.model_fields})
    run_input = _validate_form(form, values)
    run_input["code"] = _signature(evaluation, gate, code, override_reason, approver)
    _answer(evaluation, gate, run_input, f"已提交：{evaluation} {APPROVAL_GATES[gate].name} {choice}")


@app.command()
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
    from tasks.acceptors import HANDLERS

    gate = SUBMISSION_ALIASES.get(kind, kind)
    if gate not in SUBMISSION_GATES:
        raise StateConflict(f"材料类型应为 {'、'.join(SUBMISSION_GATES)} 之一，收到：{kind}")
    if not file.is_file():
        raise InputFileError(f"找不到文件 {file}")
    check_file(file, f"文件“{file.name}”")  # by its content, as the web app's uploads (core.file_types)
    form = HANDLERS[GateId(gate)].form
    # Into the document store's quarantine: the worker that runs the evaluation may be another machine. The
    # run reads nothing but the store (tasks.submissions): a path on this machine would not reach it anyway.
    values = {"file": keep(file.resolve(), "uploads").location, "submitter": submitter, "submitter_role": role}
    extra = {"summary": summary, "data_values": "\n".join(data)}
    if scale is not None:
        extra["scale"] = scale.value
    values.update({field: value for field, value in extra.items() if field in form.model_fields})
    run_input = _validate_form(form, values)
    run_input["code"] = _signature(evaluation, gate, code, override_reason, submitter)
    _answer(evaluation, gate, run_input, f"已提交{SUBMISSION_GATES[gate].name.removesuffix('提交')} {file.name}")


@app.command()
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
    from forms.gates import ExpertReviewForm

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


@app.command()
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
    from services.actors import evaluation_decision, office_actor
    from services.orchestration import reopen_evaluation

    decider = office_actor(by, evaluation_decision(evaluation), f"重新评估 {evaluation}")
    cancelled, run_id = reopen_evaluation(evaluation, stage, reason, decider)
    if cancelled:
        typer.echo(f"已取消仍在等待的流程运行 {cancelled}")
    typer.echo(f"评估 {evaluation} 已从{stage}阶段起重做，新的流程运行 {run_id}")


@app.command()
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
    from models.db import session_scope
    from models.decisions import record_outcome
    from models.tables import now_beijing
    from services.actors import decision_maker

    person = decision_maker(by, decision)
    with session_scope() as session:
        entry = record_outcome(
            session=session,
            decision_code=decision,
            outcome=outcome,
            decided_by=person.name,
            decided_by_role=role.strip() or person.unit,
            decided_on=_date(on, "决定日期") if on else now_beijing().date(),
            note=note,
        )
        grounds = (
            f"依据评估 {entry.evaluation_code}"
            if entry.evaluation_code
            else "尚无已完成的后评估；所适用规定未以后评估为前提"
        )
        typer.echo(f"已记录：决策 {decision} {entry.outcome}（{grounds}）")


@app.command()
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


@app.command()
@friendly
def watch(
    on: Annotated[str | None, typer.Option(help="巡查日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """立即进行一次期限巡查：续办运行中断的评估，查找临期和逾期事项，记录并发送提醒（每日 8:00 也会自动运行）。"""
    from flows.deadline_watch import deadline_watch

    result = deadline_watch(as_of=_date(on, "巡查日期"))
    typer.echo(
        f"{result['as_of']} 临期或逾期 {result['due_or_overdue']} 项（逾期 {result['overdue']} 项），新提醒 {result['new']} 项；"
        f"发送成功 {result['sent']} 条，未送达 {result['failed']} 条（下次巡查重试），提醒渠道 {result['channels']} 个"
    )
    if result["silent"]:
        typer.echo(f"运行长时间无心跳、已标记为中断的评估：{'、'.join(result['silent'])}")
    if result["continued"]:
        typer.echo(f"运行中断后已续办的评估：{'、'.join(result['continued'])}")


@app.command()
@friendly
def recover() -> None:
    """续办运行中断的评估：流程运行因进程被终止、机器宕机而中断（Crashed），或超过 PINGGU_ZOMBIE_MINUTES 分钟无心跳的，在同一部署上启动续办运行，已完成的步骤不重做（通常已自动续办；每日期限巡查也会续办）。"""
    from services.recovery import continue_crashed_runs, crash_silent_runs

    for silent in crash_silent_runs():
        typer.echo(f"评估 {silent.evaluation}：运行 {silent.run} 已 {silent.silent_minutes:g} 分钟无心跳，已标记为中断")
    continued = continue_crashed_runs()
    if not continued:
        typer.echo("没有运行中断的评估")
    for item in continued:
        typer.echo(f"评估 {item.evaluation}：运行 {item.crashed_run} 已中断，已启动续办运行 {item.continuation}")


@app.command()
@friendly
def dashboard(
    year: Annotated[int | None, typer.Option(help="只显示该年度开启的评估")] = None,
    serve: Annotated[int | None, typer.Option("--serve", help="在 127.0.0.1 的该端口提供页面（Ctrl+C 停止）")] = None,
) -> None:
    """生成进度看板页面（HTML）：各评估的阶段时间轴、期限和逾期事项，可投放到大屏。"""
    from pinggu.dashboard import serve_dashboard, write_dashboard

    path = write_dashboard(year)
    typer.echo(f"看板页面：{path}")
    if serve:
        typer.echo(f"正在提供：http://127.0.0.1:{serve}/index.html（Ctrl+C 停止）")
        serve_dashboard(path, serve)


@app.command()
@friendly
def demo() -> None:
    """演示：启动本地服务，导入样例目录，完整办理一项一般程序评估并输出 PDF 报告。"""
    from pinggu.demo import run_demo

    run_demo()


from pinggu.cli.agency import agency_app

app.add_typer(agency_app, name="agency")

from pinggu.cli.report import report_app

app.add_typer(report_app, name="report")

from pinggu.cli.survey import survey_app

app.add_typer(survey_app, name="survey")

from pinggu.cli.db import db_app

app.add_typer(db_app, name="db")

from pinggu.cli.register import rules_command

app.command(name="rules")(rules_command)

from pinggu.cli.followup import followup_app
from pinggu.cli.people import people_app
from pinggu.cli.tracking import supervision_app, tracking_app

app.add_typer(tracking_app, name="tracking")
app.add_typer(supervision_app, name="supervision")
app.add_typer(followup_app, name="followup")

app.add_typer(people_app, name="people")

from pinggu.cli.archive import register as register_archive

register_archive(app)

from pinggu.cli.export import register as register_export

register_export(app)


def main() -> None:  # pragma: no cover - console entry point
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
