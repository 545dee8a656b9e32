import { setTimeout as sleep } from 'node:timers/promises';
import type { PathId } from '../core/types.js';
import type { RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { runCommand } from '../remote/process.js';
import { type CurrentSystem, freshConnection, queryCurrentSystem } from './activate.js';
import { onHost } from '../remote/onHost.js';

/**
 * `deploy boot --reboot` (and `switch --reboot`): reboots the host after its profile is set, waits for it
 * to come back (a boot id other than the one read before, over fresh connections) within a timeout, and
 * checks that it runs the system it was given. The reboot is started detached, a second after the ssh
 * session ends, so the session reports success instead of being cut.
 */

/** Starts the reboot in the background and returns at once. */
const REBOOT = '(sleep 1; reboot) </dev/null >/dev/null 2>&1 &';

/** Seconds between two attempts to reach a rebooting host. */
const POLL_SECONDS = 2;

/**
 * Reboots the host and waits for it.
 * @returns how long it took, or why it failed (did not come back in time, came back on another system).
 */
export async function rebootAndWait(
  host: RealHost,
  toplevel: PathId,
  before: CurrentSystem,
  ctx: RemoteContext,
  timeoutSeconds: number,
  now: () => number = () => performance.now() / 1000,
): Promise<{ ok: true; detail: string } | { ok: false; error: string }> {
  if (before.bootId === undefined)
    return { ok: false, error: 'its boot id cannot be read, so a reboot cannot be told' };
  const started = now();
  const end = await runCommand(
    onHost(host, ctx, [...host.privilegeEscalationCommand, 'sh', '-c', REBOOT]),
    ctx.run(ctx.timeouts.probe),
  );
  if (!end.ok)
    return {
      ok: false,
      error: `reboot did not start: ${end.stderr.trim() || `exit ${end.exitCode ?? '?'}`}`,
    };
  const fresh = freshConnection(host, ctx);
  let last = 'no answer yet';
  while (now() - started < timeoutSeconds) {
    await sleep(POLL_SECONDS * 1000);
    if (ctx.signal?.aborted) return { ok: false, error: 'cancelled while waiting for the reboot' };
    const q = await queryCurrentSystem(fresh.host, fresh.ctx);
    if (!q.ok) {
      last = q.error;
      continue;
    }
    if (q.current.bootId === before.bootId) {
      last = 'still up on the old boot';
      continue;
    }
    const took = (now() - started).toFixed(1);
    if (q.current.running !== toplevel)
      return {
        ok: false,
        error: `rebooted in ${took} s but runs ${q.current.running ?? 'no system'}, not ${toplevel}`,
      };
    return { ok: true, detail: `rebooted in ${took} s` };
  }
  return { ok: false, error: `did not come back within ${timeoutSeconds} s (${last})` };
}
