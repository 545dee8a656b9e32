import { describe, expect, it } from 'vitest';
import { ConfigError, StrategyError } from '../../src/core/errors.js';
import { deriveRng } from '../../src/core/random.js';
import { RunState } from '../../src/core/state.js';
import type { Proposal, Strategy } from '../../src/core/strategy.js';
import type { Fleet, Transfer } from '../../src/core/types.js';
import { validateProposals } from '../../src/core/validateProposals.js';
import { chainClosure, host, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

function stateOf(fleet: Fleet, topologyHosts = fleet.hosts): RunState {
  const { closure } = chainClosure([3, 5]);
  return new RunState(fleet, closure, flatTopology(topologyHosts), 'round', deriveRng(0, 'test'));
}

function setup(n: number, over = {}) {
  const { paths } = chainClosure([3, 5]);
  const fleet = simpleFleet(n, paths, over);
  return { paths, fleet, state: stateOf(fleet) };
}

const strategy: Strategy = { name: 'test-fixed', plan: () => [] };

describe('RunState', () => {
  it('gives each host its fleet position and rejects an unknown one', () => {
    const { fleet, state } = setup(3);
    fleet.hosts.forEach((h, i) => expect(state.position(h.id)).toBe(i));
    expect(() => state.position('nobody')).toThrow(ConfigError);
  });

  it('finds positions through its look-up cache and neighbour guesses in any order of questions', () => {
    const { fleet, state } = setup(40);
    const ids = fleet.hosts.map((h) => h.id);
    // Walks in fleet order (neighbour hits), two interleaved walks, repeats, jumps and strangers, with
    // ids equal to the fleet's but not the same strings.
    const order: string[] = [];
    for (let k = 0; k + 20 < ids.length; k++) order.push(ids[k]!, ids[k + 20]!, ids[k]!, `${ids[k + 1]!}`);
    order.push('nobody', ids[40]!, 'nobody', ids[0]!, ids[39]!, ids[1]!, ids[40]!, 'host-999');
    for (const id of order) {
      expect(state.positionOf(id)).toBe(ids.indexOf(id));
      expect(state.hasHost(id)).toBe(ids.includes(id));
      if (ids.includes(id)) expect(state.host(id).id).toBe(id);
      else expect(() => state.host(id)).toThrow(ConfigError);
    }
  });

  it('rejects a want list or an initial store for a host that is not in the fleet, and duplicate hosts', () => {
    const { paths, fleet } = setup(2);
    const wants = new Map(fleet.wants).set('stranger', paths);
    expect(() => stateOf({ ...fleet, wants })).toThrow(ConfigError);
    const initialHave = new Map(fleet.initialHave).set('stranger', paths);
    expect(() => stateOf({ ...fleet, initialHave })).toThrow(ConfigError);
    const twice = { ...fleet, hosts: [...fleet.hosts, host('host-001')] };
    expect(() => stateOf(twice, fleet.hosts)).toThrow(ConfigError);
  });

  it('hands out a new pending array when hosts finish, leaving the one a strategy kept as it was', () => {
    const { paths, state } = setup(3);
    const before = state.pending();
    expect(before).toEqual(['host-001', 'host-002', 'host-003']);
    expect(state.deliverAll('host-002', paths)).toBe(true);
    state.markFailed('host-003');
    expect(state.pending()).toEqual(['host-001']);
    expect(before).toEqual(['host-001', 'host-002', 'host-003']);
    expect(state.doneTargets(true)).toEqual(['host-002']);
  });

  it('counts a started transfer against its own hosts even when the positions noted for its id are stale', () => {
    const { paths, state } = setup(3, { maxSends: 2 });
    state.notePositions(0, state.position('host-002'), state.position('host-003'));
    const t: Transfer = { id: 0, from: 'deployer', to: 'host-001', paths, bytes: 8, round: 0 };
    state.startTransfer(t);
    expect(state.sending('deployer')).toBe(1);
    expect(state.receiving('host-001')).toBe(1);
    expect(state.sending('host-002')).toBe(0);
    expect(state.receiving('host-003')).toBe(0);
    expect([...state.incoming('host-001')]).toEqual(paths);
    state.endTransfer(t);
    expect(state.sending('deployer')).toBe(0);
    expect(state.receiving('host-001')).toBe(0);
    expect(state.incoming('host-001').size).toBe(0);
  });

  it('marks incoming the paths of every transfer running into a host, as they start and end in any order', () => {
    const { paths, state } = setup(2, { maxSends: 3, maxReceives: 3 });
    const ts: Transfer[] = [0, 1, 2].map((id) => ({
      id,
      from: 'deployer',
      to: 'host-001',
      paths: [paths[id]!],
      bytes: 1,
      round: 0,
    }));
    const incoming = (): string[] => [...state.incoming('host-001')];
    state.startTransfer(ts[0]!);
    expect(incoming()).toEqual([paths[0]]);
    state.startTransfer(ts[1]!);
    state.startTransfer(ts[2]!);
    expect(incoming()).toEqual([paths[0], paths[1], paths[2]]);
    state.endTransfer(ts[1]!);
    expect(incoming()).toEqual([paths[0], paths[2]]);
    state.endTransfer(ts[0]!);
    expect(incoming()).toEqual([paths[2]]);
    state.startTransfer(ts[0]!);
    expect(incoming()).toEqual([paths[2], paths[0]]);
    state.endTransfer(ts[0]!);
    state.endTransfer(ts[2]!);
    expect(incoming()).toEqual([]);
    expect(state.receiving('host-001')).toBe(0);
  });

  it("keeps running transfers' positions for ids past its arrays' first size and past its dense limit", () => {
    const { fleet, paths, state } = setup(3, { maxSends: 3, maxReceives: 3 });
    const ts: Transfer[] = [5_000, 70_000, 2 ** 27, 2.5].map((id, k) => ({
      id,
      from: 'deployer',
      to: fleet.hosts[1 + (k % 3)]!.id,
      paths,
      bytes: 8,
      round: 0,
    }));
    const out = new Int32Array(2 * ts.length);
    ts.forEach((t, k) => {
      state.notePositions(t.id, 0, state.position(t.to));
      state.startTransfer(t);
      state.runningPositions(t, out, k);
    });
    // Integer ids below the limit are kept by id; the others are unknown there (-1) and looked up.
    expect([...out]).toEqual([0, 1, 0, 2, -1, -1, -1, -1]);
    expect(state.sending('deployer')).toBe(4);
    for (const t of ts) state.endTransfer(t);
    expect(state.sending('deployer')).toBe(0);
    for (const h of fleet.hosts) expect(state.receiving(h.id)).toBe(0);
  });

  it('reports the hosts changed since a stamp, and nothing it no longer remembers', () => {
    const { paths, state } = setup(3);
    expect(state.changedSince(0)).toBeUndefined();
    const s0 = state.changeStamp();
    expect(state.changedSince(s0)).toEqual([]);
    const t: Transfer = { id: 0, from: 'deployer', to: 'host-002', paths, bytes: 8, round: 0 };
    state.startTransfer(t);
    expect(new Set(state.changedSince(s0))).toEqual(new Set(['deployer', 'host-002']));
    const s1 = state.changeStamp();
    state.endTransfer(t);
    state.deliverAll('host-002', paths);
    state.markFailed('host-003');
    expect(new Set(state.changedSince(s1))).toEqual(new Set(['deployer', 'host-002', 'host-003']));
    // Asking from s1 forgot what came before it.
    expect(state.changedSince(s0)).toBeUndefined();
    expect(state.changedSince(state.changeStamp() + 1)).toBeUndefined();
  });
});

describe('validateProposals across batches', () => {
  it('counts sends per batch: a second send over the limit is refused in the batch, allowed in the next', () => {
    const { paths, state } = setup(2);
    const two: Proposal[] = [
      { from: 'deployer', to: 'host-001', paths },
      { from: 'deployer', to: 'host-002', paths },
    ];
    expect(() => validateProposals(two, state, strategy, 0)).toThrow(StrategyError);
    const [first] = validateProposals([two[0]!], state, strategy, 0);
    state.startTransfer(first!);
    expect(() => validateProposals([two[1]!], state, strategy, 1)).toThrow(StrategyError);
    state.endTransfer(first!);
    state.deliverAll('host-001', first!.paths);
    const next = validateProposals([two[1]!], state, strategy, 1);
    expect(next.map((t) => [t.from, t.to])).toEqual([['deployer', 'host-002']]);
  });

  it('remembers what a receiver was proposed only within its batch', () => {
    const { paths, state } = setup(1, { maxSends: 2, maxReceives: 2 });
    const once: Proposal = { from: 'deployer', to: 'host-001', paths: [paths[0]!] };
    expect(() => validateProposals([once, once], state, strategy, 0)).toThrow(StrategyError);
    expect(validateProposals([once], state, strategy, 0)).toHaveLength(1);
    expect(validateProposals([once], state, strategy, 0)).toHaveLength(1);
  });
});
