/**
 * `KeptRanking` (items kept in key order across re-keyings of a few) against a full sort after every
 * update, on random sequences of updates; and `swarm`'s kept ranking of the shared paths against a full
 * ranking at eager plan calls of random fleets with failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashDraw } from '../../src/core/random.js';
import { KeptRanking } from '../../src/strategies/_internals/swarm-ranking.js';
import { SwarmUrgency } from '../../src/strategies/_internals/swarm-urgency.js';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

/** The order a full sort gives: keys above 0, largest first, lower item on ties. */
function sorted(keys: readonly number[]): number[] {
  return keys
    .map((k, b) => ({ k, b }))
    .filter((x) => x.k > 0)
    .sort((x, y) => y.k - x.k || x.b - y.b)
    .map((x) => x.b);
}

describe('KeptRanking', () => {
  it('orders as a full sort after every update, re-keying only the touched items', () => {
    // Few distinct keys, so ties are common; 0 and negative keys leave the order.
    const key = fc.constantFrom(-1, 0, 0.5, 1, 2, 3, 1e9);
    // `all` 0 (one step in ten): every item re-keyed.
    const step = fc.record({
      all: fc.integer({ min: 0, max: 9 }),
      changes: fc.array(fc.tuple(fc.nat(), key), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(step, { maxLength: 30 }), (n, steps) => {
        const keys = new Array<number>(n).fill(0);
        const r = new KeptRanking(n);
        for (const { all, changes } of steps) {
          const touched = new Set<number>();
          for (const [i, k] of changes) {
            if (n === 0) break;
            keys[i % n] = k;
            touched.add(i % n);
          }
          if (all === 0) r.touchAll();
          else for (const b of touched) r.touch(b);
          // Only touched items (or all of them) may be asked for their key.
          r.update((b) => {
            if (all !== 0 && !touched.has(b) && r.keyOf(b) !== keys[b]) throw new Error(`untouched ${b}`);
            return keys[b]!;
          });
          const want = sorted(keys);
          expect([...r.order]).toEqual(want);
          for (let b = 0; b < n; b++) expect(r.rankOf(b)).toBe(want.indexOf(b));
        }
      }),
    );
  });

  it('rejects a bad size', () => {
    expect(() => new KeptRanking(-1)).toThrow(RangeError);
    expect(() => new KeptRanking(1.5)).toThrow(RangeError);
  });
});

/** The kept ranking against a full ranking at about half the calls (touches pile up between). */
const checkRanking =
  (seed: number): SwarmCallCheck =>
  (run, view, call, problems) => {
    const hosts = run.hosts(view);
    if (hashDraw(seed, 'rank', call) >= 0.5) return;
    const kept = new SwarmUrgency(view, run);
    kept.useHosts(hosts);
    const full = new SwarmUrgency(view, run);
    full.useHosts(hosts);
    kept.rankShared();
    full.rankAll(run.shared);
    const a = kept.initialOrder();
    const b = full.initialOrder();
    if (a.join() !== b.join()) problems.push(`call ${call}: kept ${a.join()} ≠ full ${b.join()}`);
    for (const p of run.shared)
      if (kept.rankOf(p) !== full.rankOf(p)) problems.push(`call ${call}: rank of ${p}`);
    // Popped in the same order, each with its bit (the kept one reads its order in place).
    for (
      let p = kept.next(), q = full.next();
      p !== undefined || q !== undefined;
      p = kept.next(), q = full.next()
    ) {
      if (p !== q || kept.lastBit !== full.lastBit) {
        problems.push(`call ${call}: popped ${p} (bit ${kept.lastBit}) ≠ ${q} (bit ${full.lastBit})`);
        break;
      }
    }
  };

describe('swarm kept ranking', () => {
  it('equals the full ranking of the shared paths at eager calls, with failed holders', () => {
    assertAtEagerSwarmCalls(checkRanking, { permanentFailures: true });
  });
});
