import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../src/core/closure.js';
import type { Fleet, Host } from '../../src/core/types.js';
import { FleetInfo } from '../../src/strategies/_internals/fleet-info.js';
import { fleetPositions, HostValueMap } from '../../src/sim/synth/hostValueMap.js';

const host = (id: string): Host => ({
  id,
  role: id === 'deployer' ? 'deployer' : 'target',
  uplink: 1,
  downlink: 1,
  maxSends: 1,
  maxReceives: 1,
  tags: [],
});

describe('FleetInfo want arrays', () => {
  const closure = new ClosureGraph([{ id: 'p', narSize: 1, references: [] }]);
  const hosts = [host('deployer'), host('a'), host('b')];
  const want = ['p'];

  it('gives the same answers from a plain Map and from a positional map on the fleet index', () => {
    const positional = new HostValueMap<readonly string[]>(fleetPositions(hosts))
      .set('a', want)
      .set('b', want)
      .seal();
    const plain = new Map([
      ['a', want],
      ['b', want],
    ]);
    const initialHave = new Map([['deployer', want]]);
    for (const wants of [positional, plain]) {
      const fleet: Fleet = { hosts, initialHave, wants };
      const info = new FleetInfo(fleet, closure);
      expect(info.targets).toEqual(['a', 'b']);
      expect(info.seeds).toEqual(['deployer']);
      expect(info.wantArray('a')).toBe(want);
      expect(info.wantArray('deployer')).toBeUndefined();
      expect(info.wantArray('nobody')).toBeUndefined();
      expect(info.wantArrayAt(2)).toBe(want);
      expect(info.wantArrayAt(0)).toBeUndefined();
      expect(info.wantCount().get('p')).toBe(2);
    }
  });
});
