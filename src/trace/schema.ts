/**
 * zod 4 schemas of the event stream, one per event type, used to validate traces read back from disk.
 * The compile-time checks at the bottom keep them in step with `src/core/events.ts`.
 */
import { z } from 'zod';
import type { CascadeEvent, StopReason } from '../core/events.js';
import type { RunMode } from '../core/strategy.js';
import type { FailureCode } from '../core/types.js';

const FAILURE_CODES = [
  'copy-failed',
  'timeout',
  'partitioned',
  'unreachable',
  'ssh-handshake',
  'host-killed',
  'cancelled',
] as const satisfies readonly FailureCode[];

const STOP_REASONS = [
  'complete',
  'no-progress',
  'max-rounds',
  'max-time',
  'cancelled',
  'strategy-error',
] as const satisfies readonly StopReason[];

const RUN_MODES = ['round', 'eager'] as const satisfies readonly RunMode[];

// The unions must be covered completely: a new code in core that is missing here fails to compile.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const coveredCodes: Missing<FailureCode, (typeof FAILURE_CODES)[number]> = true;
const coveredReasons: Missing<StopReason, (typeof STOP_REASONS)[number]> = true;
const coveredModes: Missing<RunMode, (typeof RUN_MODES)[number]> = true;
void [coveredCodes, coveredReasons, coveredModes];

const time = z.number();
const host = z.string().min(1);
const path = z.string().min(1);
const count = z.number().int().nonnegative();
const bytes = z.number().nonnegative();
const failureCode = z.enum(FAILURE_CODES);

/** Schema of one `CascadeEvent`; strict objects, so a misspelt or extra field is an error. */
export const cascadeEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('run-started'),
    t: time,
    strategy: z.string(),
    mode: z.enum(RUN_MODES),
    hosts: z.array(host),
    targets: z.array(host),
    seeds: z.array(host),
    alreadyDone: z.array(host),
    bytesWanted: bytes,
  }),
  z.strictObject({ type: z.literal('round-started'), t: time, round: count }),
  z.strictObject({
    type: z.literal('transfer-started'),
    t: time,
    round: count,
    id: count,
    from: host,
    to: host,
    bytes,
    paths: z.array(path),
  }),
  z.strictObject({
    type: z.literal('transfer-finished'),
    t: time,
    id: count,
    from: host,
    to: host,
    bytes,
  }),
  z.strictObject({
    type: z.literal('transfer-failed'),
    t: time,
    id: count,
    from: host,
    to: host,
    kind: z.enum(['transient', 'permanent']),
    code: failureCode,
    host,
    message: z.string(),
    delivered: z.array(path),
    deliveredBytes: bytes,
    senderRetired: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('host-done'), t: time, host }),
  z.strictObject({
    type: z.literal('host-failed'),
    t: time,
    host,
    code: z.union([failureCode, z.literal('retries-exhausted')]),
    message: z.string(),
  }),
  z.strictObject({ type: z.literal('round-finished'), t: time, round: count }),
  z.strictObject({
    type: z.literal('run-finished'),
    t: time,
    reason: z.enum(STOP_REASONS),
    hostsDone: count,
    hostsFailed: count,
    hostsUnreached: count,
    rounds: count,
    bytesTransferred: bytes,
  }),
]);

// Whatever the schema accepts is a CascadeEvent.
const acceptsOnlyEvents = (e: z.infer<typeof cascadeEventSchema>): CascadeEvent => e;
void acceptsOnlyEvents;
