#!/usr/bin/env bash
# Runs the whole test suite (unit, flow and end-to-end tests on a real local Prefect server).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
exec .venv/bin/python -m pytest "$@"
