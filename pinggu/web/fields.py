"""A gate's form as the web page shows it, and the posted page back into the form's values.

The fields come from the gate's RunInput (forms/gates.py), so a new gate gets its page without a
template: a file field becomes an upload, an enum a drop-down, long text a text area. The name
fields are left out: who answers is the holder of the sign-off code (models.people).
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from core.errors import InputFileError, PingguError, StateConflict

# Who answers comes from the code; the page does not ask for a name.
SIGNER_FIELDS = frozenset({"approver", "approver_role", "submitter", "submitter_role"})
LONG_TEXT = frozenset({"comment", "summary", "opinion", "handling", "data_values", "departure_reason"})
TEAM_FIELD = "members"
TEAM_HELP = "每行一人：姓名，角色，所在单位（可空），是否参与过决策前论证（是/否，可空）"


@dataclass(frozen=True)
class PageField:
    """One input of a gate's page."""

    name: str
    title: str
    help: str
    widget: str  # text, textarea, select, file, team
    required: bool
    choices: tuple[str, ...] = ()
    default: str = ""


def _parts(annotation: Any) -> list[Any]:
    """The annotation and, through unions, Optional and Annotated, every type inside it."""
    return [annotation, *(part for arg in typing.get_args(annotation) for part in _parts(arg))]


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    return next((c for c in _parts(annotation) if isinstance(c, type) and issubclass(c, enum.Enum)), None)


def _optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(
        annotation
    )


def page_fields(form: type[BaseModel]) -> list[PageField]:
    """The inputs of the gate's page, in the form's order, the sign-off code last."""
    fields: list[PageField] = []
    for name, info in form.model_fields.items():
        if name in SIGNER_FIELDS or name == "code":
            continue
        default = info.default if info.default is not None and not info.is_required() else ""
        choices_of = _enum_of(info.annotation)
        if name == "file":
            widget = "file"
        elif name == TEAM_FIELD:
            widget = "team"
        elif choices_of is not None:
            widget = "select"
        elif name in LONG_TEXT:
            widget = "textarea"
        else:
            widget = "text"
        fields.append(
            PageField(
                name=name,
                title=info.title or name,
                help=TEAM_HELP if widget == "team" else "" if widget == "file" else (info.description or ""),
                widget=widget,
                required=info.is_required(),
                choices=tuple(str(c.value) for c in choices_of) if choices_of else (),
                default=str(getattr(default, "value", default) or ""),
            )
        )
        if choices_of is not None and _optional(info.annotation):
            fields[-1] = PageField(**{**fields[-1].__dict__, "choices": ("", *fields[-1].choices)})
    return fields


def team_members(text: str) -> list[dict[str, Any]]:
    """The team typed one member per line (姓名，角色，单位，是/否), or StateConflict naming the bad line."""
    members = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace(",", "，").split("，")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise StateConflict(f"评估小组第 {number} 行“{line.strip()}”应写作：{TEAM_HELP}")
        argued = parts[3] if len(parts) > 3 else ""
        if argued not in ("", "是", "否"):
            raise StateConflict(f"评估小组第 {number} 行：是否参与过决策前论证应填“是”或“否”，收到：{argued}")
        members.append(
            {
                "name": parts[0],
                "role": parts[1],
                "unit": (parts[2] if len(parts) > 2 else "") or None,
                "did_pre_decision_argumentation": argued == "是",
            }
        )
    return members


def form_values(fields: list[PageField], posted: dict[str, str]) -> dict[str, Any]:
    """The form's values from the posted page (the file field is filled by the caller with the upload)."""
    values: dict[str, Any] = {}
    for field in fields:
        raw = posted.get(field.name, "")
        if field.widget == "team":
            values[field.name] = team_members(raw)
        elif (
            field.widget in ("select", "text")
            and raw.strip() == ""
            and (field.widget == "select" or not field.required)
        ):
            continue  # the form's default (an optional date left blank), or “未填写” for a required choice
        elif field.widget != "file":
            values[field.name] = raw
    return values


def refusal_lines(error: PingguError) -> tuple[str, list[str]]:
    """A refusal as a page shows it: the message, and each problem of a file or form on a line of its own."""
    if isinstance(error, InputFileError):
        return error.message, [str(problem) for problem in error.problems]
    return str(error), []
