"""`pinggu people …`: the people file (who may answer which gates) and resending sign-off codes (issue 14).

Registered in pinggu.cli.main; errors go through pinggu.cli.common.friendly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pinggu.cli.common import friendly

people_app = typer.Typer(help="人员名单：谁可以办理哪些环节（签署码按名单发送）", no_args_is_help=True)


@people_app.command("import")
@friendly
def import_people_file(
    file: Annotated[Path, typer.Argument(help="人员名单 CSV 或 XLSX：姓名、单位、职务、角色、辖区、联系方式")],
) -> None:
    """导入人员名单：全部行无误才导入；名单中不再出现的人员停用（其办理记录保留）。"""
    from pinggu.people import import_people_file

    created, updated, deactivated = import_people_file(file)
    typer.echo(f"已导入人员名单 {file.name}：新增 {created} 人，更新 {updated} 人，停用 {deactivated} 人")


@people_app.command("list")
@friendly
def list_people() -> None:
    """列出人员名单：姓名、单位、职务、可办理的角色、辖区、联系方式（通知地址不显示密钥）。"""
    from pinggu.models.db import read_session
    from pinggu.models.people import people
    from pinggu.rules.people import LOCAL_OUTBOX
    from pinggu.services.notify import channel_name

    with read_session() as session:
        listed = people(session=session)
    if not listed:
        typer.echo("人员名单为空：请用 pinggu people import 名单.csv 导入")
    for person in listed:
        contact = person.contact if person.contact == LOCAL_OUTBOX else channel_name(person.contact)
        typer.echo(
            f"{person.name}  登录名：{person.login or '—'}  {person.unit}{person.title}  角色：{'、'.join(person.roles)}"
            f"  辖区：{'、'.join(person.profiles) or '全部'}  联系方式：{contact}"
            + ("" if person.active else "  （已停用）")
        )


@people_app.command("resend")
@friendly
def resend(
    evaluation: Annotated[str, typer.Argument(help="评估编号，例如 PG-2026-0001")],
    person: Annotated[
        str, typer.Option("--person", help="只为此人作废原签署码并重发（签署码遗失、联系方式已更换时）")
    ] = "",
) -> None:
    """向评估当前等待环节的可办理人员发送签署码：新加入名单或原签署码已过期的人；--person 为某人作废原签署码并重发。"""
    from pinggu.services.signoff import resend_codes

    for line in resend_codes(evaluation, person=person).lines():
        typer.echo(line)


@people_app.command("password")
@friendly
def set_password(
    person: Annotated[str, typer.Argument(help="姓名或登录名")],
    unit: Annotated[str, typer.Option("--unit", help="同名人员时指明单位")] = "",
) -> None:
    """设置本人登录密码：从标准输入读取（终端上输入两次，不显示）；至少 10 位，含大写、小写、数字、符号中的 3 种。"""
    import sys

    from pinggu.core.errors import LoginRefused
    from pinggu.services.accounts import set_password as store_password

    if sys.stdin.isatty():
        password = typer.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise LoginRefused("没有读到密码：请在标准输入中提供新密码")
    login = store_password(person, password, unit=unit)
    typer.echo(f"已为 {person} 设置密码，登录名：{login}（此前的登录会话已失效）")


@people_app.command("admin")
@friendly
def grant_admin(
    person: Annotated[str, typer.Argument(help="姓名或登录名")],
    unit: Annotated[str, typer.Option("--unit", help="同名人员时指明单位")] = "",
    revoke: Annotated[bool, typer.Option("--revoke", help="撤销管理员角色")] = False,
) -> None:
    """授予（或 --revoke 撤销）管理员角色：可查看其辖区内全部事项、维护人员名单、代办。"""
    from pinggu.services.accounts import set_admin

    login = set_admin(person, unit=unit, grant=not revoke)
    typer.echo(f"已{'撤销' if revoke else '授予'} {person}（{login}）管理员角色，下次登录时生效")
