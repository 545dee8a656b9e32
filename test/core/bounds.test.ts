/**
 * The fluid lower bound (issue 3): each term in closed form on tiny fleets, the cut term on hand-built
 * racks and regions, and bound ≤ makespan for schedules whose optimum is known by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowerBound } from '../../src/core/bounds.js';
import { runCascade } from '../../src/core/coordinator.js';
import type { Fleet, Host, PathId } from '../../src/core/types.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { buildScenario, parseScenario } from '../../src/sim/scenario.js';
import { TopologyBuilder } from '../../src/topology/index.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { chainClosure, host } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

/** p0 (100 B) ← p1 (200 B): 300 bytes in all. */
const { closure, paths: P } = chainClosure([100, 200]);
const S = 300;

function fleetOf(hosts: Host[], have: Record<string, readonly PathId[]>, wants: Record<string, readonly PathId[]>): Fleet {
  return { hosts, initialHave: new Map(Object.entries(have)), wants: new Map(Object.entries(wants)) };
}

describe('lowerBound: the per-path doubling term', () => {
  it('is τ·⌈log₂((H+R)/H)⌉ for the path that needs longest, with the copy rate capped by the fastest downlink', () => {
    // 1 seed + 6 receivers of both paths: ⌈log₂ 7⌉ = 3 doublings; rate min(max uplink 50, max downlink 20) = 20.
    const hs = [host('deployer', { role: 'deployer', uplink: 50, downlink: 20 }), ...'abcdef'.split('').map((id) => host(id, { uplink: 10, downlink: 20 }))];
    const wants = Object.fromEntries('abcdef'.split('').map((id) => [id, P]));
    const b = lowerBound(fleetOf(hs, { deployer: P }, wants), closure, flatTopology(hs));
    expect(b.pathDoublingSeconds).toBeCloseTo((200 / 20) * 3, 12);
  });

  it('lets a holder that can feed several receivers at full speed grow faster than doubling (and stays below a real run)', () => {
    // A 10× uplink with 8 send slots feeds all 7 receivers at once: 1 s, not 3 doublings of 1 s.
    const hs = [host('seed', { role: 'deployer', uplink: 1000, downlink: 100, maxSends: 8 }), ...'abcdefg'.split('').map((id) => host(id, { uplink: 100, downlink: 100 }))];
    const one = chainClosure([100]);
    const wants = Object.fromEntries('abcdefg'.split('').map((id) => [id, one.paths]));
    const b = lowerBound(fleetOf(hs, { seed: one.paths }, wants), one.closure, flatTopology(hs));
    expect(b.pathDoublingSeconds).toBeCloseTo(1, 12);
  });

  it('counts initial holders per path: a second holder of the big path removes one doubling', () => {
    const hs = [host('deployer', { role: 'deployer', uplink: 10, downlink: 10 }), ...'abc'.split('').map((id) => host(id, { uplink: 10, downlink: 10 }))];
    const one = lowerBound(fleetOf(hs, { deployer: P }, { a: P, b: P, c: P }), closure, flatTopology(hs));
    // a already holds p1 (200 B): p1 has 2 holders for 2 receivers (1 doubling), p0 1 holder for 3 (2 doublings).
    const two = lowerBound(fleetOf(hs, { deployer: P, a: [P[1]!] }, { a: P, b: P, c: P }), closure, flatTopology(hs));
    expect(one.pathDoublingSeconds).toBeCloseTo(20 * 2, 12);
    expect(two.pathDoublingSeconds).toBeCloseTo(Math.max(20 * 1, 10 * 2), 12);
  });
});

describe('lowerBound: each term in closed form (flat LAN)', () => {
  // Deployer uplink 100, targets with downlinks 10 / 20 / 50 and uplinks 5.
  const hosts = [
    host('deployer', { role: 'deployer', uplink: 100, downlink: 100 }),
    host('a', { uplink: 5, downlink: 10 }),
    host('b', { uplink: 5, downlink: 20 }),
    host('c', { uplink: 5, downlink: 50 }),
  ];
  const fleet = fleetOf(hosts, { deployer: P }, { a: P, b: P, c: P });

  it('downlink, seed uplink, fleet uplink, latency, rounds and bytes', () => {
    const b = lowerBound(fleet, closure, flatTopology(hosts, 0.5));
    expect(b.downlinkSeconds).toBeCloseTo(S / 10, 12);
    expect(b.seedUplinkSeconds).toBeCloseTo(S / 100, 12);
    expect(b.fleetUplinkSeconds).toBeCloseTo((3 * S) / (100 + 3 * 5), 12);
    expect(b.cutSeconds).toBe(0);
    expect(b.latencySeconds).toBeCloseTo(0.5, 12);
    expect(b.bytesWanted).toBe(3 * S);
    // 3 targets, 1 full holder, maxSends 1 everywhere: holders double per round ⇒ ⌈log₂ 4⌉ = 2.
    expect(b.rounds).toBe(2);
    expect(b.seconds).toBe(Math.max(b.downlinkSeconds, b.seedUplinkSeconds, b.fleetUplinkSeconds, b.cutSeconds, b.latencySeconds));
    expect(b.seconds).toBeCloseTo(30, 12);
  });

  it('the seed uplink term dominates when the deployer is the slow end', () => {
    const slow = [host('deployer', { role: 'deployer', uplink: 3, downlink: 3 }), host('a', { downlink: 1000, uplink: 1000 })];
    const b = lowerBound(fleetOf(slow, { deployer: P }, { a: P }), closure, flatTopology(slow));
    expect(b.seedUplinkSeconds).toBeCloseTo(100, 12);
    expect(b.downlinkSeconds).toBeCloseTo(0.3, 12);
    expect(b.fleetUplinkSeconds).toBeCloseTo(S / 1003, 12);
    expect(b.seconds).toBeCloseTo(100, 12);
  });

  it('the fleet uplink term dominates with many fast-downlink targets and thin uplinks', () => {
    // 10 targets, downlink 1000, uplink 1; deployer uplink 30: N·S / (30 + 10) = 3000 / 40 = 75 s > S / 30 = 10 s.
    const many = [host('deployer', { role: 'deployer', uplink: 30, downlink: 30 }), ...Array.from({ length: 10 }, (_, i) => host(`t${i}`, { uplink: 1, downlink: 1000 }))];
    const wants = Object.fromEntries(many.slice(1).map((h) => [h.id, P]));
    const b = lowerBound(fleetOf(many, { deployer: P }, wants), closure, flatTopology(many));
    expect(b.fleetUplinkSeconds).toBeCloseTo(75, 12);
    expect(b.seedUplinkSeconds).toBeCloseTo(10, 12);
    expect(b.seconds).toBeCloseTo(75, 12);
  });

  it('the latency term dominates on tiny closures', () => {
    const tiny = chainClosure([1]);
    const hs = [host('deployer', { role: 'deployer', uplink: 1e9, downlink: 1e9 }), host('a', { uplink: 1e9, downlink: 1e9 })];
    const b = lowerBound(fleetOf(hs, { deployer: tiny.paths }, { a: tiny.paths }), tiny.closure, flatTopology(hs, 0.25));
    expect(b.seconds).toBeCloseTo(0.25, 12);
    expect(b.latencySeconds).toBeCloseTo(0.25, 12);
  });

  it('counts only what each target misses, and only paths someone misses leave the seeds', () => {
    // a already holds p0: it misses 200 bytes; b misses everything; nobody else misses p0 except b.
    const b = lowerBound(fleetOf(hosts, { deployer: P, a: [P[0]!], c: P }, { a: P, b: [P[0]!], c: P }), closure, flatTopology(hosts));
    expect(b.bytesWanted).toBe(200 + 100);
    expect(b.downlinkSeconds).toBeCloseTo(Math.max(200 / 10, 100 / 20), 12);
    // p0 and p1 are each missing somewhere; holders deployer (100), a (5), c (5) share the uplink term.
    expect(b.seedUplinkSeconds).toBeCloseTo(S / 110, 12);
    // Full holders: deployer and c (a lacks p1) ⇒ 2 targets missing, 2 full ⇒ ⌈log₂ 2⌉ = 1.
    expect(b.rounds).toBe(1);
  });

  it('nothing to do ⇒ every term is 0', () => {
    const b = lowerBound(fleetOf(hosts, { deployer: P, a: P }, { a: P }), closure, flatTopology(hosts, 1));
    expect(b).toMatchObject({ seconds: 0, downlinkSeconds: 0, seedUplinkSeconds: 0, fleetUplinkSeconds: 0, cutSeconds: 0, latencySeconds: 0, rounds: 0, bytesWanted: 0 });
  });

  it('rounds follow ⌈log_{1+m}((N+S)/S)⌉ for any N, seeds S and maxSends m', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (n, s, m) => {
        const seeds = Array.from({ length: s }, (_, i) => host(`s${i}`, { role: 'deployer', maxSends: m }));
        const targets = Array.from({ length: n }, (_, i) => host(`t${i}`, { maxSends: m }));
        const f = fleetOf(
          [...seeds, ...targets],
          Object.fromEntries(seeds.map((h) => [h.id, P])),
          Object.fromEntries(targets.map((h) => [h.id, P])),
        );
        const b = lowerBound(f, closure, flatTopology(f.hosts));
        // The least r with S·(1+m)^r ≥ N+S, by counting.
        let r = 0;
        for (let holders = s; holders < n + s; holders *= 1 + m) r++;
        expect(b.rounds).toBe(r);
      }),
    );
  });
});

describe('lowerBound: the cut term on racks and regions', () => {
  /** Core switch with the deployer; racks a (uplink 50 B/s) and b (25 B/s), two hosts each. */
  function racks(): ReturnType<TopologyBuilder['build']> {
    return new TopologyBuilder()
      .addSwitch('core')
      .addSwitch('rack-a', 'a')
      .addSwitch('rack-b', 'b')
      .addLink('core', 'rack-a', { bandwidth: 50, latency: 0 })
      .addLink('core', 'rack-b', { bandwidth: 25, latency: 0 })
      .attachHost('deployer', 'core', 0)
      .attachHost('a1', 'rack-a', 0)
      .attachHost('a2', 'rack-a', 0)
      .attachHost('b1', 'rack-b', 0)
      .attachHost('b2', 'rack-b', 0)
      .build('racks');
  }
  const fast = (id: string): Host => host(id, { uplink: 1e6, downlink: 1e6 });
  const hosts = [host('deployer', { role: 'deployer', uplink: 1e6, downlink: 1e6 }), fast('a1'), fast('a2'), fast('b1'), fast('b2')];

  it('each rack must take in its missing bytes through its uplink: max(S/50, S/25)', () => {
    const f = fleetOf(hosts, { deployer: P }, { a1: P, a2: P, b1: P, b2: P });
    const b = lowerBound(f, closure, racks());
    // Bytes cross into a rack once (one copy per rack suffices), so S, not 2·S.
    expect(b.cutSeconds).toBeCloseTo(S / 25, 12);
    expect(b.seconds).toBeCloseTo(S / 25, 12);
  });

  it('a rack that already holds the paths inside needs nothing across its cut', () => {
    const f = fleetOf(hosts, { deployer: P, b1: P }, { a1: P, a2: P, b1: P, b2: P });
    expect(lowerBound(f, closure, racks()).cutSeconds).toBeCloseTo(S / 50, 12);
    // Only p1 missing inside rack b: its cut carries 200 bytes, rack a's 300.
    const g = fleetOf(hosts, { deployer: P, b1: [P[0]!] }, { a1: P, a2: P, b1: P, b2: P });
    expect(lowerBound(g, closure, racks()).cutSeconds).toBeCloseTo(Math.max(S / 50, 200 / 25), 12);
  });

  it('regions: capacity into a region is the sum of its incoming WAN links', () => {
    // Three regions in a triangle: r1–r2 10 B/s, r1–r3 20 B/s, r2–r3 30 B/s. The deployer is in r1.
    const topo = new TopologyBuilder()
      .addSwitch('r1', 'region-1')
      .addSwitch('r2', 'region-2')
      .addSwitch('r3', 'region-3')
      .addLink('r1', 'r2', { bandwidth: 10, latency: 0.01 })
      .addLink('r1', 'r3', { bandwidth: 20, latency: 0.01 })
      .addLink('r2', 'r3', { bandwidth: 30, latency: 0.01 })
      .attachHost('deployer', 'r1', 0)
      .attachHost('x1', 'r1', 0)
      .attachHost('x2', 'r2', 0)
      .attachHost('x3', 'r3', 0)
      .build('regions');
    const hs = [host('deployer', { role: 'deployer', uplink: 1e6, downlink: 1e6 }), fast('x1'), fast('x2'), fast('x3')];
    const b = lowerBound(fleetOf(hs, { deployer: P }, { x1: P, x2: P, x3: P }), closure, topo);
    // Into region-2: 10 + 30 = 40 B/s; into region-3: 20 + 30 = 50 B/s; region-1 holds everything.
    expect(b.cutSeconds).toBeCloseTo(S / 40, 12);
    // Every region is one WAN hop from region-1.
    expect(b.latencySeconds).toBeCloseTo(0.01, 12);
  });

  it('a flat network (one group or none) has no cut term', () => {
    const topo = new TopologyBuilder().addSwitch('sw', 'only').attachHost('deployer', 'sw', 0).attachHost('a1', 'sw', 0).build('flat');
    const hs = [hosts[0]!, fast('a1')];
    expect(lowerBound(fleetOf(hs, { deployer: P }, { a1: P }), closure, topo).cutSeconds).toBe(0);
  });
});

describe('lowerBound ≤ makespan of hand-computed optimal schedules (simulated)', () => {
  async function simulate(fleet: Fleet, topology: ReturnType<TopologyBuilder['build']>, strategy: string, options: Record<string, unknown>, network: 'round' | 'flow'): Promise<number> {
    const executor = new SimExecutor({ hosts: fleet.hosts, topology, closure, network });
    const r = await runCascade({ fleet, closure, topology, strategy: getStrategy(strategy, options), executor });
    expect(r.success).toBe(true);
    return r.makespanSeconds;
  }
  const lan = (ids: readonly string[], latency = 0): ReturnType<TopologyBuilder['build']> => {
    const b = new TopologyBuilder().addSwitch('sw');
    for (const id of ids) b.attachHost(id, 'sw', latency);
    return b.build('flat');
  };

  it.each(['round', 'flow'] as const)('two receivers at downlink 1 fed by an uplink of 2: optimum 300 s, bound tight (%s model)', async (network) => {
    const hs = [host('deployer', { role: 'deployer', uplink: 2, downlink: 2, maxSends: 2 }), host('a', { downlink: 1 }), host('b', { downlink: 1 })];
    const f = fleetOf(hs, { deployer: P }, { a: P, b: P });
    const topo = lan(hs.map((h) => h.id));
    const b = lowerBound(f, closure, topo);
    // Hand schedule: both copies at once, each at 1 B/s ⇒ 300 s; the downlink term says the same.
    expect(b.seconds).toBeCloseTo(300, 12);
    const makespan = await simulate(f, topo, 'push-parallel', { k: 2 }, network);
    expect(makespan).toBeCloseTo(300, 9);
    expect(b.seconds).toBeLessThanOrEqual(makespan * (1 + 1e-12));
  });

  it('a relay chain: one seed at uplink 1 ⇒ fluid terms 300 s, the 200 B path must double twice ⇒ 400 s ≤ the 602 s of two whole-closure rounds', async () => {
    const hs = [host('deployer', { role: 'deployer', uplink: 1, downlink: 1 }), host('a', { uplink: 1, downlink: 1 }), host('b', { uplink: 1, downlink: 1 })];
    const f = fleetOf(hs, { deployer: P }, { a: P, b: P });
    const topo = lan(hs.map((h) => h.id), 0.5);
    const b = lowerBound(f, closure, topo);
    expect(b.seedUplinkSeconds).toBeCloseTo(300, 12);
    expect(b.pathDoublingSeconds).toBeCloseTo(400, 12);
    expect(b.seconds).toBeCloseTo(400, 12);
    // Round 1: deployer→a (300 s + 1 s of latency); round 2: one of them → b. Optimum with whole-closure copies: 602 s.
    const makespan = await simulate(f, topo, 'log2-fanout', {}, 'round');
    expect(makespan).toBeCloseTo(602, 9);
    expect(b.seconds).toBeLessThanOrEqual(makespan);
  });
});

describe('lowerBound at scale', () => {
  it('takes fleets far beyond the call stack (150,000 hosts; a spread over them overflowed it)', () => {
    const sc = buildScenario(parseScenario({ topology: { preset: 'flat', hosts: 150_000 }, closure: { totalMB: 10, paths: 3, roles: 1, perHost: false } }));
    expect(sc.lowerBound.seconds).toBeGreaterThan(0);
  });
});

describe('lowerBound: the cut term', () => {
  it('leaves out groups a host is attached across (an attachHost group override)', () => {
    const hs = [host('seed', { role: 'deployer', uplink: 100, downlink: 100 }), host('h1', { uplink: 100, downlink: 100 }), host('h2', { uplink: 100, downlink: 100 })];
    const one = chainClosure([100]);
    const b = new TopologyBuilder();
    b.addSwitch('A', 'g1').addSwitch('B', 'g2').addLink('A', 'B', { bandwidth: 1, latency: 0 });
    // h1 counts as g2 but sits on g1's switch next to the seed: its copy never crosses the 1 B/s link.
    b.attachHost('seed', 'A', 0).attachHost('h1', 'A', 0, 'g2').attachHost('h2', 'B', 0);
    const bound = lowerBound(fleetOf(hs, { seed: one.paths }, { h1: one.paths }), one.closure, b.build('custom'));
    expect(bound.cutSeconds).toBe(0);
    expect(bound.seconds).toBeCloseTo(1, 12);
  });
});
