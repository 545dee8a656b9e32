import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { miniRun } from './helpers/mini-run.js';
import { flatWorld } from './helpers/world.js';

describe('log2-fanout', () => {
  it.each([1, 2, 3, 7, 8, 15, 16, 31, 100])('takes exactly ⌈log₂(N+1)⌉ rounds for %i targets', (n) => {
    const r = miniRun(getStrategy('log2-fanout'), flatWorld({ targets: n }));
    expect(r.violations).toEqual([]);
    expect(r.state.pending()).toEqual([]);
    expect(r.rounds).toBe(Math.ceil(Math.log2(n + 1)));
    expect(r.transfers).toHaveLength(n);
  });

  it('keeps a source skipped for one target available to the next in the same round', () => {
    // t0 holds nothing yet; the deployer cannot reach t0, so in round 0 it must still serve t1.
    const w = flatWorld({ targets: 2, topology: { noRoute: (a, b) => a === 'deployer' && b === 't0' } });
    const r = miniRun(getStrategy('log2-fanout'), w);
    expect(r.transfers[0]).toMatchObject({ from: 'deployer', to: 't1', round: 0 });
    expect(r.transfers[1]).toMatchObject({ from: 't1', to: 't0' });
    expect(r.state.pending()).toEqual([]);
  });

  it('retries a failed receiver from the source with fewer failed attempts', () => {
    const w = flatWorld({ targets: 3 });
    const r = miniRun(getStrategy('log2-fanout'), w, {
      fate: (t) => (t.from === 't0' && t.to === 't1' ? 'transient' : 'ok'),
    });
    expect(r.state.pending()).toEqual([]);
    const toT1 = r.transfers.filter((t) => t.to === 't1');
    expect(toT1).toHaveLength(2);
    expect(toT1[0]!.from).toBe('t0');
    expect(toT1[1]!.from).not.toBe('t0');
  });

  it('rejects options', () => {
    expect(() => getStrategy('log2-fanout', { k: 2 })).toThrow(ConfigError);
  });
});

describe('push strategies', () => {
  it('push-sequential runs one transfer at a time from the deployer', () => {
    const r = miniRun(getStrategy('push-sequential'), flatWorld({ targets: 5, deployerMaxSends: 4 }), {
      mode: 'eager',
    });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers.every((t) => t.from === 'deployer')).toBe(true);
    expect(r.rounds).toBe(5);
  });

  it('push-parallel never runs more than k transfers', () => {
    const w = flatWorld({ targets: 20, deployerMaxSends: 100 });
    const r = miniRun(getStrategy('push-parallel', { k: 3 }), w, { mode: 'round' });
    expect(r.state.pending()).toEqual([]);
    const perRound = new Map<number, number>();
    for (const t of r.transfers) perRound.set(t.round, (perRound.get(t.round) ?? 0) + 1);
    expect(Math.max(...perRound.values())).toBe(3);
    expect(r.rounds).toBe(7);
    expect(r.transfers.every((t) => t.from === 'deployer')).toBe(true);
  });

  it('push-parallel defaults to k = 8 and validates k', () => {
    const r = miniRun(getStrategy('push-parallel'), flatWorld({ targets: 20, deployerMaxSends: 100 }));
    expect(r.rounds).toBe(3);
    expect(() => getStrategy('push-parallel', { k: 0 })).toThrow(ConfigError);
    expect(() => getStrategy('push-parallel', { k: 1.5 })).toThrow(ConfigError);
    expect(() => getStrategy('push-parallel', { parallel: 2 })).toThrow(ConfigError);
  });
});

describe('reference strategies', () => {
  it('steiner-greedy serves everyone in one round when the seed may send to all', () => {
    const r = miniRun(getStrategy('steiner-greedy'), flatWorld({ targets: 15, deployerMaxSends: 15 }));
    expect(r.rounds).toBe(1);
    expect(r.state.pending()).toEqual([]);
  });

  it('max-bottleneck-spanning takes log2 rounds on a uniform fleet and prefers fat links', () => {
    const r = miniRun(getStrategy('max-bottleneck-spanning'), flatWorld({ targets: 15 }));
    expect(r.rounds).toBe(4);
    const w = flatWorld({ targets: 3, topology: { bottleneck: (_a, b) => (b === 't2' ? 1e9 : 1e3) } });
    const r2 = miniRun(getStrategy('max-bottleneck-spanning'), w);
    expect(r2.transfers[0]).toMatchObject({ from: 'deployer', to: 't2' });
  });

  it.each([
    [14, 2, 3],
    [15, 2, 4],
    [6, 2, 2],
    [12, 3, 2],
    [13, 3, 3],
  ])('level-tree with %i targets and fanout %i takes %i rounds', (n, fanout, rounds) => {
    const w = flatWorld({ targets: n, maxSends: fanout });
    const r = miniRun(getStrategy('level-tree', { fanout }), w);
    expect(r.violations).toEqual([]);
    expect(r.state.pending()).toEqual([]);
    expect(r.rounds).toBe(rounds);
  });

  it('level-tree builds the heap over fleet order: t0,t1 from the seed, t2..t5 from t0,t1', () => {
    const r = miniRun(getStrategy('level-tree'), flatWorld({ targets: 6, maxSends: 2 }));
    const parent = new Map(r.transfers.map((t) => [t.to, t.from]));
    expect(Object.fromEntries(parent)).toEqual({
      t0: 'deployer',
      t1: 'deployer',
      t2: 't0',
      t3: 't0',
      t4: 't1',
      t5: 't1',
    });
  });

  it('level-tree re-routes the children of a killed parent to the nearest live ancestor', () => {
    const r = miniRun(getStrategy('level-tree'), flatWorld({ targets: 14, maxSends: 2 }), { killed: ['t0'] });
    expect(r.state.pending()).toEqual([]);
    expect(r.state.doneCount).toBe(13);
    const from = new Map(r.transfers.map((t) => [t.to, t.from]));
    expect(from.get('t2')).toBe('deployer');
    expect(from.get('t3')).toBe('deployer');
  });

  it('level-tree skips every dead level: two dead ancestors send the grandchildren to the deployer', () => {
    // Heap over fleet order: deployer → t0, t1; t0 → t2, t3; t2 → t6, t7; t3 → t8, t9.
    const r = miniRun(getStrategy('level-tree'), flatWorld({ targets: 14, maxSends: 2 }), { killed: ['t0', 't2'] });
    expect(r.state.pending()).toEqual([]);
    expect(r.state.doneCount).toBe(12);
    const from = new Map(r.transfers.map((t) => [t.to, t.from]));
    expect(from.get('t6')).toBe('deployer');
    expect(from.get('t7')).toBe('deployer');
    expect(from.get('t3')).toBe('deployer');
    expect(from.get('t8')).toBe('t3');
    expect(from.get('t9')).toBe('t3');
  });

  it('level-tree validates fanout', () => {
    expect(() => getStrategy('level-tree', { fanout: 0 })).toThrow(ConfigError);
    expect(() => getStrategy('level-tree', { fanout: '2' })).toThrow(ConfigError);
  });
});
