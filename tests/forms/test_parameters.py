"""The post-evaluation run form: its parameters' schema, the choices it offers and the ids they name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from pinggu.forms.parameters import EvaluationTypeChoice, ScopeChoice
from pinggu.rules.vocabulary import EVALUATION_TYPE_BY_NAME, EVALUATION_TYPES, SCOPE_BY_NAME, EvaluationType, Scope

# The schema Prefect's run form was built from when the choices were Literals written by hand; the registry
# (pinggu.rules.vocabulary) must give it unchanged, so a served deployment's form and its frozen presets stay valid.
SCHEMA = Path(__file__).with_name("post_evaluation_parameters.json")


def test_the_flow_parameters_schema_is_the_one_the_run_form_was_built_from():
    from prefect.utilities.callables import parameter_schema

    from pinggu.flows.post_evaluation import post_evaluation

    schema = parameter_schema(post_evaluation).model_dump()
    assert json.loads(json.dumps(schema, ensure_ascii=False)) == json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["evaluation_type"]["default"] == "一般程序"
    assert schema["properties"]["evaluation_type"]["enum"] == [spec.name for spec in EVALUATION_TYPES.values()]


def test_the_choices_accept_the_registered_chinese_names_and_refuse_anything_else():
    assert TypeAdapter(EvaluationTypeChoice).validate_python("九十日评估") == "九十日评估"
    assert TypeAdapter(ScopeChoice).validate_python("部分评估") == "部分评估"
    for choice, wrong in ((EvaluationTypeChoice, "ordinary"), (ScopeChoice, "partial")):
        with pytest.raises(ValidationError) as refused:
            TypeAdapter(choice).validate_python(wrong)
        assert refused.value.errors()[0]["type"] == "literal_error"  # as a Literal refuses it


def test_each_chinese_name_names_its_id():
    assert {EVALUATION_TYPE_BY_NAME[t.name_zh] for t in EvaluationType} == set(EvaluationType)
    assert {SCOPE_BY_NAME[s.name_zh] for s in Scope} == set(Scope)
