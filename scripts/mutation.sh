#!/usr/bin/env bash
# Mutation testing of the pure regulatory logic (rules/) against its fast unit tests (tests/rules/):
# mutmut (pinned in constraints.txt, installed by scripts/setup.sh through the `lint` extra) changes
# the code one small edit at a time (a number, a comparison, a string, a dropped argument …) and
# runs the tests that reach the changed function; a mutant no test notices is a rule the tests would
# let go wrong. Not run by CI: a full run over rules/ takes about 25 minutes with one worker.
#
# Usage: scripts/mutation.sh [rules/module.py | rules/folder ...]     (default: all of rules/)
#   MUTATION_JOBS=2   mutants run side by side (default 1: leaves a core to whoever else works here)
#   MUTATION_SKIP_TESTS="tests/rules/test_x.py …"   test files left out (mutmut needs every test to pass
#                     before it starts: use it while someone else's module is half-changed and its tests
#                     fail; the figures then lack whatever those tests would have killed)
#
# It works on a copy in .mutation/ (git-ignored; the checkout is never changed), ends with the shares of
# mutants killed (per module when it mutated several, and in total) and writes the survivors to
# .mutation/survivors.txt; see one with
#   (cd .mutation && ../.venv/bin/mutmut show 'pinggu.rules.periods.x_add_period__mutmut_7')
# The current figures per module and the survivors judged equivalent: docs/mutation.md.
#
# Two shares are printed. The first is the raw one: mutants detected / mutants judged. The second
# leaves out, killed or not, every mutant whose only change is inside string literals — what
# `mutmut show` shows as "text" → "XXtextXX" or "TEXT", including the text of an f-string and a
# literal inside one (a "、".join separator) — because most of those reword a Chinese message and
# the tests match the part of a message that matters rather than every character. It is decided by
# comparing the mutated function with the original after emptying every string constant of both
# (Python's ast): equal → wording only. Caveat: a literal that is not wording (a dict key such as
# "name", a tag such as "expert_marks", an attribute name in getattr) counts too, so the second
# share flatters; read .mutation/survivors-logic.txt (the other survivors) first, and look at the
# wording survivors of messages an operator reads (.mutation/survivors-wording.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -x .venv/bin/mutmut ]; then
    echo "[mutation] 未安装 mutmut：请先运行 scripts/setup.sh" >&2
    exit 1
fi

only=()
for target in "$@"; do
    target="${target#./}"
    target="${target%/}"
    case "$target" in
        rules/*.py) [ -f "$target" ] && only+=("$target") && continue ;;
        rules | rules/*) [ -d "$target" ] && only+=("$target/*") && continue ;;
    esac
    echo "[mutation] “$target” 不是 rules/ 下的模块或目录" >&2
    exit 2
done

work="$root/.mutation"
rm -rf "$work"
mkdir -p "$work"
# The code under test, what it reads (core/, profiles/; the sample inputs in samples/ and the seed
# regulations in regulations/, which the tests compare against) and the tests, as in the work tree now.
cp -a core rules profiles samples regulations tests pyproject.toml "$work/"
find "$work" -name __pycache__ -type d -prune -exec rm -rf {} +
# mutmut runs the tests one level down, in .mutation/mutants/: also_copy puts what they read there.

{
    echo "[mutmut]"
    echo "source_paths = rules/"
    printf 'also_copy =\n    core/\n    profiles/\n    samples/\n    regulations/\n'
    echo "pytest_add_cli_args_test_selection = tests/rules/"
    # A wall-clock bound means nothing under mutmut's tracing and trampolines (it fails the clean run).
    printf 'pytest_add_cli_args =\n    --deselect\n    %s\n' \
        tests/rules/test_annual_plan.py::test_ten_thousand_decisions_in_well_under_a_second
    for skipped in ${MUTATION_SKIP_TESTS:-}; do
        printf '    --ignore\n    %s\n' "$skipped"
    done
    if ((${#only[@]})); then
        echo "only_mutate ="
        printf '    %s\n' "${only[@]}"
    fi
} >"$work/setup.cfg"

jobs="${MUTATION_JOBS:-1}"
echo "[mutation] 变异 ${*:-rules/}，以 tests/rules/ 检验（并行 $jobs${MUTATION_SKIP_TESTS:+；不用 $MUTATION_SKIP_TESTS}）"
start=$(date +%s)
cd "$work"
# mutmut redraws a spinner line (⠋ …) many times a second; print only the last one of each phase.
../.venv/bin/mutmut run --max-children "$jobs" 2>&1 | tr '\r' '\n' | grep -v "^ *$" | LC_ALL=C awk '
    /^\342\240/ { progress = $0; next }
    { if (progress != "") print progress; progress = ""; print }
    END { if (progress != "") print progress }'
../.venv/bin/mutmut export-cicd-stats >/dev/null
../.venv/bin/mutmut results >survivors.txt
../.venv/bin/mutmut results --all true >all-mutants.txt
elapsed=$(($(date +%s) - start))

../.venv/bin/python - "$elapsed" <<'EOF'
import ast
import copy
import json
import sys
import unicodedata
from pathlib import Path

stats = json.load(open("mutants/mutmut-cicd-stats.json"))
elapsed = int(sys.argv[1])
print(
    f"[mutation] 共 {stats['total']} 个变异：杀死 {stats['killed']}，超时 {stats['timeout']}，"
    f"存活 {stats['survived']}，无测试覆盖 {stats['no_tests']}，可疑 {stats['suspicious']}，"
    f"跳过 {stats['skipped']}（用时 {elapsed // 60} 分 {elapsed % 60} 秒）"
)

# Detected: a test failed (killed) or the mutant made the tests hang (timeout). Not detected: no test
# failed (survived), or no test reaches the changed function at all (no tests).
DETECTED = {"killed", "timeout"}
JUDGED = DETECTED | {"survived", "no tests", "suspicious", "segfault"}
status = {}  # "pinggu.rules.watch.xǁAlertǁtext__mutmut_8" → "survived"
for line in open("all-mutants.txt", encoding="utf-8"):
    name, sep, state = line.strip().rpartition(": ")
    if sep and "__mutmut_" in name:
        status[name] = state


# --- the second share: mutants that change more than the contents of string literals (see the header)
class Blank(ast.NodeTransformer):
    """Every string constant emptied (f-string text included); the function's own name dropped."""

    def visit_Constant(self, node):
        return ast.Constant(value="") if isinstance(node.value, str) else node

    def visit_FunctionDef(self, node):
        node.name = ""
        return self.generic_visit(node)


functions = {}  # module → {function name in mutants/…: its ast}
blanked = {}


def shape(module, name):
    """The function's ast with its strings emptied, as text; None if it is not found."""
    if (module, name) not in blanked:
        if module not in functions:
            path = Path("mutants", *module.split(".")).with_suffix(".py")
            tree = ast.parse(path.read_text(encoding="utf-8"))
            functions[module] = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        node = functions[module].get(name)
        blanked[module, name] = None if node is None else ast.dump(Blank().visit(copy.deepcopy(node)))
    return blanked[module, name]


def wording_only(key):
    module, _, name = key.rpartition(".")
    mutant = shape(module, name)
    return mutant is not None and mutant == shape(module, name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig")


judged = {key: state for key, state in status.items() if state in JUDGED}
wording = {key for key in judged if wording_only(key)}
undetected = sorted(key for key, state in judged.items() if state not in DETECTED)
Path("survivors-wording.txt").write_text("".join(f"{k}: {status[k]}\n" for k in undetected if k in wording))
Path("survivors-logic.txt").write_text("".join(f"{k}: {status[k]}\n" for k in undetected if k not in wording))


def share(keys):
    """(detected, judged, percent) over these mutants."""
    found = sum(judged[key] in DETECTED for key in keys)
    return found, len(keys), (100 * found / len(keys) if keys else 0.0)


def row(label, keys):
    raw_found, raw_all, raw = share(keys)
    logic_found, logic_all, logic = share([key for key in keys if key not in wording])
    pad = " " * max(0, 30 - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label))
    return f"  {label}{pad} 全部 {raw_found:>4}/{raw_all:<4} {raw:5.1f}%   改变行为的 {logic_found:>4}/{logic_all:<4} {logic:5.1f}%"


modules = {}  # "pinggu.rules.tracking" → its mutants' keys
for key in judged:
    modules.setdefault(key.rpartition(".")[0], []).append(key)
print(
    f"[mutation] 未被发现的变异 {len(undetected)} 个（.mutation/survivors.txt）：改变行为的 "
    f"{sum(k not in wording for k in undetected)} 个，先看 .mutation/survivors-logic.txt；"
    f"只改字符串字面量内容的 {sum(k in wording for k in undetected)} 个，见 .mutation/survivors-wording.txt"
)
print("[mutation] 杀死率（发现/总数，超时计为发现；“改变行为的”不计只改字符串字面量内容的变异，目标 ≥ 90%）：")
for module in sorted(modules) if len(modules) > 1 else ():
    print(row(module, modules[module]))
print(row("合计" if len(modules) > 1 else next(iter(modules), "（无变异）"), list(judged)))
EOF
