#!/usr/bin/env bash
# Lint, format check, types and the import direction between layers; scripts/test.sh runs it first.
# Each check prints what is wrong and where; the script stops at the first one that fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/python.sh
echo "[lint] ruff check"
"$VENV/bin/ruff" check .
echo "[lint] ruff format --check"
"$VENV/bin/ruff" format --check .
echo "[lint] mypy（rules/ analysis/ models/ core/ 为 strict）"
"$VENV/bin/mypy"
echo "[lint] import-linter（层次方向见 ARCHITECTURE.md）"
"$VENV/bin/lint-imports"
