/**
 * The closed vocabularies of a run, each written once as an `as const` array. The TypeScript unions are
 * derived from the arrays and the zod schemas (`z.enum(FAILURE_CODES)`) are built from them, so adding a
 * value is a one-line change here that the types, the trace schema and the scenario schema all follow.
 *
 * The order of each array is part of the contract: zod lists the accepted values in this order in its
 * error messages, and nothing may reorder what was serialised before. Append new values at the end.
 */

/** What part a host plays in a run. */
export const HOST_ROLES = ['deployer', 'target', 'cache'] as const;
/** One of {@link HOST_ROLES}. */
export type HostRole = (typeof HOST_ROLES)[number];

/**
 * Whether a failed transfer may be retried: `transient` returns the target to the pool, `permanent`
 * takes the host the failure is about out of the run.
 */
export const FAILURE_KINDS = ['transient', 'permanent'] as const;
/** One of {@link FAILURE_KINDS}. */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** Why a transfer failed, as executors report it (see `FailureCause`). */
export const FAILURE_CODES = [
  'copy-failed',
  'timeout',
  'partitioned',
  'unreachable',
  'ssh-handshake',
  'host-killed',
  'cancelled',
] as const;
/** One of {@link FAILURE_CODES}. */
export type FailureCode = (typeof FAILURE_CODES)[number];

/**
 * The code of a host the coordinator gave up on after `maxAttemptsPerHost` failed transfers in a row. It
 * is the coordinator's verdict, not a transfer's outcome, so it is a host failure code but no executor
 * reports it.
 */
export const RETRIES_EXHAUSTED = 'retries-exhausted';
/** Why a host ended the run out of it: the failure code that took it out, or {@link RETRIES_EXHAUSTED}. */
export type HostFailureCode = FailureCode | typeof RETRIES_EXHAUSTED;

/** Why a run ended. */
export const STOP_REASONS = [
  'complete',
  'no-progress',
  'max-rounds',
  'max-time',
  'cancelled',
  'strategy-error',
] as const;
/** One of {@link STOP_REASONS}. */
export type StopReason = (typeof STOP_REASONS)[number];

/** How the coordinator asks for plans: after a whole round (barrier) or after every outcome. */
export const RUN_MODES = ['round', 'eager'] as const;
/** One of {@link RUN_MODES}. */
export type RunMode = (typeof RUN_MODES)[number];
