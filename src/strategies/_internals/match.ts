import type { HostId } from '../../core/types.js';
import type { PlanContext, SourceOrder } from './context.js';
import { Cursors, sourceWindow } from './pick.js';

/** Receivers scored together in one greedy pass, and candidate sources per receiver; bound the pair list. */
const CHUNK = 64;
const WINDOW = 16;

/** How {@link greedyMatch} builds and ranks its candidate pairs. */
export interface GreedyMatchOptions {
  /** Order of each receiver's source list the window is taken from. */
  readonly order: SourceOrder;
  /** Whether a source can take one more transfer in this batch. */
  readonly available: (h: HostId) => boolean;
  /** Higher is better; pairs are taken in descending score (each receiver sees its 16 first sources). */
  readonly score: (from: HostId, to: HostId) => number;
  /** Optional veto for a pair (e.g. a second paid crossing into a group); vetoed sources take no window slot. */
  readonly allow?: (from: HostId, to: HostId) => boolean;
  /** The source list of a receiver; defaults to `ctx.sourcesFor(t, order)`. */
  readonly sources?: (to: HostId) => readonly HostId[];
  /** Called after a pair is proposed (e.g. to count a crossing). */
  readonly onPropose?: (from: HostId, to: HostId) => void;
}

/**
 * Greedy maximum-weight matching of whole-closure receivers to sources: candidate pairs (each receiver
 * with a window of its best sources) sorted by descending score — ties: fewer failed attempts, then
 * fleet order of receiver and source — and taken while both ends are free. Receivers are processed in
 * chunks in the order given, with repeated passes until a chunk gains nothing, so the cost stays
 * O(R · window · log) instead of the reference's O(R · H) pair list.
 */
export function greedyMatch(ctx: PlanContext, receivers: readonly HostId[], opts: GreedyMatchOptions): void {
  const { view, info } = ctx;
  const cursors = new Cursors();
  for (let start = 0; start < receivers.length; start += CHUNK) {
    let open = receivers.slice(start, start + CHUNK);
    while (open.length > 0) {
      const pairs: { s: HostId; t: HostId; score: number; att: number }[] = [];
      for (const t of open) {
        const list = opts.sources ? opts.sources(t) : ctx.sourcesFor(t, opts.order);
        // The veto applies inside the window: cutting to 16 sources first left a receiver whose 16 fastest
        // sources were all vetoed (cost-aware: across a WAN while its own region holds the closure)
        // without a candidate for good, though slower holders it may use were free.
        const allowed = opts.allow && ((s: HostId): boolean => opts.allow!(s, t));
        for (const s of sourceWindow(ctx, list, t, opts.available, cursors.of(list), WINDOW, allowed)) {
          pairs.push({ s, t, score: opts.score(s, t), att: view.attempts(s, t) });
        }
      }
      if (pairs.length === 0) break;
      pairs.sort(
        (a, b) =>
          b.score - a.score ||
          a.att - b.att ||
          info.pos(a.t) - info.pos(b.t) ||
          info.pos(a.s) - info.pos(b.s),
      );
      const matched = new Set<HostId>();
      for (const p of pairs) {
        if (matched.has(p.t) || !opts.available(p.s)) continue;
        if (opts.allow && !opts.allow(p.s, p.t)) continue;
        ctx.propose(p.s, p.t, ctx.wholePaths(p.s, p.t));
        opts.onPropose?.(p.s, p.t);
        matched.add(p.t);
      }
      if (matched.size === 0) break;
      open = open.filter((t) => !matched.has(t));
    }
  }
}
