import { describe, expect, it } from 'vitest';
import { batchScratch } from '../../src/core/batchScratch.js';
import { StrategyError } from '../../src/core/errors.js';
import { deriveRng } from '../../src/core/random.js';
import { RunState } from '../../src/core/state.js';
import type { Strategy } from '../../src/core/strategy.js';
import { validateProposals } from '../../src/core/validateProposals.js';
import { PlanContext, StrategyMemory } from '../../src/strategies/_internals/context.js';
import { chainClosure, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

const strategy: Strategy = { name: 'test-fixed', plan: () => [] };

describe('batchScratch', () => {
  it('is one set of arrays per fleet hosts array, sized to it', () => {
    const { paths } = chainClosure([3]);
    const a = simpleFleet(3, paths).hosts;
    const b = simpleFleet(5, paths).hosts;
    expect(batchScratch(a)).toBe(batchScratch(a));
    expect(batchScratch(a)).not.toBe(batchScratch(b));
    expect(batchScratch(b).sends.length).toBe(b.length);
  });

  it("lets a plan call and the validation after it count each batch's own sends and receives", () => {
    const { closure, paths } = chainClosure([3, 5]);
    const fleet = simpleFleet(2, paths, { maxSends: 1, maxReceives: 1 });
    const state = new RunState(fleet, closure, flatTopology(fleet.hosts), 'round', deriveRng(0, 't'));
    const memory = new StrategyMemory();
    const ctx = new PlanContext(state, memory);
    ctx.propose('deployer', 'host-001', paths);
    expect(ctx.sendLeft('deployer')).toBe(0);
    expect(ctx.recvLeft('host-001')).toBe(0);
    // The validation takes a fresh stamp: the plan call's counts are not its own.
    expect(validateProposals(ctx.proposals, state, strategy, 0)).toHaveLength(1);
    const twice = [...ctx.proposals, { from: 'deployer', to: 'host-002', paths }];
    expect(() => validateProposals(twice, state, strategy, 0)).toThrow(StrategyError);
    // And the next plan call starts from zero again.
    const next = new PlanContext(state, memory);
    expect(next.sendLeft('deployer')).toBe(1);
    expect(next.planned('host-001')).toBeUndefined();
  });
});
