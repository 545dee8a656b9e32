import type { PlanView, Proposal, Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { GroupView } from './_internals/groups.js';
import {
  checkKeys,
  enumOption,
  intOption,
  notBoth,
  optionalNumberOption,
  perHolderOption,
  type RawOptions,
} from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';
import { Cursors, pickSource, sourceWindow } from './_internals/pick.js';
import { SwarmGroups } from './_internals/swarm-groups.js';
import { SwarmPlan } from './_internals/swarm-plan.js';
import { SwarmRun } from './_internals/swarm-run.js';
import { SWARM_DEFAULT_PIECES, SWARM_DEFAULT_WINDOW } from './swarm.js';

/** Options of `topology-aware`. */
export interface TopologyAwareOptions {
  /**
   * `path`: store paths are the unit, as in `swarm` (pipelined through the reference DAG), and each shared
   * path crosses into a group once; `closure`: whole-closure copies, one per group, then log2-fanout inside.
   * @defaultValue 'path'
   */
  readonly granularity: 'path' | 'closure';
  /**
   * Copies allowed to cross into one group (rack, region) at once while nobody inside holds them: of each
   * shared store path (`path`), of the whole closure (`closure`).
   * @defaultValue 1
   */
  readonly crossings: number;
  /**
   * `closure` only: receivers one holder serves at a time (sends still running from earlier plan calls count).
   * @defaultValue 1
   */
  readonly perHolder: number;
  /** `path` only: as `swarm`'s `pieces`. @defaultValue 16 */
  readonly pieces: number;
  /** `path` only: as `swarm`'s `chunkBytes`. */
  readonly chunkBytes?: number;
}

/** Granularities of `topology-aware`. */
export const TOPOLOGY_AWARE_GRANULARITIES = ['path', 'closure'] as const;

/** Options that only one granularity takes. */
const OPTIONS_OF = { path: ['pieces', 'chunkBytes'], closure: ['perHolder'] } as const;

/**
 * `topology-aware`: uses `topology.groupOf` (racks, regions, Wi-Fi versus wired) and routes.
 *
 * - `granularity: 'path'` (default): `swarm` (store paths as pieces, pipelined through the reference DAG)
 *   plus a group rule. A shared store path enters a group from outside only while nobody inside holds it
 *   and fewer than `crossings` copies are on their way in; afterwards the group's own holders spread it.
 *   At most `CROSSING_FLOWS` (4) transfers cross into one group at once, and a sender counts a transfer
 *   across a thin link by the share of that link it can get, not as a full uplink: the deployer keeps
 *   every WAN link busy with the shared paths and then the hosts' own paths while it serves its own
 *   region at full speed. Cross-group bytes are the minimum (each shared path once per group, each
 *   host's own paths once). On a network without groups it is `swarm`.
 * - `granularity: 'closure'`: one whole-closure copy crosses each boundary (per want set), from the outside
 *   holder with the best rate (then the lowest latency) to the receiver inside with the fastest uplink;
 *   then the group is served from inside only, log2-fanout style (each holder `perHolder` hosts at a time).
 *   On a flat network it is `log2-fanout`.
 * @throws ConfigError for an unknown option, an unknown `granularity`, an option of the other granularity,
 *   `crossings`/`pieces`/`perHolder` not an integer ≥ 1 or `chunkBytes` not a number ≥ 1.
 */
export function topologyAware(options?: RawOptions): Strategy {
  const o = checkKeys('topology-aware', options, ['granularity', 'crossings', 'perHolder', 'pieces', 'chunkBytes']);
  const granularity = enumOption('topology-aware', o, 'granularity', TOPOLOGY_AWARE_GRANULARITIES, 'path');
  const other = granularity === 'path' ? 'closure' : 'path';
  for (const key of OPTIONS_OF[other]) {
    if (o[key] !== undefined) throw new ConfigError(`only with granularity "${other}"`, `topology-aware.${key}`);
  }
  const crossings = intOption('topology-aware', o, 'crossings', 1, 1);
  if (granularity === 'closure') return closureLevel(crossings, perHolderOption('topology-aware', o));
  notBoth('topology-aware', o, 'pieces', 'chunkBytes');
  const pieces = intOption('topology-aware', o, 'pieces', SWARM_DEFAULT_PIECES, 1);
  return pathLevel(crossings, pieces, optionalNumberOption('topology-aware', o, 'chunkBytes', 1));
}

/** `granularity: 'path'`: `swarm` with the group rule of {@link SwarmGroups}. */
function pathLevel(crossings: number, pieces: number, chunkBytes: number | undefined): Strategy {
  let run: SwarmRun | undefined;
  let grouped = false;
  const groupOf = new Map<HostId, string>();
  return {
    name: 'topology-aware',
    plan(view: PlanView): readonly Proposal[] {
      if (run?.fleet !== view.fleet) {
        run = new SwarmRun(view.fleet, view, chunkBytes, pieces);
        grouped = SwarmGroups.present(view);
        groupOf.clear();
      }
      const groups = grouped ? new SwarmGroups(view, crossings, run.allRunningFlows(view), groupOf) : undefined;
      return new SwarmPlan(view, run, SWARM_DEFAULT_WINDOW, groups).plan();
    },
  };
}

/** `granularity: 'closure'`: whole-closure copies, one per group, then log2-fanout inside. */
function closureLevel(crossings: number, perHolder: number): Strategy {
  const memory = new StrategyMemory();
  return {
    name: 'topology-aware',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const groups = new GroupView(ctx);
      const { info } = ctx;
      const available = (h: HostId): boolean => ctx.idleSender(h, perHolder);
      const cursors = new Cursors();
      // Receivers with nobody inside their group to serve them, bucketed by (missing set, group).
      const outside = new Map<ReadonlySet<PathId>, Map<string, HostId[]>>();
      for (const t of ctx.wholeReceivers()) {
        const inside = groups.inside(t);
        if (inside.length > 0) {
          const s = pickSource(ctx, inside, t, available, cursors.of(inside));
          if (s !== undefined) ctx.propose(s, t, ctx.wholePaths(s, t));
          continue;
        }
        // Bucketed by the shared core: hosts of one role differ only in their private paths.
        const set = memory.core(view, view.missing(t));
        let byGroup = outside.get(set);
        if (!byGroup) outside.set(set, (byGroup = new Map<string, HostId[]>()));
        const g = groups.group(t);
        let bucket = byGroup.get(g);
        if (!bucket) byGroup.set(g, (bucket = []));
        bucket.push(t);
      }
      for (const byGroup of outside.values()) {
        for (const bucket of byGroup.values()) {
          let allowed = crossings - groups.crossingsInFlight(bucket[0]!);
          const ranked = [...bucket].sort(
            (a, b) => view.host(b).uplink - view.host(a).uplink || info.pos(a) - info.pos(b),
          );
          for (const t of ranked) {
            if (allowed <= 0) break;
            const list = ctx.sourcesFor(t, 'uplink');
            let best: HostId | undefined;
            for (const s of sourceWindow(ctx, list, t, available, cursors.of(list))) {
              if (best === undefined) {
                best = s;
                continue;
              }
              const dr = view.linkRate(s, t) - view.linkRate(best, t);
              const dl = view.route(best, t)!.latency - view.route(s, t)!.latency;
              const da = view.attempts(best, t) - view.attempts(s, t);
              if (dr > 0 || (dr === 0 && (dl > 0 || (dl === 0 && da > 0)))) best = s;
            }
            if (best === undefined) continue;
            ctx.propose(best, t, ctx.wholePaths(best, t));
            allowed--;
          }
        }
      }
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
