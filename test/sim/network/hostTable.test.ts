import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { HostTable } from '../../../src/sim/network/hostTable.js';
import { host } from '../helpers/simpleTopology.js';

describe('HostTable', () => {
  it('answers uplink and downlink per host when the links are equal on every host', () => {
    const t = new HostTable([host('a', 10), host('b', 20)]);
    expect([t.uplink(0), t.downlink(0), t.uplink(1), t.downlink(1)]).toEqual([10, 10, 20, 20]);
  });

  it('keeps the downlinks of hosts before and after the first one whose links differ', () => {
    const t = new HostTable([host('a', 10), host('b', 20), host('c', 30, 5), host('d', 40)]);
    expect([0, 1, 2, 3].map((i) => [t.uplink(i), t.downlink(i)])).toEqual([
      [10, 10],
      [20, 20],
      [30, 5],
      [40, 40],
    ]);
  });

  it('applies a straggler factor to both directions', () => {
    const t = new HostTable([host('a', 10, 4)]);
    t.setFactor(0, 0.5);
    expect([t.uplink(0), t.downlink(0)]).toEqual([5, 2]);
  });

  it('refuses a non-positive downlink after hosts with equal links', () => {
    expect(() => new HostTable([host('a', 10), host('b', 10, 0)])).toThrow(ConfigError);
  });
});
