"""Every registered gate has a form (pinggu.forms.gates.GATE_FORMS) and exactly one way in (services/evaluation/acceptors.py
HANDLERS), and its form carries every field its judge reads (the protocol of pinggu.services.evaluation.answers)."""

from __future__ import annotations

import pytest

from pinggu.forms.gates import GATE_FORMS
from pinggu.rules.gates import GATES, GateId, GateKind
from pinggu.services.evaluation.acceptors import HANDLERS


@pytest.mark.parametrize("gate", list(GateId))
def test_every_gate_has_a_form_and_one_way_in(gate):
    handler = HANDLERS[gate]
    assert (handler.accept is None) != (handler.prepare is None)
    fields = GATE_FORMS[gate].model_fields
    if GATES[gate].kind is GateKind.submission:
        assert handler.prepare is not None and {"file", "submitter", "submitter_role"} <= set(fields)
    if GATES[gate].kind is GateKind.approval:
        assert {"approver", "approver_role", "choice"} <= set(fields)


def _read(protocol: type) -> set[str]:
    """Every field a protocol names, its bases' included."""
    return {name for klass in protocol.__mro__ for name in getattr(klass, "__annotations__", {})}


@pytest.mark.parametrize("gate", list(GateId))
def test_every_form_carries_what_its_judge_reads(gate):
    read = _read(HANDLERS[gate].answer)
    assert read and read <= set(GATE_FORMS[gate].model_fields), read - set(GATE_FORMS[gate].model_fields)


@pytest.mark.parametrize("gate", [g for g, spec in GATES.items() if spec.kind is GateKind.approval])
def test_an_approval_form_offers_exactly_the_gates_choices(gate):
    schema = GATE_FORMS[gate].model_json_schema()["properties"]["choice"]
    assert schema["enum"] == [choice.value for choice in GATES[gate].choices]
    assert schema["title"] and not schema["title"].isascii()


def test_no_handler_or_form_for_a_gate_outside_the_registry():
    assert set(HANDLERS) == set(GATES) == set(GATE_FORMS)
