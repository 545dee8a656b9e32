/**
 * `KeptRanking` (items kept in key order across re-keyings of a few) against a full sort after every
 * update, on random sequences of updates; and `swarm`'s kept ranking of the shared paths against a full
 * ranking at eager plan calls of random fleets with failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashDraw } from '../../src/core/random.js';
import type { PlanView, Strategy } from '../../src/core/strategy.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { KeptRanking } from '../../src/strategies/_internals/swarm-ranking.js';
import { SwarmRun } from '../../src/strategies/_internals/swarm-run.js';
import { SwarmUrgency } from '../../src/strategies/_internals/swarm-urgency.js';
import { miniRun, type Fate } from './helpers/mini-run.js';
import { randomWorld } from './helpers/random-world.js';

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
          expect(r.order).toEqual(want);
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

/** `swarm`, with its kept ranking checked against a full ranking at some calls (touches pile up between). */
function checked(problems: string[], seed: number): Strategy {
  const inner = getStrategy('swarm');
  let run: SwarmRun | undefined;
  let call = 0;
  return {
    name: 'swarm',
    plan(view: PlanView) {
      run ??= new SwarmRun(view.fleet, view, undefined, 16);
      const hosts = run.hosts(view);
      if (hashDraw(seed, 'rank', call++) < 0.5) {
        const kept = new SwarmUrgency(view, run);
        kept.useHosts(hosts);
        const full = new SwarmUrgency(view, run);
        full.useHosts(hosts);
        const a = kept.rankShared();
        const b = full.rankAll(run.shared);
        if (a.join() !== b.join()) problems.push(`call ${call}: kept ${a.join()} ≠ full ${b.join()}`);
        for (const p of run.shared)
          if (kept.rankOf(p) !== full.rankOf(p)) problems.push(`call ${call}: rank of ${p}`);
      }
      return inner.plan(view);
    },
  };
}

describe('swarm kept ranking', () => {
  it('equals the full ranking of the shared paths at eager calls, with failed holders', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(0, 0.2),
        (seed, targets, paths, failureRate) => {
          const world = randomWorld({
            seed,
            targets,
            paths,
            roles: 2,
            perHostExtras: seed % 2 === 0,
            maxSends: 2,
            maxReceives: 2,
            groups: 1,
            cache: seed % 3 === 0,
            partialTarget: seed % 5 === 0,
            noRouteFraction: 0,
          });
          const fate = (t: { id: number }): Fate => {
            const d = hashDraw(seed, 'fate', t.id);
            if (d < failureRate / 2) return 'permanent';
            return d < failureRate ? { transient: true, deliveredFraction: 0.5 } : 'ok';
          };
          const problems: string[] = [];
          miniRun(checked(problems, seed), world, { mode: 'eager', fate, maxCalls: 500 });
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
