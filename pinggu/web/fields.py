"""A gate's form as the web page shows it, and the posted page back into the form's values.

The fields come from the gate's RunInput (forms/gates.py), so a new gate gets its page without a
template: a file field becomes an upload, an enum a drop-down, long text a text area. The name
fields are left out: who answers is the holder of the sign-off code (pinggu.models.people).
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from pinggu.core.errors import InputFileError, PingguError, StateConflict

# Who answers comes from the code; the page does not ask for a name.
SIGNER_FIELDS = frozenset({"approver", "approver_role", "submitter", "submitter_role"})
LONG_TEXT = frozenset(
    {"comment", "summary", "opinion", "handling", "data_values", "departure_reason", "execution", "effect", "problems"}
    | {"proposals", "leader_matters", "suggestions", "already_supervised", "reasons", "feedback", "measures"}
)
TEAM_FIELD = "members"
TEAM_HELP = "每行一人：姓名，角色，所在单位（可空），是否参与过决策前论证（是/否，可空）"


@dataclass(frozen=True)
class PageField:
    """One input of a step's page."""

    name: str
    title: str
    help: str
    widget: str  # text, textarea, select, file, team, date, number, check, checks, rows, upload
    required: bool
    choices: tuple[str, ...] = ()
    default: str = ""
    columns: tuple[str, ...] = ()  # a rows field's sub-fields, in the order a line gives them


# A text field holding a stored document's location (a decision procedure's survey file) is an upload.
UPLOAD_SUFFIX = "_file"
YES, NO = "是", "否"


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
        # A list's default comes from a factory (PydanticUndefined here): its input starts empty.
        given = info.default if info.default is not None and not info.is_required() else ""
        default = "" if given is PydanticUndefined or isinstance(given, (list, dict)) else given
        choices_of = _enum_of(info.annotation)
        rows_of = _rows_of(info.annotation)
        widget = _widget(name, info.annotation, choices_of, rows_of)
        columns = tuple(rows_of.model_fields) if rows_of is not None else ()
        fields.append(
            PageField(
                name=name,
                title=info.title or name,
                help=_help(widget, info.description or "", rows_of),
                widget=widget,
                required=info.is_required() and widget not in ("check", "checks"),
                choices=tuple(str(c.value) for c in choices_of) if choices_of else (),
                default="" if widget == "check" else str(getattr(default, "value", default) or ""),
                columns=columns,
            )
        )
        if widget == "select" and _optional(info.annotation):
            fields[-1] = PageField(**{**fields[-1].__dict__, "choices": ("", *fields[-1].choices)})
    return fields


def _rows_of(annotation: Any) -> type[BaseModel] | None:
    """The model of a list of sub-records (the experts of a panel), or None."""
    if typing.get_origin(annotation) is not list:
        return None
    (item,) = typing.get_args(annotation)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def _is(annotation: Any, kind: type) -> bool:
    return any(part is kind for part in _parts(annotation))


def _widget(name: str, annotation: Any, choices_of: type[enum.Enum] | None, rows_of: type[BaseModel] | None) -> str:
    """How the page asks for a field of this name and type."""
    if name == "file":
        return "file"
    if name == TEAM_FIELD:
        return "team"
    if rows_of is not None:
        return "rows"
    if choices_of is not None:
        return "checks" if typing.get_origin(annotation) is list else "select"
    if name.endswith(UPLOAD_SUFFIX) and _is(annotation, str):
        return "upload"
    if _is(annotation, bool):
        return "check"
    if _is(annotation, date) and not _is(annotation, datetime):
        return "date"
    if _is(annotation, int):
        return "number"
    return "textarea" if name in LONG_TEXT else "text"


def _help(widget: str, description: str, rows_of: type[BaseModel] | None) -> str:
    if widget == "team":
        return TEAM_HELP
    if widget == "file":
        return ""
    if rows_of is not None:
        return "每行一项：" + "，".join(_column_title(info) for info in rows_of.model_fields.values())
    return description


def _column_title(info: Any) -> str:
    title = str(info.title or "")
    if _is(info.annotation, bool):
        return f"{title}（{YES}/{NO}）"
    if _is(info.annotation, datetime):
        return f"{title}（YYYY-MM-DD HH:MM{'，可空' if not info.is_required() else ''}）"
    return title


def row_records(field: PageField, model: type[BaseModel], text: str) -> list[dict[str, Any]]:
    """A rows field typed one record per line (cells separated by ， or ,), or StateConflict naming the bad line."""
    records = []
    infos = model.model_fields
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.replace(",", "，").split("，")]
        if len(cells) > len(field.columns):
            raise StateConflict(
                f"{field.title}第 {number} 行“{line.strip()}”多于 {len(field.columns)} 项：{field.help}"
            )
        record: dict[str, Any] = {}
        for name, cell in zip(field.columns, cells, strict=False):
            if cell == "":
                continue
            if _is(infos[name].annotation, bool):
                if cell not in (YES, NO):
                    raise StateConflict(
                        f"{field.title}第 {number} 行：“{infos[name].title}”应填“是”或“否”，收到：{cell}"
                    )
                record[name] = cell == YES
            elif _is(infos[name].annotation, datetime):
                record[name] = cell.replace(" ", "T") + ("" if "+" in cell else ":00+08:00")
            else:
                record[name] = cell
        records.append(record)
    return records


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


def form_values(
    fields: list[PageField],
    posted: dict[str, str],
    chosen: dict[str, list[str]] | None = None,
    form: type[BaseModel] | None = None,
) -> dict[str, Any]:
    """The form's values from the posted page: `chosen` holds each checks field's ticked values, `form` the model
    whose rows fields are read (file and upload fields are filled by the caller with the stored upload)."""
    values: dict[str, Any] = {}
    for field in fields:
        raw = posted.get(field.name, "")
        if field.widget == "team":
            values[field.name] = team_members(raw)
        elif field.widget == "check":
            values[field.name] = raw != ""
        elif field.widget == "checks":
            values[field.name] = list((chosen or {}).get(field.name, []))
        elif field.widget == "rows" and form is not None:
            rows_of = _rows_of(form.model_fields[field.name].annotation)
            assert rows_of is not None  # a rows widget is a list of sub-records
            values[field.name] = row_records(field, rows_of, raw)
        elif field.widget in ("date", "number") and raw.strip() == "":
            continue  # the form's default, or “未填写” for a required one
        elif field.widget == "upload":
            continue
        elif (
            field.widget in ("select", "text", "textarea")
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
