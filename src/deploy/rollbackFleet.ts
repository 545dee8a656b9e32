import type { HostId } from '../core/types.js';
import type { RealFleet } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { queryCurrentSystem } from './activate.js';
import { runStages } from './dag.js';
import type { DagEvent, Stage } from './dagTypes.js';
import { type DeployReport, deployReport } from './report.js';
import { rollbackToPrevious } from './rollback.js';

/**
 * `nix-cascade rollback`: every selected host back to its system profile's previous generation, that
 * generation activated (`switch-to-configuration switch`; nix-darwin: `activate`), checked by reading
 * what the host runs afterwards. The same stage runner and report as a deploy.
 */

/** Options of {@link rollbackFleet}. */
export interface RollbackFleetOptions {
  readonly fleet: RealFleet;
  /** Hosts whose deployment settings did not evaluate, with Nix's error: reported as failed at eval. */
  readonly broken?: ReadonlyMap<HostId, string>;
  readonly remote: RemoteContext;
  /** Hosts rolled back at once. @defaultValue 10 */
  readonly parallel?: number;
  readonly failFast?: boolean;
  readonly onProgress?: (e: DagEvent) => void;
  readonly now?: () => number;
}

/** The stages of a rollback, in order. */
export const ROLLBACK_STAGES = ['check', 'rollback'] as const;

/** Rolls the hosts back and reports each; it does not throw for a host's failure. */
export async function rollbackFleet(o: RollbackFleetOptions): Promise<DeployReport> {
  const ctx = o.remote;
  const hosts = new Map(o.fleet.hosts.map((h) => [h.id, h]));
  const limit = o.parallel ?? 10;
  const check: Stage = {
    name: 'check',
    limit,
    run: async (id) => {
      const q = await queryCurrentSystem(hosts.get(id)!, ctx);
      if (!q.ok) return { kind: 'failed', error: q.error };
      if (q.current.profile === undefined)
        return { kind: 'failed', error: 'it has no system profile to roll back' };
      return { kind: 'ok', detail: `profile ${q.current.profile}` };
    },
  };
  const rollback: Stage = {
    name: 'rollback',
    limit,
    run: async (id) => {
      const host = hosts.get(id)!;
      const r = await rollbackToPrevious(host, ctx);
      if (!r.ok) return { kind: 'failed', error: r.error };
      const q = await queryCurrentSystem(host, ctx);
      if (!q.ok) return { kind: 'failed', error: `rolled back, but then: ${q.error}` };
      const now = q.current.profile;
      return { kind: 'ok', output: { toplevel: { outPath: now } }, detail: `running ${now}` };
    },
  };
  const dag = await runStages({
    hosts: [...hosts.keys()],
    stages: [check, rollback],
    ...(o.failFast !== undefined ? { failFast: o.failFast } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onProgress ? { onEvent: o.onProgress } : {}),
  });
  return deployReport('rollback', dag, o.broken ?? new Map(), undefined);
}
