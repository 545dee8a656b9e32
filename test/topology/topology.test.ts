import fc from 'fast-check';
import { DirectedGraph } from 'graphology';
import { dijkstra } from 'graphology-shortest-path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { generateNetwork, parseNetworkSpec } from '../../src/sim/presets.js';
import {
  GraphTopology,
  TopologyBuilder,
  topologyFromSpec,
  topologySpecSchema,
  type TopologyEdgeAttributes,
  type TopologyNodeAttributes,
} from '../../src/topology/index.js';

const net = (input: Record<string, unknown>, seed: number | string = 1) =>
  generateNetwork(parseNetworkSpec(input), seed);

describe('GraphTopology routes on the presets', () => {
  it('flat: same switch, no links, both access latencies', () => {
    const { topology } = net({ preset: 'flat', hosts: 4 });
    const r = topology.route('host-1', 'host-4')!;
    expect(r.links).toEqual([]);
    expect(r.latency).toBeCloseTo(2e-4, 12);
    expect(r.bottleneck).toBe(Infinity);
    expect(r.pricePerByte).toBe(0);
    expect(topology.groupOf('host-1')).toBeUndefined();
    expect(topology.name).toBe('flat');
  });

  it('racks: up through the ToR and the core, down the other ToR', () => {
    const { topology } = net({ preset: 'racks', hosts: 8, racks: 2, oversubscription: 4 });
    const same = topology.route('host-1', 'host-4')!;
    expect(same.links).toEqual([]);
    const cross = topology.route('host-1', 'host-8')!;
    expect(cross.links).toEqual(['tor-01->core', 'core->tor-02']);
    expect(cross.latency).toBeCloseTo(1e-4 + 1e-4 + 1e-4 + 1e-4, 12);
    expect(cross.bottleneck).toBe((4 * 125e6) / 4);
    expect(topology.groupOf('host-1')).toBe('rack-01');
    expect(topology.groupOf('host-8')).toBe('rack-02');
    // The deployer sits on the core: one link down into a rack.
    expect(topology.route('deployer', 'host-8')!.links).toEqual(['core->tor-02']);
    expect(topology.groupOf('deployer')).toBeUndefined();
  });

  it('regions: one WAN link with its latency and price', () => {
    const { topology } = net({ preset: 'regions', hosts: 6, regions: 3 });
    const r = topology.route('host-1', 'host-2')!;
    expect(r.links).toEqual(['region-1->region-2']);
    expect(r.latency).toBeCloseTo(0.05 + 2e-4, 12);
    expect(r.bottleneck).toBe(12.5e6);
    expect(r.pricePerByte).toBeCloseTo(0.02 / 1e9, 20);
    expect(topology.route('host-1', 'host-4')!.links).toEqual([]);
    expect(topology.groupOf('host-3')).toBe('region-3');
    expect(topology.link('region-2->region-3')).toMatchObject({
      bandwidth: 12.5e6,
      latency: 0.05,
      pricePerGB: 0.02,
    });
  });

  it('route to self is empty', () => {
    const { topology } = net({ preset: 'regions', hosts: 3 });
    expect(topology.route('host-2', 'host-2')).toEqual({
      links: [],
      latency: 0,
      bottleneck: Infinity,
      pricePerByte: 0,
    });
  });

  it('returns null when the switches are not connected', () => {
    const t = new TopologyBuilder()
      .addSwitch('a')
      .addSwitch('b')
      .addSwitch('c')
      .addLink('a', 'b', { bandwidth: 1e6, latency: 0.001 }, false)
      .attachHost('x', 'a', 0)
      .attachHost('y', 'b', 0)
      .attachHost('z', 'c', 0)
      .build('custom');
    expect(t.route('x', 'y')!.links).toEqual(['a->b']);
    expect(t.route('y', 'x')).toBeNull(); // one-way link
    expect(t.route('x', 'z')).toBeNull();
    expect(t.route('z', 'x')).toBeNull();
  });

  it('caches: the same route object comes back for hosts on the same switch pair', () => {
    const { topology } = net({ preset: 'racks', hosts: 8, racks: 2 });
    expect(topology.route('host-1', 'host-8')!.links).toBe(topology.route('host-2', 'host-7')!.links);
  });

  it('unknown hosts and links are ConfigErrors', () => {
    const { topology } = net({ preset: 'flat', hosts: 2 });
    expect(() => topology.route('nope', 'host-1')).toThrow(ConfigError);
    expect(() => topology.route('host-1', 'nope')).toThrow(ConfigError);
    expect(() => topology.groupOf('nope')).toThrow(ConfigError);
    expect(() => topology.switchOf('nope')).toThrow(ConfigError);
    expect(() => topology.link('switch->nope')).toThrow(ConfigError);
    expect(() => topology.link('garbage')).toThrow(ConfigError);
  });

  it('link() describes access edges (latency only) and inter-switch links', () => {
    const { topology } = net({ preset: 'racks', hosts: 4, racks: 2, accessLatency: '1ms' });
    expect(topology.link('host-1->tor-01')).toEqual({
      id: 'host-1->tor-01',
      from: 'host-1',
      to: 'tor-01',
      bandwidth: Infinity,
      latency: 0.001,
      pricePerGB: 0,
    });
    expect(topology.link('tor-01->host-1').latency).toBe(0.001);
    expect(topology.link('tor-02->core').bandwidth).toBeGreaterThan(0);
    expect([...topology.links()].map((l) => l.id)).toEqual([
      'tor-01->core',
      'core->tor-01',
      'tor-02->core',
      'core->tor-02',
    ]);
  });
});

describe('the graph', () => {
  it('has hosts and switches with kinds, and every edge keyed from->to', () => {
    const { topology, hosts } = net({ preset: 'racks', hosts: 10, racks: 3 });
    const g = topology.graph;
    for (const h of hosts) expect(g.getNodeAttribute(h.id, 'kind')).toBe('host');
    expect(g.getNodeAttributes('tor-02')).toEqual({ kind: 'switch', group: 'rack-02' });
    g.forEachEdge((key, _attrs, source, target) => expect(key).toBe(`${source}->${target}`));
    // Each host: one edge up, one edge down.
    for (const h of hosts) {
      expect(g.outDegree(h.id)).toBe(1);
      expect(g.inDegree(h.id)).toBe(1);
    }
    expect(g.getEdgeAttributes('tor-01->core')).toMatchObject({ latency: 1e-4 });
    expect(g.getEdgeAttributes('host-01->tor-01')).toEqual({ latency: 1e-4 });
  });

  it('is deterministic: same spec and seed give the same export', () => {
    for (const preset of ['flat', 'racks', 'regions', 'heavy-tailed', 'homelab']) {
      const a = net({ preset, hosts: 40 }, 7).topology.graph.export();
      const b = net({ preset, hosts: 40 }, 7).topology.graph.export();
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    }
    const h1 = net({ preset: 'homelab', hosts: 40 }, 1).topology.graph.export();
    const h2 = net({ preset: 'homelab', hosts: 40 }, 2).topology.graph.export();
    expect(JSON.stringify(h1)).not.toBe(JSON.stringify(h2));
  });

  it('fromGraph round-trips a preset graph', () => {
    const { topology, hosts } = net({ preset: 'regions', hosts: 7, regions: 3 });
    const again = GraphTopology.fromGraph('regions', topology.graph);
    expect(again.graph).toBe(topology.graph);
    for (const a of hosts) {
      for (const b of hosts) expect(again.route(a.id, b.id)).toEqual(topology.route(a.id, b.id));
      expect(again.groupOf(a.id)).toBe(topology.groupOf(a.id));
    }
  });

  it('fromGraph rejects malformed graphs', () => {
    const base = () => {
      const g = new DirectedGraph<TopologyNodeAttributes, TopologyEdgeAttributes>();
      g.addNode('s1', { kind: 'switch' });
      g.addNode('s2', { kind: 'switch' });
      g.addNode('h', { kind: 'host' });
      return g;
    };
    const noBack = base();
    noBack.addDirectedEdgeWithKey('h->s1', 'h', 's1', { latency: 0 });
    expect(() => GraphTopology.fromGraph('x', noBack)).toThrow(ConfigError);

    const twoSwitches = base();
    for (const s of ['s1', 's2']) {
      twoSwitches.addDirectedEdgeWithKey(`h->${s}`, 'h', s, { latency: 0 });
      twoSwitches.addDirectedEdgeWithKey(`${s}->h`, s, 'h', { latency: 0 });
    }
    expect(() => GraphTopology.fromGraph('x', twoSwitches)).toThrow(ConfigError);

    const badKey = base();
    badKey.addDirectedEdgeWithKey('up', 'h', 's1', { latency: 0 });
    badKey.addDirectedEdgeWithKey('s1->h', 's1', 'h', { latency: 0 });
    expect(() => GraphTopology.fromGraph('x', badKey)).toThrow(ConfigError);

    const noBandwidth = base();
    noBandwidth.addDirectedEdgeWithKey('s1->s2', 's1', 's2', { latency: 0 });
    expect(() => GraphTopology.fromGraph('x', noBandwidth)).toThrow(ConfigError);

    const hostToHost = base();
    hostToHost.addNode('h2', { kind: 'host' });
    hostToHost.addDirectedEdgeWithKey('h->h2', 'h', 'h2', { latency: 0 });
    expect(() => GraphTopology.fromGraph('x', hostToHost)).toThrow(ConfigError);
  });
});

describe('TopologyBuilder and custom specs', () => {
  it('rejects duplicates, unknown switches and bad links', () => {
    const b = () => new TopologyBuilder().addSwitch('a').addSwitch('b');
    expect(() => b().addSwitch('a')).toThrow(ConfigError);
    expect(() => b().attachHost('h', 'zz', 0)).toThrow(ConfigError);
    expect(() => b().attachHost('a', 'b', 0)).toThrow(ConfigError);
    expect(() => b().attachHost('h', 'a', -1)).toThrow(ConfigError);
    expect(() => b().addLink('a', 'zz', { bandwidth: 1, latency: 0 })).toThrow(ConfigError);
    expect(() => b().addLink('a', 'b', { bandwidth: 0, latency: 0 })).toThrow(ConfigError);
    expect(() => b().addLink('a', 'b', { bandwidth: 1, latency: Number.NaN })).toThrow(ConfigError);
    expect(() => b().addLink('a', 'a', { bandwidth: 1, latency: 0 })).toThrow(ConfigError);
    expect(() =>
      b().addLink('a', 'b', { bandwidth: 1, latency: 0 }).addLink('b', 'a', { bandwidth: 1, latency: 0 }),
    ).toThrow(ConfigError);
  });

  it('builds a custom topology from a parsed spec with human units', () => {
    const spec = topologySpecSchema.parse({
      switches: [{ id: 'lan', group: 'home' }, { id: 'cloud' }],
      links: [{ from: 'lan', to: 'cloud', bandwidth: '100mbit', latency: '20ms', pricePerGB: 0.09 }],
      hosts: [
        { host: 'laptop', switch: 'lan', latency: '1ms' },
        { host: 'vm', switch: 'cloud', group: 'eu' },
      ],
    });
    const t = topologyFromSpec(spec);
    expect(t.name).toBe('custom');
    const r = t.route('laptop', 'vm')!;
    expect(r.links).toEqual(['lan->cloud']);
    expect(r.bottleneck).toBe(12.5e6);
    expect(r.latency).toBeCloseTo(0.021, 12);
    expect(t.route('vm', 'laptop')!.links).toEqual(['cloud->lan']);
    expect(t.groupOf('laptop')).toBe('home');
    expect(t.groupOf('vm')).toBe('eu');
    expect(topologySpecSchema.safeParse({ switches: [], hosts: [] }).success).toBe(false);
    expect(topologySpecSchema.safeParse({ switches: [{ id: 's' }], hosts: [], extra: 1 }).success).toBe(
      false,
    );
  });
});

describe('shortest paths agree with graphology-shortest-path', () => {
  // Random switch graphs (trees and general digraphs, integer latencies to provoke ties).
  const graphArb = fc
    .record({
      n: fc.integer({ min: 2, max: 9 }),
      tree: fc.boolean(),
      extra: fc.array(
        fc.record({
          a: fc.nat(),
          b: fc.nat(),
          lat: fc.integer({ min: 0, max: 3 }),
          bw: fc.integer({ min: 1, max: 9 }),
        }),
        { maxLength: 25 },
      ),
      treeLat: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 9, maxLength: 9 }),
      parents: fc.array(fc.nat(), { minLength: 9, maxLength: 9 }),
    })
    .map(({ n, tree, extra, treeLat, parents }) => {
      const b = new TopologyBuilder();
      const name = (i: number) => `sw-${String.fromCharCode(97 + i)}`;
      for (let i = 0; i < n; i++) b.addSwitch(name(i));
      const seen = new Set<string>();
      const add = (a: number, c: number, lat: number, bw: number, duplex: boolean) => {
        const keys = duplex ? [`${a}:${c}`, `${c}:${a}`] : [`${a}:${c}`];
        if (a === c || keys.some((k) => seen.has(k))) return;
        keys.forEach((k) => seen.add(k));
        b.addLink(name(a), name(c), { bandwidth: bw, latency: lat }, duplex);
      };
      if (tree) for (let i = 1; i < n; i++) add(parents[i]! % i, i, treeLat[i]!, 5, true);
      else for (const e of extra) add(e.a % n, e.b % n, e.lat, e.bw, false);
      for (let i = 0; i < n; i++) b.attachHost(`h${i}`, name(i), 0);
      return { topology: b.build('custom'), n };
    });

  it('same paths (hence the same latency) for every host pair', () => {
    fc.assert(
      fc.property(graphArb, ({ topology, n }) => {
        // The library over the switch subgraph, exactly as the topology's links define it.
        const core = new DirectedGraph();
        for (const s of topology.switches()) core.addNode(s);
        for (const l of topology.links())
          core.addDirectedEdgeWithKey(l.id, l.from, l.to, { latency: l.latency });
        for (let i = 0; i < n; i++) {
          const paths = dijkstra.singleSource(core, topology.switchOf(`h${i}`), 'latency');
          for (let j = 0; j < n; j++) {
            if (i === j) continue;
            const route = topology.route(`h${i}`, `h${j}`);
            const path = paths[topology.switchOf(`h${j}`)];
            if (path === undefined) {
              expect(route).toBeNull();
              continue;
            }
            const links = path.slice(1).map((to, k) => `${path[k]!}->${to}`);
            expect(route!.links).toEqual(links);
            expect(route!.latency).toBe(links.reduce((s, id) => s + topology.link(id).latency, 0));
            expect(route!.bottleneck).toBe(Math.min(...links.map((id) => topology.link(id).bandwidth)));
          }
        }
      }),
    );
  });
});

describe('scale', () => {
  it('builds and routes a 100,000-host flat network', () => {
    const { hosts, topology } = net({ preset: 'flat', hosts: 100_000 });
    expect(hosts).toHaveLength(100_001);
    expect(hosts[1]!.id).toBe('host-000001');
    expect(hosts[100_000]!.id).toBe('host-100000');
    const r = topology.route('host-000001', 'host-100000')!;
    expect(r.links).toEqual([]);
    expect(r.latency).toBeCloseTo(2e-4, 12);
    expect(topology.route('deployer', 'host-054321')!.bottleneck).toBe(Infinity);
    expect([...topology.hosts()]).toHaveLength(100_001);
  });

  it('routes a 100,000-host rack fabric', () => {
    const { topology } = net({ preset: 'racks', hosts: 100_000 });
    expect(topology.switches()).toHaveLength(3126); // 3,125 racks of 32 + the core
    for (let i = 1; i <= 100_000; i += 997) {
      const a = `host-${String(i).padStart(6, '0')}`;
      const b = `host-${String(100_001 - i).padStart(6, '0')}`;
      const r = topology.route(a, b)!;
      const ra = topology.groupOf(a)!.replace('rack', 'tor');
      const rb = topology.groupOf(b)!.replace('rack', 'tor');
      expect(r.links).toEqual(ra === rb ? [] : [`${ra}->core`, `core->${rb}`]);
    }
  });
});
