"""`pinggu agency …`: the register of third-party evaluation agencies (SPEC §10).

Registered in pinggu.cli.main; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from pinggu.cli.common import BY_LOGIN, friendly
from pinggu.rules.third_party import AGENCY_KINDS, CREDIT_GOOD, CREDIT_STATUSES

agency_app = typer.Typer(help="第三方评估机构", no_args_is_help=True)


def _yes(value: bool) -> str:
    return "具备" if value else "不具备"


@agency_app.command("register")
@friendly
def register(
    name: Annotated[str, typer.Argument(help="机构全称")],
    kind: Annotated[str, typer.Option(help=f"机构类别：{'、'.join(AGENCY_KINDS)}")],
    credit: Annotated[str, typer.Option(help=f"信用记录：{'、'.join(CREDIT_STATUSES)}")] = CREDIT_GOOD,
    equipment: Annotated[
        bool, typer.Option("--equipment/--no-equipment", help="是否具备开展评估工作的必要设备、设施")
    ] = True,
    qualified_staff: Annotated[
        bool,
        typer.Option("--qualified-staff/--no-qualified-staff", help="指定的评估人员是否具备相应专业素质"),
    ] = True,
    by: Annotated[str, typer.Option(help=f"登记人：{BY_LOGIN}；不填记为“系统”")] = "",
) -> None:
    """登记第三方评估机构，或按名称更新其类别、信用记录、设备和人员条件。"""
    from pinggu.models import agencies
    from pinggu.models.db import transaction
    from pinggu.services.accounts import actor_by_login

    actor = actor_by_login(by) if by.strip() else "系统"

    agency, created = transaction(
        lambda session: agencies.register_agency(
            session=session,
            name=name,
            kind=kind,
            credit_status=credit,
            has_equipment=equipment,
            qualified_staff=qualified_staff,
            actor=actor,
        )
    )
    typer.echo(
        f"{'已登记' if created else '已更新'}评估机构 {agency.name}（{agency.kind}，信用记录{agency.credit_status}）"
    )


@agency_app.command("list")
@friendly
def list_(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """列出已登记的第三方评估机构及其信用记录、设备和人员条件。"""
    from pinggu.models import agencies
    from pinggu.models.db import read_session

    with read_session() as session:
        rows: list[dict[str, Any]] = [
            {
                "name": agency.name,
                "kind": agency.kind,
                "credit_status": agency.credit_status,
                "has_equipment": agency.has_equipment,
                "qualified_staff": agency.qualified_staff,
                "credit_records": [
                    {"kind": r.kind, "evaluation": r.evaluation_code, "detail": r.detail, "by": r.recorded_by}
                    for r in agencies.credit_records(session=session, name=agency.name)
                ],
            }
            for agency in agencies.list_agencies(session=session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("尚未登记评估机构，请用 pinggu agency register 登记")
        return
    for row in rows:
        typer.echo(
            f"{row['name']}  {row['kind']}  信用记录{row['credit_status']}  "
            f"设备设施{_yes(row['has_equipment'])}  专业人员{_yes(row['qualified_staff'])}"
        )
        for record in row["credit_records"]:
            typer.echo(
                f"    - {record['kind']}（评估 {record['evaluation']}，记录人 {record['by']}）：{record['detail']}"
            )


@agency_app.command("false-report")
@friendly
def false_report(
    name: Annotated[str, typer.Argument(help="受委托评估机构名称")],
    evaluation: Annotated[str, typer.Option(help="评估编号，例如 PG-2026-0001")],
    detail: Annotated[str, typer.Option(help="违背客观事实的具体情况及造成的后果")],
    by: Annotated[str, typer.Option(help=f"记录人：{BY_LOGIN}")],
) -> None:
    """将受委托评估机构违背客观事实提出评估报告的行为记入其不良信用记录（依评估所属决策适用的规定）。"""
    from pinggu.models import agencies
    from pinggu.models.db import transaction
    from pinggu.services.accounts import actor_by_login

    actor = actor_by_login(by)

    entry = transaction(
        lambda session: agencies.record_false_report(
            session=session, agency_name=name, evaluation_code=evaluation, detail=detail, recorded_by=actor
        )
    )
    typer.echo(f"已将评估 {entry.evaluation_code} 的虚假报告记入 {' '.join(name.split())} 的信用记录，其信用记录为不良")


@agency_app.command("subcontract")
@friendly
def subcontract(
    evaluation: Annotated[str, typer.Argument(help="评估编号，例如 PG-2026-0001")],
    to: Annotated[str, typer.Option("--to", help="拟转委托的单位或个人")],
    by: Annotated[str, typer.Option(help=f"登记人：{BY_LOGIN}")],
) -> None:
    """登记受托机构将评估转委托他人；委托协议未同意转委托的，不予登记（TP-NOSUB）。"""
    from sqlmodel import Session

    from pinggu.models import agencies
    from pinggu.models import evaluations as store
    from pinggu.models.db import transaction
    from pinggu.services.accounts import actor_by_login

    actor = actor_by_login(by)

    def write(session: Session) -> agencies.Entrustment:
        target = store.get_evaluation(session=session, code=evaluation)
        assert target.id is not None  # a stored evaluation
        return agencies.request_subcontract(session=session, evaluation_id=target.id, to_name=to, actor=actor)

    # Said once it is recorded: the transaction may run its work again, and may yet fail.
    entrustment = transaction(write)
    typer.echo(f"已登记：评估 {evaluation} 经委托方同意转委托 {entrustment.subcontracted_to}")
