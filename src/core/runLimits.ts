import { z } from 'zod';
import { parseSpec } from './parseSpec.js';
import { RUN_MODES, type RunMode } from './vocabulary.js';

/** Coordinator mode: `round` (barrier) or `eager` (re-plan after every outcome). */
export const runModeSchema = z.enum(RUN_MODES).default('round');

/**
 * When a run gives up: the one definition of each limit, its rule and its default, used by
 * {@link runCascade}'s options and by the scenario file's `limits`.
 */
export const runLimitFields = {
  /** Round mode: stop after this many rounds. */
  maxRounds: z.int().min(1).default(1000),
  /** Stop once the executor's clock passes this many seconds (`Infinity`: never; zod's number refuses it). */
  maxTime: z
    .custom<number>((v) => typeof v === 'number' && v > 0, { message: 'expected a positive number of seconds' })
    .default(Infinity),
  /** A target is given up after this many failed transfers in a row with nothing delivered in between. */
  maxAttemptsPerHost: z.int().min(1).default(5),
};

const runLimitsSchema = z.object({ mode: runModeSchema, ...runLimitFields });

/** A run's mode and limits, defaults filled in. */
export interface RunLimits {
  readonly mode: RunMode;
  readonly maxRounds: number;
  readonly maxTime: number;
  readonly maxAttemptsPerHost: number;
}

/**
 * Validates a run's mode and limits (only those fields of `options` are read).
 * @throws ConfigError whose `where` is `run.<field>`.
 */
export function resolveRunLimits(options: Partial<RunLimits>): RunLimits {
  const { mode, maxRounds, maxTime, maxAttemptsPerHost } = options;
  return parseSpec(runLimitsSchema, { mode, maxRounds, maxTime, maxAttemptsPerHost }, 'run');
}
