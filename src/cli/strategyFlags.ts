import type { Argv } from 'yargs';
import type { Strategy } from '../core/strategy.js';
import type { ScenarioSpec } from '../sim/index.js';
import { getStrategy } from '../strategies/registry.js';
import { parseStrategyOptions } from './scenarioFlags.js';

/** `--strategy` and `--strategy-option`, as commands that run one strategy on a scenario take them. */
export interface StrategyFlags {
  strategy?: string | undefined;
  'strategy-option'?: string[] | undefined;
}

/** Registers {@link StrategyFlags} on a command. */
export function strategyOptions<T>(y: Argv<T>): Argv<T & StrategyFlags> {
  return y
    .option('strategy', {
      type: 'string',
      describe: "Strategy name (see `nix-cascade strategies`) [default: the scenario's, else log2-fanout]",
    })
    .option('strategy-option', {
      type: 'string',
      array: true,
      describe: 'Strategy option key=value (repeatable), e.g. k=16',
    });
}

/**
 * The strategy the flags name, else the scenario's. Flags override the file's options for the file's
 * strategy; another strategy starts from its defaults.
 * @throws ConfigError for an unknown strategy or a bad option.
 */
export function strategyFromFlags(args: StrategyFlags, spec: ScenarioSpec): Strategy {
  const name = args.strategy ?? spec.strategy;
  return getStrategy(name, {
    ...(name === spec.strategy ? spec.strategyOptions : {}),
    ...parseStrategyOptions(args['strategy-option']),
  });
}
