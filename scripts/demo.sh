#!/usr/bin/env bash
# Sets up, brings up a local Prefect server with the deployments served, and runs one ordinary
# evaluation of a sample decision end to end (approvals given through the API as an approver would).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
source scripts/python.sh
exec "$VENV/bin/pinggu" demo "$@"
