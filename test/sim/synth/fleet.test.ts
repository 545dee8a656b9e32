import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { generateSyntheticFleet, parseSyntheticFleetSpec } from '../../../src/sim/synth/fleet.js';

describe('generateSyntheticFleet', () => {
  it('composes network, closures and seeds into a consistent fleet', () => {
    const spec = parseSyntheticFleetSpec({
      network: { preset: 'racks', hosts: 40, racks: 4 },
      closure: { paths: 20, totalMB: 50 },
      seeds: { kind: 'count', count: 2 },
    });
    const { fleet, topology, closure, roleOf } = generateSyntheticFleet(spec, 5);
    expect(fleet.hosts).toHaveLength(41);
    expect(fleet.wants.size).toBe(40);
    expect(roleOf.size).toBe(40);
    expect(fleet.initialHave.size).toBe(3);
    for (const h of fleet.hosts) expect(topology.hasHost(h.id)).toBe(true);
    for (const want of fleet.wants.values()) expect(closure.closureOf(want)).toEqual(want);
    expect(closure.size).toBe(new Set([...fleet.wants.values()].flat()).size);
  });

  it('adds the cache host for cache seeds and is deterministic', () => {
    const spec = parseSyntheticFleetSpec({
      network: { preset: 'flat', hosts: 5 },
      seeds: { kind: 'cache', holdsFraction: 0.5, uplink: '200mbit' },
    });
    const a = generateSyntheticFleet(spec, 1);
    const b = generateSyntheticFleet(spec, 1);
    expect(a.fleet.hosts[1]).toMatchObject({ id: 'cache', uplink: 25e6 });
    expect(a.fleet.initialHave.get('cache')!.length).toBeGreaterThan(0);
    expect(b.fleet).toEqual(a.fleet);
    expect([...b.closure.paths()]).toEqual([...a.closure.paths()]);
  });

  it('names the bad field', () => {
    try {
      parseSyntheticFleetSpec({ network: { preset: 'flat', hosts: -1 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).where).toBe('fleet.network.hosts');
    }
    expect(() => parseSyntheticFleetSpec({ network: { preset: 'flat', hosts: 2 }, extra: 1 })).toThrow(
      ConfigError,
    );
  });
});
