import { z } from 'zod';
import { FAILURE_CODES, FAILURE_KINDS } from '../core/vocabulary.js';

/**
 * The failure-schedule spec: the zod-validated union a scenario file's `failures` field holds, and its
 * types. `compileFailures.ts` validates and compiles it into a `FailureSchedule`.
 */

const round = z.number().int().nonnegative();
const time = z.number().nonnegative().finite();
const hostId = z.string().min(1);

const notBoth = (s: { atRound?: number | undefined; atTime?: number | undefined }): boolean =>
  s.atRound === undefined || s.atTime === undefined;
const notBothMessage = { message: 'give at most one of atRound and atTime' };

/** `{ kind: 'kill-host' }`: the host dies at a round or a time (from the start when neither is given). */
export const killHostSpecSchema = z
  .strictObject({
    kind: z.literal('kill-host'),
    host: hostId,
    atRound: round.optional(),
    atTime: time.optional(),
  })
  .refine(notBoth, notBothMessage);

/** Default of a partition's `connectTimeout`: the real executor's ssh `ConnectTimeout`. */
export const PARTITION_CONNECT_TIMEOUT = 10;

/** `{ kind: 'partition' }`: the link a↔b (hosts or topology nodes) is unusable from a round or time. */
export const partitionSpecSchema = z
  .strictObject({
    kind: z.literal('partition'),
    a: hostId,
    b: hostId,
    atRound: round.optional(),
    atTime: time.optional(),
    untilTime: time.optional(),
    /**
     * Seconds a transfer started into the partition takes to fail: its connection attempt times out, as
     * the real executor's ssh does after `ConnectTimeout=10`. 0 fails it after the route latency.
     */
    connectTimeout: time.default(PARTITION_CONNECT_TIMEOUT),
  })
  .refine(notBoth, notBothMessage)
  .refine((s) => s.a !== s.b, { message: 'a and b must differ', path: ['b'] })
  .refine((s) => s.untilTime === undefined || s.untilTime > (s.atTime ?? 0), {
    message: 'untilTime must be after atTime',
    path: ['untilTime'],
  });

/** `{ kind: 'random' }`: each transfer fails with `probability`, by a pure hash of (seed, round, from, to). */
export const randomSpecSchema = z.strictObject({
  kind: z.literal('random'),
  probability: z.number().min(0).max(1),
  seed: z.union([z.number(), z.string()]).optional(),
});

/** One entry of an explicit failure list. */
export const explicitFailureSchema = z.strictObject({
  round,
  from: hostId,
  to: hostId,
  code: z.enum(FAILURE_CODES).optional(),
  kind: z.enum(FAILURE_KINDS).optional(),
  /** Fraction of the transfer's bytes delivered before it breaks (default 0). */
  fraction: z.number().min(0).max(1).optional(),
});

/** `{ kind: 'explicit' }`: these (round, from, to) transfers fail. */
export const explicitSpecSchema = z.strictObject({
  kind: z.literal('explicit'),
  failures: z.array(explicitFailureSchema),
});

/**
 * `{ kind: 'straggler' }`: the host's uplink and downlink are multiplied by `factor` (from `atTime`), at most 1:
 * a straggler is slower, and the lower bound (computed from the fleet as given) would not hold for a faster one.
 */
export const stragglerSpecSchema = z.strictObject({
  kind: z.literal('straggler'),
  host: hostId,
  factor: z.number().positive().max(1),
  atTime: time.optional(),
});

/** `{ kind: 'all' }`: several schedules at once; for a transfer, the first that matches wins. */
export const allSpecSchema = z.strictObject({
  kind: z.literal('all'),
  get schedules(): z.ZodArray<typeof failureSpecSchema> {
    return z.array(failureSpecSchema);
  },
});

/** The zod schema of a failure schedule spec (the scenario file's `failures` field). */
export const failureSpecSchema = z.discriminatedUnion('kind', [
  killHostSpecSchema,
  partitionSpecSchema,
  randomSpecSchema,
  explicitSpecSchema,
  stragglerSpecSchema,
  allSpecSchema,
]);

/** A failure schedule spec, as validated by {@link failureSpecSchema}. */
export type FailureSpec = z.output<typeof failureSpecSchema>;
/** What a scenario file may write for a failure spec (defaults not yet filled in). */
export type FailureSpecInput = z.input<typeof failureSpecSchema>;
/** A host that dies (see {@link killHostSpecSchema}). */
export type KillHostSpec = z.output<typeof killHostSpecSchema>;
/** A link or host pair that becomes unusable (see {@link partitionSpecSchema}). */
export type PartitionSpec = z.output<typeof partitionSpecSchema>;
/** Seeded random transient failures (see {@link randomSpecSchema}). */
export type RandomSpec = z.output<typeof randomSpecSchema>;
/** A list of (round, from, to) failures (see {@link explicitSpecSchema}). */
export type ExplicitSpec = z.output<typeof explicitSpecSchema>;
/** A slow host (see {@link stragglerSpecSchema}). */
export type StragglerSpec = z.output<typeof stragglerSpecSchema>;
/** A combination of schedules (see {@link allSpecSchema}). */
export type AllSpec = z.output<typeof allSpecSchema>;
