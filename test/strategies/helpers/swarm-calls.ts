/**
 * Property-test scaffolding for `swarm`'s kept state: random fleets (2–12 targets, 1–40 paths, two roles,
 * per-host extras, caches, partial targets, failures) run in eager mode, with a check of `swarm`'s
 * {@link SwarmRun} before every plan call.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { hashDraw } from '../../../src/core/random.js';
import type { PlanView, Strategy } from '../../../src/core/strategy.js';
import { getStrategy } from '../../../src/strategies/registry.js';
import { SwarmPlan } from '../../../src/strategies/_internals/swarm-plan.js';
import { SwarmRun } from '../../../src/strategies/_internals/swarm-run.js';
import { SWARM_DEFAULT_WINDOW } from '../../../src/strategies/swarm.js';
import { miniRun, type Fate } from './mini-run.js';
import { randomWorld } from './random-world.js';

/** Looks at the run before plan call number `call` (from 0) and pushes what it finds wrong. */
export type SwarmCallCheck = (run: SwarmRun, view: PlanView, call: number, problems: string[]) => void;

/**
 * `swarm` with `check` run before each of its plan calls, on a run of its own; with `sameRun`, `swarm`'s
 * plan calls (`SwarmPlan` with the default window, as `swarm` makes them) are made on the checked run, so
 * the check sees what the calls left behind.
 */
function checked(check: SwarmCallCheck, problems: string[], sameRun: boolean): Strategy {
  const inner = getStrategy('swarm');
  let run: SwarmRun | undefined;
  let call = 0;
  return {
    name: 'swarm',
    plan(view: PlanView) {
      run ??= new SwarmRun(view.fleet, view, undefined, 16);
      check(run, view, call++, problems);
      return sameRun ? new SwarmPlan(view, run, SWARM_DEFAULT_WINDOW).plan() : inner.plan(view);
    },
  };
}

/**
 * Asserts that `checkFor(seed)` finds nothing at any eager call of 60 random runs (on the run `swarm`
 * plans with, with `sameRun`). Transfers fail transiently at rate 0 or 0.2 (half of them permanently with
 * `permanentFailures`).
 */
export function assertAtEagerSwarmCalls(
  checkFor: (seed: number) => SwarmCallCheck,
  o: { permanentFailures: boolean; sameRun?: boolean },
): void {
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
          if (o.permanentFailures && d < failureRate / 2) return 'permanent';
          return d < failureRate ? { transient: true, deliveredFraction: 0.5 } : 'ok';
        };
        const problems: string[] = [];
        miniRun(checked(checkFor(seed), problems, o.sameRun === true), world, {
          mode: 'eager',
          fate,
          maxCalls: 500,
        });
        expect(problems).toEqual([]);
      },
    ),
    { numRuns: 60 },
  );
}
