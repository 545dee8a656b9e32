#!/usr/bin/env bash
# The main job of the README: sets everything up, compares every registered strategy on the default
# synthetic fleet, prints the table and writes a report with charts to reports/compare/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/nix-cascade.js compare --report reports/compare "$@"
