"""docs/cli.md is the command reference generated from the commands (pinggu/cli/reference.py); it must be current.

As sqlite-utils checks its cog-generated docs in CI: a command, option or help text changed without regenerating
the file fails here, with the command that regenerates it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.main import get_command

from pinggu.cli import app
from pinggu.cli.reference import REFERENCE, REGENERATE, render_reference


def _paths(group, prefix=("pinggu",)):
    for name, command in group.commands.items():
        path = (*prefix, str(name))
        yield path
        if hasattr(command, "commands"):
            yield from _paths(command, path)


def test_docs_cli_md_is_current():
    written = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    assert written == render_reference(), (
        f"docs/cli.md 与命令定义不一致（命令、参数、选项或帮助文字已改动）：请运行 {REGENERATE} 重新生成，并与改动一起提交"
    )


def test_the_reference_has_a_section_for_every_command_in_the_order_of_help():
    rendered = render_reference()
    headings = [line.split("`")[1] for line in rendered.splitlines() if line.startswith("#") and "`" in line]
    assert headings == [" ".join(path) for path in _paths(get_command(app))]


def test_the_reference_does_not_depend_on_the_terminal_width(monkeypatch):
    wide = render_reference()
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("TERMINAL_WIDTH", "40")
    assert render_reference() == wide


@pytest.mark.parametrize("args", [["--help"], ["catalog", "import", "--help"], ["deadline", "--help"]])
def test_help_loads_no_prefect(args):
    # Prefect takes seconds to import; commands that need no server must not pay for it (imports stay lazy).
    probe = (
        "import sys\n"
        "from pinggu.cli import app\n"
        "try:\n"
        f"    app({args!r}, prog_name='pinggu')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('prefect' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout
