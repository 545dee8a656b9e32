#!/usr/bin/env bash
# Installs everything nix-cascade needs on a fresh machine: system packages (Nix, OpenSSH, iproute2,
# Chromium for the report test; root + apt-get) and the npm packages pinned in package-lock.json.
# Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f scripts/install-system-deps.sh ]; then
  bash scripts/install-system-deps.sh
fi

stamp=node_modules/.nix-cascade-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# The compiled CLI that bin/nix-cascade.js runs, rebuilt by the same freshness rule it uses (bin/entry.js).
if ! node --input-type=module -e "import { freshBuild } from './bin/entry.js'; process.exit(freshBuild(process.cwd(), {}) ? 0 : 1)"; then
  npm run -s build
fi
