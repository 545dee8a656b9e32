import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  GIGABIT,
  NETWORK_PRESETS,
  generateNetwork,
  networkSpecSchema,
  parseNetworkSpec,
  targetHostIds,
} from '../../src/sim/presets.js';

const net = (input: Record<string, unknown>, seed: number | string = 1) =>
  generateNetwork(parseNetworkSpec(input), seed);

describe('host ids and fleet order', () => {
  it('pads target ids to the width of the count so lexical order is numeric order', () => {
    expect(targetHostIds(3)).toEqual(['host-1', 'host-2', 'host-3']);
    const ids = targetHostIds(100);
    expect(ids[0]).toBe('host-001');
    expect(ids[99]).toBe('host-100');
    expect([...ids].sort()).toEqual(ids);
  });

  it('puts the deployer first, then the cache, then the targets', () => {
    const { hosts } = net({ preset: 'flat', hosts: 12, cache: { uplink: '100mbit' } });
    expect(hosts.map((h) => h.id).slice(0, 4)).toEqual(['deployer', 'cache', 'host-01', 'host-02']);
    expect(hosts.map((h) => h.role).slice(0, 3)).toEqual(['deployer', 'cache', 'target']);
    expect(hosts[1]!.uplink).toBe(12.5e6);
    expect(hosts).toHaveLength(14);
  });
});

describe('defaults', () => {
  it('flat: 1 Gbit/s symmetric targets with one send and one receive; deployer sends 64 at once', () => {
    const { hosts, topology } = net({ preset: 'flat', hosts: 5 });
    for (const h of hosts.slice(1)) {
      expect(h).toMatchObject({
        uplink: GIGABIT,
        downlink: GIGABIT,
        maxSends: 1,
        maxReceives: 1,
        role: 'target',
      });
    }
    expect(hosts[0]).toMatchObject({ id: 'deployer', uplink: GIGABIT, maxSends: 64 });
    expect(topology.switches()).toEqual(['switch']);
  });

  it('overrides: limits, deployer options and rate strings', () => {
    const { hosts } = net({
      preset: 'flat',
      hosts: 2,
      uplink: '100mbit',
      downlink: { kind: 'constant', value: '50MB/s' },
      maxSends: 3,
      maxReceives: 2,
      deployer: { uplink: '10gbit', maxSends: 8 },
    });
    expect(hosts[1]).toMatchObject({ uplink: 12.5e6, downlink: 50e6, maxSends: 3, maxReceives: 2 });
    expect(hosts[0]).toMatchObject({ uplink: 1.25e9, maxSends: 8 });
  });
});

describe('racks', () => {
  it('defaults to ceil(hosts/32) racks filled in blocks, oversubscribed 4:1', () => {
    const { hosts, topology } = net({ preset: 'racks', hosts: 70 });
    expect(topology.switches()).toEqual(['core', 'tor-01', 'tor-02', 'tor-03']);
    const targets = hosts.filter((h) => h.role === 'target');
    expect(targets[0]!.rack).toBe('rack-01');
    expect(targets[23]!.rack).toBe('rack-01'); // 24 per rack: ceil(70 / 3)
    expect(targets[24]!.rack).toBe('rack-02');
    expect(targets[69]!.rack).toBe('rack-03');
    for (const h of targets) expect(topology.groupOf(h.id)).toBe(h.rack);
    expect(topology.link('tor-02->core').bandwidth).toBe((24 * GIGABIT) / 4);
    expect(topology.link('core->tor-02').bandwidth).toBe((24 * GIGABIT) / 4);
  });

  it('can put the deployer in rack 1 and honours an explicit rack uplink', () => {
    const { hosts, topology } = net({
      preset: 'racks',
      hosts: 10,
      racks: 2,
      deployerPlacement: 'rack',
      rackUplink: '10gbit',
    });
    expect(hosts[0]!.rack).toBe('rack-01');
    expect(topology.groupOf('deployer')).toBe('rack-01');
    expect(topology.route('deployer', 'host-10')!.links).toEqual(['tor-01->core', 'core->tor-02']);
    expect(topology.route('deployer', 'host-10')!.bottleneck).toBe(1.25e9);
  });
});

describe('regions', () => {
  it('places targets round-robin by default, in blocks on request; deployer in region 1', () => {
    const rr = net({ preset: 'regions', hosts: 6 }).hosts;
    expect(rr.map((h) => h.site)).toEqual([
      'region-1',
      'region-1',
      'region-2',
      'region-3',
      'region-1',
      'region-2',
      'region-3',
    ]);
    const blocks = net({ preset: 'regions', hosts: 6, placement: 'blocks' }).hosts;
    expect(blocks.slice(1).map((h) => h.site)).toEqual([
      'region-1',
      'region-1',
      'region-2',
      'region-2',
      'region-3',
      'region-3',
    ]);
  });

  it('joins every pair of regions by thin, slow, priced WAN links', () => {
    const { topology } = net({
      preset: 'regions',
      hosts: 4,
      regions: 4,
      wanBandwidth: '1gbit',
      wanLatency: '80ms',
    });
    const links = [...topology.links()];
    expect(links).toHaveLength(4 * 3);
    for (const l of links) expect(l).toMatchObject({ bandwidth: GIGABIT, latency: 0.08, pricePerGB: 0.02 });
  });
});

describe('heavy-tailed', () => {
  it('draws Pareto uplinks (most slow, a few very fast) with downlink 4× uplink', () => {
    const { hosts } = net({ preset: 'heavy-tailed', hosts: 2000 });
    const targets = hosts.filter((h) => h.role === 'target');
    const ups = targets.map((h) => h.uplink).sort((a, b) => a - b);
    const median = ups[Math.floor(ups.length / 2)]!;
    expect(ups[0]!).toBeGreaterThanOrEqual(3.125e6);
    expect(ups[ups.length - 1]!).toBeGreaterThan(20 * median);
    for (const h of targets) expect(h.downlink).toBeCloseTo(4 * h.uplink, 6);
  });
});

describe('homelab', () => {
  it('puts round(n × wifiFraction) hosts on a slower, farther Wi-Fi access point', () => {
    const { hosts, topology } = net({ preset: 'homelab', hosts: 10, wifiFraction: 0.7 });
    const wifi = hosts.filter((h) => h.tags.includes('wifi'));
    const wired = hosts.filter((h) => h.tags.includes('wired'));
    expect(wifi).toHaveLength(7);
    expect(wired).toHaveLength(3);
    for (const h of wifi) {
      expect(h.uplink).toBeGreaterThanOrEqual(3.75e6);
      expect(h.uplink).toBeLessThanOrEqual(10e6);
      expect(topology.switchOf(h.id)).toBe('wifi-ap');
      expect(topology.groupOf(h.id)).toBe('wifi');
    }
    for (const h of wired) expect(h.uplink).toBe(GIGABIT);
    const r = topology.route('deployer', wifi[0]!.id)!;
    expect(r.links).toEqual(['router->wifi-ap']);
    expect(r.bottleneck).toBe(37.5e6);
    expect(r.latency).toBeGreaterThan(topology.route('deployer', wired[0]!.id)!.latency);
  });
});

describe('determinism and validation', () => {
  it('same spec and seed give identical hosts and graph; another seed changes random presets', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NETWORK_PRESETS),
        fc.integer({ min: 1, max: 60 }),
        fc.integer(),
        (preset, hosts, seed) => {
          const a = net({ preset, hosts }, seed);
          const b = net({ preset, hosts }, seed);
          expect(b.hosts).toEqual(a.hosts);
          expect(JSON.stringify(b.topology.graph.export())).toBe(JSON.stringify(a.topology.graph.export()));
        },
      ),
    );
    const a = net({ preset: 'heavy-tailed', hosts: 20 }, 1).hosts;
    const b = net({ preset: 'heavy-tailed', hosts: 20 }, 2).hosts;
    expect(b).not.toEqual(a);
  });

  it('every host of every preset is routable from the deployer', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NETWORK_PRESETS), fc.integer({ min: 1, max: 80 }), (preset, n) => {
        const { hosts, topology } = net({ preset, hosts: n, cache: {} });
        for (const h of hosts) {
          const r = topology.route('deployer', h.id);
          expect(r).not.toBeNull();
          expect(r!.latency).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('rejects bad specs with ConfigError', () => {
    expect(() => parseNetworkSpec({ preset: 'mesh', hosts: 3 })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'flat', hosts: 0 })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'flat', hosts: 2.5 })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'flat', hosts: 3, racks: 2 })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'flat', hosts: 3, uplink: 'fast' })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'homelab', hosts: 3, wifiFraction: 2 })).toThrow(ConfigError);
    expect(() => parseNetworkSpec({ preset: 'racks', hosts: 3, oversubscription: 0 })).toThrow(ConfigError);
    try {
      parseNetworkSpec({ preset: 'regions', hosts: 3, wanLatency: 'soon' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).where).toBe('network.wanLatency');
    }
    expect(networkSpecSchema.safeParse({ preset: 'flat', hosts: 1 }).success).toBe(true);
  });
});
