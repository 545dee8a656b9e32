import { setTimeout as sleep } from 'node:timers/promises';
import { onHost } from '../remote/onHost.js';
import type { PathId } from '../core/types.js';
import type { RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { runCommand } from '../remote/process.js';
import { type CurrentSystem, SYSTEM_PROFILE, freshConnection, queryCurrentSystem } from './activate.js';

/**
 * Magic rollback, as deploy-rs does it, on every host at once. Before activating, the deployer arms a
 * watchdog on the host: a detached process (`setsid`) that outlives the ssh session. It waits for the
 * activation's exit status (the marker the activation script writes), then
 * - a failed activation: rolls back at once (automatic rollback);
 * - a good one: waits `confirmSeconds` for the deployer to confirm over a **fresh** ssh connection (no
 *   multiplexed master opened before the activation), and rolls back by itself without it.
 * Rolling back = the system profile set back to what it was (`switch`) and the previous running system's
 * `switch-to-configuration` run again. The watchdog uses nothing from the new configuration: its shell,
 * `sleep` and `nix-env` are resolved to store paths of the running (old) system before the activation,
 * and the confirmation is a shell builtin (`printf > file`).
 */

/** Where a deploy's watchdog keeps its markers on the host (tmpfs: a reboot forgets them). */
export const WATCHDOG_ROOT = '/run/nix-cascade';

/**
 * Arms the watchdog: $1 dir, $2 confirm seconds, $3 most seconds to wait for the activation, $4 profile,
 * $5 old profile target (or empty), $6 old running system (or empty), $7 `switch` (reset the profile too)
 * or `test`. The tools the watchdog needs are resolved to store paths here, before the activation.
 */
const ARM = [
  'set -e',
  'export D="$1" CONFIRM_S="$2" MAXWAIT="$3" PROFILE="$4" OLD_PROFILE="$5" OLD_RUNNING="$6" ACTION="$7"',
  'mkdir -p "$D"; rm -f "$D/status" "$D/decided" "$D/rolled-back"',
  // The tool's directory resolved (a store path of the old system), its own name kept: nix-env and
  // nixpkgs' coreutils are multi-call binaries that dispatch on the name they are run by.
  'at() { p=$(command -v "$1") && d=$(cd "${p%/*}" && pwd -P) && printf "%s\\n" "$d/${p##*/}"; }',
  'SH=$(at sh); SL=$(at sleep); NE=$(at nix-env); RL=$(at readlink); export SL NE RL',
  // macOS has no setsid; nohup keeps the watchdog alive when the session ends there.
  'if command -v setsid >/dev/null 2>&1; then DETACH=$(at setsid); else DETACH=$(at nohup); fi',
  '"$DETACH" "$SH" -c "$WATCH" </dev/null >"$D/watchdog.log" 2>&1 &',
  'printf "%s\\n" "$!" > "$D/pid"',
].join('\n');

/**
 * Returns the host to the system it ran before (settings in the environment: PROFILE, OLD_PROFILE,
 * OLD_RUNNING, ACTION, and the tools NE = nix-env, RL = readlink). For `switch`, the profile goes back to
 * its previous generation and the bad one is deleted (as deploy-rs does), so a later `nix-cascade
 * rollback` does not return to it; then the old system's own activation runs again.
 */
const REVERT = [
  'if [ "$ACTION" = switch ] && [ -n "$OLD_PROFILE" ] && [ "$("$RL" -f "$PROFILE")" != "$OLD_PROFILE" ]; then',
  '  g=$("$RL" "$PROFILE"); g=${g%-link}; g=${g##*-}',
  '  "$NE" -p "$PROFILE" --rollback || true',
  '  [ "$("$RL" -f "$PROFILE")" = "$OLD_PROFILE" ] || "$NE" -p "$PROFILE" --set "$OLD_PROFILE"',
  '  "$NE" -p "$PROFILE" --delete-generations "$g" || true',
  'fi',
  'if [ -z "$OLD_RUNNING" ]; then :',
  'elif [ -x "$OLD_RUNNING/bin/switch-to-configuration" ]; then',
  '  "$OLD_RUNNING/bin/switch-to-configuration" "$ACTION"',
  'elif [ -x "$OLD_RUNNING/activate" ]; then',
  '  [ ! -x "$OLD_RUNNING/activate-user" ] || "$OLD_RUNNING/activate-user"',
  '  HOME=/var/root "$OLD_RUNNING/activate"',
  'fi',
];

/**
 * The watchdog (its settings in the environment {@link ARM} exports): waits for the activation's status,
 * then for the confirmation, and {@link REVERT}s without it.
 */
const WATCH = [
  'n=0',
  'while [ ! -e "$D/status" ] && [ "$n" -lt "$MAXWAIT" ]; do "$SL" 1; n=$((n+1)); done',
  's=none; [ ! -e "$D/status" ] || read -r s < "$D/status"',
  'case "$s" in',
  '  0|100) n=0',
  '    while [ ! -e "$D/decided" ] && [ "$n" -lt "$CONFIRM_S" ]; do "$SL" 1; n=$((n+1)); done',
  '    why="not confirmed in $CONFIRM_S s" ;;',
  '  none) why="activation did not end within $MAXWAIT s" ;;',
  '  *) why="activation failed (exit $s)" ;;',
  'esac',
  // Whoever creates `decided` first wins (noclobber opens with O_EXCL): the confirmation or this rollback.
  '( set -C; printf "rollback\\n" > "$D/decided" ) 2>/dev/null || exit 0',
  ...REVERT,
  'printf "%s\\n" "$why" > "$D/rolled-back"',
].join('\n');

/**
 * The confirmation, run over a fresh connection: builtins only. It fails when the watchdog has already
 * decided to roll back (the same O_EXCL file as the watchdog's), so a late confirmation is never taken
 * for a good one; run again after a lost answer, it succeeds when its first run won.
 */
const CONFIRM =
  '( set -C; printf "confirmed\\n" > "$1/decided" ) 2>/dev/null || { read -r x < "$1/decided"; [ "$x" = confirmed ]; }';

/** Reads the watchdog's verdict: `rolled-back` holds why, or `-` while it has not rolled back. */
const VERDICT = 'cat "$1/rolled-back" 2>/dev/null || echo -';

/** A watchdog armed for one host's activation. */
export interface Watchdog {
  readonly dir: string;
  /** The marker the activation script writes its exit status to. */
  readonly marker: string;
}

/** Options of magic rollback. */
export interface RollbackOptions {
  /** Seconds the deployer has to confirm after a good activation. @defaultValue 30 */
  readonly confirmSeconds: number;
  /** A unique id of this deploy, so two deploys' markers never mix. */
  readonly deployId: string;
}

/**
 * Arms the watchdog on the host before activating `action` (`switch` or `test`).
 * @returns the watchdog, or an error (the host is then not activated).
 */
export async function armWatchdog(
  host: RealHost,
  action: 'switch' | 'test',
  current: CurrentSystem,
  ctx: RemoteContext,
  o: RollbackOptions,
): Promise<{ ok: true; watchdog: Watchdog } | { ok: false; error: string }> {
  const dir = `${WATCHDOG_ROOT}/${o.deployId}`;
  const maxWait = String(ctx.timeouts.activation);
  const args = [
    ...host.privilegeEscalationCommand,
    'env',
    `WATCH=${WATCH}`,
    'sh',
    '-c',
    ARM,
    'arm',
    dir,
    String(o.confirmSeconds),
    maxWait,
    SYSTEM_PROFILE,
    current.profile ?? '',
    current.running ?? '',
    action,
  ];
  const end = await runCommand(onHost(host, ctx, args), ctx.run(ctx.timeouts.probe));
  if (!end.ok)
    return {
      ok: false,
      error: `arming the rollback watchdog failed: ${end.stderr.trim() || `exit ${end.exitCode}`}`,
    };
  return { ok: true, watchdog: { dir, marker: `${dir}/status` } };
}

/**
 * Confirms a good activation over a fresh ssh connection (no multiplexing: the new system must accept a
 * new login), retrying until `confirmSeconds` have passed.
 * @returns whether the host was confirmed in time.
 */
export async function confirm(
  host: RealHost,
  w: Watchdog,
  ctx: RemoteContext,
  o: RollbackOptions,
  now: () => number = () => performance.now() / 1000,
): Promise<boolean> {
  const deadline = now() + o.confirmSeconds;
  const fresh = freshConnection(host, ctx);
  const remote = [...host.privilegeEscalationCommand, 'sh', '-c', CONFIRM, 'confirm', w.dir];
  while (now() < deadline) {
    const left = Math.max(1, Math.floor(deadline - now()));
    const end = await runCommand(onHost(fresh.host, fresh.ctx, remote), ctx.run(left + 1));
    if (end.ok) return true;
    if (end.cancelled) return false;
    await sleep(1000);
  }
  return false;
}

/**
 * After an unconfirmed or failed activation: waits (fresh connections, up to `waitSeconds`) until the
 * watchdog says it rolled back, and reads what the host runs then.
 * @returns the watchdog's reason and the host's system, or why it could not be told.
 */
export async function awaitRollback(
  host: RealHost,
  w: Watchdog,
  ctx: RemoteContext,
  waitSeconds: number,
  now: () => number = () => performance.now() / 1000,
): Promise<{ ok: true; why: string; current: CurrentSystem } | { ok: false; error: string }> {
  const deadline = now() + waitSeconds;
  const fresh = freshConnection(host, ctx);
  let last = 'no answer';
  while (now() < deadline) {
    const end = await runCommand(
      onHost(fresh.host, fresh.ctx, ['sh', '-c', VERDICT, 'verdict', w.dir]),
      ctx.run(10),
    );
    const said = end.stdout.trim();
    if (end.ok && said !== '-' && said !== '') {
      const q = await queryCurrentSystem(fresh.host, fresh.ctx);
      if (q.ok) return { ok: true, why: said, current: q.current };
      last = q.error;
    } else if (!end.ok) last = end.stderr.trim() || `exit ${end.exitCode}`;
    if (end.cancelled) break;
    await sleep(1000);
  }
  return {
    ok: false,
    error: `the watchdog's rollback could not be confirmed within ${waitSeconds} s: ${last}`,
  };
}

/** `nix-cascade rollback`: the profile's previous generation, activated ($1 profile). */
const ROLLBACK_PROFILE =
  'nix-env -p "$1" --rollback && t=$(readlink -e "$1") && exec "$t/bin/switch-to-configuration" switch';
const ROLLBACK_DARWIN =
  'nix-env -p "$1" --rollback && t=$(readlink -e "$1") && { [ ! -x "$t/activate-user" ] || "$t/activate-user"; } && HOME=/var/root exec "$t/activate"';

/** Returns the host to its previous system generation and activates it. */
export async function rollbackToPrevious(
  host: RealHost,
  ctx: RemoteContext,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const script = host.profileType === 'nix-darwin' ? ROLLBACK_DARWIN : ROLLBACK_PROFILE;
  const end = await runCommand(
    onHost(host, ctx, [...host.privilegeEscalationCommand, 'sh', '-c', script, 'rollback', SYSTEM_PROFILE]),
    ctx.run(ctx.timeouts.activation),
  );
  if (end.ok) return { ok: true };
  return { ok: false, error: end.stderr.trim().split('\n').slice(-8).join('\n') || `exit ${end.exitCode}` };
}

/** What the report says of a host the watchdog returned to `running`. */
export function rolledBackText(why: string, running: PathId | undefined): string {
  return `rolled back (${why})${running ? `: running ${running}` : ''}`;
}

/**
 * Returns a host to `previous` (what it ran before this deploy's `action`) from the deployer, at once: a
 * failed health check with `--rollback-on-health-failure`. The same steps as the watchdog's rollback.
 */
export async function revertTo(
  host: RealHost,
  previous: CurrentSystem,
  action: 'switch' | 'test',
  ctx: RemoteContext,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const script = [
    'PROFILE=$1; OLD_PROFILE=$2; OLD_RUNNING=$3; ACTION=$4; NE=nix-env; RL=readlink',
    ...REVERT,
  ].join('\n');
  const args = [
    ...host.privilegeEscalationCommand,
    'sh',
    '-c',
    script,
    'revert',
    SYSTEM_PROFILE,
    previous.profile ?? '',
    previous.running ?? '',
    action,
  ];
  const end = await runCommand(onHost(host, ctx, args), ctx.run(ctx.timeouts.activation));
  if (end.ok) return { ok: true };
  return { ok: false, error: end.stderr.trim().split('\n').slice(-8).join('\n') || `exit ${end.exitCode}` };
}
