import type { Strategy } from '../core/strategy.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { greedyMatch } from './_internals/match.js';
import { checkKeys, perHolderOption, type PerHolderOptions, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';

/** Options of `max-bottleneck-spanning`: only `perHolder` (default 1). */
export type MaxBottleneckSpanningOptions = PerHolderOptions;

/**
 * `max-bottleneck-spanning` (reference name): greedy maximum-weight matching of holders to receivers by
 * edge rate (`view.linkRate`: min of uplink, downlink and route bottleneck), each sender and receiver at
 * most once per plan call; the transfers form a spanning tree that favours fat links. Each receiver is
 * scored against its 16 best-uplink free holders (the reference scores every pair, O(N²)).
 * A holder still sending (eager mode) is not matched again unless `perHolder` > 1.
 * @throws ConfigError for an unknown option or `perHolder` not an integer ≥ 1.
 */
export function maxBottleneckSpanning(options?: RawOptions): Strategy {
  const perHolder = perHolderOption('max-bottleneck-spanning', checkKeys('max-bottleneck-spanning', options, ['perHolder']));
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
        available: (h) => ctx.idleSender(h, perHolder),
        score: (s, t) => view.linkRate(s, t),
      });
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
