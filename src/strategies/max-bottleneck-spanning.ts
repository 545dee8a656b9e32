import type { Strategy } from '../core/strategy.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { greedyMatch } from './_internals/match.js';
import { checkKeys, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';

/** `max-bottleneck-spanning` takes no options. */
export type MaxBottleneckSpanningOptions = Record<string, never>;

/**
 * `max-bottleneck-spanning` (reference name): greedy maximum-weight matching of holders to receivers by
 * edge rate (`view.linkRate`: min of uplink, downlink and route bottleneck), each sender and receiver at
 * most once per plan call; the transfers form a spanning tree that favours fat links. Each receiver is
 * scored against its 16 best-uplink free holders (the reference scores every pair, O(N²)).
 * @throws ConfigError for any option (it takes none).
 */
export function maxBottleneckSpanning(options?: RawOptions): Strategy {
  checkKeys('max-bottleneck-spanning', options, []);
  const memory = new StrategyMemory();
  return {
    name: 'max-bottleneck-spanning',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const receivers = ctx.wholeReceivers();
      // Fast receivers first: the best pairs involve them, and the chunked matching sees them together.
      receivers.sort((a, b) => view.host(b).downlink - view.host(a).downlink || ctx.info.pos(a) - ctx.info.pos(b));
      greedyMatch(ctx, receivers, {
        order: 'uplink',
        available: (h) => ctx.sentNow(h) === 0 && ctx.sendLeft(h) > 0,
        score: (s, t) => view.linkRate(s, t),
      });
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
