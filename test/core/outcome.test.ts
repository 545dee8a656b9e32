import { describe, expect, it } from 'vitest';
import type { TransferStartedEvent } from '../../src/core/events.js';
import { RunTally, startTransfers, type CascadeState } from '../../src/core/outcome.js';
import { deriveRng } from '../../src/core/random.js';
import { RunState } from '../../src/core/state.js';
import type { Transfer } from '../../src/core/types.js';
import { chainClosure, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

function cascade(): { cs: CascadeState; batch: Transfer[] } {
  const { closure, paths } = chainClosure([3, 5]);
  const fleet = simpleFleet(2, paths, { maxSends: 2 });
  const state = new RunState(fleet, closure, flatTopology(fleet.hosts), 'round', deriveRng(0, 'test'));
  const batch = ['host-001', 'host-002'].map((to, id) => ({
    id,
    from: 'deployer',
    to,
    paths,
    bytes: 8,
    round: 0,
  }));
  return { cs: { state, tally: new RunTally(state), maxAttemptsPerHost: 3 }, batch };
}

describe('startTransfers', () => {
  it('hands a sink the same events, in the same order, that it returns without one', () => {
    const plain = cascade();
    const returned = startTransfers(plain.cs, plain.batch);
    const streamed = cascade();
    const seen: TransferStartedEvent[] = [];
    const rest = startTransfers(streamed.cs, streamed.batch, (e) => {
      // Each event comes once its own transfer is recorded, before the next one is.
      expect(streamed.cs.tally.running.has(e.id)).toBe(true);
      expect(streamed.cs.tally.running.has(e.id + 1)).toBe(false);
      seen.push(e);
    });
    expect(rest).toEqual([]);
    expect(seen).toEqual(returned);
    expect(returned.map((e) => e.to)).toEqual(['host-001', 'host-002']);
    expect(streamed.cs.state.sending('deployer')).toBe(2);
    expect(streamed.cs.tally.rounds).toBe(1);
    expect(streamed.cs.tally.transfersStarted).toBe(2);
  });

  it('records who completed a receiver in the cascade tree', () => {
    const { cs } = cascade();
    cs.tally.setParent('host-002', 'host-001');
    expect(cs.tally.parent('host-002')).toBe('host-001');
    expect(cs.tally.parent('host-001')).toBeUndefined();
    expect(cs.tally.parent('nobody')).toBeUndefined();
  });
});
