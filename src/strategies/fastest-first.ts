import type { Strategy } from '../core/strategy.js';
import type { HostId } from '../core/types.js';
import { failedLast, PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';
import { Cursors, sourceWindow } from './_internals/pick.js';

/** `fastest-first` takes no options. */
export type FastestFirstOptions = Record<string, never>;

/**
 * `fastest-first`: bandwidth-aware greedy over whole-closure transfers.
 *
 * - Holders with the most spare uplink (uplink ÷ (transfers it runs + 1)) serve first, and they serve
 *   the receivers with the fastest uplinks, which become the next fast holders.
 * - A holder takes a further concurrent transfer only while its shared uplink still saturates the
 *   receiver's downlink, so extra sends never slow the ones it runs.
 * - Slow receivers that would finish last if served late — downlink × (doubling rounds still needed) ≤
 *   the median downlink — are served first, each by the *least* spare holder that still saturates it, so
 *   they start early without taking a fast holder away from the cascade.
 * @throws ConfigError for any option (it takes none).
 */
export function fastestFirst(options?: RawOptions): Strategy {
  checkKeys('fastest-first', options, []);
  const memory = new StrategyMemory();
  return {
    name: 'fastest-first',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const { info } = ctx;
      const receivers = ctx.wholeReceivers();
      if (receivers.length > 0) {
        const load = (h: HostId): number => view.sending(h) + ctx.sentNow(h);
        const spare = (h: HostId): number => view.host(h).uplink / (load(h) + 1);
        const rate = (s: HostId, t: HostId): number => Math.min(view.linkRate(s, t), spare(s));
        const down = (h: HostId): number => view.host(h).downlink;
        const holders = Math.max(1, ctx.sourcesFor(receivers[0]!).length);
        const levels = Math.max(1, Math.ceil(Math.log2((view.pending().length + holders) / holders)));
        const downs = receivers.map(down).sort((a, b) => a - b);
        const median = downs[Math.floor(downs.length / 2)]!;
        // Slow receivers that would finish last if served late; each group in its own order, receivers
        // that failed before last (as in `wholeReceivers`).
        const slow = (t: HostId): boolean => down(t) * levels <= median && down(t) < median;
        const slowFirst = (a: HostId, b: HostId): number => down(a) - down(b) || info.pos(a) - info.pos(b);
        const fastFirst = (a: HostId, b: HostId): number =>
          view.host(b).uplink - view.host(a).uplink || down(b) - down(a) || info.pos(a) - info.pos(b);
        const critical = [...failedLast(view, receivers.filter(slow).sort(slowFirst))];
        const rest = [...failedLast(view, receivers.filter((t) => !slow(t)).sort(fastFirst))];
        const cursors = new Cursors();
        const better = (s: HostId, best: HostId | undefined, t: HostId, cmp: number): boolean =>
          best === undefined ||
          cmp > 0 ||
          (cmp === 0 &&
            (view.attempts(s, t) < view.attempts(best, t) ||
              (view.attempts(s, t) === view.attempts(best, t) && info.pos(s) < info.pos(best))));

        for (const t of critical) {
          const list = ctx.sourcesFor(t, 'uplink');
          const win = sourceWindow(ctx, list, t, (h) => ctx.sendLeft(h) > 0, cursors.of(list));
          let fit: HostId | undefined;
          let fast: HostId | undefined;
          for (const s of win) {
            if (rate(s, t) >= down(t)) {
              if (better(s, fit, t, fit === undefined ? 1 : spare(fit) - spare(s))) fit = s;
            }
            if (better(s, fast, t, fast === undefined ? 1 : rate(s, t) - rate(fast, t))) fast = s;
          }
          const s = fit ?? fast;
          if (s !== undefined) ctx.propose(s, t, ctx.wholePaths(s, t));
        }
        for (const t of rest) {
          const list = ctx.sourcesFor(t, 'uplink');
          const fits = (h: HostId): boolean => load(h) === 0 || spare(h) >= down(t);
          const free = (h: HostId): boolean => ctx.sendLeft(h) > 0;
          let best: HostId | undefined;
          for (const s of sourceWindow(ctx, list, t, free, cursors.of(list), undefined, fits)) {
            if (better(s, best, t, best === undefined ? 1 : rate(s, t) - rate(best, t))) best = s;
          }
          if (best !== undefined) ctx.propose(best, t, ctx.wholePaths(best, t));
        }
      }
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
