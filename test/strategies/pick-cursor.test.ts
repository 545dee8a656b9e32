import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cursor } from '../../src/strategies/_internals/pick.js';

describe('Cursor (skips the sources found unavailable in one plan call)', () => {
  it('at(k) is the first position ≥ k not dropped, for any order of drops and look-ups', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }).chain((length) =>
          fc.tuple(
            fc.constant(length),
            fc.array(fc.record({ drop: fc.boolean(), k: fc.integer({ min: 0, max: length + 2 }) }), {
              maxLength: 80,
            }),
          ),
        ),
        ([length, steps]) => {
          const cursor = new Cursor();
          const dropped = new Set<number>();
          for (const { drop, k } of steps) {
            if (drop && k < length) {
              cursor.drop(k, length);
              dropped.add(k);
            }
            let expected = k;
            while (expected < length && dropped.has(expected)) expected++;
            expect(cursor.at(k)).toBe(expected);
          }
        },
      ),
    );
  });

  it('with nothing dropped, every position is its own answer', () => {
    const cursor = new Cursor();
    expect([0, 3, 10].map((k) => cursor.at(k))).toEqual([0, 3, 10]);
  });
});
