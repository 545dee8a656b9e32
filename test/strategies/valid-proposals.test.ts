import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashDraw } from '../../src/core/random.js';
import { getStrategy, registry } from '../../src/strategies/registry.js';
import { OPTION_VARIANTS } from '../properties/helpers/scenarios.js';
import { miniRun, type Fate } from './helpers/mini-run.js';
import { randomWorld } from './helpers/random-world.js';

const worldParams = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  targets: fc.integer({ min: 1, max: 12 }),
  paths: fc.integer({ min: 1, max: 25 }),
  roles: fc.integer({ min: 1, max: 3 }),
  perHostExtras: fc.boolean(),
  maxSends: fc.integer({ min: 1, max: 3 }),
  maxReceives: fc.integer({ min: 1, max: 3 }),
  groups: fc.integer({ min: 1, max: 3 }),
  cache: fc.boolean(),
  partialTarget: fc.boolean(),
  noRouteFraction: fc.constantFrom(0, 0, 0.2),
});

const runParams = fc.record({
  mode: fc.constantFrom('round' as const, 'eager' as const),
  failureRate: fc.constantFrom(0, 0, 0.15, 0.4),
  permanentShare: fc.constantFrom(0, 0.3),
  optionPick: fc.nat(),
});

describe('every registered strategy proposes only what the coordinator accepts', () => {
  for (const info of registry) {
    it(`${info.name}: valid plans in every state, convergence without failures, with each of its option sets`, () => {
      fc.assert(
        fc.property(worldParams, runParams, (wp, rp) => {
          const world = randomWorld(wp);
          const fate = (t: { id: number; from: string; to: string }): Fate => {
            const d = hashDraw(wp.seed, 'fate', t.id);
            if (d >= rp.failureRate) return 'ok';
            if (hashDraw(wp.seed, 'kind', t.id) < rp.permanentShare) return 'permanent';
            return { transient: true, deliveredFraction: hashDraw(wp.seed, 'part', t.id) };
          };
          const variants = OPTION_VARIANTS[info.name] ?? [{}];
          const options = variants[rp.optionPick % variants.length]!;
          const r = miniRun(getStrategy(info.name, options), world, { mode: rp.mode, fate, maxCalls: 2_000 });
          expect(r.violations).toEqual([]);
          if (rp.failureRate === 0 && wp.noRouteFraction === 0) {
            // No failures and every route exists: every target converges and nothing gets stuck.
            expect(r.stuck).toBe(false);
            expect(r.state.pending()).toEqual([]);
          }
        }),
      );
    });
  }
});
