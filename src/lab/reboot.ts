import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { shellQuote } from '../remote/quote.js';

/**
 * An honest emulated reboot for a lab host (it shares the machine's kernel, so it cannot really reboot).
 * Inside the host's own mount namespace, `/usr/local/sbin` (first on sshd's PATH) holds a `reboot` that
 * ends every ssh session and the sshd listener, gives the host a new boot id (a file bind-mounted over
 * `/proc/sys/kernel/random/boot_id`), clears what a reboot clears in /run (the running system link, keys,
 * the rollback watchdog's markers) and points `/run/current-system` at the system profile, as NixOS's
 * boot does; after `delaySeconds` it starts sshd again in the same namespaces. The deployer sees what it
 * would see of a real reboot: the connection drops, nobody answers for a while, then a new boot id.
 */

/** Seconds the emulated host stays down. */
export const LAB_REBOOT_SECONDS = 3;

/** The files {@link SSHD_SCRIPT}'s mounts need: the directory with `reboot` and the boot id file. */
export interface RebootEmulation {
  readonly sbin: string;
  readonly bootId: string;
}

/** Writes the host's `reboot` and its first boot id under `hostDir`. */
export function writeRebootEmulation(
  hostDir: string,
  sshd: string,
  sshdConfig: string,
  delaySeconds = LAB_REBOOT_SECONDS,
): RebootEmulation {
  const sbin = join(hostDir, 'sbin');
  const bootId = join(hostDir, 'boot_id');
  mkdirSync(sbin, { recursive: true });
  writeFileSync(bootId, `${randomUUID()}\n`);
  const q = shellQuote;
  const script = [
    '#!/bin/sh',
    '# nix-cascade lab: an emulated reboot of this host (src/lab/reboot.ts).',
    'export PATH=/usr/bin:/bin:/usr/sbin:/sbin',
    `dir=${q(hostDir)}; sshd=${q(sshd)}; config=${q(sshdConfig)}; delay=${delaySeconds}`,
    // Only ever this host's own /run: a bind of its run directory, never the machine's.
    '[ "$(stat -c %d:%i /run)" = "$(stat -c %d:%i "$dir/run")" ] || { echo "lab reboot: /run is not this host\'s" >&2; exit 1; }',
    "setsid sh -c '",
    '  dir=$1; sshd=$2; config=$3; delay=$4',
    '  sleep 0.5',
    '  l=$(cat "$dir/sshd.pid" 2>/dev/null)',
    '  if [ -n "$l" ]; then for c in $(ps -o pid= --ppid "$l"); do kill -KILL "$c"; done; kill -TERM "$l"; fi',
    '  cat /proc/sys/kernel/random/uuid > "$dir/boot_id"',
    '  rm -rf /run/keys /run/nix-cascade /run/current-system',
    '  t=$(readlink -f /nix/var/nix/profiles/system) && ln -sfn "$t" /run/current-system',
    '  mkdir -p /run/sshd',
    '  sleep "$delay"',
    '  exec "$sshd" -D -e -f "$config" >> "$dir/sshd.log" 2>&1',
    '\' reboot "$dir" "$sshd" "$config" "$delay" </dev/null >/dev/null 2>&1 &',
    '',
  ].join('\n');
  writeFileSync(join(sbin, 'reboot'), script);
  chmodSync(join(sbin, 'reboot'), 0o755);
  return { sbin, bootId };
}
