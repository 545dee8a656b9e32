/**
 * `SwarmHosts.openTakers` (kept across eager plan calls as hosts are re-read) against a recount of the open
 * receivers' bit sets at every call, over random fleets with failures; and `forEachTake` against `takes`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashDraw } from '../../src/core/random.js';
import type { PlanView, Strategy } from '../../src/core/strategy.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { SwarmRun } from '../../src/strategies/_internals/swarm-run.js';
import { miniRun, type Fate } from './helpers/mini-run.js';
import { randomWorld } from './helpers/random-world.js';

/** `swarm`, with its kept figures checked against a recount before each call. */
function checked(problems: string[]): Strategy {
  const inner = getStrategy('swarm');
  let run: SwarmRun | undefined;
  return {
    name: 'swarm',
    plan(view: PlanView) {
      run ??= new SwarmRun(view.fleet, view, undefined, 16);
      const hosts = run.hosts(view);
      const open = hosts.openReceivers(0);
      run.shared.forEach((_, b) => {
        const count = open.filter((r) => hosts.takes(r.pos, b)).length;
        if (hosts.bits.openTakers(b) !== count)
          problems.push(`bit ${b}: ${hosts.bits.openTakers(b)} counted, ${count} open`);
      });
      for (const r of open) {
        const bits: number[] = [];
        hosts.bits.forEachTake(r.pos, (b) => bits.push(b));
        const want = run.shared.map((_, b) => b).filter((b) => hosts.takes(r.pos, b));
        if (bits.join() !== want.join())
          problems.push(`${r.id}: forEachTake ${bits.join()} ≠ ${want.join()}`);
      }
      return inner.plan(view);
    },
  };
}

describe('SwarmHosts.openTakers', () => {
  it('equals the open receivers that take each shared path, at every eager call', () => {
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
          const fate = (t: { id: number }): Fate =>
            hashDraw(seed, 'fate', t.id) < failureRate ? { transient: true, deliveredFraction: 0.5 } : 'ok';
          const problems: string[] = [];
          miniRun(checked(problems), world, { mode: 'eager', fate, maxCalls: 500 });
          expect(problems).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
