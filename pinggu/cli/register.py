"""`pinggu rules`: the rule register (rules/register.yaml) with each rule's citation per regulation and
the tests that mark it — the register stands in the repository, not in a document beside it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from pinggu.cli.common import friendly


@friendly
def rules_command(
    rule_id: Annotated[str | None, typer.Argument(help="只显示这一条规则，例如 T-PROMPT")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    untested: Annotated[bool, typer.Option("--untested", help="只列出没有测试标记的规则")] = False,
) -> None:
    """列出规则登记表：每条可执行规则的编号、内容、各地规定的条款出处，以及标记它的测试。"""
    from pinggu.core.errors import NotFound
    from pinggu.core.settings import PROJECT_ROOT
    from pinggu.rules.profiles import load_profiles
    from pinggu.rules.register import citations, load_register, marked_rules

    profiles = load_profiles()
    tests_dir = PROJECT_ROOT / "tests"
    marked = marked_rules(tests_dir) if tests_dir.is_dir() else {}
    register = load_register()
    if rule_id is not None:
        register = tuple(rule for rule in register if rule.id == rule_id.strip().upper())
        if not register:
            raise NotFound(f"规则登记表中没有编号为 {rule_id} 的规则；运行 pinggu rules 查看全部编号")
    if untested:
        register = tuple(rule for rule in register if rule.id not in marked)
    entries: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "title": rule.title,
            "phase": rule.phase,
            "rule": rule.rule,
            "source": rule.source,
            "citations": [
                {
                    "profile": profile,
                    "regulation": profiles[profile].name if profile in profiles else "国家规定",
                    "citation": text,
                }
                for profile, text in citations(rule, profiles)
            ],
            "tests": marked.get(rule.id, []),
        }
        for rule in register
    ]
    if as_json:
        typer.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    covered = sum(1 for entry in entries if entry["tests"])
    typer.echo(
        f"规则登记表：{len(entries)} 条，其中 {covered} 条有测试标记"
        + ("" if tests_dir.is_dir() else "（未找到 tests/ 目录）")
    )
    for entry in entries:
        phase = "" if entry["phase"] == 1 else "（第二期）"
        typer.echo(f"\n{entry['id']}{phase}  {entry['title']}")
        for cited in entry["citations"]:
            typer.echo(f"  {cited['regulation']}：{cited['citation']}")
        typer.echo("  测试：" + ("、".join(entry["tests"]) if entry["tests"] else "无"))
