"""Every place a flow waits for a person is a page of the web app (issue 29): the flows' suspend points are found
in their source, each must ask one of the form registries a web page is built from, every form of those
registries must render as a page, and what a resume form shows in Prefect's UI (titles, descriptions, choices)
is Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

FLOWS = Path(__file__).resolve().parents[2] / "flows"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _registries() -> dict[str, tuple[str, list[type[BaseModel]], type[BaseModel] | None]]:
    """What each suspend point asks (the name in its `wait_for_input=` expression) → the web page that answers it,
    the forms the run may suspend with, and the model the page is built from (None: the form itself)."""
    from pinggu.forms.decision_procedure import FORMS
    from pinggu.forms.gates import GATE_FORMS, SUPERVISION_FORMS, AnnualPlanApprovalForm

    return {
        "GATE_FORMS": ("/evaluations/{code}/gates/{gate}", list(GATE_FORMS.values()), None),
        "AnnualPlanApprovalForm": ("/plans/{run_id}", [AnnualPlanApprovalForm], None),
        "FORMS": ("/procedures/{procedure_id}", list(FORMS.values()), None),
        "SUPERVISION_FORMS": ("/supervision/{round_id}", list(SUPERVISION_FORMS.values()), None),
    }


def _suspend_points() -> list[tuple[str, int, str]]:
    """(file, line, the registry or form named in wait_for_input) of every suspend_flow_run / pause_flow_run."""
    found = []
    for path in sorted(FLOWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("suspend_flow_run", "pause_flow_run"):
                continue
            given = next((k.value for k in node.keywords if k.arg == "wait_for_input"), None)
            assert given is not None, f"{path.name}:{node.lineno} waits without a form: nobody could answer it"
            if isinstance(given, ast.Name):  # `form = GATE_FORMS[gate]…` a line above (flows/gates.py)
                given = _assigned(path, given.id)
            found.append((path.name, node.lineno, _root(given)))
    return found


def _root(expr: ast.expr) -> str:
    """The name a form expression starts from: GATE_FORMS in `GATE_FORMS[gate].with_initial_data(…)`."""
    while not isinstance(expr, ast.Name):
        if isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
        else:
            return "?"
    return expr.id


def _paths(routes) -> list[str]:
    """Every route's path, through included routers (FastAPI keeps those as a router of their own)."""
    paths = []
    for route in routes:
        included = getattr(route, "original_router", None)
        paths += _paths(included.routes) if included is not None else [getattr(route, "path", "")]
    return paths


def _assigned(path: Path, variable: str) -> ast.expr:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == variable for t in node.targets):
            return node.value
    raise AssertionError(f"{path.name}: {variable} is never assigned")


def test_every_suspend_point_of_every_flow_asks_a_form_a_web_page_is_built_from(app):
    registries = _registries()
    points = _suspend_points()
    assert {p[0] for p in points} >= {"gates.py", "annual_plan.py", "decision_procedure.py", "supervision.py"}
    routes = set(_paths(app.routes))
    for file, line, asked in points:
        assert asked in registries, f"flows/{file}:{line} suspends with {asked}, which no web page answers"
        page, forms, _ = registries[asked]
        assert page in routes, f"flows/{file}:{line}: the page {page} is missing"
        assert forms, asked


@pytest.mark.parametrize("registry", ["GATE_FORMS", "AnnualPlanApprovalForm", "FORMS", "SUPERVISION_FORMS"])
def test_every_form_renders_as_a_page_and_shows_prefect_no_english(registry):
    from pinggu.web.fields import page_fields

    _, forms, _ = _registries()[registry]
    known = {"text", "textarea", "select", "file", "team", "date", "number", "check", "checks", "rows", "upload"}
    for form in forms:
        fields = page_fields(form)
        assert {f.widget for f in fields} <= known, form.__name__
        assert all(CJK.search(f.title) for f in fields), [(form.__name__, f.name, f.title) for f in fields]
        schema = form.model_json_schema()
        shown = [schema.get("description", ""), *_titles(schema)]
        english = [text for text in shown if text and not CJK.search(text)]
        assert not english, (form.__name__, english)


def _titles(schema: dict) -> list[str]:
    """Every title and description a resume form shows, through nested definitions."""
    shown = []
    for definition in [schema, *schema.get("$defs", {}).values()]:
        for prop in definition.get("properties", {}).values():
            shown += [prop.get("title", ""), prop.get("description", "")]
        if definition is not schema:
            shown += [definition.get("title", ""), definition.get("description", "")]
    return shown
