#!/usr/bin/env bash
# Runs the whole check: lint, formatting, types and the import direction (scripts/lint.sh), then
# every test on SQLite (the embedded default), then every test that touches the product database
# or the Prefect server again on PostgreSQL (started by scripts/postgres.sh). With arguments, runs just `pytest ARGS` on SQLite (or on PostgreSQL when
# PINGGU_TEST_DATABASE_URL is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
if (($#)); then
    exec .venv/bin/python -m pytest "$@"
fi

scripts/lint.sh

echo "[test] 检查模型与数据库迁移是否一致"
.venv/bin/pinggu db check

echo "[test] 第一遍：SQLite"
.venv/bin/python -m pytest

echo "[test] 第二遍：PostgreSQL（产品数据库与 Prefect 服务）"
server_url="$("$root/scripts/postgres.sh" | sed -n 's/^PINGGU_DATABASE_URL=\(.*\)\/pinggu$/\1\/postgres/p')"
PINGGU_TEST_DATABASE_URL="$server_url" .venv/bin/python -m pytest tests/cli tests/flows tests/models tests/tasks
