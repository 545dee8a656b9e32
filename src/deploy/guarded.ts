import type { PathId } from '../core/types.js';
import type { RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import type { ActivationAction } from './actions.js';
import { type CurrentSystem, activate } from './activate.js';
import type { StageOutcome } from './dagTypes.js';
import { type RollbackOptions, armWatchdog, awaitRollback, confirm, rolledBackText } from './rollback.js';

/**
 * The activate stage's task: a plain activation, or (for `switch` and `test` with rollback on) one
 * guarded by the magic-rollback watchdog: armed first, confirmed over a fresh connection after, and when
 * the activation failed or could not be confirmed, the watchdog's rollback awaited and reported.
 */

/** Seconds the deployer waits for the watchdog's own rollback to finish, beyond the confirmation window. */
const ROLLBACK_GRACE_SECONDS = 60;

/** A failed stage that records the rollback in `cause`, for the report. */
function failedWith(error: string, rollback: string | undefined): StageOutcome {
  return { kind: 'failed', error, ...(rollback !== undefined ? { cause: { rollback } } : {}) };
}

export async function guardedActivation(
  host: RealHost,
  toplevel: PathId,
  action: ActivationAction,
  current: CurrentSystem | undefined,
  ctx: RemoteContext,
  rollback: RollbackOptions | undefined,
): Promise<StageOutcome> {
  if (rollback === undefined || (action !== 'switch' && action !== 'test') || current === undefined) {
    const r = await activate(host, toplevel, action, ctx);
    if (!r.ok) return { kind: 'failed', error: r.error };
    return { kind: 'ok', detail: r.rebootRequired ? 'activated; reboot required' : 'activated' };
  }
  const armed = await armWatchdog(host, action, current, ctx, rollback);
  if (!armed.ok) return { kind: 'failed', error: armed.error };
  const w = armed.watchdog;
  const r = await activate(host, toplevel, action, ctx, w.marker);
  if (r.ok && (await confirm(host, w, ctx, rollback))) {
    return { kind: 'ok', detail: `activated${r.rebootRequired ? '; reboot required' : ''}; confirmed` };
  }
  const back = await awaitRollback(host, w, ctx, rollback.confirmSeconds + ROLLBACK_GRACE_SECONDS);
  const said = back.ok ? rolledBackText(back.why, back.current.running) : back.error;
  const error = r.ok ? said : `${r.error}\n${said}`;
  return failedWith(error, back.ok ? `rolled back (${back.why})` : undefined);
}
