"""Pins what rules/profiles/messages.py reads from pydantic: error *types* and their context, never
its English text. A pydantic upgrade that renames a type fails here, not as an English message
shown to an operator editing a profile file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, StringConstraints, ValidationError

from core.errors import InputFileError
from rules.profiles import PROFILES_DIR, read_profile_file
from rules.profiles.messages import _REASONS, allowed_values


class Colour(StrEnum):
    red = "红"
    blue = "蓝"


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: StrictStr = ""
    count: StrictInt = 0
    flag: StrictBool = False
    items: tuple[StrictStr, ...] = ()
    names: list[StrictStr] = []
    mapping: dict[str, int] = {}
    ident: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]+$")] = "a"
    some: Annotated[tuple[StrictStr, ...], Field(min_length=1)] = ("x",)
    blank: Annotated[StrictStr, StringConstraints(min_length=1)] = "x"
    kind: Literal["a", "b"] = "a"
    colour: Colour = Colour.red
    share: Annotated[int, Field(ge=1, le=100)] = 1


class Holder(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sample: Sample
    required: StrictStr


CASES = [
    ({"sample": {}}, "missing"),
    ({"sample": {"text": 1}, "required": "x"}, "string_type"),
    ({"sample": {"count": "1"}, "required": "x"}, "int_type"),
    ({"sample": {"flag": "yes"}, "required": "x"}, "bool_type"),
    ({"sample": {"items": "x"}, "required": "x"}, "tuple_type"),
    ({"sample": {"names": "x"}, "required": "x"}, "list_type"),
    ({"sample": {"mapping": []}, "required": "x"}, "dict_type"),
    ({"sample": [], "required": "x"}, "model_type"),
    ({"sample": {"ident": "A"}, "required": "x"}, "string_pattern_mismatch"),
    ({"sample": {"some": ()}, "required": "x"}, "too_short"),
    ({"sample": {"blank": ""}, "required": "x"}, "string_too_short"),
    ({"sample": {"kind": "c"}, "required": "x"}, "literal_error"),
    ({"sample": {"share": 0}, "required": "x"}, "greater_than_equal"),
    ({"sample": {"share": 101}, "required": "x"}, "less_than_equal"),
    ({"sample": {"other": 1}, "required": "x"}, "extra_forbidden"),
]


@pytest.mark.parametrize(("data", "kind"), CASES, ids=[kind for _, kind in CASES])
def test_pydantic_reports_the_error_types_the_translation_reads(data, kind):
    with pytest.raises(ValidationError) as caught:
        Holder.model_validate(data)
    kinds = {error["type"] for error in caught.value.errors()}
    assert kind in kinds
    handled = set(_REASONS) | {"literal_error", "enum", "greater_than_equal", "less_than_equal", "extra_forbidden"}
    assert kind in handled


def test_a_bound_is_in_the_errors_context():
    with pytest.raises(ValidationError) as caught:
        Holder.model_validate({"sample": {"share": 0}, "required": "x"})
    assert caught.value.errors()[0]["ctx"] == {"ge": 1}


def test_allowed_values_come_from_the_schema():
    assert allowed_values(Sample.model_fields["kind"].annotation) == ("a", "b")
    assert allowed_values(Sample.model_fields["colour"].annotation) == ("红", "蓝")
    assert allowed_values(Sample.model_fields["text"].annotation) == ()


def test_an_unknown_value_lists_the_values_the_schema_allows(tmp_path):
    text = (PROFILES_DIR / "bazhou.yaml").read_text(encoding="utf-8")
    broken = text.replace("id: plan_approval", "id: hearing", 1)
    assert broken != text
    path = tmp_path / "bazhou.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    reasons = [problem.reason for problem in caught.value.problems]
    allowed = "plan_approval、start_approval、survey、expert_review、third_party_acceptance、approval"
    assert any(f"“hearing”不是可用的值（可用的值：{allowed}）" in reason for reason in reasons), reasons
