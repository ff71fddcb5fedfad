#!/usr/bin/env bash
# Lint, format check, types and the import direction between layers; scripts/test.sh runs it first.
# Each check prints what is wrong and where; the script stops at the first one that fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
echo "[lint] ruff check"
.venv/bin/ruff check .
echo "[lint] ruff format --check"
.venv/bin/ruff format --check .
echo "[lint] mypy（rules/ analysis/ models/ core/ 为 strict）"
.venv/bin/mypy
echo "[lint] import-linter（层次方向见 ARCHITECTURE.md）"
.venv/bin/lint-imports
