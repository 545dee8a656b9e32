import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predictionError, ranks, sameOrder, spearman } from '../../src/calibrate/accuracy.js';

describe('ranks', () => {
  it('gives tied values their average rank', () => {
    expect(ranks([10, 30, 20, 30])).toEqual([1, 3.5, 2, 3.5]);
  });
});

describe('spearman', () => {
  it('is 1 for the same order, −1 for the reverse, whatever the scale', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 300, 4000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('matches the textbook value with one swap', () => {
    // 1 − 6 Σd² / (n (n² − 1)) with d = (0, 1, −1, 0, 0): 1 − 12 / 120.
    expect(spearman([1, 2, 3, 4, 5], [1, 3, 2, 4, 5])).toBeCloseTo(0.9, 12);
  });

  it('has no value without an order to match', () => {
    expect(spearman([1, 2], [1, 2])).toBeUndefined();
    expect(spearman([5, 5, 5], [1, 2, 3])).toBeUndefined();
  });

  it('lies in [−1, 1] and is symmetric', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 3, max: 30 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
              fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
            ),
          ),
        ([xs, ys]) => {
          const r = spearman(xs, ys);
          if (r === undefined) return;
          expect(r).toBeGreaterThanOrEqual(-1 - 1e-12);
          expect(r).toBeLessThanOrEqual(1 + 1e-12);
          expect(spearman(ys, xs)).toBeCloseTo(r, 12);
        },
      ),
    );
  });
});

describe('predictionError and sameOrder', () => {
  it('signs the error as predicted minus measured', () => {
    expect(predictionError(10, 8.5)).toEqual({ seconds: -1.5, percent: -15 });
    expect(predictionError(0, 1).percent).toBeUndefined();
  });

  it('tells whether the prediction ranks alike, ties in the measurement going either way', () => {
    expect(sameOrder([90, 50, 60], [85, 44, 55])).toBe(true);
    expect(sameOrder([90, 50, 60], [85, 56, 55])).toBe(false);
    expect(sameOrder([50, 50], [2, 1])).toBe(true);
  });
});
