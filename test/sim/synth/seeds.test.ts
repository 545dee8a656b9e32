import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../../src/core/closure.js';
import { ConfigError } from '../../../src/core/errors.js';
import { generateFleetClosures, parseClosureSpec } from '../../../src/sim/synth/closure.js';
import { applySeeds, parseSeedSpec, withSeedCache } from '../../../src/sim/synth/seeds.js';
import { generateNetwork, parseNetworkSpec } from '../../../src/sim/presets.js';

function setup(hosts = 20, cache = false, seed = 1) {
  const network = generateNetwork(
    parseNetworkSpec({ preset: 'flat', hosts, ...(cache ? { cache: {} } : {}) }),
    seed,
  );
  const targets = network.hosts.filter((h) => h.role === 'target').map((h) => h.id);
  const c = generateFleetClosures(parseClosureSpec({ paths: 30, totalMB: 10 }), targets, seed);
  const closure = new ClosureGraph(c.paths);
  const all = closure.sortTopologically(c.paths.map((p) => p.id));
  return { hosts: network.hosts, targets, wants: c.wants, closure, all };
}

const seeds = (input: unknown, s = setup(), seed = 1) =>
  applySeeds(parseSeedSpec(input), s.hosts, s.wants, s.closure, seed);

describe('applySeeds', () => {
  it('deployer: only the deployer, holding every wanted path', () => {
    const s = setup();
    const have = seeds({ kind: 'deployer' }, s);
    expect([...have.keys()]).toEqual(['deployer']);
    expect(have.get('deployer')).toEqual(s.all);
  });

  it('fraction and count: that many targets hold their own wants, plus the deployer', () => {
    const s = setup(20);
    const byFraction = seeds({ kind: 'fraction', fraction: 0.25 }, s);
    expect(byFraction.size).toBe(1 + 5);
    const byCount = seeds({ kind: 'count', count: 7 }, s);
    expect(byCount.size).toBe(1 + 7);
    for (const [host, held] of byCount) {
      expect(held).toEqual(host === 'deployer' ? s.all : s.wants.get(host));
    }
    const noDeployer = seeds({ kind: 'count', count: 3, deployer: false }, s);
    expect([...noDeployer.keys()].every((h) => h.startsWith('host-'))).toBe(true);
    expect(noDeployer.size).toBe(3);
    expect(seeds({ kind: 'count', count: 0 }, s).size).toBe(1);
    expect(seeds({ kind: 'fraction', fraction: 1 }, s).size).toBe(21);
  });

  it('picks seeded targets by a seeded shuffle: deterministic, seed-dependent', () => {
    const s = setup(40);
    const a = [...seeds({ kind: 'count', count: 5 }, s, 1).keys()];
    expect([...seeds({ kind: 'count', count: 5 }, s, 1).keys()]).toEqual(a);
    const others = [2, 3, 4].map((k) => [...seeds({ kind: 'count', count: 5 }, s, k).keys()].join());
    expect(others.some((o) => o !== a.join())).toBe(true);
  });

  it('count above the number of targets is a ConfigError', () => {
    expect(() => seeds({ kind: 'count', count: 21 })).toThrow(ConfigError);
  });

  it('explicit: listed hosts hold their wants; unknown or repeated hosts are ConfigErrors', () => {
    const s = setup();
    const have = seeds({ kind: 'explicit', hosts: ['host-03', 'host-11'], deployer: false }, s);
    expect([...have.keys()]).toEqual(['host-03', 'host-11']);
    expect(have.get('host-11')).toEqual(s.wants.get('host-11'));
    expect(() => seeds({ kind: 'explicit', hosts: ['host-99'] }, s)).toThrow(ConfigError);
    expect(() => seeds({ kind: 'explicit', hosts: ['host-01', 'host-01'] }, s)).toThrow(ConfigError);
    try {
      seeds({ kind: 'explicit', hosts: ['host-01', 'ghost'] }, s);
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).where).toBe('seeds.hosts[1]');
    }
  });

  it('cache: the cache holds a closed subset of about holdsFraction, the deployer everything', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (fraction, seed) => {
        const s = setup(8, true, 3);
        const have = applySeeds(
          parseSeedSpec({ kind: 'cache', holdsFraction: fraction }),
          s.hosts,
          s.wants,
          s.closure,
          seed,
        );
        expect(have.get('deployer')).toEqual(s.all);
        const held = have.get('cache') ?? [];
        expect(s.closure.isClosed(new Set(held))).toBe(true);
        expect(held.length).toBeLessThanOrEqual(Math.round(fraction * s.all.length));
        // Greedy closure packing gets close to the target.
        expect(held.length).toBeGreaterThanOrEqual(Math.round(fraction * s.all.length) * 0.8 - 2);
      }),
    );
  });

  it('cache without a cache host, or no deployer, is a ConfigError', () => {
    expect(() => seeds({ kind: 'cache', holdsFraction: 0.5 })).toThrow(ConfigError);
    const s = setup();
    const noDeployer = s.hosts.filter((h) => h.role !== 'deployer');
    expect(() => applySeeds(parseSeedSpec({ kind: 'deployer' }), noDeployer, s.wants, s.closure, 1)).toThrow(
      ConfigError,
    );
  });

  it('rejects malformed seed specs', () => {
    for (const bad of [
      { kind: 'all' },
      { kind: 'fraction', fraction: 2 },
      { kind: 'count', count: -1 },
      { kind: 'explicit' },
      { kind: 'cache', holdsFraction: 0.5, uplink: 'quick' },
    ]) {
      expect(() => parseSeedSpec(bad), JSON.stringify(bad)).toThrow(ConfigError);
    }
  });
});

describe('withSeedCache', () => {
  it('adds a cache host with the seed spec uplink only for cache seeds', () => {
    const network = parseNetworkSpec({ preset: 'flat', hosts: 3 });
    expect(withSeedCache(network, parseSeedSpec({ kind: 'deployer' }))).toBe(network);
    const withCache = withSeedCache(
      network,
      parseSeedSpec({ kind: 'cache', holdsFraction: 0.5, uplink: '100mbit' }),
    );
    expect(withCache.cache).toMatchObject({ uplink: 12.5e6, maxSends: 64 });
    const { hosts } = generateNetwork(withCache, 1);
    expect(hosts[1]).toMatchObject({ id: 'cache', role: 'cache', uplink: 12.5e6 });
  });
});
