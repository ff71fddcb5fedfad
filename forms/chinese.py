"""A resume form as Prefect's UI shows it, with nothing English: every form of a flow's suspend point derives from
`ChineseRunInput`, whose JSON schema inlines each choice list as a plain list of Chinese options and titles each
nested record by the field that holds it, instead of showing Python class names and docstrings."""

from __future__ import annotations

import re
from typing import Any

from prefect.input import RunInput

CJK = re.compile(r"[\u4e00-\u9fff]")
RECORD = "明细"  # a nested record's title when no field names it


def chinese_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with enum definitions inlined, nested definitions titled in Chinese and English text dropped."""
    defs: dict[str, Any] = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref") or (node["allOf"][0].get("$ref") if len(node.get("allOf", [])) == 1 else None)
        target = defs.get(str(ref).rsplit("/", 1)[-1], {}) if ref else {}
        if "enum" in target:
            rest = {key: value for key, value in node.items() if key not in ("$ref", "allOf")}
            return {**rest, "type": target.get("type", "string"), "enum": target["enum"]}
        return {key: resolve(value) for key, value in node.items()}

    shown = resolve({key: value for key, value in schema.items() if key != "$defs"})
    holders = _holders(schema)
    kept = {}
    for name, definition in defs.items():
        if "enum" in definition:
            continue
        definition = resolve(definition)
        if not CJK.search(str(definition.get("description", ""))):
            definition.pop("description", None)
        definition["title"] = holders.get(name, RECORD)
        kept[name] = definition
    if kept:
        shown["$defs"] = kept
    return shown


def _holders(schema: dict[str, Any]) -> dict[str, str]:
    """Each definition's name → the title of a field that holds it (directly or as a list's items)."""
    found: dict[str, str] = {}
    for definition in [schema, *schema.get("$defs", {}).values()]:
        for prop in definition.get("properties", {}).values():
            inner = prop.get("items", prop)
            for candidate in [inner, *inner.get("anyOf", []), *inner.get("allOf", [])]:
                ref = candidate.get("$ref") if isinstance(candidate, dict) else None
                if ref and prop.get("title"):
                    found.setdefault(ref.rsplit("/", 1)[-1], str(prop["title"]))
    return found


class ChineseRunInput(RunInput):
    """A RunInput whose resume form shows only Chinese (see chinese_schema)."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The form's JSON schema, as Prefect's UI renders it, with nothing English."""
        return chinese_schema(super().model_json_schema(*args, **kwargs))
