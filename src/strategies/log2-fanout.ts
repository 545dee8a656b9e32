import type { Strategy } from '../core/strategy.js';
import type { PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';
import { Cursors, pickSource } from './_internals/pick.js';

/** `log2-fanout` takes no options. */
export type Log2FanoutOptions = Record<string, never>;

/**
 * `log2-fanout`: every holder sends the whole closure to one new host per plan call, so holders double
 * each round (a binomial tree): ⌈log₂(N+1)⌉ rounds from one seed on a homogeneous flat fleet in round
 * mode. Receivers and holders are paired in fleet order; a holder skipped for one receiver (no route,
 * failed edge) stays available to the next one in the same round, unlike the reference. Receivers that
 * failed before get the holder with the fewest failed attempts on that edge.
 * @throws ConfigError for any option (it takes none).
 */
export function log2Fanout(options?: RawOptions): Strategy {
  checkKeys('log2-fanout', options, []);
  const memory = new StrategyMemory();
  return {
    name: 'log2-fanout',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const cursors = new Cursors();
      const available = (h: string): boolean => ctx.sentNow(h) === 0 && ctx.sendLeft(h) > 0;
      // Missing sets whose holders are all used up in this call: their receivers are skipped at the cost
      // of one lookup, so early rounds (one seed, 100,000 receivers) stay cheap.
      const exhausted = new Set<ReadonlySet<PathId>>();
      for (const t of view.pending()) {
        const set = view.missing(t);
        if (exhausted.has(set) || !ctx.isWholeReceiver(t)) continue;
        const list = ctx.sourcesFor(t);
        const cursor = cursors.of(list);
        const s = pickSource(ctx, list, t, available, cursor);
        if (s !== undefined) ctx.propose(s, t, ctx.wholePaths(t));
        else if (cursor.i >= list.length) exhausted.add(set);
      }
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
