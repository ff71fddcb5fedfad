#!/usr/bin/env bash
# Mutation testing of the pure regulatory logic (rules/) against its fast unit tests (tests/rules/):
# mutmut (pinned in constraints.txt, installed by scripts/setup.sh through the `lint` extra) changes
# the code one small edit at a time (a number, a comparison, a string, a dropped argument …) and
# runs the tests that reach the changed function; a mutant no test notices is a rule the tests would
# let go wrong. Not run by CI: a full run over rules/ takes about 25 minutes with one worker.
#
# Usage: scripts/mutation.sh [rules/module.py | rules/folder ...]     (default: all of rules/)
#   MUTATION_JOBS=2   mutants run side by side (default 1: leaves a core to whoever else works here)
#
# It works on a copy in .mutation/ (git-ignored; the checkout is never changed), prints the share of
# mutants killed and writes the survivors to .mutation/survivors.txt; see one with
#   (cd .mutation && ../.venv/bin/mutmut show 'rules.periods.x_add_period__mutmut_7')
# Figures measured, and the survivors judged harmless: ARCHITECTURE.md, "Mutation testing".
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
# The code under test, what it reads (core/, profiles/) and the tests, as they are in the work tree now.
cp -a core rules profiles tests pyproject.toml "$work/"
find "$work" -name __pycache__ -type d -prune -exec rm -rf {} +
# Tests find the seeds beside the repository (tests/rules/test_profiles.py: REPO.parent / "shared");
# mutmut runs them one level down, in .mutation/mutants/, so the seeds must be beside that.
[ -d "$root/../shared" ] && ln -s "$root/../shared" "$work/shared"

{
    echo "[mutmut]"
    echo "source_paths = rules/"
    printf 'also_copy =\n    core/\n    profiles/\n'
    echo "pytest_add_cli_args_test_selection = tests/rules/"
    if ((${#only[@]})); then
        echo "only_mutate ="
        printf '    %s\n' "${only[@]}"
    fi
} >"$work/setup.cfg"

jobs="${MUTATION_JOBS:-1}"
echo "[mutation] 变异 ${*:-rules/}，以 tests/rules/ 检验（并行 $jobs）"
start=$(date +%s)
cd "$work"
# mutmut redraws a spinner line (⠋ …) many times a second; print only the last one of each phase.
../.venv/bin/mutmut run --max-children "$jobs" 2>&1 | tr '\r' '\n' | grep -v "^ *$" | LC_ALL=C awk '
    /^\342\240/ { progress = $0; next }
    { if (progress != "") print progress; progress = ""; print }
    END { if (progress != "") print progress }'
../.venv/bin/mutmut export-cicd-stats >/dev/null
../.venv/bin/mutmut results >survivors.txt
elapsed=$(($(date +%s) - start))

../.venv/bin/python - "$elapsed" <<'EOF'
import json
import sys

stats = json.load(open("mutants/mutmut-cicd-stats.json"))
elapsed = int(sys.argv[1])
# Detected: a test failed (killed) or the mutant made the tests hang (timeout). Not detected: no test
# failed (survived), or no test reaches the changed function at all (no tests).
detected = stats["killed"] + stats["timeout"]
judged = detected + stats["survived"] + stats["no_tests"] + stats["suspicious"] + stats["segfault"]
share = 100 * detected / judged if judged else 0.0
print(
    f"[mutation] 共 {stats['total']} 个变异：杀死 {stats['killed']}，超时 {stats['timeout']}，"
    f"存活 {stats['survived']}，无测试覆盖 {stats['no_tests']}，可疑 {stats['suspicious']}，"
    f"跳过 {stats['skipped']}（用时 {elapsed // 60} 分 {elapsed % 60} 秒）"
)
print(f"[mutation] 杀死率 {share:.1f}%（{detected}/{judged}，超时计为杀死）")
EOF
survivors=$(grep -c ": \(survived\|no tests\)" survivors.txt || true)
echo "[mutation] 未被发现的变异 $survivors 个，清单：.mutation/survivors.txt"
