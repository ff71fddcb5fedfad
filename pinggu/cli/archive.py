"""`pinggu archive …` (export and verify an evaluation's or a decision's archive package, file a decision's
materials) and `pinggu audit verify` (minhang 档案).

Registered in pinggu.cli.main through `register`; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import BY_LOGIN, friendly

archive_app = typer.Typer(
    help="档案包：评估或决策全过程的档案导出、决策材料归档、核验（闵行区档案细则第五条至第八条、第十一条）",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="审计日志：核验哈希链（防篡改）", no_args_is_help=True)


@archive_app.command("export")
@friendly
def export(
    evaluation: Annotated[str | None, typer.Argument(help="评估编号，例如 PG-2026-0001")] = None,
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision",
            help="决策编号（决策事项目录中的编号，例如 JC-2026-0001）：导出该决策全过程的档案包（不给评估编号）",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="zip 文件路径（默认：当前目录下 <评估编号或决策编号>-档案包.zip）"),
    ] = None,
    actor: Annotated[str, typer.Option(help=f"导出人（记入审计日志）：{BY_LOGIN}；不填记为“系统”")] = "",
) -> None:
    """导出档案包：评估的全部文件（含各版本）、审批记录、审计记录及哈希链、清单（SHA-256）；或用 --decision
    导出决策全过程的档案包：过程记录、各环节填报、归档材料、审计记录、清单（昌黎县规定第四十八条、闵行区档案细则第八条）。"""
    from pinggu.core.errors import StateConflict
    from pinggu.services.accounts import actor_by_login

    if (evaluation is None) == (decision is None):
        raise StateConflict("请给出评估编号，或用 --decision 给出决策编号（二者选一）")
    actor = actor_by_login(actor) if actor.strip() else "系统"
    code = evaluation or decision
    target = output or Path.cwd() / f"{code}-档案包.zip"
    if decision is not None:
        from pinggu.services.decision_archive import export_decision

        result = export_decision(decision, target, actor)
    else:
        from pinggu.models.archive import export_package

        result = export_package(code=str(evaluation), target=target, actor=actor)
    typer.echo(f"已导出：{result.path}（{result.files} 个文件，登记文件 {result.documents} 份）")
    typer.echo(f"清单 SHA-256：{result.manifest_sha256}（已记入审计日志）")
    basis = f"（{result.materials_basis}）" if result.materials_basis else ""
    if result.missing_materials:
        typer.secho(f"档案缺少以下材料{basis}：", fg=typer.colors.YELLOW)
        for material in result.missing_materials:
            typer.secho(f"  - {material}", fg=typer.colors.YELLOW)
    else:
        typer.echo(f"应归档材料齐全{basis}")


@archive_app.command("add")
@friendly
def add(
    file: Annotated[Path, typer.Argument(help="要归档的文件：PDF、Word（.docx）、Excel（.xlsx）、CSV 或文本（.txt）")],
    decision: Annotated[str, typer.Option("--decision", help="决策编号，例如 JC-2026-0001")],
    material: Annotated[
        str,
        typer.Option(
            "--material",
            help="材料类别：决策草案、决策依据、征求意见、公众参与、专家论证、风险评估、合法性审查、会议纪要、公布文本、"
            "全过程记录、其他材料（闵行区档案细则第八条）",
        ),
    ],
    by: Annotated[str, typer.Option("--by", help=f"归档人：{BY_LOGIN}")],
    title: Annotated[str, typer.Option(help="材料名称（默认：文件名）")] = "",
) -> None:
    """将一份材料归入决策档案（昌黎县规定第四十八条）：文件按内容核验后存入文档存储，归档记入审计日志；已归档的
    材料不能修改或删除，更正的版本再归档一次。"""
    from pinggu.models.archive import file_decision_material
    from pinggu.rules.archive import MATERIALS, material_named
    from pinggu.services.accounts import actor_by_login

    kind = material_named(material)
    kept = file_decision_material(code=decision, material=kind, source=file, by=actor_by_login(by), title=title)
    typer.echo(f"已归入决策 {decision} 的档案：{title.strip() or file.stem}（{MATERIALS[kind].name}）")
    typer.echo(f"SHA-256：{kept.sha256}（已记入审计日志）")


@archive_app.command("verify")
@friendly
def verify(
    package: Annotated[Path, typer.Argument(help="档案包 zip 文件")],
    against_db: Annotated[
        bool,
        typer.Option(
            "--against-db",
            help="再与产品数据库核对：清单须是审计日志记录过的某次导出（可发现改了文件又改写清单的情形）",
        ),
    ] = False,
) -> None:
    """核验档案包：文件是否被修改、缺失或多出，审计链是否断开；完整时退出码 0，否则 1。"""
    from pinggu.models.archive import seal_problems, verify_package

    result = verify_package(package)
    if against_db:
        result.problems.extend(seal_problems(result))
    if result.manifest_sha256:
        typer.echo(f"清单 SHA-256：{result.manifest_sha256}（可与审计日志中的 archive_exported 记录核对）")
    if result.missing_materials:
        typer.echo(f"导出时已注明缺少的材料：{'、'.join(result.missing_materials)}")
    if result.intact:
        typer.secho(f"完整：{result.files} 个文件、{result.audit_entries} 条审计记录均未被改动", fg=typer.colors.GREEN)
        return
    for problem in result.problems:
        typer.secho(f"  - {problem}", fg=typer.colors.RED)
    typer.secho(f"不完整：发现 {len(result.problems)} 处问题", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@audit_app.command("verify")
@friendly
def audit_verify(
    evaluation: Annotated[str | None, typer.Option("--evaluation", help="只看该评估的记录所在的链段")] = None,
) -> None:
    """核验审计日志的哈希链：记录被修改、删除或调换顺序都会指出；有问题时退出码 1。"""
    from sqlmodel import func, select

    from pinggu.models import audit
    from pinggu.models import evaluations as store
    from pinggu.models.db import read_session
    from pinggu.models.tables import AuditEvent

    with read_session() as session:
        evaluation_id = store.get_evaluation(session=session, code=evaluation).id if evaluation else None
        problems = audit.chain_problems(session=session, evaluation_id=evaluation_id)
        count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    scope = f"（评估 {evaluation} 所在链段）" if evaluation else ""
    if not problems:
        typer.secho(f"审计链完整{scope}：共 {count} 条记录", fg=typer.colors.GREEN)
        return
    for problem in problems:
        typer.secho(f"  - {problem.message}", fg=typer.colors.RED)
    typer.secho(f"审计链不完整{scope}：发现 {len(problems)} 处问题", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@audit_app.command("show")
@friendly
def audit_show(
    person: Annotated[
        str, typer.Option("--person", help="姓名或登录名：列出与此人有关的审计记录（登录、拒绝、查阅文件等）")
    ],
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少条（最新的在后）")] = 200,
) -> None:
    """列出与某人有关的审计记录：登录、登录失败、锁定、退出、设置密码、权限拒绝、查阅文件、办理环节。"""
    from pinggu.models.audit import events_about
    from pinggu.models.db import read_session
    from pinggu.models.tables import beijing_minute
    from pinggu.services.accounts import find_person

    with read_session() as session:
        found = find_person(session, person)
        events = events_about(session=session, name=found.name, login=found.login or "", limit=limit)
    if not events:
        typer.echo(f"没有与 {found.name} 有关的审计记录")
    for event in events:
        detail = "，".join(f"{k}={v}" for k, v in event.detail.items())
        typer.echo(f"{beijing_minute(event.at)}  {event.action}  {event.actor}  {detail}")


def register(app: typer.Typer) -> None:
    """Add `pinggu archive` and `pinggu audit` to the main command."""
    from pinggu.rules.steps import StepId

    app.add_typer(archive_app, name=StepId.archive)  # the package of what the 归档 step seals
    app.add_typer(audit_app, name="audit")
