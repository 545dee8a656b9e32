import { ConfigError } from '../core/errors.js';
import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import type { FleetInfo } from './_internals/fleet-info.js';
import { checkKeys, numberOption, perHolderOption, type RawOptions } from './_internals/options.js';
import { bestPartial, privateRests } from './_internals/paths.js';
import { Cursors, pickSource } from './_internals/pick.js';

/** Options of `multi-target`. */
export interface MultiTargetOptions {
  /**
   * A path wanted by at least this fraction of the targets (and by two or more) is "shared" and spreads
   * fleet-wide first; paths wanted by two or more but fewer are role paths; the rest are host-specific.
   * @defaultValue 0.5
   */
  readonly sharedFraction: number;
  /**
   * Receivers one holder serves at a time (sends still running from earlier plan calls count).
   * @defaultValue 1
   */
  readonly perHolder: number;
}

/** Default of {@link MultiTargetOptions.sharedFraction}. */
export const MULTI_TARGET_DEFAULT_SHARED_FRACTION = 0.5;

const TIERS = 3;

/**
 * Path tier by how many targets want it: 0 shared, 1 role, 2 host-specific. A path's references are wanted
 * by everyone who wants the path (want sets are closed), so they sit in the same or a lower tier: a tier
 * sent after the lower ones is closed under references.
 */
function tiers(info: FleetInfo, sharedFraction: number): Map<PathId, number> {
  const threshold = Math.max(2, Math.ceil(sharedFraction * info.targets.length));
  const out = new Map<PathId, number>();
  for (const [p, n] of info.wantCount()) out.set(p, n >= threshold ? 0 : n >= 2 ? 1 : 2);
  return out;
}

/**
 * `multi-target`: for fleets whose hosts want different closures that share most paths (same base,
 * different roles). A receiver first gets the shared tier of what it misses, from any host fleet-wide
 * that holds it (log2-fanout style, one new receiver per holder per plan call); then its role tier, from
 * hosts of its role; then its own paths. Peers serve before seeds, so the deployer's uplink goes to what
 * only it holds; a source that also holds the later tiers sends them in the same transfer. On a fleet
 * where every host wants the same closure it is `log2-fanout` with peers serving before seeds; like it, it
 * ignores the topology (use `topology-aware` for racks and regions).
 * @throws ConfigError for an unknown option or `sharedFraction` outside (0, 1].
 */
export function multiTarget(options?: RawOptions): Strategy {
  const o = checkKeys('multi-target', options, ['sharedFraction', 'perHolder']);
  const perHolder = perHolderOption('multi-target', o);
  const sharedFraction = numberOption('multi-target', o, 'sharedFraction', MULTI_TARGET_DEFAULT_SHARED_FRACTION, 0, 1);
  if (sharedFraction === 0) throw new ConfigError('must be in (0, 1], got 0', 'multi-target.sharedFraction');
  const memory = new StrategyMemory();
  let tierOf: Map<PathId, number> | undefined;
  return {
    name: 'multi-target',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const { info } = ctx;
      tierOf ??= tiers(info, sharedFraction);
      const tier = tierOf;
      const isSeed = new Set(info.seeds);
      // Per distinct core of a missing set (what it misses minus its private paths: hosts of one role
      // share it while their own paths differ): its first non-empty tier and that tier's sources.
      const layers = new Map<ReadonlySet<PathId>, { first: number; part: PathId[]; sources: HostId[] }>();
      const split = (set: Iterable<PathId>): PathId[][] => {
        const parts: PathId[][] = Array.from({ length: TIERS }, () => []);
        for (const p of set) parts[tier.get(p) ?? 2]!.push(p);
        return parts;
      };
      const layerOf = (t: HostId): { first: number; part: PathId[]; sources: HostId[] } => {
        const key = memory.core(view, view.missing(t));
        let l = layers.get(key);
        if (l) return l;
        const parts = split(key);
        const first = parts.findIndex((x) => x.length > 0);
        const part = parts[first]!;
        let rarest = part[0]!;
        for (const p of part) if (view.holders(p).size < view.holders(rarest).size) rarest = p;
        const sources: HostId[] = [];
        const same = info.wantArray(t);
        for (const h of view.holders(rarest)) {
          if (h === t || view.isFailed(h)) continue;
          const whole = same !== undefined && info.wantArray(h) === same && view.isDone(h);
          if (whole || memory.holdsPart(view, h, key, first, part)) sources.push(h);
        }
        sources.sort((a, b) => Number(isSeed.has(a)) - Number(isSeed.has(b)) || info.pos(a) - info.pos(b));
        l = { first, part, sources };
        layers.set(key, l);
        return l;
      };
      const cursors = new Cursors();
      const available = (h: HostId): boolean => ctx.idleSender(h, perHolder);
      const rests = info.hasPrivate();
      for (const t of ctx.wholeReceivers()) {
        // Only its own paths left: served below on the seeds' spare send slots, not one per call.
        if (rests && memory.holdsShared(view, t)) continue;
        const l = layerOf(t);
        if (l.sources.length === 0) {
          // Nobody holds this tier whole (e.g. seeds that each hold part of it): take a closed part.
          const pick = bestPartial(ctx, t);
          if (pick) ctx.propose(pick.from, t, pick.paths);
          continue;
        }
        const s = pickSource(ctx, l.sources, t, available, cursors.of(l.sources));
        if (s === undefined) continue;
        // The later tiers of what t misses ride along when the source holds them.
        const parts = split(view.missing(t));
        let paths = parts[l.first]!;
        for (let k = l.first + 1; k < TIERS; k++) {
          const more = parts[k]!;
          if (more.length === 0) continue;
          if (!view.holdsAll(s, more)) break;
          paths = paths.concat(more);
        }
        ctx.propose(s, t, paths);
      }
      // Per-host paths (a toplevel, a configuration) come only from a seed; with one per call a 30-host
      // fleet of private closures took 10× the bound (240 s against 24 s).
      if (rests) privateRests(ctx);
      return ctx.proposals;
    },
  };
}
