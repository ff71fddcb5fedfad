"""pydantic's errors on a profile file → Chinese problems naming the line and the key path.

Only pydantic's documented error *types* are read (``err["type"]``, ``err["ctx"]``, ``err["input"]``),
never its English messages; tests/rules/test_profile_messages.py pins the types this table expects.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pinggu.core.choices import OneOf
from pinggu.core.errors import Problem
from pinggu.rules.profiles.schema import Issues, Loc, Profile


def key_path(loc: Loc) -> str:
    """``("deadlines", 1, "period", "unit")`` → ``deadlines[1].period.unit``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_key(loc: Loc) -> str:
    # The key path, plus list positions counted from 1 for people who count entries in the file; a list
    # inside a list is named by its path (report_sections[0] 的第 8 项).
    positions = [
        f"{loc[i - 1] if isinstance(loc[i - 1], str) else key_path(loc[:i])} 的第 {part + 1} 项"
        for i, part in enumerate(loc)
        if isinstance(part, int) and i
    ]
    return f"键“{key_path(loc)}”" + (f"（{'，'.join(positions)}）" if positions else "")


_REASONS = {
    "missing": "缺少此项",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "dict_type": "应为键值对",
    "model_type": "应为键值对",
    "model_attributes_type": "应为键值对",
    "too_short": "不能为空",
}
_PATTERN_HINTS = {
    "Ident": "应为小写英文字母、数字和下划线，以字母开头（如 goal_attainment）",
    "RuleId": "应为规则编号，如 NX-11",
}


def _annotation_at(loc: Loc) -> Any:
    """The annotation of the field at ``loc`` of a Profile, or None when it cannot be told."""
    current: Any = Profile
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            info = current.model_fields[part]
            # pydantic keeps a field's own Annotated metadata (a OneOf) apart from its annotation: put it back.
            one_of = [m for m in info.metadata if isinstance(m, OneOf)]
            current = Annotated[info.annotation, one_of[0]] if one_of else info.annotation
        else:
            return None
    return current


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated and any(isinstance(m, OneOf) for m in annotation.__metadata__):
            return annotation  # the values it allows are in its metadata (allowed_values)
        if origin is Annotated or origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def allowed_values(annotation: Any) -> tuple[Any, ...]:
    """The values a Literal, Enum or OneOf field allows, in order; () for any other field."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) is Annotated:  # one with a OneOf, which _unwrap keeps
        return next(m for m in annotation.__metadata__ if isinstance(m, OneOf)).values
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(member.value for member in annotation)
    return ()


def _reason(err: ErrorDetails, loc: Loc) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _unwrap(_annotation_at(loc[:-1]))
        allowed = "、".join(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else ""
        return "不认识的键" + (f"（允许的键：{allowed}）" if allowed else "")
    if kind in ("literal_error", "enum"):
        # The allowed values come from the schema itself, not from pydantic's English rendering of them.
        expected = "、".join(str(value) for value in allowed_values(_annotation_at(loc)))
        return f"“{err.get('input')}”不是可用的值" + (f"（可用的值：{expected}）" if expected else "")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "不小于",
            "less_than_equal": "不大于",
            "greater_than": "大于",
            "less_than": "小于",
        }
        return f"应{word[kind]} {bound}，实际为“{err.get('input')}”"
    if kind == "string_pattern_mismatch":
        field = loc[-1] if loc else ""
        hint = _PATTERN_HINTS["RuleId"] if field == "rule" else _PATTERN_HINTS["Ident"]
        return f"“{err.get('input')}”{hint}"
    if kind == "too_short" and ctx.get("min_length"):
        return "不能为空，至少写一项"
    reason = _REASONS.get(kind, f"格式不正确（{err['msg']}）")
    if kind.endswith(("_type", "_parsing", "_from_float")) and not isinstance(err.get("input"), dict | list):
        reason += f"，实际为“{err.get('input')}”"
    return reason


def problems_of(exc: ValidationError, root: yaml.Node | None) -> list[tuple[Loc, Problem]]:
    # pydantic's English errors → Chinese problems naming the line and the key path.
    out: list[tuple[Loc, Problem]] = []
    errors = exc.errors()
    locs = [tuple(err["loc"]) for err in errors]
    for err in errors:
        # A list whose only entries are wrong is also "too short": say only what is wrong inside.
        here = tuple(err["loc"])
        if err["type"] == "too_short" and any(len(other) > len(here) and other[: len(here)] == here for other in locs):
            continue
        # pydantic's own markers ("[key]", "function-after[…]") left out; a mapping's key written as a number
        # (pydantic marks an error in the key itself with "[key]") is a key, not a list position.
        parts = err["loc"]
        loc: Loc = tuple(
            str(part) if parts[i + 1 : i + 2] == ("[key]",) else part
            for i, part in enumerate(parts)
            if not (isinstance(part, str) and "[" in part)
        )
        error = (err.get("ctx") or {}).get("error")
        if err["type"] == "value_error" and isinstance(error, Issues):
            found = [(loc + sub, reason) for sub, reason in error.issues]
        elif err["type"] == "value_error":
            found = [(loc, str(error))]
        else:
            found = [(loc, _reason(err, loc))]
        for where, reason in found:
            text = f"{describe_key(where)}：{reason}" if where else reason
            out.append((where, Problem(reason=text, row=line_of(root, where))))
    return out


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """Line of the YAML node at ``loc`` (or of the nearest enclosing node that exists)."""
    node = root
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
