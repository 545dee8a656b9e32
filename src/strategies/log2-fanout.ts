import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { failedLast, PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, perHolderOption, type PerHolderOptions, type RawOptions } from './_internals/options.js';
import { partialFallback, privateRests } from './_internals/paths.js';
import { Cursors, pickSource } from './_internals/pick.js';

/** Options of `log2-fanout`: only `perHolder` (default 1, the binomial tree). */
export type Log2FanoutOptions = PerHolderOptions;

/**
 * `log2-fanout`: every holder sends the whole closure to one new host per plan call, so holders double
 * each round (a binomial tree): ⌈log₂(N+1)⌉ rounds from one seed on a homogeneous flat fleet in round
 * mode. Receivers and holders are paired in fleet order; a holder skipped for one receiver (no route,
 * failed edge) stays available to the next one in the same round, unlike the reference. Receivers that
 * failed before get the holder with the fewest failed attempts on that edge. A holder serves one receiver
 * at a time in both modes (option `perHolder`): in eager mode a holder still sending is not used again, so
 * the deployer never splits its uplink and eager mode is never slower than round mode.
 * @throws ConfigError for an unknown option or `perHolder` not an integer ≥ 1.
 */
export function log2Fanout(options?: RawOptions): Strategy {
  const perHolder = perHolderOption('log2-fanout', checkKeys('log2-fanout', options, ['perHolder']));
  const memory = new StrategyMemory();
  // Per fleet: does one seed hold every wanted path? (The strategy object may be reused on another fleet.)
  let simpleFleet: unknown;
  let simple = false;
  return {
    name: 'log2-fanout',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const cursors = new Cursors();
      const available = (h: string): boolean => ctx.idleSender(h, perHolder);
      // Missing sets whose holders are all used up in this call: their receivers are skipped at the cost
      // of one lookup, so early rounds (one seed, 100,000 receivers) stay cheap.
      const exhausted = new Set<ReadonlySet<PathId>>();
      // Sources come from the hosts known to be full (seeds, done targets), tracked incrementally: asking
      // `view.holders(path)` every round costs seconds at 100,000 hosts.
      const pool = memory.fullHolders(view);
      // Only a receiver no full host can serve needs the partial fallback; skipping its pass when there is
      // none saves a second walk over every pending host.
      let unserved = false;
      // When one seed holds every wanted path, no receiver needs a partial transfer, so once every full
      // host is busy nobody else can be served: stop instead of walking 100,000 pending hosts.
      if (simpleFleet !== view.fleet) {
        simpleFleet = view.fleet;
        simple = ctx.info.seeds.some((s) => view.holdsAll(s, ctx.info.wantCount().keys()));
      }
      const rests = ctx.info.hasPrivate();
      let free = 0;
      const poolAt = memory.fullHolderPositions(pool);
      if (poolAt !== undefined) for (const i of poolAt) free += ctx.idleSenderAt(i, perHolder) ? 1 : 0;
      else for (const h of pool) if (available(h)) free++;
      /** Serves `t` if it can; true when nobody else can be served in this call. */
      const serve = (t: HostId): boolean => {
        const set = view.missing(t);
        if (exhausted.has(set) || !ctx.isWholeReceiver(t)) return false;
        if (rests && memory.holdsShared(view, t)) return false; // a private rest: see privateRests
        const list = ctx.sourcesAmong(t, pool);
        if (list.length === 0) unserved = true;
        const cursor = cursors.of(list);
        const s = pickSource(ctx, list, t, available, cursor);
        if (s !== undefined) {
          ctx.propose(s, t, ctx.wholePaths(s, t));
          if (!available(s) && --free <= 0 && simple) return true;
        } else if (cursor.at(0) >= list.length) exhausted.add(set); // every source of the list is busy
        return false;
      };
      // Receivers that failed before go last; failedLast is lazy, so the early stop still spares the walk
      // over every pending host.
      for (const t of failedLast(view, view.pending())) if (serve(t)) break;
      // Private rests first (cheap: one pass); the partial pass only when some receiver had no whole
      // source, since with per-host paths every receiver has its own missing set and it costs O(N·pool).
      if (unserved)
        partialFallback(ctx, undefined, pool); // runs privateRests first
      else if (rests) privateRests(ctx);
      return ctx.proposals;
    },
  };
}
