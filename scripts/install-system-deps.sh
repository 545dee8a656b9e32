#!/usr/bin/env bash
# Installs what the real executor and the lab need: Nix (Debian's nix-bin), OpenSSH server, iproute2;
# tmux, the terminal the `viz live` test draws in; and Chromium (Debian's chromium, at /usr/bin/chromium),
# in which the HTML report is tested.
# Idempotent; run as root. It does not edit /etc/nix/nix.conf: lab hosts and the deployer get their
# offline Nix settings per process (NIX_CONF_DIR / NIX_CONFIG), see src/executor/nixEnv.ts.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: must run as root (apt-get, /nix/store)" >&2
  exit 1
fi

missing=()
command -v nix >/dev/null 2>&1 || missing+=(nix-bin)
{ [ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1; } || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
{ command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1; } || missing+=(iproute2)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
# The `viz live` test drives the CLI in a real terminal.
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The store must exist before the first nix command; sshd wants its privilege-separation dir.
mkdir -p /nix/store /nix/var/nix/db /nix/var/nix/gcroots /nix/var/nix/profiles /run/sshd
chmod 1775 /nix/store || true

# Debian's openssh-server may start a system sshd on port 22 via its postinst; the lab does not use
# it (each lab host runs its own sshd inside its own network namespace), so it is left as it is.

# Smoke test: Nix works offline with per-process settings only.
# build-users-group is empty: Debian's nix-bin creates no nixbld group and the lab builds as root.
export NIX_CONFIG=$'experimental-features = nix-command\nsubstituters =\nsandbox = false\nbuild-users-group ='
nix --version
if ! out="$(nix eval --expr '1 + 1' 2>&1)" || [ "$out" != "2" ]; then
  echo "install-system-deps: nix does not evaluate offline: $out" >&2
  exit 1
fi
# Smoke test: Chromium starts headless (the report test drives it through playwright-core).
# (stderr dropped: Debian's wrapper script prints a harmless "[: …: unexpected operator" on some machines.)
if ! chrome="$(/usr/bin/chromium --headless --no-sandbox --disable-gpu --version 2>/dev/null)"; then
  echo "install-system-deps: chromium does not start: $chrome" >&2
  exit 1
fi
echo "install-system-deps: ok ($(nix --version), $(ssh -V 2>&1), $chrome)"
