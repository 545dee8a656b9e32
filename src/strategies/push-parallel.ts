import type { Strategy } from '../core/strategy.js';
import { StrategyMemory } from './_internals/context.js';
import { checkKeys, intOption, type RawOptions } from './_internals/options.js';
import { planPush } from './push.js';

/** Options of `push-parallel`. */
export interface PushParallelOptions {
  /**
   * Transfers the seeds run at once, across all seeds (each seed's `maxSends` still applies).
   * @defaultValue 8
   */
  readonly k: number;
}

/** Default of {@link PushParallelOptions.k}. */
export const PUSH_PARALLEL_DEFAULT_K = 8;

/**
 * `push-parallel`: the deployer pushes to `k` hosts at once and starts the next as one ends — what colmena
 * (`--parallel`) and deploy-rs do. No peer ever serves another, so the deployer's uplink bounds it.
 * @throws ConfigError for an unknown option or a `k` that is not an integer ≥ 1.
 */
export function pushParallel(options?: RawOptions): Strategy {
  const o = checkKeys('push-parallel', options, ['k']);
  const k = intOption('push-parallel', o, 'k', PUSH_PARALLEL_DEFAULT_K, 1);
  const memory = new StrategyMemory();
  return { name: 'push-parallel', plan: (view) => planPush(view, memory, k) };
}
