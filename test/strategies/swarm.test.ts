import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../src/core/closure.js';
import { ConfigError } from '../../src/core/errors.js';
import type { CascadeEvent } from '../../src/core/events.js';
import { deriveRng } from '../../src/core/random.js';
import { RunState } from '../../src/core/state.js';
import type { RunMode } from '../../src/core/strategy.js';
import type { Host, HostId, PathId } from '../../src/core/types.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { SwarmRun } from '../../src/strategies/_internals/swarm-run.js';
import { swarm } from '../../src/strategies/swarm.js';
import { miniRun } from './helpers/mini-run.js';
import { chainPaths, flatWorld, host, testTopology, type World } from './helpers/world.js';

/** A flat simulated fleet wanting one closure of `paths` store paths (1 GB), flow model. */
function scenario(hosts: number, paths: number) {
  return buildScenario(
    parseScenario({
      topology: { preset: 'flat', hosts },
      closure: { totalMB: 1000, paths, roles: 1, perHost: false },
      network: 'flow',
    }),
  );
}

describe('swarm options', () => {
  it('rejects bad values and unknown keys with a ConfigError', () => {
    expect(() => swarm({ pieces: 0 })).toThrow(ConfigError);
    expect(() => swarm({ pieces: 2.5 })).toThrow(ConfigError);
    expect(() => swarm({ pieces: '8' })).toThrow(ConfigError);
    expect(() => swarm({ window: 0 })).toThrow(ConfigError);
    expect(() => swarm({ chunkBytes: 0 })).toThrow(ConfigError);
    expect(() => swarm({ chunkBytes: Number.NaN })).toThrow(ConfigError);
    expect(() => swarm({ chunkBytes: Infinity })).toThrow(ConfigError);
    expect(() => swarm({ piece: 4 })).toThrow(ConfigError);
    expect(() => swarm([] as unknown as Record<string, unknown>)).toThrow(ConfigError);
    expect(swarm({ pieces: 4, window: 8 }).name).toBe('swarm');
    expect(swarm({ chunkBytes: 1e6, window: 8 }).name).toBe('swarm');
  });
});

describe('swarm pipelining', () => {
  it('a host forwards paths it holds before it holds its whole want set', async () => {
    const sc = scenario(20, 60);
    const events: CascadeEvent[] = [];
    const r = await runScenario(sc, swarm(), { mode: 'eager', onEvent: (e) => events.push(e) });
    expect(r.success).toBe(true);
    const want = sc.fleet.wants.get('host-01')!.length;
    const held = new Map<HostId, number>();
    const paths = new Map<number, readonly PathId[]>();
    let early = 0;
    for (const e of events) {
      if (e.type === 'transfer-started') {
        paths.set(e.id, e.paths);
        const h = held.get(e.from) ?? 0;
        if (e.from !== 'deployer' && h > 0 && h < want) early++;
      } else if (e.type === 'transfer-finished') {
        const t = paths.get(e.id)!;
        held.set(e.to, (held.get(e.to) ?? 0) + t.length);
      }
    }
    expect(early).toBeGreaterThan(10);
  });
});

describe('swarm rarest first', () => {
  it('the only holder of a path sends that path, not one that others hold too', () => {
    // t0 holds a and b, t1 and t2 hold only a; t3 and t4 miss both. No deployer.
    const paths = [
      { id: 'a', narSize: 1e6, references: [] },
      { id: 'b', narSize: 1e6, references: [] },
    ];
    const hosts = ['t0', 't1', 't2', 't3', 't4'].map((id) => host(id));
    const want: PathId[] = ['a', 'b'];
    const w: World = {
      fleet: {
        hosts,
        wants: new Map(hosts.map((h) => [h.id, want])),
        initialHave: new Map<HostId, readonly PathId[]>([
          ['t0', ['a', 'b']],
          ['t1', ['a']],
          ['t2', ['a']],
        ]),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(swarm({ chunkBytes: 1 }), w, { mode: 'round' });
    expect(r.violations).toEqual([]);
    expect(r.state.pending()).toEqual([]);
    const first = r.transfers.filter((t) => t.round === 0);
    expect(first.find((t) => t.from === 't0')?.paths).toEqual(['b']);
  });

  it('the deployer sends a path no peer holds before a second copy of one a peer holds', () => {
    // Two equal paths; t0 already holds x, so the deployer's first transfer must carry y.
    const paths = [
      { id: 'x', narSize: 1e6, references: [] },
      { id: 'y', narSize: 1e6, references: [] },
    ];
    const hosts = [...['t0', 't1', 't2', 't3'].map((id) => host(id)), host('deployer', { role: 'deployer' })];
    const want: PathId[] = ['x', 'y'];
    const w: World = {
      fleet: {
        hosts,
        wants: new Map(hosts.slice(0, 4).map((h) => [h.id, want])),
        initialHave: new Map<HostId, readonly PathId[]>([
          ['deployer', ['x', 'y']],
          ['t0', ['x']],
        ]),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(swarm({ chunkBytes: 1 }), w, { mode: 'eager' });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers.find((t) => t.from === 'deployer')?.paths).toEqual(['y']);
  });
});

describe('swarm: missing references of a path', () => {
  it('counts the bytes that would have to come along, refreshed as the host receives', () => {
    // p0 ← p1 ← p2 ← p3, 1 MB each.
    const w = flatWorld({ targets: 1, paths: 4 });
    const state = new RunState(w.fleet, w.closure, w.topology, 'eager', deriveRng(0, 'test'));
    const run = new SwarmRun(w.fleet, state, undefined, 16);
    expect(run.missingRefBytes(state, 't0', 'p3')).toBe(3e6);
    expect(run.missingRefBytes(state, 't0', 'p0')).toBe(0);
    state.deliverAll('t0', ['p0', 'p1']);
    expect(run.missingRefBytes(state, 't0', 'p3')).toBe(1e6);
    expect(run.missingRefBytes(state, 't0', 'p2')).toBe(0);
  });
});

describe('swarm: per-run orders', () => {
  it('orders every fleet host fastest uplink first, fleet order on ties', () => {
    const w = flatWorld({ targets: 3 });
    const hosts = w.fleet.hosts.map((h) => (h.id === 't2' ? { ...h, uplink: h.uplink * 2 } : h));
    const fleet = { ...w.fleet, hosts };
    const state = new RunState(fleet, w.closure, w.topology, 'eager', deriveRng(0, 'test'));
    const run = new SwarmRun(fleet, state, undefined, 16);
    expect(run.sendOrder[0]).toBe('t2');
    expect(new Set(run.sendOrder)).toEqual(new Set(hosts.map((h) => h.id)));
    const rest = run.sendOrder.slice(1).filter((h) => state.host(h).uplink === state.host('t0').uplink);
    expect(rest).toEqual(hosts.map((h) => h.id).filter((h) => rest.includes(h)));
  });
});

describe('swarm: the largest path and the chain behind a path', () => {
  it('a path with a chain of dependents behind it goes before an equal path with none', () => {
    // m and k are equal and equally rare; c1 → c2 reference k and can follow it only one after another.
    const paths = [
      { id: 'm', narSize: 1e6, references: [] },
      { id: 'k', narSize: 1e6, references: [] },
      { id: 'c1', narSize: 1e6, references: ['k'] },
      { id: 'c2', narSize: 1e6, references: ['c1'] },
    ];
    const hosts = ['t0', 't1'].map((id) => host(id));
    const want: PathId[] = ['m', 'k', 'c1', 'c2'];
    const w: World = {
      fleet: {
        hosts,
        wants: new Map(hosts.map((h) => [h.id, want])),
        initialHave: new Map<HostId, readonly PathId[]>([['t0', want]]),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(swarm({ chunkBytes: 1 }), w, { mode: 'eager' });
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers[0]?.paths).toEqual(['k']);
  });

  /** Four targets wanting a 4 MB path, two 1 MB ones and (with `ownPaths`) each a private 1 MB path. */
  function seedWorld(ownPaths: boolean): World {
    const targets = ['t0', 't1', 't2', 't3'].map((id) => host(id));
    const shared = [
      { id: 'small-1', narSize: 1e6, references: [] },
      { id: 'small-2', narSize: 1e6, references: [] },
      { id: 'big', narSize: 4e6, references: [] },
    ];
    const own = ownPaths ? targets.map((t) => ({ id: `own-${t.id}`, narSize: 1e6, references: [] })) : [];
    const want = (t: HostId): PathId[] => [...shared.map((p) => p.id), ...(ownPaths ? [`own-${t}`] : [])];
    const hosts = [...targets, host('deployer', { role: 'deployer' })];
    return {
      fleet: {
        hosts,
        wants: new Map(targets.map((h) => [h.id, want(h.id)])),
        initialHave: new Map<HostId, readonly PathId[]>([['deployer', [...shared, ...own].map((p) => p.id)]]),
      },
      closure: new ClosureGraph([...shared, ...own]),
      topology: testTopology(),
    };
  }

  it.each([
    [
      'the largest path twice, before the smaller paths get their first copies',
      false,
      'eager',
      ['big', 'big', 'small-1', 'small-2'],
    ],
    [
      'every path once first with private paths (its uplink the bottleneck)',
      true,
      'eager',
      ['big', 'small-1', 'small-2'],
    ],
    ['every path once first in round mode', false, 'round', ['big', 'small-1', 'small-2']],
  ] as const)('the deployer seeds %s', (_, ownPaths, mode, first) => {
    const r = miniRun(swarm({ chunkBytes: 1 }), seedWorld(ownPaths), { mode });
    expect(r.state.pending()).toEqual([]);
    const seeded = r.transfers.filter((t) => t.from === 'deployer').map((t) => t.paths);
    expect(seeded.slice(0, first.length)).toEqual(first.map((p) => [p]));
  });
});

describe('swarm bundling', () => {
  it('bundles small paths up to chunkBytes and never beyond, in both modes', () => {
    const w = flatWorld({ targets: 5, paths: 20, maxSends: 2, maxReceives: 2 });
    for (const mode of ['round', 'eager'] as const) {
      const r = miniRun(swarm({ chunkBytes: 3e6 }), w, { mode });
      expect(r.violations).toEqual([]);
      expect(r.state.pending()).toEqual([]);
      expect(r.transfers.every((t) => t.bytes <= 3e6)).toBe(true);
      expect(r.transfers.some((t) => t.paths.length > 1)).toBe(true);
    }
  });

  it('a path larger than the chunk goes alone (with at most one chunk of references)', () => {
    const small = chainPaths(4, 1e6, 's');
    const paths = [...small, { id: 'big', narSize: 10e6, references: ['s3'] }];
    const ids = paths.map((p) => p.id);
    const hosts = [host('t0'), host('t1'), host('deployer', { role: 'deployer' })];
    const w: World = {
      fleet: {
        hosts,
        wants: new Map([
          ['t0', ids],
          ['t1', ids],
        ]),
        initialHave: new Map([['deployer', ids]]),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(swarm({ chunkBytes: 2e6 }), w, { mode: 'eager' });
    expect(r.state.pending()).toEqual([]);
    for (const t of r.transfers) {
      if (t.paths.includes('big')) expect(t.bytes).toBeLessThanOrEqual(12e6);
      else expect(t.bytes).toBeLessThanOrEqual(2e6);
    }
  });

  it('by default a receiver gets about `pieces` transfers, not one per store path', async () => {
    const sc = scenario(30, 500);
    const r = await runScenario(sc, swarm({ pieces: 8 }), { mode: 'eager' });
    expect(r.success).toBe(true);
    // 500 paths; the 8 pieces plus paths larger than a piece plus partial bundles while pipelining.
    expect(r.transfersStarted / 30).toBeLessThan(40);
  });
});

describe('swarm speed', () => {
  it('a 500-path closure spreads ≥ 1.3× faster than whole-closure log2-fanout (simulated seconds)', async () => {
    const sc = scenario(60, 500);
    for (const mode of ['eager', 'round'] as const) {
      const s = await runScenario(sc, getStrategy('swarm'), { mode });
      const l = await runScenario(sc, getStrategy('log2-fanout'), { mode });
      expect(s.success).toBe(true);
      expect(s.makespanSeconds * 1.3).toBeLessThanOrEqual(l.makespanSeconds);
      expect(s.makespanSeconds).toBeGreaterThanOrEqual(s.lowerBound.seconds);
    }
  });
});

describe('swarm round mode at scale', () => {
  it('one round uses every free sender: 300 holders serve 300 receivers (the scan budget does not cut it short)', () => {
    // 600 targets wanting 60 independent paths; the first 300 hold them all, no deployer.
    const paths = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, narSize: 1e6, references: [] }));
    const ids = paths.map((p) => p.id);
    const hosts = Array.from({ length: 600 }, (_, i) => host(`t${i}`));
    const w: World = {
      fleet: {
        hosts,
        wants: new Map(hosts.map((h) => [h.id, ids])),
        initialHave: new Map(hosts.slice(0, 300).map((h) => [h.id, ids])),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
    const r = miniRun(swarm(), w, { mode: 'round' });
    expect(r.violations).toEqual([]);
    expect(r.state.pending()).toEqual([]);
    expect(r.transfers.filter((t) => t.round === 0)).toHaveLength(300);
  });
});

describe('swarm with per-host paths (each host its own toplevel and configuration)', () => {
  /** 300 hosts, 3 roles, private paths per host: only the deployer holds a host's private paths. */
  const perHost = () =>
    buildScenario(
      parseScenario({
        topology: { preset: 'flat', hosts: 300 },
        closure: { totalMB: 500, paths: 40 },
        network: 'flow',
      }),
    );

  it('round mode: the deployer sends private paths on spare send slots, so rounds stay few (not one per host)', async () => {
    const sc = perHost();
    const r = await runScenario(sc, swarm(), { mode: 'round' });
    expect(r.success).toBe(true);
    expect(r.rounds).toBeLessThan(60);
  });

  it('eager mode: private paths wait until every shared path has a peer copy, then stay within 1.5× the bound', async () => {
    const sc = perHost();
    const r = await runScenario(sc, swarm(), { mode: 'eager' });
    expect(r.success).toBe(true);
    expect(r.makespanSeconds).toBeLessThanOrEqual(1.5 * r.lowerBound.seconds);
  });
});

describe('swarm with per-host paths and one piece', () => {
  it.each(['round', 'eager'] as const)(
    'regression (%s mode): a toplevel does not drag the shared closure from the deployer, so it beats log2-fanout',
    async (mode) => {
      // Once every shared path had a peer copy, the deployer split its uplink for private paths, and each
      // toplevel brought its missing shared references along: 24 whole closures pushed at once (164 s).
      const sc = buildScenario(parseScenario({ seed: 1, topology: { preset: 'flat', hosts: 24 }, network: 'flow' }));
      const r = await runScenario(sc, swarm({ pieces: 1 }), { mode });
      const log2 = await runScenario(sc, getStrategy('log2-fanout'), { mode });
      expect(r.success && log2.success).toBe(true);
      expect(r.makespanSeconds).toBeLessThanOrEqual(log2.makespanSeconds);
    },
  );
});

describe('swarm and path-level topology-aware with empty store paths', () => {
  it.each([
    ['swarm', 'flat', 'round'],
    ['swarm', 'flat', 'eager'],
    ['topology-aware', 'racks', 'round'],
    ['topology-aware', 'racks', 'eager'],
  ] as const)('regression: %s on %s (%s mode) sends zero-byte paths too', async (name, preset, mode) => {
    // A path's urgency was its bytes × …, so a path of 0 bytes ranked 0 and was never sent.
    const sc = buildScenario(
      parseScenario({
        seed: 3,
        topology: { preset, hosts: 40, ...(preset === 'racks' ? { racks: 3 } : {}) },
        closure: { totalMB: 1e-6, paths: 10 },
        network: 'flow',
      }),
    );
    expect([...sc.closure.paths()].some((p) => p.narSize === 0)).toBe(true);
    const r = await runScenario(sc, getStrategy(name), { mode });
    expect(r.reason).toBe('complete');
    expect(r.hostsDone).toBe(40);
  });
});

describe('swarm on uneven uplinks', () => {
  it('serves the fastest-uplink receivers first, so the big uplinks become sources early', async () => {
    const sc = buildScenario(
      parseScenario({
        topology: { preset: 'heavy-tailed', hosts: 40 },
        closure: { totalMB: 200, paths: 30, roles: 1, perHost: false },
        network: 'flow',
      }),
    );
    const first: string[] = [];
    await runScenario(sc, swarm(), {
      mode: 'eager',
      onEvent: (e) => {
        if (e.type === 'transfer-started' && e.from === 'deployer' && first.length < 1) first.push(e.to);
      },
    });
    const uplinks = sc.fleet.hosts.filter((h) => h.id !== 'deployer').map((h) => h.uplink);
    const fastest = Math.max(...uplinks);
    expect(first).toHaveLength(1);
    expect(sc.fleet.hosts.find((h) => h.id === first[0])!.uplink).toBe(fastest);
    expect(Math.min(...uplinks)).toBeLessThan(fastest); // the fleet really is uneven
  });
});

describe('swarm eager mode: splitting a seed uplink, receiver pace', () => {
  /** Two independent 10 MB paths `a`, `b`; `deployer` holds both; `targets` want both. */
  function unevenWorld(targets: readonly Host[], deployer: Partial<Host>): World {
    const paths = [
      { id: 'a', narSize: 10e6, references: [] },
      { id: 'b', narSize: 10e6, references: [] },
    ];
    const wants = new Map<HostId, readonly PathId[]>(targets.map((t) => [t.id, ['a', 'b']]));
    return {
      fleet: {
        hosts: [...targets, host('deployer', { role: 'deployer', ...deployer })],
        wants,
        initialHave: new Map([['deployer', ['a', 'b']]]),
      },
      closure: new ClosureGraph(paths),
      topology: testTopology(),
    };
  }
  const planOf = (w: World, mode: RunMode, setup: (s: RunState) => void) => {
    const s = new RunState(w.fleet, w.closure, w.topology, mode, deriveRng(0, 'swarm'));
    setup(s);
    return swarm().plan(s);
  };

  it('eager mode serves receivers below the median uplink most receive time left first; round mode fastest first', () => {
    // Median target uplink 50 MB/s. `narrow` (2 MB/s up, 4 MB/s down: 5 s to receive) and `wide` (3 MB/s
    // up, 1 GB/s down: 0.02 s) are both below it; the deployer is busy, `src` can serve one of them.
    const w = unevenWorld(
      [
        host('src', { uplink: 50e6, downlink: 50e6 }),
        host('fast', { uplink: 100e6, downlink: 100e6 }),
        host('wide', { uplink: 3e6, downlink: 1e9 }),
        host('narrow', { uplink: 2e6, downlink: 4e6 }),
      ],
      { uplink: 100e6, downlink: 100e6, maxSends: 1 },
    );
    const setup = (s: RunState): void => {
      s.deliverAll('src', ['a', 'b']);
      s.startTransfer({ id: 1, from: 'deployer', to: 'fast', paths: ['a', 'b'], bytes: 20e6, round: 0 });
    };
    expect(planOf(w, 'eager', setup).map((p) => `${p.from}->${p.to}`)).toEqual(['src->narrow']);
    expect(planOf(w, 'round', setup).map((p) => `${p.from}->${p.to}`)).toEqual(['src->wide']);
  });

  it('a busy deployer splits its uplink for a fast receiver while each share covers the slowest one', () => {
    // 100 MB/s over 8 send slots; already sending to one slow host. A fast receiver would take the whole
    // uplink alone, but half of it still beats the slowest open receiver's 10 MB/s downlink: serve it now
    // rather than leave it waiting for paths only the deployer holds.
    const w = unevenWorld(
      [
        host('fast', { uplink: 1e9, downlink: 1e9 }),
        host('slow-1', { uplink: 2.5e6, downlink: 10e6 }),
        host('slow-2', { uplink: 2.5e6, downlink: 10e6 }),
      ],
      { uplink: 100e6, downlink: 100e6, maxSends: 8 },
    );
    const busy = (s: RunState) =>
      s.startTransfer({ id: 1, from: 'deployer', to: 'slow-1', paths: ['a'], bytes: 10e6, round: 0 });
    expect(planOf(w, 'eager', busy).some((p) => p.from === 'deployer' && p.to === 'fast')).toBe(true);
    // Round mode waits for the batch's longest transfer, so it keeps one flow per receiver it would saturate.
    expect(planOf(w, 'round', busy).some((p) => p.from === 'deployer' && p.to === 'fast')).toBe(false);
  });

  it('the receiver with the most receiving left turns away a sender too slow to keep pace; another takes it', () => {
    // `lag` needs 2 s at its 10 MB/s downlink, `quick` 0.02 s; `trickle` (1 MB/s uplink) holds `a` and is
    // free, the deployer is busy. `lag` comes first (faster uplink) but waits for a better source.
    const w = unevenWorld(
      [
        host('lag', { uplink: 50e6, downlink: 10e6 }),
        host('quick', { uplink: 2e6, downlink: 1e9 }),
        host('trickle', { uplink: 1e6, downlink: 1e9 }),
        host('busy', { uplink: 1e6, downlink: 1e9 }),
      ],
      { uplink: 100e6, downlink: 100e6, maxSends: 1 },
    );
    const proposals = planOf(w, 'eager', (s) => {
      s.deliverAll('trickle', ['a']);
      s.startTransfer({ id: 1, from: 'deployer', to: 'busy', paths: ['a', 'b'], bytes: 20e6, round: 0 });
    });
    expect(proposals.filter((p) => p.to === 'lag')).toEqual([]);
    expect(proposals).toContainEqual(expect.objectContaining({ from: 'trickle', to: 'quick' }));
    // The deployer holds everything and always keeps pace, so the run still converges.
    const r = miniRun(swarm(), w, { mode: 'eager' });
    expect(r.stuck).toBe(false);
    expect(r.violations).toEqual([]);
    for (const t of ['lag', 'quick', 'trickle', 'busy']) expect(r.state.isDone(t)).toBe(true);
    // A seed whose edge to the receiver has failed no longer sets its pace, or nobody would serve it.
    const cut = miniRun(swarm(), w, {
      mode: 'eager',
      maxAttemptsPerHost: 20,
      fate: (t) => (t.from === 'deployer' && t.to === 'lag' ? 'transient' : 'ok'),
    });
    expect(cut.stuck).toBe(false);
    expect(cut.state.isDone('lag')).toBe(true);
  });
});
