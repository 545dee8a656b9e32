#!/usr/bin/env bash
# The test command of the README: sets everything up, then runs the whole suite (unit, property, lab).
# Extra arguments go to vitest (e.g. a file filter, or --reporter flags).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FC_SEED="${FC_SEED:-20261125}"
exec npx vitest run "$@"
