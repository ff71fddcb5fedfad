"""What every `pinggu` command shares: product errors shown as Chinese messages, never tracebacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from core.errors import PingguError

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
