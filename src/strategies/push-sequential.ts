import type { Strategy } from '../core/strategy.js';
import { StrategyMemory } from './_internals/context.js';
import { checkKeys, type RawOptions } from './_internals/options.js';
import { planPush } from './push.js';

/** `push-sequential` takes no options. */
export type PushSequentialOptions = Record<string, never>;

/**
 * `push-sequential`: the deployer (the seeds, fleet order) copies the closure to one host at a time, the
 * way a shell loop of `nix copy` does. The slowest baseline: N transfers back to back.
 * @throws ConfigError for any option (it takes none).
 */
export function pushSequential(options?: RawOptions): Strategy {
  checkKeys('push-sequential', options, []);
  const memory = new StrategyMemory();
  return { name: 'push-sequential', plan: (view) => planPush(view, memory, 1) };
}
