/**
 * zod 4 schemas of the event stream, one per event type, used to validate traces read back from disk.
 * The enums are built from core's vocabulary arrays (`src/core/vocabulary.ts`), so a value added there is
 * accepted here; the compile-time check at the bottom keeps the event shapes in step with
 * `src/core/events.ts`.
 */
import { z } from 'zod';
import type { CascadeEvent } from '../core/events.js';
import { FAILURE_CODES, FAILURE_KINDS, RETRIES_EXHAUSTED, RUN_MODES, STOP_REASONS } from '../core/vocabulary.js';

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
    version: z.int().min(1).optional(),
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
    kind: z.enum(FAILURE_KINDS),
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
    code: z.union([failureCode, z.literal(RETRIES_EXHAUSTED)]),
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
