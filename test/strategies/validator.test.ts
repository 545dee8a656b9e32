import { describe, expect, it } from 'vitest';
import { RunState } from '../../src/core/state.js';
import { deriveRng } from '../../src/core/random.js';
import type { Proposal, Strategy } from '../../src/core/strategy.js';
import { validatePlan } from './helpers/validate.js';
import { flatWorld } from './helpers/world.js';

function stateOf(): RunState {
  const w = flatWorld({ targets: 3, paths: 3 });
  const s = new RunState(w.fleet, w.closure, w.topology, 'round', deriveRng(0, 'x'));
  s.deliverAll('t0', ['p0', 'p1', 'p2']);
  return s;
}
const strategy: Strategy = { name: 'x', plan: () => [] };
const check = (s: RunState, ps: Proposal[]): string[] => validatePlan(s, strategy, ps);

describe('validatePlan (the test oracle) flags each broken rule', () => {
  it('accepts a valid batch', () => {
    expect(check(stateOf(), [{ from: 'deployer', to: 't1', paths: ['p0', 'p1', 'p2'] }])).toEqual([]);
  });
  it.each<[string, Proposal[]]>([
    ['sender lacks', [{ from: 't1', to: 't2', paths: ['p0'] }]],
    ['already holds', [{ from: 'deployer', to: 't0', paths: ['p0'] }]],
    ['missing reference', [{ from: 'deployer', to: 't1', paths: ['p1'] }]],
    [
      'over maxSends',
      [
        { from: 'deployer', to: 't1', paths: ['p0'] },
        { from: 'deployer', to: 't2', paths: ['p0'] },
      ],
    ],
    [
      'over maxReceives',
      [
        { from: 'deployer', to: 't1', paths: ['p0'] },
        { from: 't0', to: 't1', paths: ['p0'] },
      ],
    ],
    ['empty', [{ from: 'deployer', to: 't1', paths: [] }]],
  ])('%s', (_name, ps) => {
    expect(check(stateOf(), ps).length).toBeGreaterThan(0);
  });
  it('flags a failed receiver and a path already in flight', () => {
    const s = stateOf();
    s.markFailed('t2');
    expect(check(s, [{ from: 'deployer', to: 't2', paths: ['p0'] }]).length).toBeGreaterThan(0);
    s.startTransfer({ id: 0, from: 't0', to: 't1', paths: ['p0'], bytes: 1, round: 0 });
    expect(check(s, [{ from: 'deployer', to: 't1', paths: ['p0'] }]).length).toBeGreaterThan(0);
  });
});
