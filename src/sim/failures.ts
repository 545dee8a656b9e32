/**
 * Failure schedules for the simulator: the spec (a zod-validated union, part of the scenario file:
 * `failureSpec.ts`), its compilation against the fleet (`compileFailures.ts`) and the compiled, immutable
 * form that the simulated executor consults (`failureSchedule.ts`). The schedule itself holds no run
 * state (which round triggers fired lives in the executor), so one compiled schedule can drive many
 * runs and each replays exactly. This file is their one import path.
 */
export {
  killHostSpecSchema,
  PARTITION_CONNECT_TIMEOUT,
  partitionSpecSchema,
  randomSpecSchema,
  explicitFailureSchema,
  explicitSpecSchema,
  stragglerSpecSchema,
  allSpecSchema,
  failureSpecSchema,
  type FailureSpec,
  type FailureSpecInput,
  type KillHostSpec,
  type PartitionSpec,
  type RandomSpec,
  type ExplicitSpec,
  type StragglerSpec,
  type AllSpec,
} from './failureSpec.js';
export {
  FailureSchedule,
  type FailureRule,
  type PlannedFailure,
  type FailureContext,
  type FailureTrigger,
} from './failureSchedule.js';
export { compileFailureSchedule, type CompileFailuresOptions } from './compileFailures.js';
