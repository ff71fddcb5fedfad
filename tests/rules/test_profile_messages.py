"""Pins what rules/profiles/messages.py reads from pydantic: error *types* and their context, never
its English text. A pydantic upgrade that renames a type fails here, not as an English message
shown to an operator editing a profile file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, StringConstraints, ValidationError

from pinggu.core.errors import InputFileError
from pinggu.rules.profiles import PROFILES_DIR, read_profile_file
from pinggu.rules.profiles.messages import _REASONS, allowed_values


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


# Edits to profiles/minhang.yaml that keep every line where it was, each breaking one key.
BROKEN_MINHANG = [
    ("methods: [问卷调查, 意见征询, 舆情跟踪, 实地调研, 座谈会]", "methods: []"),
    ("    actor: 决策评估单位负责人 ", "    actr: 决策评估单位负责人 "),
    ("    applies_to: [ordinary]\n    basis: 第十二条（二）", "    applies_to: ordinary\n    basis: 第十二条（二）"),
    ("    required: false ", "    required: 'no' "),
    ("  - rule: MH-A10", "  - rule: mh-a10"),
    ("period: {amount: 10, unit: working_days}", "period: {amount: 0, unit: fortnights}"),
    ("  preparation: 20", "  preparation: -5"),
    ("    weight: 20\n    basis: 第二条第二款“决策质量”", "    weight: 二十\n    basis: 第二条第二款“决策质量”"),
    ("      - id: task_completion", "      - id: Task"),
    ("    weight: 25\n", "    weight: 101\n"),
]


def test_every_problem_of_a_profile_file_reads_in_full_with_its_line(tmp_path):
    text = (PROFILES_DIR / "minhang.yaml").read_text(encoding="utf-8")
    for old, new in BROKEN_MINHANG:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "minhang.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_profile_file(path)
    assert caught.value.message == (
        f"规则配置文件 {path} 有误，未加载；请按 rules/profiles/__init__.py 开头的格式说明修改后重试"
    )
    assert caught.value.context == {"file": str(path), "key": "methods"}
    # Line numbers as in profiles/minhang.yaml; a missing key is reported at the entry that lacks it.
    assert [(problem.row, problem.reason) for problem in caught.value.problems] == [
        (25, "键“methods”：不能为空，至少写一项"),
        (28, "键“gates[0].actor”（gates 的第 1 项）：缺少此项"),
        (31, "键“gates[0].applies_to”（gates 的第 1 项）：应为列表，实际为“ordinary”"),
        (
            30,
            "键“gates[0].actr”（gates 的第 1 项）：不认识的键"
            "（允许的键：id、name、actor、applies_to、basis、required、entrusted_only、second_factor）",
        ),
        (42, "键“gates[2].required”（gates 的第 3 项）：应为 true 或 false，实际为“no”"),
        (52, "键“deadlines[0].rule”（deadlines 的第 1 项）：“mh-a10”应为规则编号，如 NX-11"),
        (54, "键“deadlines[0].period.amount”（deadlines 的第 1 项）：期间长度应为正整数，实际为“0”"),
        (
            54,
            "键“deadlines[0].period.unit”（deadlines 的第 1 项）：期间单位“fortnights”无效，"
            "应为 days、working_days、months 或 years",
        ),
        (62, "键“stage_schedule.preparation”：应不小于 1，实际为“-5”"),
        (79, "键“indicators[0].weight”（indicators 的第 1 项）：应为整数，实际为“二十”"),
        (
            86,
            "键“indicators[1].items[0].id”（indicators 的第 2 项，items 的第 1 项）："
            "“Task”应为小写英文字母、数字和下划线，以字母开头（如 goal_attainment）",
        ),
        (100, "键“indicators[2].weight”（indicators 的第 3 项）：应不大于 100，实际为“101”"),
    ]
