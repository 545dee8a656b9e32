/**
 * `FreeSenders` (free senders kept across calls as hosts are re-read) against the walk of every host it
 * replaces, on random sequences of re-reads; `indexOf` against counting the free ranks before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FreeSenders } from '../../src/strategies/_internals/swarm-free.js';

/** A permutation of 0 … n−1 from random sort keys. */
const permutation = (keys: readonly number[]): Int32Array =>
  Int32Array.from(
    keys
      .map((k, i) => ({ k, i }))
      .sort((a, b) => a.k - b.k || a.i - b.i)
      .map((x) => x.i),
  );

describe('FreeSenders', () => {
  it('collects the hosts the per-call walk finds free, in rank order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
        fc.array(
          fc.record({
            reads: fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: 0, max: 3 })), {
              maxLength: 12,
            }),
            minDown: fc.constantFrom(0, 1, 2, 5, Infinity),
          }),
          { maxLength: 20 },
        ),
        (keys, calls) => {
          const n = keys.length;
          const order = permutation(keys);
          const uplink = Float64Array.from(keys, (k) => (k % 7) + 1);
          const sending = new Int32Array(n);
          const sender = new Array<boolean>(n).fill(false);
          const free = new FreeSenders(order);
          for (let i = 0; i < n; i++) free.update(i, false, 0);
          for (const { reads, minDown } of calls) {
            for (const [h, s, load] of reads) {
              const i = h % n;
              sender[i] = s;
              sending[i] = load;
              free.update(i, s, load);
            }
            const count = free.collect(minDown, uplink, sending);
            const want: number[] = [];
            order.forEach((i, r) => {
              if (sender[i] && (sending[i] === 0 || uplink[i]! / (sending[i]! + 1) >= minDown)) want.push(r);
            });
            expect(count).toBe(want.length);
            expect(free.count).toBe(want.length);
            const got: number[] = [];
            for (let r = 0; r < n; r++) if (free.isFree(r)) got.push(r);
            expect(got).toEqual(want);
            for (let r = 0; r < n; r++) expect(free.indexOf(r)).toBe(want.filter((x) => x < r).length);
            // The words holding a free sender, in order.
            const words = [...new Set(want.map((r) => r >>> 5))];
            expect([...free.liveWords.subarray(0, free.liveCount)]).toEqual(words);
          }
        },
      ),
    );
  });

  it('collectWhere takes the ranks its test passes', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 100 }), (pick) => {
        const free = new FreeSenders(Int32Array.from(pick.keys()));
        expect(free.collectWhere((r) => pick[r]!)).toBe(pick.filter(Boolean).length);
        pick.forEach((x, r) => {
          expect(free.isFree(r)).toBe(x);
          expect(free.indexOf(r)).toBe(pick.slice(0, r).filter(Boolean).length);
        });
      }),
    );
  });
});
