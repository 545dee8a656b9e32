import { ConfigError } from '../core/errors.js';
import type { Strategy, StrategyInfo } from '../core/strategy.js';
import { costAware } from './cost-aware.js';
import { fastestFirst } from './fastest-first.js';
import { levelTree } from './level-tree.js';
import { log2Fanout } from './log2-fanout.js';
import { maxBottleneckSpanning } from './max-bottleneck-spanning.js';
import { multiTarget } from './multi-target.js';
import { pushParallel } from './push-parallel.js';
import { pushSequential } from './push-sequential.js';
import { steinerGreedy } from './steiner-greedy.js';
import { swarm } from './swarm.js';
import { topologyAware } from './topology-aware.js';

/**
 * Every registered strategy, in the order the CLI lists them: baselines, the reference system's
 * strategies under their names, then the new ones. `create` validates its options (unknown keys or bad
 * values are a ConfigError naming the option) and returns a fresh instance for one run.
 */
export const registry: readonly StrategyInfo[] = [
  {
    name: 'push-sequential',
    description: 'the deployer copies the closure to one host at a time',
    create: pushSequential,
  },
  {
    name: 'push-parallel',
    description: 'the deployer pushes to k hosts at once, like colmena/deploy-rs (option k, default 8)',
    create: pushParallel,
  },
  {
    name: 'log2-fanout',
    description: 'every holder sends to one new host per round; holders double (binomial tree)',
    create: log2Fanout,
  },
  {
    name: 'max-bottleneck-spanning',
    description: 'greedy max-bandwidth matching of holders to receivers, each at most once per round',
    create: maxBottleneckSpanning,
  },
  {
    name: 'steiner-greedy',
    description: 'best-bandwidth holder per receiver without a per-sender cap (shows uplink contention)',
    create: steinerGreedy,
  },
  {
    name: 'level-tree',
    description: 'F-ary tree filled one level per round, orphans re-routed to a live ancestor (option fanout, default 2)',
    create: levelTree,
  },
  {
    name: 'fastest-first',
    description: 'holders with the most spare uplink serve first; slow receivers start early on a fitting source',
    create: fastestFirst,
  },
  {
    name: 'topology-aware',
    description: 'each store path crosses into a rack/region once, then spreads inside it (option granularity: path or closure)',
    create: topologyAware,
  },
  {
    name: 'swarm',
    description: 'store-path pieces, rarest first; hosts forward paths before holding their whole closure',
    create: swarm,
  },
  {
    name: 'multi-target',
    description: 'shared paths spread fleet-wide first, role paths within their role, then host-specific ones',
    create: multiTarget,
  },
  {
    name: 'cost-aware',
    description: 'trades transfer time against link prices (egress); option weight in [0,1] or pricePerSecond',
    create: costAware,
  },
];

/** Names of the registered strategies, registry order. */
export function strategyNames(): string[] {
  return registry.map((s) => s.name);
}

/**
 * A fresh strategy instance (one per run) built from `options`.
 * @throws ConfigError for an unknown name (the message lists the accepted names) or bad options.
 */
export function getStrategy(name: string, options?: Readonly<Record<string, unknown>>): Strategy {
  const info = registry.find((s) => s.name === name);
  if (!info) {
    throw new ConfigError(`unknown strategy "${name}" (accepted: ${strategyNames().join(', ')})`, 'strategy');
  }
  return info.create(options);
}
