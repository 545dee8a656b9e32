import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../src/core/closure.js';
import { ConfigError } from '../../src/core/errors.js';
import type { HostId, PathId } from '../../src/core/types.js';
import { buildScenario, parseScenario, runScenario, type ScenarioInput } from '../../src/sim/scenario.js';
import { getStrategy, registry, strategyNames } from '../../src/strategies/registry.js';
import { miniRun } from './helpers/mini-run.js';
import { chainPaths, flatWorld, host, testTopology, type World } from './helpers/world.js';

/** A simulated scenario in the flow model, seed 1 unless given. */
function flowScenario(input: ScenarioInput) {
  return buildScenario(parseScenario({ seed: 1, network: 'flow', ...input }));
}

/** 3 racks × 4 targets, the deployer outside every rack; crossing a rack boundary costs money and time. */
function racks(): World {
  const w = flatWorld({ targets: 12 });
  const rack = (h: HostId): string | undefined =>
    h === 'deployer' ? undefined : `r${Number(h.slice(1)) % 3}`;
  const topology = testTopology({
    groupOf: rack,
    bottleneck: (a, b) => (rack(a) === rack(b) ? Infinity : 5e5),
    pricePerByte: (a, b) => (rack(a) === rack(b) ? 0 : 1e-9),
  });
  return { ...w, topology };
}

describe('registry', () => {
  it('lists every strategy once, with a description, and rejects unknown names and options', () => {
    expect(new Set(strategyNames()).size).toBe(registry.length);
    expect(strategyNames()).toContain('swarm');
    for (const s of registry) expect(s.description.length).toBeGreaterThan(10);
    expect(() => getStrategy('nope')).toThrow(ConfigError);
    for (const name of strategyNames()) expect(() => getStrategy(name, { bogus: 1 })).toThrow(ConfigError);
    expect(() => getStrategy('cost-aware', { weight: 2 })).toThrow(ConfigError);
    expect(() => getStrategy('cost-aware', { weight: 0.5, pricePerSecond: 1 })).toThrow(ConfigError);
    // Alternatives: one would be silently ignored.
    expect(() => getStrategy('swarm', { pieces: 4, chunkBytes: 1e6 })).toThrow(ConfigError);
    expect(() => getStrategy('topology-aware', { pieces: 4, chunkBytes: 1e6 })).toThrow(ConfigError);
    expect(() => getStrategy('swarm', { pieces: 0 })).toThrow(ConfigError);
    expect(() => getStrategy('multi-target', { sharedFraction: 0 })).toThrow(ConfigError);
    expect(() => getStrategy('topology-aware', { crossings: 0 })).toThrow(ConfigError);
  });
});

describe('topology-aware', () => {
  const g = (w: World, h: HostId): string | undefined => w.topology.groupOf(h);

  it('granularity closure: sends exactly one closure into each rack', () => {
    const w = racks();
    const r = miniRun(getStrategy('topology-aware', { granularity: 'closure' }), w);
    expect(r.state.pending()).toEqual([]);
    const crossings = r.transfers.filter((t) => g(w, t.from) !== g(w, t.to));
    expect(crossings).toHaveLength(3);
    const log2 = miniRun(getStrategy('log2-fanout'), w);
    expect(log2.transfers.filter((t) => g(w, t.from) !== g(w, t.to)).length).toBeGreaterThan(3);
  });

  it.each(['round', 'eager'] as const)(
    'granularity path (%s mode): every store path enters each rack once',
    (mode) => {
      const w = racks();
      const r = miniRun(getStrategy('topology-aware', { pieces: 4 }), w, { mode });
      expect(r.state.pending()).toEqual([]);
      const entered = new Map<string, string[]>();
      for (const t of r.transfers) {
        if (g(w, t.from) === g(w, t.to)) continue;
        const key = g(w, t.to)!;
        entered.set(key, [...(entered.get(key) ?? []), ...t.paths]);
      }
      expect([...entered.keys()].sort()).toEqual(['r0', 'r1', 'r2']);
      const all = [...w.closure.paths()].map((p) => p.id).sort();
      for (const paths of entered.values()) expect([...paths].sort()).toEqual(all);
    },
  );

  it('granularity path: a copy that fails on its way into a rack crosses again; delivered paths stay', () => {
    const w = racks();
    const failedOnce = new Set<string>();
    const r = miniRun(getStrategy('topology-aware', { pieces: 4 }), w, {
      mode: 'eager',
      // The first transfer into each rack fails half way; the rack's receiver keeps what arrived.
      fate: (t) => {
        const rack = g(w, t.to)!;
        if (g(w, t.from) === rack || failedOnce.has(rack)) return 'ok';
        failedOnce.add(rack);
        return { transient: true, deliveredFraction: 0.5 };
      },
    });
    expect(failedOnce.size).toBe(3);
    expect(r.violations).toEqual([]);
    expect(r.stuck).toBe(false);
    expect(r.state.pending()).toEqual([]);
  });

  it('regression: path level, eager mode, 100 racked hosts: every host done (seeding no longer eats the main scan budget)', async () => {
    const sc = flowScenario({ seed: 5, topology: { preset: 'racks', hosts: 100 } });
    const r = await runScenario(sc, getStrategy('topology-aware'), { mode: 'eager' });
    expect(r.reason).toBe('complete');
    expect(r.hostsDone).toBe(100);
  });

  it('rejects options of the other granularity and an unknown granularity', () => {
    expect(() => getStrategy('topology-aware', { granularity: 'rack' })).toThrow(ConfigError);
    expect(() => getStrategy('topology-aware', { perHolder: 2 })).toThrow(ConfigError);
    expect(() => getStrategy('topology-aware', { granularity: 'closure', pieces: 4 })).toThrow(ConfigError);
    expect(() => getStrategy('topology-aware', { granularity: 'closure', perHolder: 2 })).not.toThrow();
  });
});

/** 24 targets in three regions behind 100 Mbit/s priced WAN links, one 50 MB closure for all. */
function regions24() {
  return flowScenario({
    topology: { preset: 'regions', hosts: 24 },
    closure: { totalMB: 50, paths: 6, roles: 1, perHost: false },
  });
}

describe('cost-aware', () => {
  it('pays for one crossing per rack when money counts, and for more when only time counts', () => {
    const w = racks();
    const g = (h: HostId): string | undefined => w.topology.groupOf(h);
    const paid = (name: string, options?: Record<string, unknown>): number =>
      miniRun(getStrategy(name, options), w, { mode: 'eager' }).transfers.filter((t) => g(t.from) !== g(t.to))
        .length;
    expect(paid('cost-aware', { weight: 0.5 })).toBe(3);
    expect(paid('cost-aware', { pricePerSecond: 0 })).toBe(3);
    expect(paid('cost-aware', { weight: 0 })).toBeGreaterThan(3);
  });

  it.each(['round', 'eager'] as const)(
    'reports makespan and egress cost, and weighting money never pays more egress (regions, %s mode)',
    async (mode) => {
      const sc = regions24();
      const run = (weight: number) => runScenario(sc, getStrategy('cost-aware', { weight }), { mode });
      const [timeOnly, moneyOnly] = [await run(0), await run(1)];
      for (const r of [timeOnly, moneyOnly]) {
        expect(r.success).toBe(true);
        expect(r.makespanSeconds).toBeGreaterThan(0);
        expect(r.egressCost).toBeGreaterThan(0);
      }
      expect(moneyOnly.egressCost).toBeLessThanOrEqual(timeOnly.egressCost);
    },
  );
});

describe('cost-aware, time only', () => {
  it.each(['round', 'eager'] as const)(
    'regression (%s mode): a region holding the closure serves its hosts, though faster holders across the WAN come first',
    async (mode) => {
      // Two regions in blocks: the first region's 17 hosts get the closure first and all sort before the
      // second region's; each of those is vetoed (a thin route while its own region holds the closure).
      const sc = flowScenario({
        topology: { preset: 'regions', hosts: 34, regions: 2, placement: 'blocks' },
        closure: { roles: 1, perHost: false },
      });
      const r = await runScenario(sc, getStrategy('cost-aware', { weight: 0 }), { mode });
      expect(r.reason).toBe('complete');
      expect(r.hostsDone).toBe(34);
    },
  );

  it.each(['round', 'eager'] as const)(
    'sends one copy at a time over a thin link and is not slower than weighing money (regions, %s mode)',
    async (mode) => {
      const sc = regions24();
      const spans: { links: readonly string[]; start: number; end: number }[] = [];
      const started = new Map<number, { from: HostId; to: HostId; t: number }>();
      const timeOnly = await runScenario(sc, getStrategy('cost-aware', { weight: 0 }), {
        mode,
        onEvent: (e) => {
          if (e.type === 'transfer-started') started.set(e.id, e);
          if (e.type !== 'transfer-finished' && e.type !== 'transfer-failed') return;
          const s = started.get(e.id)!;
          const route = sc.topology.route(s.from, s.to)!;
          const ends = Math.min(
            sc.fleet.hosts.find((h) => h.id === s.from)!.uplink,
            sc.fleet.hosts.find((h) => h.id === s.to)!.downlink,
          );
          if (route.links.length > 0 && route.bottleneck < ends)
            spans.push({ links: route.links, start: s.t, end: e.t });
        },
      });
      expect(spans.length).toBeGreaterThan(0);
      for (const [i, a] of spans.entries()) {
        for (const b of spans.slice(i + 1)) {
          const shared = a.links.some((l) => b.links.includes(l));
          expect(shared && a.start < b.end && b.start < a.end, 'two copies on one thin link at once').toBe(
            false,
          );
        }
      }
      const weighted = await runScenario(sc, getStrategy('cost-aware', { weight: 0.5 }), { mode });
      expect(timeOnly.success && weighted.success).toBe(true);
      expect(timeOnly.makespanSeconds).toBeLessThanOrEqual(weighted.makespanSeconds);
    },
  );
});

describe('swarm', () => {
  it('forwards paths a host holds before it holds its whole closure', () => {
    const w = flatWorld({ targets: 6, paths: 16, maxSends: 2, maxReceives: 2 });
    const r = miniRun(getStrategy('swarm', { pieces: 4 }), w, { mode: 'eager' });
    expect(r.state.pending()).toEqual([]);
    const got = new Map<HostId, number>();
    let forwardedEarly = false;
    for (const t of r.transfers) {
      const held = got.get(t.from) ?? 0;
      if (t.from !== 'deployer' && held < 16) forwardedEarly = true;
      got.set(t.to, (got.get(t.to) ?? 0) + t.paths.length);
    }
    expect(forwardedEarly).toBe(true);
    expect(r.transfers.every((t) => t.bytes <= 4e6)).toBe(true);
  });

  it('respects chunkBytes: a transfer carries one path when the cap is below a path size', () => {
    const w = flatWorld({ targets: 2, paths: 4, maxReceives: 2 });
    const r = miniRun(getStrategy('swarm', { chunkBytes: 1 }), w, { mode: 'round' });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers.every((t) => t.paths.length === 1)).toBe(true);
  });
});

describe('multi-target', () => {
  it('spreads the shared base fleet-wide and role paths within the role', () => {
    const base = chainPaths(3, 1e6, 'b');
    const roleA: PathId[] = ['a0'];
    const roleB: PathId[] = ['c0'];
    const paths = [
      ...base,
      { id: 'a0', narSize: 1e6, references: ['b2'] },
      { id: 'c0', narSize: 1e6, references: ['b2'] },
    ];
    const baseIds = base.map((p) => p.id);
    const wantA = [...baseIds, ...roleA];
    const wantB = [...baseIds, ...roleB];
    const hosts = [
      ...Array.from({ length: 8 }, (_, i) => host(`t${i}`)),
      host('deployer', { role: 'deployer' }),
    ];
    const wants = new Map<HostId, readonly PathId[]>(
      hosts.slice(0, 8).map((h, i) => [h.id, i % 2 ? wantB : wantA]),
    );
    const w: World = {
      fleet: { hosts, wants, initialHave: new Map([['deployer', [...baseIds, 'a0', 'c0']]]) },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(getStrategy('multi-target', { sharedFraction: 0.75 }), w);
    expect(r.state.pending()).toEqual([]);
    // A role path only ever travels between hosts of that role (or from the deployer).
    for (const t of r.transfers) {
      if (t.paths.includes('a0') && t.from !== 'deployer') expect(wants.get(t.from)).toBe(wantA);
      if (t.paths.includes('c0') && t.from !== 'deployer') expect(wants.get(t.from)).toBe(wantB);
    }
    // Base-only transfers happen between hosts of different roles.
    expect(r.transfers.some((t) => t.from !== 'deployer' && wants.get(t.from) !== wants.get(t.to))).toBe(
      true,
    );
  });

  it.each(['round', 'eager'] as const)(
    "regression (%s mode): private paths go out on the deployer's spare send slots, not one receiver per call",
    async (mode) => {
      // Every host wants only its own 100 MB path; downlinks (100 Mbit/s) are the bottleneck.
      const sc = flowScenario({
        topology: { preset: 'flat', hosts: 30, downlink: '100mbit' },
        closure: { totalMB: 100, paths: 1, roles: 1, perHost: true },
      });
      const r = await runScenario(sc, getStrategy('multi-target'), { mode });
      expect(r.success).toBe(true);
      expect(r.rounds).toBe(1);
      expect(r.makespanSeconds).toBeLessThanOrEqual(1.01 * r.lowerBound.seconds);
    },
  );
});

describe('fastest-first', () => {
  it('the first holder serves the receiver with the fastest uplink', () => {
    const w = flatWorld({ targets: 4 });
    const hosts = w.fleet.hosts.map((h) => (h.id === 't3' ? { ...h, uplink: 1e8 } : h));
    const r = miniRun(getStrategy('fastest-first'), { ...w, fleet: { ...w.fleet, hosts } });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers[0]).toMatchObject({ from: 'deployer', to: 't3' });
  });

  it('starts a very slow receiver early from a fitting source', () => {
    const w = flatWorld({ targets: 16 });
    const hosts = w.fleet.hosts.map((h) => (h.id === 't9' ? { ...h, downlink: 1e4 } : h));
    const r = miniRun(getStrategy('fastest-first'), { ...w, fleet: { ...w.fleet, hosts } });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers.find((t) => t.to === 't9')!.round).toBe(0);
  });
});

describe('a receiver that keeps failing does not hold the only source', () => {
  const cascades = registry.map((s) => s.name).filter((n) => !n.startsWith('push-'));
  // Round mode, where one plan call hands out the round's sources. (In eager mode a copy that fails at once
  // is retried as soon as its source is free again; the simulator's partition connectTimeout, default 10 s,
  // is what keeps that from spinning.)
  it.each(cascades)(
    '%s (round mode): the deployer serves the others while its copies to host-1 fail at once; peers then serve host-1',
    async (name) => {
      // host-1 is cut off from the deployer only, and fails there instantly; it is first in fleet order.
      const sc = flowScenario({
        topology: { preset: 'flat', hosts: 8 },
        closure: { totalMB: 10, paths: 4, roles: 1, perHost: false },
        failures: [{ kind: 'partition', a: 'deployer', b: 'host-1', connectTimeout: 0 }],
        limits: { maxAttemptsPerHost: 1000 },
      });
      const r = await runScenario(sc, getStrategy(name), { mode: 'round' });
      expect(r.success).toBe(true);
    },
  );
});

describe('level-tree with a cut-off parent', () => {
  it.each([
    ['round', 35],
    ['eager', 15],
  ] as const)(
    '%s mode: its children go further up instead of waiting until it is given up (50 s)',
    async (mode, within) => {
      // host-1 (a parent in the tree) is cut off from the switch for good: each copy to it fails after the
      // 10 s connect timeout, and it is given up after 5, at 50 s. log2-fanout finishes the rest by 12.4 s.
      const sc = flowScenario({
        topology: { preset: 'flat', hosts: 8 },
        closure: { totalMB: 100, paths: 1, roles: 1, perHost: false },
        failures: [{ kind: 'partition', a: 'switch', b: 'host-1', atTime: 0 }],
      });
      const r = await runScenario(sc, getStrategy('level-tree'), { mode });
      expect(r.failed.map((f) => f.host)).toEqual(['host-1']);
      expect(r.hostsDone).toBe(7);
      expect(Math.max(...r.finishTimes.values())).toBeLessThan(within);
    },
  );
});
