"""docs/cli.md, the command reference, generated from the commands themselves.

`.venv/bin/python -m pinggu.cli.reference` rewrites docs/cli.md; `--check` only says whether it is current
(tests/cli/test_cli_reference.py fails when it is not). Everything is read through Typer's own command objects
(`typer.main.get_command`: the commands in the order `--help` lists them, each parameter's help record), never
from rendered `--help` text, so the file does not depend on the terminal's width.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.main import get_command

from pinggu.core.settings import PROJECT_ROOT
from pinggu.cli.main import app

REFERENCE = PROJECT_ROOT / "docs" / "cli.md"
REGENERATE = ".venv/bin/python -m pinggu.cli.reference"

# Markdown would read these as emphasis, code or an HTML tag; help texts are shown as written, not as markup.
_MARKUP = re.compile(r"[\\`*]|<(?=[A-Za-z/!?])|(?<!\w)_|_(?!\w)")


def _text(help_text: str) -> str:
    return _MARKUP.sub(lambda found: "&lt;" if found.group() == "<" else "\\" + found.group(), help_text)


def _anchor(path: str) -> str:
    # GitHub's heading ids: lower case, spaces to hyphens; command names hold no other punctuation.
    return path.lower().replace(" ", "-")


def _children(command: Any, context: Any) -> list[tuple[Any, Any]]:
    """The visible sub-commands of a group with their contexts, in the order `--help` lists them."""
    children = []
    for name in command.list_commands(context) if hasattr(command, "list_commands") else []:
        sub = command.get_command(context, name)
        if sub is not None and not sub.hidden:
            # str(): a group may be registered under a StrEnum (pinggu archive under StepId.archive).
            children.append((sub, sub.context_class(sub, info_name=str(name), parent=context)))
    return children


def _commands(command: Any, context: Any) -> Iterator[tuple[Any, Any]]:
    """The command's sub-commands, depth first, each followed by its own."""
    for sub, sub_context in _children(command, context):
        yield sub, sub_context
        yield from _commands(sub, sub_context)


def _usage(command: Any, context: Any) -> str:
    return " ".join([context.command_path, *command.collect_usage_pieces(context)])


def _section(command: Any, context: Any) -> list[str]:
    path = context.command_path
    # `pinggu up` a level-2 heading, `pinggu catalog import` level 3 …
    lines = [f"{'#' * min(1 + path.count(' '), 6)} `{path}`", ""]
    lines += [f"用法：`{_usage(command, context)}`", ""]
    if command.help:
        lines += [_text(command.help), ""]
    help_option = command.get_help_option(context)
    records: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(context):
        record = None if param is help_option else param.get_help_record(context)
        if record is not None:
            records[param.param_type_name].append(record)
    for kind, title in (("argument", "参数"), ("option", "选项")):
        if records[kind]:
            lines += [f"{title}：", ""]
            lines += [f"- `{name}`" + (f"：{_text(text)}" if text else "") for name, text in records[kind]]
            lines.append("")
    subs = [f"[`{sub.info_name}`](#{_anchor(sub.command_path)})" for _, sub in _children(command, context)]
    if subs:
        lines += ["子命令：" + "、".join(subs), ""]
    return lines


def render_reference(typer_app: typer.Typer = app) -> str:
    """The command reference of `typer_app` as Markdown: every command and sub-command, as `--help` orders them."""
    root = get_command(typer_app)
    context = root.context_class(root, info_name="pinggu")
    lines = [
        "# pinggu 命令参考",
        "",
        f"<!-- 本文件由 {REGENERATE} 根据命令定义生成，请勿手工修改；"
        "tests/cli/test_cli_reference.py 检查它与命令一致。 -->",
        "",
        _text(root.help or ""),
        "",
        f"用法：`{_usage(root, context)}`",
        "",
        "每个命令和子命令都接受 `--help`，在终端显示同样的说明。",
        "",
        "## 命令一览",
        "",
    ]
    everything = list(_commands(root, context))
    for _, sub in everything:
        indent = "  " * (sub.command_path.count(" ") - 1)
        lines.append(f"{indent}- [`{sub.command_path}`](#{_anchor(sub.command_path)})")
    lines.append("")
    for command, sub in everything:
        lines += _section(command, sub)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/cli.md, or with --check say whether it is current (exit 1 if not)."""
    args = sys.argv[1:] if argv is None else argv
    wanted = render_reference()
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else None
    if args == ["--check"]:
        if current == wanted:
            return 0
        print(f"{REFERENCE.relative_to(PROJECT_ROOT)} 已过时：请运行 {REGENERATE} 重新生成", file=sys.stderr)
        return 1
    if args:
        print(f"用法：{REGENERATE} [--check]", file=sys.stderr)
        return 2
    if current != wanted:
        Path(REFERENCE).write_text(wanted, encoding="utf-8")
    print(f"已生成 {REFERENCE.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
