import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, intOption, optionalNumberOption, type RawOptions } from './_internals/options.js';
import { sendablePaths } from './_internals/paths.js';

/** Options of `swarm`. */
export interface SwarmOptions {
  /**
   * Pieces a want set is cut into: a transfer carries at most (largest want set's bytes ÷ pieces), so hosts
   * start forwarding early (pipelining). Ignored when `chunkBytes` is given.
   * @defaultValue 8
   */
  readonly pieces: number;
  /** Explicit byte cap per transfer (a single larger store path still goes alone). */
  readonly chunkBytes?: number;
}

/** Default of {@link SwarmOptions.pieces}. */
export const SWARM_DEFAULT_PIECES = 8;

/** Holders of one path looked at per candidate, and candidates per receiver; keeps a call near-linear. */
const HOLDER_SCAN = 16;
const CHECK_BUDGET = 256;

/**
 * `swarm`: store-path level, eager-friendly — BitTorrent pieces, with Nix store paths as pieces. A host
 * forwards the paths it already holds before it holds its whole closure. Each receiver with a free slot
 * takes the rarest path it can accept now (its references held), from the least-loaded free holder of it
 * (then fewest failed attempts, best rate, fleet order); the transfer is topped up to the chunk size with
 * more rarest-first paths that source holds, plus their dependents when the references come along in the
 * same transfer. Hosts run several transfers at once when their limits allow; parallel transfers to one
 * receiver carry disjoint paths. Never sends a path the receiver does not want.
 * @throws ConfigError for an unknown option, `pieces` not an integer ≥ 1 or `chunkBytes` < 1.
 */
export function swarm(options?: RawOptions): Strategy {
  const o = checkKeys('swarm', options, ['pieces', 'chunkBytes']);
  const pieces = intOption('swarm', o, 'pieces', SWARM_DEFAULT_PIECES, 1);
  const chunkOption = optionalNumberOption('swarm', o, 'chunkBytes', 1);
  const memory = new StrategyMemory();
  let chunk: number | undefined = chunkOption;
  return {
    name: 'swarm',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const { info } = ctx;
      if (chunk === undefined) {
        let largest = 0;
        const seen = new Set<readonly PathId[]>();
        for (const t of info.targets) {
          const a = info.wantArray(t)!;
          if (seen.has(a)) continue;
          seen.add(a);
          largest = Math.max(largest, view.closure.bytes(a));
        }
        chunk = Math.max(1, Math.ceil(largest / pieces));
      }
      let freeSlots = 0;
      for (const h of view.fleet.hosts) if (view.have(h.id).size > 0) freeSlots += Math.max(0, ctx.sendLeft(h.id));
      if (freeSlots === 0) return [];
      const plannedCount = new Map<PathId, number>();
      const rarity = (p: PathId): number => view.holders(p).size + (plannedCount.get(p) ?? 0);
      const topo = info.topoIndex();
      for (const t of view.pending()) {
        if (freeSlots <= 0) break;
        while (ctx.recvLeft(t) > 0 && freeSlots > 0) {
          const incoming = view.incoming(t);
          const planned = ctx.planned(t);
          const frontier: PathId[] = [];
          for (const p of view.missing(t)) {
            if (incoming.has(p) || planned?.has(p)) continue;
            if (view.closure.get(p).references.every((r) => view.has(t, r))) frontier.push(p);
          }
          if (frontier.length === 0) break;
          frontier.sort((a, b) => rarity(a) - rarity(b) || topo.get(a)! - topo.get(b)!);
          const source = pickHolder(ctx, frontier, t);
          if (source === undefined) break;
          const paths = sendablePaths(ctx, source, t, { maxBytes: chunk, rank: rarity });
          if (paths.length === 0) break;
          ctx.propose(source, t, paths);
          freeSlots--;
          for (const p of paths) plannedCount.set(p, (plannedCount.get(p) ?? 0) + 1);
        }
      }
      return ctx.proposals;
    },
  };
}

/** The best free holder of the rarest frontier path that has one. */
function pickHolder(ctx: PlanContext, frontier: readonly PathId[], to: HostId): HostId | undefined {
  const { view, info } = ctx;
  let checks = 0;
  for (const p of frontier) {
    let best: HostId | undefined;
    let seen = 0;
    for (const h of view.holders(p)) {
      if (++checks > CHECK_BUDGET) return best;
      if (ctx.sendLeft(h) <= 0 || !ctx.edgeOk(h, to)) continue;
      if (best === undefined || better(h, best)) best = h;
      if (++seen >= HOLDER_SCAN) break;
    }
    if (best !== undefined) return best;
  }
  return undefined;

  function better(h: HostId, b: HostId): boolean {
    const load = view.sending(h) + ctx.sentNow(h) - (view.sending(b) + ctx.sentNow(b));
    if (load !== 0) return load < 0;
    const att = view.attempts(h, to) - view.attempts(b, to);
    if (att !== 0) return att < 0;
    const rate = view.linkRate(h, to) - view.linkRate(b, to);
    if (rate !== 0) return rate > 0;
    return info.pos(h) < info.pos(b);
  }
}
