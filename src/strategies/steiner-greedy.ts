import type { Strategy } from '../core/strategy.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { greedyMatch } from './_internals/match.js';
import { checkKeys, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';

/** `steiner-greedy` takes no options. */
export type SteinerGreedyOptions = Record<string, never>;

/**
 * `steiner-greedy` (reference name): like `max-bottleneck-spanning` but without the one-send-per-holder
 * cap — a holder serves as many receivers at once as its `maxSends` allows. On a uniform fleet whose seed
 * may send to all, every host is served in one round; it shows what uplink contention costs.
 * @throws ConfigError for any option (it takes none).
 */
export function steinerGreedy(options?: RawOptions): Strategy {
  checkKeys('steiner-greedy', options, []);
  const memory = new StrategyMemory();
  return {
    name: 'steiner-greedy',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const receivers = ctx.wholeReceivers();
      receivers.sort((a, b) => view.host(b).downlink - view.host(a).downlink || ctx.info.pos(a) - ctx.info.pos(b));
      greedyMatch(ctx, receivers, {
        order: 'uplink',
        available: (h) => ctx.sendLeft(h) > 0,
        score: (s, t) => view.linkRate(s, t),
      });
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
