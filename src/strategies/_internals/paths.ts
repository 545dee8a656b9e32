import type { HostId, PathId } from '../../core/types.js';
import { SOURCE_WINDOW, type PlanContext } from './context.js';

/** How {@link sendablePaths} chooses among the paths it may send. */
export interface SendableOptions {
  /** Stop adding paths once this many bytes are picked (the first path always goes). Default: no cap. */
  readonly maxBytes?: number;
  /** Lower rank = picked first among paths whose references the receiver already holds (rarest-first). */
  readonly rank?: (path: PathId) => number;
  /** Only consider paths passing this filter. */
  readonly only?: (path: PathId) => boolean;
}

/**
 * The paths `from` can send `to` in one transfer right now, in topological order: held by `from`, missing
 * at `to`, neither in flight nor already planned to `to`, and closed under references — each path's
 * references are held by `to` or picked too (the Nix closure invariant). Ranked paths whose references
 * `to` already holds go first; the rest of the budget is filled with their dependents in topological order.
 */
export function sendablePaths(
  ctx: PlanContext,
  from: HostId,
  to: HostId,
  options: SendableOptions = {},
): PathId[] {
  const { view } = ctx;
  const closure = view.closure;
  const topo = ctx.info.topoIndex();
  const incoming = view.incoming(to);
  const planned = ctx.planned(to);
  const cand: PathId[] = [];
  for (const p of view.missing(to)) {
    if (incoming.has(p) || planned?.has(p) || !view.has(from, p)) continue;
    if (options.only && !options.only(p)) continue;
    cand.push(p);
  }
  if (cand.length === 0) return [];
  cand.sort((a, b) => topo.get(a)! - topo.get(b)!);
  const budget = options.maxBytes ?? Infinity;
  const picked = new Set<PathId>();
  let bytes = 0;
  const take = (p: PathId): boolean => {
    const size = closure.narSize(p);
    if (picked.size > 0 && bytes + size > budget) return false;
    picked.add(p);
    bytes += size;
    return true;
  };
  const refsReady = (p: PathId): boolean =>
    closure.get(p).references.every((r) => view.has(to, r) || picked.has(r));

  if (options.rank) {
    const rank = options.rank;
    const frontier = cand.filter((p) => closure.get(p).references.every((r) => view.has(to, r)));
    frontier.sort((a, b) => rank(a) - rank(b) || topo.get(a)! - topo.get(b)!);
    for (const p of frontier) take(p);
  }
  for (const p of cand) {
    if (picked.has(p) || !refsReady(p)) continue;
    take(p);
  }
  return cand.filter((p) => picked.has(p));
}

/**
 * For a receiver no single host can serve whole (e.g. only a partial binary cache and partial peers hold
 * what it misses): the source that can send it the most bytes of a closed subset now, among up to
 * {@link SOURCE_WINDOW} holders of the paths it could take next. Fewer failed attempts, then fleet order,
 * break ties.
 */
export function bestPartial(
  ctx: PlanContext,
  to: HostId,
  accept: (from: HostId) => boolean = () => true,
): { from: HostId; paths: PathId[] } | undefined {
  const { view } = ctx;
  const seen = new Set<HostId>();
  const candidates: HostId[] = [];
  outer: for (const p of view.missing(to)) {
    if (view.incoming(to).has(p)) continue;
    if (!view.closure.get(p).references.every((r) => view.has(to, r))) continue;
    for (const h of view.holders(p)) {
      if (seen.has(h)) continue;
      seen.add(h);
      if (ctx.sendLeft(h) > 0 && accept(h) && ctx.edgeOk(h, to)) candidates.push(h);
      if (candidates.length >= SOURCE_WINDOW) break outer;
    }
  }
  let best: { from: HostId; paths: PathId[]; bytes: number } | undefined;
  for (const h of candidates) {
    const paths = sendablePaths(ctx, h, to);
    if (paths.length === 0) continue;
    const bytes = view.closure.bytes(paths);
    const better =
      !best ||
      bytes > best.bytes ||
      (bytes === best.bytes &&
        (view.attempts(h, to) < view.attempts(best.from, to) ||
          (view.attempts(h, to) === view.attempts(best.from, to) &&
            ctx.info.pos(h) < ctx.info.pos(best.from))));
    if (better) best = { from: h, paths, bytes };
  }
  return best && { from: best.from, paths: best.paths };
}

/**
 * Private rests for whole-closure strategies: a receiver a peer already gave the shared part misses only
 * its own paths, which only a seed holds. Those rests are small, so they ride on the seeds' spare send
 * slots (up to `maxSends`) instead of waiting, one per round, for the seed's cascade slot. A no-op when no
 * target wants a path of its own.
 */
export function privateRests(ctx: PlanContext): void {
  if (!ctx.info.hasPrivate()) return;
  const seeds = ctx.info.seeds;
  for (const t of ctx.view.pending()) {
    if (!ctx.isWholeReceiver(t) || !ctx.memory.holdsShared(ctx.view, t)) continue;
    const s = seeds.find((h) => ctx.sendLeft(h) > 0 && ctx.edgeOk(h, t) && ctx.canServeWhole(h, t));
    if (s !== undefined) ctx.propose(s, t, ctx.wholePaths(s, t));
  }
}

/**
 * Partial transfers for whole-closure strategies, after their {@link privateRests}: every receiver that no
 * live host can serve whole gets the largest closed part some source holds, so a fleet whose seeds each
 * hold only part of a want set still converges. A no-op in the usual case (a deployer holding everything). `pool`: look for whole
 * sources only there (see {@link PlanContext.sourcesAmong}) instead of asking the view for holders.
 */
export function partialFallback(
  ctx: PlanContext,
  accept?: (from: HostId) => boolean,
  pool?: readonly HostId[],
): void {
  privateRests(ctx);
  // Receivers sharing a missing set share the answer; checking the set first keeps this pass cheap.
  const served = new Map<ReadonlySet<PathId>, boolean>();
  for (const t of ctx.view.pending()) {
    const set = ctx.view.missing(t);
    let has = served.get(set);
    if (has === undefined) {
      const sources = pool ? ctx.sourcesAmong(t, pool) : ctx.sourcesFor(t);
      served.set(set, (has = set.size === 0 || sources.length > 0));
    }
    if (has || !ctx.isWholeReceiver(t)) continue;
    const pick = bestPartial(ctx, t, accept);
    if (pick) ctx.propose(pick.from, t, pick.paths);
  }
}
