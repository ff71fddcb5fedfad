"""Every `pinggu …` command line shown in README.md and docs/*.md (their bash code blocks) names a command that
exists and only options that command accepts, as its own parser reads them.

The lines are split as a shell would (shlex); `[--json]` marks an optional part and is read as `--json`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.main import get_command

from pinggu.cli import app

ROOT = Path(__file__).resolve().parents[2]
SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}
SEPARATORS = {"&&", "||", ";", "|", "&", ";;"}
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w-]*)")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def shell_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, logical line) of each shell code block line; backslash continuations joined."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    shell = False
    pending: tuple[int, str] | None = None
    for number, line in enumerate(markdown.splitlines(), start=1):
        opened = FENCE.match(line)
        if fence is None:
            if opened:
                fence, shell = opened.group(1), opened.group(2).lower() in SHELL_FENCES
            continue
        if opened and opened.group(1).startswith(fence) and not opened.group(2):
            fence = None
            continue
        if not shell:
            continue
        text = line.strip().removeprefix("$ ")
        if pending is not None:
            number, text = pending[0], f"{pending[1]} {text}"
            pending = None
        if text.endswith("\\"):
            pending = (number, text[:-1].rstrip())
            continue
        if text and not text.startswith("#"):
            found.append((number, text))
    return found


def pinggu_arguments(line: str) -> list[list[str]]:
    """The arguments of each `pinggu` (or `.venv/bin/pinggu`, `python -m pinggu.cli.main`) call on the line."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    tokens = list(lexer)
    calls: list[list[str]] = []
    simple: list[str] = []
    for token in [*tokens, ";"]:
        if token not in SEPARATORS:
            simple.append(token)
            continue
        while simple and (ASSIGNMENT.match(simple[0]) or simple[0] in {"exec", "time"}):
            simple.pop(0)
        if simple and (simple[0] == "pinggu" or simple[0].endswith("/pinggu")):
            calls.append(_unbracketed(simple[1:]))
        elif (
            simple[:1]
            and simple[0].rsplit("/", 1)[-1].startswith("python")
            and simple[1:3] == ["-m", "pinggu.cli.main"]
        ):
            calls.append(_unbracketed(simple[3:]))
        simple = []
    return calls


def _unbracketed(arguments: list[str]) -> list[str]:
    # `[--type midterm]`, `[--json]`: an optional part written in the usage style; its words are checked.
    words: list[str] = []
    optional = False
    for word in arguments:
        if word.startswith("[-"):
            word, optional = word[1:], True
        if optional and word.endswith("]"):
            word, optional = word[:-1], False
        words.append(word)
    return words


def problem(arguments: list[str]) -> str | None:
    """Why `pinggu <arguments>` would be refused before running (no such command, option …), or None."""
    command = get_command(app)
    context = command.context_class(command, info_name="pinggu")
    rest = list(arguments)
    while hasattr(command, "list_commands"):
        if not rest or rest[0] == "--help":
            return None
        word = rest.pop(0)
        if word.startswith("-"):
            return f"{context.command_path} 没有选项 {word}"
        sub = command.get_command(context, word)
        if sub is None:
            return f"{context.command_path} 没有子命令 {word}"
        command, context = sub, sub.context_class(sub, info_name=word, parent=context)
    try:
        _, extra, _ = command.make_parser(context).parse_args(args=rest)
    except Exception as error:  # the parser's UsageError (no such option, a flag given a value …)
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        return f"{context.command_path}：{message}"
    if extra:
        return f"{context.command_path} 不接受多余的参数 {' '.join(extra)}"
    return None


def documents() -> list[Path]:
    """README.md and the Markdown files of docs/."""
    return [path for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))] if path.exists()]


def test_the_commands_shown_in_the_documents_exist_with_the_options_they_use():
    problems = []
    shown = 0
    for path in documents():
        for number, line in shell_lines(path.read_text(encoding="utf-8")):
            try:
                calls = pinggu_arguments(line)
            except ValueError as error:  # unbalanced quotes: a shell would refuse the line too
                if "pinggu" in line:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {line}\n    无法按 shell 规则拆分：{error}")
                continue
            for arguments in calls:
                shown += 1
                if (why := problem(arguments)) is not None:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {line}\n    {why}")
    assert shown, "README.md 的 bash 代码块中没有找到 pinggu 命令：检查本测试的解析"
    assert not problems, "文档中的命令与命令定义不符（改文档或命令，见 docs/cli.md）：\n" + "\n".join(problems)


MARKDOWN = """\
Text `pinggu nothing` outside a block is not checked.

```bash
.venv/bin/pinggu up     # a comment
# .venv/bin/pinggu nosuch  (a commented line)
PINGGU_HOME=/tmp/x .venv/bin/pinggu evaluate S-1 -m 王明:单位工作人员 [--type midterm] && pinggu down
pinggu approve PG-1 --gate approval --choice 通过 \\
    --conclusion 调整 --code …
pinggu deadline --start 2026-09-28 --working-days 7 [--json]
pinggu catalog archive S-1
pinggu status PG-1 extra
pinggu up --hosts 10.0.0.5
pinggu plan --year 2026 --start=yes
```

```nginx
pinggu nosuch;
```
"""


def test_the_check_reads_shell_blocks_as_a_shell_would():
    lines = shell_lines(MARKDOWN)
    assert [number for number, _ in lines] == [4, 6, 7, 9, 10, 11, 12, 13]
    assert pinggu_arguments(lines[1][1]) == [
        ["evaluate", "S-1", "-m", "王明:单位工作人员", "--type", "midterm"],
        ["down"],
    ]
    assert pinggu_arguments(lines[2][1]) == [
        ["approve", "PG-1", "--gate", "approval", "--choice", "通过", "--conclusion", "调整", "--code", "…"]
    ]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (".venv/bin/pinggu up", None),
        ("pinggu deadline --start 2026-09-28 --working-days 7 [--json]", None),
        ("pinggu catalog", None),
        ("pinggu export 台账 --year 2026", None),
        ("pinggu catalog archive S-1", "pinggu catalog 没有子命令 archive"),
        ("pinggu status PG-1 extra", "pinggu status 不接受多余的参数 extra"),
        ("pinggu up --hosts 10.0.0.5", "pinggu up：No such option: --hosts"),
        ("pinggu plan --year 2026 --start=yes", "pinggu plan：Option '--start' does not take a value."),
        ("pinggu --verbose status", "pinggu 没有选项 --verbose"),
    ],
)
def test_the_check_refuses_what_the_command_would(line, why):
    [arguments] = pinggu_arguments(line)
    found = problem(arguments)
    if why is None:
        assert found is None
    else:
        assert found is not None and found.startswith(why), found
