"""What every `pinggu` command shares: product errors shown as Chinese messages, never tracebacks; dates typed as
YYYY-MM-DD; the help texts of `--by`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar, overload

import typer

from pinggu.core.errors import PingguError, StateConflict

LOGIN = "办理人的登录名（人员名单中的登录名，见 pinggu people list）"
BY_LOGIN = f"{LOGIN}；记为其 姓名（单位）"
UNIT_REPORTER = f"{LOGIN}；须是{{unit}}或评估办公室的人员，记为其 单位姓名"
P = ParamSpec("P")
R = TypeVar("R")


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Show product errors as Chinese messages with exit code 1, never as a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PingguError as error:
            typer.secho(f"错误：{error}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.secho("已中断", err=True)
            raise typer.Exit(130) from None

    return wrapper


@overload
def parse_date(text: str, what: str) -> date: ...
@overload
def parse_date(text: None, what: str) -> None: ...
@overload
def parse_date(text: str | None, what: str) -> date | None: ...


def parse_date(text: str | None, what: str) -> date | None:
    """A YYYY-MM-DD option as a date (None stays None); `what` names the option in the Chinese refusal."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StateConflict(f"{what}“{text}”格式应为 YYYY-MM-DD") from None
