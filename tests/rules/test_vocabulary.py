"""Every vocabulary registered once: each id of pinggu.rules.vocabulary has its Chinese name, and no name is used twice."""

from __future__ import annotations

from pinggu.rules.planning_types import EVENT_KINDS
from pinggu.rules.vocabulary import (
    EVALUATION_TYPE_NAMES,
    EVALUATION_TYPES,
    EVENT_KIND_NAMES,
    SCOPE_NAMES,
    EvaluationType,
    EventKind,
    Scope,
)


def test_every_evaluation_type_has_its_spec_under_its_own_id():
    assert list(EVALUATION_TYPES) == list(EvaluationType)
    assert all(spec.id is type_id and spec.name and spec.description for type_id, spec in EVALUATION_TYPES.items())
    names = [name for spec in EVALUATION_TYPES.values() for name in (spec.name, *spec.aliases)]
    assert len(names) == len(set(names))
    assert EVALUATION_TYPE_NAMES["ningxia_90day"] == EvaluationType.ningxia_90day.name_zh == "九十日评估"


def test_every_scope_and_event_kind_has_one_chinese_name():
    for vocabulary, names in ((Scope, SCOPE_NAMES), (EventKind, EVENT_KIND_NAMES)):
        assert list(names) == list(vocabulary)
        assert len(set(names.values())) == len(names)
    assert tuple(EventKind) == EVENT_KINDS
