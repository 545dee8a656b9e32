import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRng } from '../../../src/core/random.js';
import {
  distributionMean,
  distributionSchema,
  rateDistributionSchema,
  sample,
  seededShuffle,
  type Distribution,
} from '../../../src/sim/synth/distributions.js';

const draws = (d: Distribution, n: number, seed = 'd') => {
  const rng = deriveRng(seed, 'test');
  return Array.from({ length: n }, () => sample(d, rng));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('sample', () => {
  it('constant and uniform stay in bounds', () => {
    expect(draws({ kind: 'constant', value: 7 }, 5)).toEqual([7, 7, 7, 7, 7]);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.string(),
        (a, b, seed) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          for (const x of draws({ kind: 'uniform', min, max }, 50, seed)) {
            expect(x).toBeGreaterThanOrEqual(min);
            expect(x).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it('bimodal gives fast with probability fastFraction', () => {
    const xs = draws({ kind: 'bimodal', slow: 1, fast: 100, fastFraction: 0.3 }, 10_000);
    expect(new Set(xs)).toEqual(new Set([1, 100]));
    const fast = xs.filter((x) => x === 100).length / xs.length;
    expect(fast).toBeGreaterThan(0.28);
    expect(fast).toBeLessThan(0.32);
  });

  it('discrete picks listed values in proportion to their weights', () => {
    const xs = draws(
      {
        kind: 'discrete',
        values: [
          { weight: 1, value: 10 },
          { weight: 3, value: 20 },
        ],
      },
      8000,
    );
    const share = xs.filter((x) => x === 20).length / xs.length;
    expect(share).toBeGreaterThan(0.72);
    expect(share).toBeLessThan(0.78);
    expect(xs.every((x) => x === 10 || x === 20)).toBe(true);
  });

  it('pareto is heavy-tailed, ≥ min and ≤ max', () => {
    const xs = draws({ kind: 'pareto', min: 10, alpha: 1.1 }, 10_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeGreaterThan(100 * median(xs));
    const capped = draws({ kind: 'pareto', min: 10, alpha: 0.8, max: 500 }, 2000);
    expect(Math.max(...capped)).toBe(500);
    expect(Math.min(...capped)).toBeGreaterThanOrEqual(10);
  });

  it('lognormal centres on its median and honours its clamps', () => {
    const xs = draws({ kind: 'lognormal', median: 50, sigma: 1 }, 10_000);
    expect(median(xs)).toBeGreaterThan(45);
    expect(median(xs)).toBeLessThan(55);
    const clamped = draws({ kind: 'lognormal', median: 50, sigma: 3, min: 10, max: 200 }, 2000);
    expect(Math.min(...clamped)).toBe(10);
    expect(Math.max(...clamped)).toBe(200);
  });

  it('is deterministic per stream', () => {
    const d: Distribution = { kind: 'lognormal', median: 1, sigma: 1 };
    expect(draws(d, 20, 'x')).toEqual(draws(d, 20, 'x'));
    expect(draws(d, 20, 'x')).not.toEqual(draws(d, 20, 'y'));
  });

  it('distributionMean matches the sample mean', () => {
    const cases: Distribution[] = [
      { kind: 'uniform', min: 2, max: 4 },
      { kind: 'bimodal', slow: 1, fast: 11, fastFraction: 0.5 },
      {
        kind: 'discrete',
        values: [
          { weight: 1, value: 0 },
          { weight: 1, value: 10 },
        ],
      },
      { kind: 'pareto', min: 1, alpha: 3 },
      { kind: 'pareto', min: 1, alpha: 1.5, max: 50 },
      { kind: 'lognormal', median: 1, sigma: 0.5 },
    ];
    for (const d of cases) {
      const xs = draws(d, 40_000);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(Math.abs(mean - distributionMean(d)) / distributionMean(d)).toBeLessThan(0.05);
    }
  });
});

describe('seededShuffle', () => {
  it('is a deterministic permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = seededShuffle(items, deriveRng(1, 's'));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(seededShuffle(items, deriveRng(1, 's'))).toEqual(a);
    expect(a).not.toEqual(items);
  });
});

describe('schemas', () => {
  it('accept a bare rate as a constant and human units inside distributions', () => {
    expect(rateDistributionSchema.parse('1gbit')).toEqual({ kind: 'constant', value: 125e6 });
    expect(rateDistributionSchema.parse(5)).toEqual({ kind: 'constant', value: 5 });
    expect(
      rateDistributionSchema.parse({ kind: 'bimodal', slow: '10mbit', fast: '1gbit', fastFraction: 0.3 }),
    ).toEqual({
      kind: 'bimodal',
      slow: 1.25e6,
      fast: 125e6,
      fastFraction: 0.3,
    });
    expect(rateDistributionSchema.parse({ kind: 'pareto', min: '25mbit', alpha: 1.2 })).toEqual({
      kind: 'pareto',
      min: 3.125e6,
      alpha: 1.2,
    });
  });

  it('reject invalid distributions', () => {
    const bad = [
      { kind: 'uniform', min: 5, max: 1 },
      { kind: 'bimodal', slow: 1, fast: 2, fastFraction: 1.5 },
      { kind: 'discrete', values: [] },
      { kind: 'discrete', values: [{ weight: 0, value: 1 }] },
      { kind: 'pareto', min: 0, alpha: 1 },
      { kind: 'pareto', min: 10, alpha: 1, max: 5 },
      { kind: 'lognormal', median: 1, sigma: -1 },
      { kind: 'normal', mean: 1 },
      { kind: 'constant', value: 1, extra: true },
      'fast',
    ];
    for (const d of bad) expect(rateDistributionSchema.safeParse(d).success, JSON.stringify(d)).toBe(false);
    expect(distributionSchema.safeParse('5').success).toBe(false);
    expect(distributionSchema.safeParse({ kind: 'constant', value: -1 }).success).toBe(false);
  });
});

