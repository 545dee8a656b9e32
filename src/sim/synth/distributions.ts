import { z } from 'zod';
import type { Rng } from '../../core/random.js';
import { bytesSchema, rateSchema } from '../../units/units.js';

/**
 * Distributions of numbers (link rates, sizes) that scenario generation draws from, as scenario files spell them.
 * Every draw takes an explicit seeded stream, so the same spec and stream give the same values.
 */

/** Always `value`. */
export interface ConstantDistribution {
  readonly kind: 'constant';
  readonly value: number;
}
/** Uniform on [min, max]. */
export interface UniformDistribution {
  readonly kind: 'uniform';
  readonly min: number;
  readonly max: number;
}
/** `fast` with probability `fastFraction`, else `slow` (the reference simulator's fast/slow fleets). */
export interface BimodalDistribution {
  readonly kind: 'bimodal';
  readonly slow: number;
  readonly fast: number;
  readonly fastFraction: number;
}
/** One of `values`, picked with probability proportional to its weight. */
export interface DiscreteDistribution {
  readonly kind: 'discrete';
  readonly values: ReadonlyArray<{ readonly weight: number; readonly value: number }>;
}
/**
 * Pareto (heavy-tailed): `min / U^(1/alpha)`, optionally capped at `max`. Most draws sit near `min`, a few
 * are far above it; alpha ≈ 1.16 is the 80/20 rule, smaller alpha means a heavier tail.
 */
export interface ParetoDistribution {
  readonly kind: 'pareto';
  readonly min: number;
  readonly alpha: number;
  readonly max?: number;
}
/** Log-normal: `median · e^(sigma·Z)` for standard normal Z, optionally clamped to [min, max]. */
export interface LognormalDistribution {
  readonly kind: 'lognormal';
  readonly median: number;
  readonly sigma: number;
  readonly min?: number;
  readonly max?: number;
}

/** Any distribution spec. */
export type Distribution =
  | ConstantDistribution
  | UniformDistribution
  | BimodalDistribution
  | DiscreteDistribution
  | ParetoDistribution
  | LognormalDistribution;

type NumberSchema = z.ZodType<number, number> | z.ZodType<number, number | string>;

/**
 * The zod schema of a {@link Distribution} whose values are read by `value` (e.g. {@link rateSchema} so a
 * scenario may write `"100mbit"`). A bare value (number or string) is shorthand for `{kind:'constant'}`.
 */
export function distributionSchemaOf(value: NumberSchema) {
  const object = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('constant'), value }),
    z
      .strictObject({ kind: z.literal('uniform'), min: value, max: value })
      .refine((d) => d.min <= d.max, { message: 'uniform: min must be ≤ max', path: ['max'] }),
    z.strictObject({
      kind: z.literal('bimodal'),
      slow: value,
      fast: value,
      fastFraction: z.number().min(0).max(1),
    }),
    z.strictObject({
      kind: z.literal('discrete'),
      values: z
        .array(z.strictObject({ weight: z.number().positive().finite(), value }))
        .min(1, 'discrete: needs at least one value'),
    }),
    z
      .strictObject({
        kind: z.literal('pareto'),
        min: value.refine((v) => v > 0, 'pareto: min must be > 0'),
        alpha: z.number().positive().finite(),
        max: value.optional(),
      })
      .refine((d) => d.max === undefined || d.max >= d.min, {
        message: 'pareto: max must be ≥ min',
        path: ['max'],
      }),
    z
      .strictObject({
        kind: z.literal('lognormal'),
        median: value.refine((v) => v > 0, 'lognormal: median must be > 0'),
        sigma: z.number().min(0).finite(),
        min: value.optional(),
        max: value.optional(),
      })
      .refine((d) => d.min === undefined || d.max === undefined || d.min <= d.max, {
        message: 'lognormal: min must be ≤ max',
        path: ['max'],
      }),
  ]);
  return z.union([
    value.transform((v): Distribution => ({ kind: 'constant', value: v })),
    object.transform((d) => d as Distribution),
  ]);
}

/** zod schema: a distribution of plain non-negative numbers. */
export const distributionSchema = distributionSchemaOf(z.number().finite().min(0));

/**
 * zod schema: a distribution of rates in bytes/s; values may be written `"1gbit"`, `"12.5MB/s"`; a bare
 * rate means constant.
 */
export const rateDistributionSchema = distributionSchemaOf(rateSchema);

/** zod schema: a distribution of sizes in bytes; values may be written `"100MB"`, `"1GiB"`. */
export const bytesDistributionSchema = distributionSchemaOf(bytesSchema);

/** A standard normal draw (Box–Muller; two uniform draws per call, so stream use is fixed). */
function normal(rng: Rng): number {
  const u1 = 1 - rng(); // (0, 1]: log is finite
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function clamp(v: number, min: number | undefined, max: number | undefined): number {
  if (min !== undefined && v < min) return min;
  if (max !== undefined && v > max) return max;
  return v;
}

/**
 * One draw from `dist`. Uses a fixed number of `rng` calls per kind (constant: 0, lognormal: 2, else 1),
 * so draws for host i do not depend on the values drawn for earlier hosts.
 */
export function sample(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case 'constant':
      return dist.value;
    case 'uniform':
      return dist.min + rng() * (dist.max - dist.min);
    case 'bimodal':
      return rng() < dist.fastFraction ? dist.fast : dist.slow;
    case 'discrete': {
      let total = 0;
      for (const v of dist.values) total += v.weight;
      let x = rng() * total;
      for (const v of dist.values) {
        x -= v.weight;
        if (x < 0) return v.value;
      }
      return dist.values[dist.values.length - 1]!.value;
    }
    case 'pareto': {
      const u = 1 - rng(); // (0, 1]
      return clamp(dist.min / u ** (1 / dist.alpha), undefined, dist.max);
    }
    case 'lognormal':
      return clamp(dist.median * Math.exp(dist.sigma * normal(rng)), dist.min, dist.max);
  }
}

/**
 * The mean of `dist` (used to size shared links from a host distribution). Pareto with alpha ≤ 1 and no
 * cap has no finite mean; its median is returned instead. Clamped log-normals use the unclamped mean.
 */
export function distributionMean(dist: Distribution): number {
  switch (dist.kind) {
    case 'constant':
      return dist.value;
    case 'uniform':
      return (dist.min + dist.max) / 2;
    case 'bimodal':
      return dist.fast * dist.fastFraction + dist.slow * (1 - dist.fastFraction);
    case 'discrete': {
      let total = 0;
      let sum = 0;
      for (const v of dist.values) {
        total += v.weight;
        sum += v.weight * v.value;
      }
      return sum / total;
    }
    case 'pareto': {
      if (dist.alpha <= 1 && dist.max === undefined) return dist.min * 2 ** (1 / dist.alpha);
      if (dist.max === undefined) return (dist.alpha * dist.min) / (dist.alpha - 1);
      // Mean of the capped variable: E[min(X, max)] = ∫₀^max P(X > x) dx.
      const { min, alpha, max } = dist;
      if (max <= min) return min;
      const tail =
        alpha === 1 ? min * Math.log(max / min) : (min / (1 - alpha)) * ((max / min) ** (1 - alpha) - 1);
      return min + tail;
    }
    case 'lognormal':
      return clamp(dist.median * Math.exp((dist.sigma * dist.sigma) / 2), dist.min, dist.max);
  }
}

/** A copy of `items` in a seeded Fisher–Yates order (n − 1 draws from `rng`). */
export function seededShuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
