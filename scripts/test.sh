#!/usr/bin/env bash
# Runs the whole check: lint, formatting, types and the import direction (scripts/lint.sh), then
# every test on SQLite (the embedded default), then every test that touches the product database,
# the document store or the Prefect server again as a multi-machine installation runs: PostgreSQL
# (started by scripts/postgres.sh), a process work pool with two workers, documents in S3-compatible
# object storage (a throwaway moto server, tests/object_store.py) — all but the browser tests, which
# drive the same pages over the same services and run once, in the first pass — and, beside the first
# pass, the unit tests on the other end of the supported Python range, when one is found
# (scripts/python.sh).
# With arguments, runs just `pytest ARGS` on SQLite (or on PostgreSQL when PINGGU_TEST_DATABASE_URL
# is set); PYTHON=python3.12 runs them on that interpreter, in its own .venv-3.12.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
source scripts/python.sh
if (($#)); then
    exec "$VENV/bin/python" -m pytest "$@"
fi

# Each part says how long it took when it ends (also when it fails), and the whole run its total at exit:
# the CI's time budget is watched pass by pass.
started=$SECONDS
took() { local seconds=$((SECONDS - $1)); echo "$((seconds / 60)) 分 $((seconds % 60)) 秒"; }
timed() {
    local name="$1" since=$SECONDS status=0
    shift
    "$@" || status=$?
    echo "[test] ${name}用时 $(took "$since")$( ((status == 0)) || echo "（失败，退出码 $status）")"
    return "$status"
}
# A pass running beside another is stopped with all it started when the run ends early.
other_pass=""
stop_tree() {
    local child
    for child in $(pgrep -P "$1"); do stop_tree "$child"; done
    kill "$1" 2>/dev/null || true
}
trap 'if [ -n "$other_pass" ]; then stop_tree "$other_pass"; fi; echo "[test] 总用时 $(took "$started")"' EXIT

timed "检查（ruff、格式、mypy、导入方向）" scripts/lint.sh

echo "[test] 检查模型与数据库迁移是否一致"
"$VENV/bin/pinggu" db check

# The other end of the supported range: the oldest when the suite ran on the newest, else the newest.
# Its pass (making its venv, then the rule and analysis tests: CPU for a minute, no server) runs beside
# the first, whose end-to-end tests mostly wait on Prefect; its output is shown after the first pass.
other="$(supported_pythons | tail -1)"
[ "${other%% *}" != "$PYTHON_VERSION" ] || other="$(supported_pythons | head -1)"
other_log="$(mktemp)"
# Beside the first pass, one after the other (so at most two jobs share the machine): the third pass, the rules and
# analysis unit tests on the other supported Python; then the installed wheel's smoke test (scripts/wheel_smoke.sh).
third_pass=""
if [ -n "$other" ] && [ "${other%% *}" != "$PYTHON_VERSION" ]; then
    echo "[test] 第三遍（与第一遍同时运行，输出在第一遍之后显示）：Python ${other%% *} 上的规则与分析单元测试"
    third_pass="${other#* }"
fi
echo "[test] 安装版冒烟测试（与第一遍同时运行，输出在第一遍之后显示）：wheel 装入新虚拟环境，在检出目录外运行演示"
(
    if [ -n "$third_pass" ]; then PYTHON="$third_pass" timed "第三遍" "$root/scripts/test.sh" tests/rules tests/analysis; fi
    timed "安装版冒烟测试" "$root/scripts/wheel_smoke.sh"
) >"$other_log" 2>&1 &
other_pass=$!

# Each pass lists its slowest tests at its end: where the CI's time goes, pass by pass.
echo "[test] 第一遍：SQLite（Python $PYTHON_VERSION）；故障注入测试在第二遍"
timed "第一遍" "$VENV/bin/python" -m pytest -m "not faults" --durations=15

if [ -n "$other_pass" ]; then
    other_status=0
    wait "$other_pass" || other_status=$?
    other_pass=""
    cat "$other_log"
    rm -f "$other_log"
    ((other_status == 0)) || exit "$other_status"
fi

echo "[test] 第二遍：多机部署方式——PostgreSQL（产品数据库与 Prefect 服务）、工作池上的两个工作进程、S3 文档存储"
server_url="$("$root/scripts/postgres.sh" | sed -n 's/^PINGGU_DATABASE_URL=\(.*\)\/pinggu$/\1\/postgres/p')"
PINGGU_TEST_DATABASE_URL="$server_url" PINGGU_TEST_WORKERS=2 PINGGU_TEST_STORE=s3 \
    timed "第二遍" "$VENV/bin/python" -m pytest -m "not browser" --durations=15 \
    tests/cli tests/core tests/faults tests/flows tests/models tests/tasks tests/web
