"""The house rules a reviewer would otherwise check by eye (ARCHITECTURE.md, docs/contributing.md "How it is built").

Every vocabulary is registered once. Gate and step ids are written once, in their registries (rules/gates.py,
rules/steps.py), and everywhere else named through GateId / StepId; the ids of evaluation types, scopes and
event kinds once, in rules/vocabulary.py, and everywhere else named through EvaluationType / Scope / EventKind. The same spellings also name other things (the
report block ``survey``, the scoring kind ``expert_marks``, the flow parameter ``team``), so the
check looks where an id is used *as* a gate or step id: a ``gate=``/``step=``/``kind=`` argument,
a comparison with ``.gate``/``.step``/``.kind``/``.waiting_gate``, and any id no other vocabulary shares.
The import direction between layers is checked by import-linter (scripts/lint.sh).
"""

from __future__ import annotations

import ast
from pathlib import Path

from pinggu.rules.gates import GateId
from pinggu.rules.profiles import MILESTONES, REPORT_BLOCKS, SCORINGS
from pinggu.rules.steps import StepId
from pinggu.rules.vocabulary import EvaluationType, EventKind, Scope

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "core",
    "services",
    "forms",
    "pinggu",
    "deployments",
    "flows",
    "tasks",
    "reporting",
    "analysis",
    "models",
    "rules",
    "bench",
)
REGISTRIES = {Path("rules/gates.py"), Path("rules/steps.py")}
IDS = {gate.value for gate in GateId} | {step.value for step in StepId}
ID_ROLES = {"gate", "step", "kind", "waiting_gate"}
# Ids no other vocabulary spells the same way: any literal of one is a gate or step id. ("team"
# and "plan" are also flow parameters and report fields, "scoring" an indicator's field in profiles,
# "report_submitted" the deadline milestone the step of that name meets.)
ONLY_IDS = IDS - set(REPORT_BLOCKS) - set(SCORINGS) - set(MILESTONES) - {"team", "plan", "scoring"}
# The deadline watch's item kinds (pinggu.rules.watch.Watched.kind) are their own vocabulary.
WATCH_KINDS = {"follow_up"}
# Ids of the vocabularies rules/vocabulary.py registers; no other vocabulary spells one the same way, so any
# literal of one outside its registry is that id written again.
VOCABULARY = Path("rules/vocabulary.py")
VOCABULARY_IDS = {member.value for vocabulary in (EvaluationType, Scope, EventKind) for member in vocabulary}
# …except where it is the name of something else: the profile's tracking section has a key `many_opinions`
# (how many opinions make the event of that name), which its validator names in a key path.
SHARED_SPELLINGS = {(Path("rules/profiles/schema.py"), "many_opinions")}


def _role(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def id_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, id) for each gate or step id written as a string literal where it names a gate or step."""
    found: list[tuple[int, str]] = []

    def literal(node: ast.AST | None) -> str | None:
        return node.value if isinstance(node, ast.Constant) and node.value in IDS else None

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in ONLY_IDS:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.keyword) and node.arg in ID_ROLES and literal(node.value):
            if node.arg == "kind" and node.value.value in WATCH_KINDS:
                continue
            found.append((node.value.lineno, node.value.value))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_role(side) in ID_ROLES for side in sides):
                for side in sides:
                    items = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                    found += [(item.lineno, item.value) for item in items if literal(item)]
    return sorted(set(found))


def test_gate_and_step_ids_are_written_only_in_their_registries():
    written = {
        str(path.relative_to(ROOT)): hits
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT) not in REGISTRIES and (hits := id_literals(ast.parse(path.read_text())))
    }
    assert written == {}


def vocabulary_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, id) for each evaluation type, scope or event kind id written as a string literal."""
    return sorted(
        {
            (node.lineno, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in VOCABULARY_IDS
        }
    )


def test_evaluation_type_scope_and_event_kind_ids_are_written_only_in_their_registry():
    written = {
        str(relative): hits
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if (relative := path.relative_to(ROOT)) != VOCABULARY
        and (
            hits := [
                (line, value)
                for line, value in vocabulary_literals(ast.parse(path.read_text()))
                if (relative, value) not in SHARED_SPELLINGS
            ]
        )
    }
    assert written == {}


def test_the_check_finds_a_vocabulary_id_written_as_a_literal():
    source = 'start_evaluation("ningxia_90day", {})\nif scope == "partial": pass\nEvaluationType.final\n'
    assert vocabulary_literals(ast.parse(source)) == [(1, "ningxia_90day"), (2, "partial")]


def test_the_check_finds_an_id_written_as_a_literal():
    source = 'ask(1, "plan_approval")\nlatest_step(step="analysis")\nif a.gate == "survey": pass\nx = {"survey": 1}\n'
    assert id_literals(ast.parse(source)) == [(1, "plan_approval"), (2, "analysis"), (3, "survey")]


# A write through one plain session is not retried when the database is busy: product code writes through
# pinggu.models.db.transaction (and reads through read_session); only models/db.py opens the session transaction uses.
SESSION_SCOPES = {"session_scope", "_session_scope"}
SESSION_SCOPE_HOME = Path("models/db.py")


def session_scope_uses(tree: ast.AST) -> list[int]:
    """The lines that name a plain write session (imported, called or passed on) rather than pinggu.models.db.transaction."""
    found = set()
    for node in ast.walk(tree):
        if (
            (isinstance(node, ast.Name) and node.id in SESSION_SCOPES)
            or (isinstance(node, ast.Attribute) and node.attr in SESSION_SCOPES)
            or (isinstance(node, ast.ImportFrom) and any(alias.name in SESSION_SCOPES for alias in node.names))
        ):
            found.add(node.lineno)
    return sorted(found)


def test_product_code_writes_only_through_the_retried_transaction():
    used = {
        str(path.relative_to(ROOT)): lines
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT) != SESSION_SCOPE_HOME and (lines := session_scope_uses(ast.parse(path.read_text())))
    }
    assert used == {}, "写数据库请用 pinggu.models.db.transaction（可重试），读请用 pinggu.models.db.read_session"


def test_the_check_finds_a_plain_write_session():
    source = "from pinggu.models.db import session_scope\nwith pinggu.models.db._session_scope() as s: pass\nf(session_scope)\n"
    assert session_scope_uses(ast.parse(source)) == [1, 2, 3]


# The folders of the top level that the `pinggu` package carries as its subpackages (its links pinggu/<name>).
SUBPACKAGES = {
    link.name for link in (ROOT / "pinggu").iterdir() if link.is_symlink() and (link / "__init__.py").is_file()
}


def top_level_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) for each import of a product folder by its bare name (``import core``) instead of ``pinggu.core``."""
    found = []
    for node in ast.walk(tree):
        names = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level == 0
            else []
        )
        found += [(node.lineno, name) for name in names if name.split(".")[0] in SUBPACKAGES]
    return found


def test_every_import_names_the_one_package():
    """An installed pinggu has no top-level `core`, `tasks` …: a bare import works in the checkout alone."""
    assert {"core", "models", "tasks", "flows", "deployments", "rules", "services"} <= SUBPACKAGES
    bare = {
        str(path.relative_to(ROOT)): hits
        for folder in (*PACKAGES, "tests", "migrations")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "node_modules" not in path.parts and (hits := top_level_imports(ast.parse(path.read_text())))
    }
    assert bare == {}, "请从 pinggu 包导入（from pinggu.core … 而不是 from core …）"


def test_the_check_finds_a_bare_import():
    source = "import core.settings\nfrom tasks import ledger\nfrom pinggu.core import links\nimport pinggu.tasks\n"
    assert top_level_imports(ast.parse(source)) == [(1, "core.settings"), (2, "tasks")]
