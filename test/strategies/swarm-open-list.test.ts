/**
 * `OpenList` (the kept open receivers as fleet positions) against a sorted array of the same records,
 * through random sequences of inserts, single removals and removals in one pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenList } from '../../src/strategies/_internals/swarm-open-list.js';
import { before, Receiver } from '../../src/strategies/_internals/swarm-receiver.js';

const HOSTS = 24;
const NONE: ReadonlySet<string> = new Set();

type Step = { kind: 'toggle'; pos: number } | { kind: 'retain'; modulus: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('toggle' as const), pos: fc.nat(HOSTS - 1) }), weight: 6 },
  {
    arbitrary: fc.record({ kind: fc.constant('retain' as const), modulus: fc.integer({ min: 2, max: 4 }) }),
    weight: 1,
  },
);

describe('OpenList', () => {
  it('keeps the positions of a sorted list of its records through inserts and removals', () => {
    fc.assert(
      fc.property(
        // Few distinct keys, so ties are broken by fleet position.
        fc.array(fc.record({ rank: fc.nat(2), left: fc.nat(3) }), { minLength: HOSTS, maxLength: HOSTS }),
        fc.array(step, { maxLength: 60 }),
        (keys, steps) => {
          const recs = keys.map((k, i) => {
            const r = new Receiver(`h${i}`, i, NONE, NONE);
            r.rank = k.rank;
            r.left = k.left;
            return r;
          });
          const list = new OpenList(recs);
          const model = new Set<number>();
          for (const s of steps) {
            if (s.kind === 'toggle') {
              if (model.has(s.pos)) list.remove(recs[s.pos]!);
              else list.insert(recs[s.pos]!);
              if (!model.delete(s.pos)) model.add(s.pos);
            } else {
              list.retain((pos) => pos % s.modulus !== 0);
              for (const pos of model) if (pos % s.modulus === 0) model.delete(pos);
            }
            const want = [...model].map((i) => recs[i]!).sort(before);
            expect(list.length).toBe(want.length);
            expect([...list.positions.subarray(0, list.length)]).toEqual(want.map((r) => r.pos));
            expect(Array.from({ length: list.length }, (_, k) => list.at(k))).toEqual(want);
          }
        },
      ),
    );
  });
});
