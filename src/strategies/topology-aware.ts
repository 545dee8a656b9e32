import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { GroupView } from './_internals/groups.js';
import { checkKeys, intOption, perHolderOption, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';
import { Cursors, pickSource, sourceWindow } from './_internals/pick.js';

/** Options of `topology-aware`. */
export interface TopologyAwareOptions {
  /**
   * Whole-closure copies allowed to cross into one group (rack, region) at once while nobody inside holds
   * the closure.
   * @defaultValue 1
   */
  readonly crossings: number;
  /**
   * Receivers one holder serves at a time (sends still running from earlier plan calls count).
   * @defaultValue 1
   */
  readonly perHolder: number;
}

/**
 * `topology-aware`: uses `topology.groupOf` and routes. One copy crosses each thin boundary into a group
 * (per want set), from the outside holder with the best rate (then the lowest latency), to the receiver
 * inside with the fastest uplink; from then on the group is served from inside only, log2-fanout style
 * (each holder one new host per plan call). Receivers wait for a busy inside holder rather than pulling a
 * second copy across, so cross-group bytes stay near one closure per group. On a flat network it is
 * `log2-fanout`.
 * @throws ConfigError for an unknown option or `crossings` not an integer ≥ 1.
 */
export function topologyAware(options?: RawOptions): Strategy {
  const o = checkKeys('topology-aware', options, ['crossings', 'perHolder']);
  const perHolder = perHolderOption('topology-aware', o);
  const crossings = intOption('topology-aware', o, 'crossings', 1, 1);
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
