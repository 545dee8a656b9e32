import type { PathId } from '../core/types.js';
import type { RealHost } from '../fleet/realFleet.js';
import { classifyFailure, tailLines } from '../remote/classify.js';
import type { RemoteContext } from '../remote/context.js';
import { runCommand } from '../remote/process.js';
import { onHost } from '../remote/onHost.js';
import { type ActivationAction, setsProfile } from './actions.js';

/**
 * Activation on the host, exactly as NixOS and nix-darwin do it, and the query of what a host runs.
 * Every remote command is a constant POSIX script with the store path and action as positional
 * arguments (`sh -c SCRIPT sh ARG…`), quoted word by word by `sshCommand`: nothing from the fleet or
 * the store is ever spliced into a shell string.
 */

/** The system profile every NixOS and nix-darwin host boots from. */
export const SYSTEM_PROFILE = '/nix/var/nix/profiles/system';

/**
 * Every activation script ends the same way: it keeps the exit status, writes it to the marker file
 * named by its last argument when there is one (the magic-rollback watchdog waits for it), and exits
 * with it. `printf` and the redirection are shell builtins: nothing of the new system is needed.
 */
const MARK = 's=$?; [ -z "$M" ] || printf "%s\\n" "$s" > "$M"; exit $s';
/** `switch` / `boot` on NixOS: set the profile, then `switch-to-configuration ACTION` ($1 profile, $2 toplevel, $3 action, $4 marker). */
const NIXOS_SET_AND_SWITCH = `M=$4; nix-env -p "$1" --set "$2" && "$2/bin/switch-to-configuration" "$3"; ${MARK}`;
/** `test` / `dry-activate` on NixOS: the script alone ($1 toplevel, $2 action, $3 marker). */
const NIXOS_SWITCH = `M=$3; "$1/bin/switch-to-configuration" "$2"; ${MARK}`;
/**
 * nix-darwin ($1 profile, $2 toplevel, $3 `set` to set the profile, $4 `activate` to activate, $5 marker):
 * the profile, then `activate-user` (older systems have it) and `activate` as root with HOME=/var/root,
 * as `darwin-rebuild` runs them.
 */
const DARWIN_ACTIVATE =
  'M=$5; if [ "$3" = set ]; then nix-env -p "$1" --set "$2" || exit; fi; [ "$4" = activate ] || exit 0; ' +
  `{ if [ -x "$2/activate-user" ]; then "$2/activate-user"; fi && HOME=/var/root "$2/activate"; }; ${MARK}`;
/** What a host runs: its system profile, its running system and its boot id, separated by `@@`. */
const CURRENT_SYSTEM =
  `readlink -e ${SYSTEM_PROFILE}; echo @@; readlink -e /run/current-system; echo @@; ` +
  'cat /proc/sys/kernel/random/boot_id 2>/dev/null; exit 0';

/** `switch-to-configuration`'s exit code for "switched; a reboot is needed to finish" (NixOps reads it so). */
export const EXIT_REBOOT_REQUIRED = 100;

/**
 * The host reached over a connection of its own, never through a multiplexed master opened before: what
 * proves that a new system (or a rebooted host) still accepts logins.
 */
export function freshConnection(
  host: RealHost,
  ctx: RemoteContext,
): { readonly host: RealHost; readonly ctx: RemoteContext } {
  return {
    host: { ...host, options: [...host.options, 'ControlMaster=no', 'ControlPath=none'] },
    ctx: { ...ctx, mux: undefined },
  };
}

/**
 * The remote argument array that activates `toplevel` on `host` by `action`, behind the host's
 * privilege-escalation command (colmena's `sudo -H --` for a non-root user).
 * @returns undefined when the profile type has no such action (nix-darwin has no `dry-activate`).
 */
export function activationArgs(
  host: RealHost,
  toplevel: PathId,
  action: ActivationAction,
  marker = '',
): string[] | undefined {
  const esc = host.privilegeEscalationCommand;
  if (host.profileType === 'nix-darwin') {
    if (action === 'dry-activate') return undefined;
    // nix-darwin has no boot loader entry to write: `boot` sets the profile only.
    const set = setsProfile(action) ? 'set' : 'keep';
    const activate = action === 'boot' ? 'no' : 'activate';
    return [...esc, 'sh', '-c', DARWIN_ACTIVATE, 'sh', SYSTEM_PROFILE, toplevel, set, activate, marker];
  }
  if (setsProfile(action))
    return [...esc, 'sh', '-c', NIXOS_SET_AND_SWITCH, 'sh', SYSTEM_PROFILE, toplevel, action, marker];
  return [...esc, 'sh', '-c', NIXOS_SWITCH, 'sh', toplevel, action, marker];
}

/** How an activation ended. */
export type ActivationResult =
  | { readonly ok: true; readonly rebootRequired: boolean; readonly output: string }
  | { readonly ok: false; readonly error: string; readonly unreachable: boolean };

/**
 * Runs the activation over SSH and reads its end: exit 0 is done, {@link EXIT_REBOOT_REQUIRED} is done
 * with a reboot needed; ssh's own failures (exit 255) say the host could not be reached; anything else is
 * the activation's failure, with its last lines.
 */
export async function activate(
  host: RealHost,
  toplevel: PathId,
  action: ActivationAction,
  ctx: RemoteContext,
  marker?: string,
): Promise<ActivationResult> {
  const args = activationArgs(host, toplevel, action, marker);
  if (args === undefined) {
    return { ok: false, unreachable: false, error: `${host.profileType} has no ${action}` };
  }
  const end = await runCommand(onHost(host, ctx, args), ctx.run(ctx.timeouts.activation));
  if (end.ok || end.exitCode === EXIT_REBOOT_REQUIRED) {
    return { ok: true, rebootRequired: !end.ok, output: tailLines(`${end.stdout}\n${end.stderr}`, 20) };
  }
  const cause = classifyFailure(
    {
      exitCode: end.exitCode,
      stderr: end.stderr,
      timedOut: end.timedOut,
      cancelled: end.cancelled,
      spawnError: end.spawnError,
    },
    { from: 'deployer', to: host.id, timeoutSeconds: ctx.timeouts.activation },
  );
  const unreachable = cause.code === 'unreachable' || cause.code === 'ssh-handshake';
  const how = end.timedOut
    ? `timed out after ${ctx.timeouts.activation} s`
    : end.cancelled
      ? 'cancelled'
      : unreachable
        ? cause.message
        : `exit ${end.exitCode ?? '?'}`;
  const lines = tailLines(`${end.stdout}\n${end.stderr}`, 12);
  return { ok: false, unreachable, error: lines && !unreachable ? `${how}: ${lines}` : how };
}

/** What a host runs now, as {@link queryCurrentSystem} reads it. */
export interface CurrentSystem {
  /** The store path the system profile points at; undefined when the host has none yet. */
  readonly profile: PathId | undefined;
  /** `/run/current-system`: the running system; undefined when absent (not a NixOS / nix-darwin host yet). */
  readonly running: PathId | undefined;
  readonly bootId: string | undefined;
}

/** Parses {@link CURRENT_SYSTEM}'s output. */
export function parseCurrentSystem(stdout: string): CurrentSystem {
  const [profile = '', running = '', bootId = ''] = stdout.split('@@').map((s) => s.trim());
  const path = (s: string): PathId | undefined => (s.startsWith('/nix/store/') ? s : undefined);
  return { profile: path(profile), running: path(running), bootId: bootId || undefined };
}

/**
 * Reads a host's system profile, running system and boot id in one ssh session (colmena reads
 * `readlink -e` of the same two paths).
 */
export async function queryCurrentSystem(
  host: RealHost,
  ctx: RemoteContext,
): Promise<
  { readonly ok: true; readonly current: CurrentSystem } | { readonly ok: false; readonly error: string }
> {
  const end = await runCommand(onHost(host, ctx, ['sh', '-c', CURRENT_SYSTEM]), ctx.run(ctx.timeouts.probe));
  if (end.ok) return { ok: true, current: parseCurrentSystem(end.stdout) };
  const cause = classifyFailure(
    {
      exitCode: end.exitCode,
      stderr: end.stderr,
      timedOut: end.timedOut,
      cancelled: end.cancelled,
      spawnError: end.spawnError,
    },
    { from: 'deployer', to: host.id, timeoutSeconds: ctx.timeouts.probe },
  );
  return { ok: false, error: `${cause.code}: ${cause.message}` };
}
