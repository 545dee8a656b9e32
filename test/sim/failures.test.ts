import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { hashDraw } from '../../src/core/random.js';
import type { Outcome } from '../../src/core/types.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { compileFailureSchedule, failureSpecSchema, PARTITION_CONNECT_TIMEOUT } from '../../src/sim/failures.js';
import { chainClosure, host, makeHosts, simpleTopology, transfer } from './helpers/simpleTopology.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';

const closure = chainClosure([10, 20, 30, 40]);
const ALL = ['p0', 'p1', 'p2', 'p3'];

function drain(ex: SimExecutor): Outcome[] {
  const out: Outcome[] = [];
  while (ex.active > 0) out.push(ex.nextSync());
  return out;
}

function byId(outcomes: readonly Outcome[]): Map<number, Outcome> {
  return new Map(outcomes.map((o) => [o.transfer, o]));
}

describe('failure spec schema and compilation', () => {
  const hosts = makeHosts(3, 10);

  it('accepts every kind, nested in all', () => {
    const spec = {
      kind: 'all',
      schedules: [
        { kind: 'kill-host', host: 'h1', atTime: 3 },
        { kind: 'partition', a: 'h0', b: 'h2', atRound: 1, untilTime: 9 },
        { kind: 'random', probability: 0.1, seed: 'x' },
        { kind: 'explicit', failures: [{ round: 0, from: 'h0', to: 'h1', code: 'timeout', fraction: 0.5 }] },
        { kind: 'straggler', host: 'h2', factor: 0.25 },
        { kind: 'all', schedules: [] },
      ],
    };
    expect(failureSpecSchema.safeParse(spec).success).toBe(true);
    const s = compileFailureSchedule(spec, { hosts });
    expect(s.rules.map((r) => r.kind)).toEqual(['kill-host', 'partition', 'random', 'explicit', 'straggler']);
    expect(s.timeTriggers().map((t) => t.rule.kind)).toEqual(['kill-host']);
    expect(s.roundTriggers().map((t) => t.rule.kind)).toEqual(['partition']);
    expect(s.initialStragglers().map((r) => r.host)).toEqual(['h2']);
  });

  it.each([
    [{ kind: 'meteor' }, 'failures.kind'],
    [{ kind: 'random', probability: 1.5 }, 'failures.probability'],
    [{ kind: 'kill-host', host: 'h1', atRound: 1, atTime: 2 }, 'failures'],
    [{ kind: 'kill-host', host: 'h1', extra: true }, 'failures'],
    [{ kind: 'straggler', host: 'h1', factor: 0 }, 'failures.factor'],
    [{ kind: 'straggler', host: 'h1', factor: 2 }, 'failures.factor'],
    [{ kind: 'partition', a: 'h0', b: 'h1', atTime: 5, untilTime: 2 }, 'failures.untilTime'],
    [
      {
        kind: 'all',
        schedules: [
          { kind: 'random', probability: 0.1 },
          { kind: 'kill-host', host: 'zz' },
        ],
      },
      'failures.schedules[1].host',
    ],
    [{ kind: 'explicit', failures: [{ round: 0, from: 'h0', to: 'nope' }] }, 'failures.failures[0].to'],
    [{ kind: 'partition', a: 'h0', b: 'switch-9' }, 'failures.b'],
  ])('rejects %j with a ConfigError naming %s', (spec, where) => {
    let err: unknown;
    try {
      compileFailureSchedule(spec, { hosts });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where?.startsWith(where)).toBe(true);
  });

  it('accepts topology nodes as partition ends when given the topology', () => {
    const topo = simpleTopology({ hosts: ['h0', 'h1', 'h2'], attach: { h0: 's1', h1: 's1', h2: 's2' } });
    expect(() =>
      compileFailureSchedule({ kind: 'partition', a: 's1', b: 's2' }, { hosts, topology: topo }),
    ).not.toThrow();
  });
});

describe.each(['round', 'flow'] as const)('failures in the %s model', (network) => {
  it('a kill at time t fails every active transfer touching the host at exactly t, with its delivered prefix', () => {
    const hosts = makeHosts(4, 10, 1000);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const failures = compileFailureSchedule({ kind: 'kill-host', host: 'h0', atTime: 4 }, { hosts });
    const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
    ex.start([
      transfer(closure, 0, 'h0', 'h1', ALL), // 100 bytes at 10 B/s
      transfer(closure, 1, 'h2', 'h0', ALL),
      transfer(closure, 2, 'h3', 'h1', ['p0']),
    ]);
    const first = ex.nextSync();
    expect(first).toEqual({ transfer: 2, ok: true, at: 1 });
    const rest = byId(drain(ex));
    for (const id of [0, 1]) {
      const o = rest.get(id)!;
      expect(o.ok).toBe(false);
      expect(o.at).toBe(4);
      if (o.ok) continue;
      expect(o.cause).toMatchObject({ kind: 'permanent', code: 'host-killed', host: 'h0' });
      expect(o.delivered).toEqual(['p0', 'p1']); // 40 bytes through: 10 + 20 complete, 30 not
    }
    // Later transfers touching the dead host fail after the route latency; others are untouched.
    ex.start([transfer(closure, 3, 'h1', 'h0', ['p0']), transfer(closure, 4, 'h1', 'h2', ['p0'])]);
    const later = byId(drain(ex));
    expect(later.get(3)).toMatchObject({ ok: false, at: 4, cause: { code: 'host-killed' }, delivered: [] });
    expect(later.get(4)).toEqual({ transfer: 4, ok: true, at: 5 });
  });

  it('a kill at a round fires when that round starts', () => {
    const hosts = makeHosts(3, 10, 1000);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const failures = compileFailureSchedule({ kind: 'kill-host', host: 'h1', atRound: 1 }, { hosts });
    const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
    ex.start([transfer(closure, 0, 'h0', 'h1', ALL, 0), transfer(closure, 1, 'h2', 'h0', ['p0'], 0)]);
    expect(ex.nextSync()).toEqual({ transfer: 1, ok: true, at: 1 });
    ex.start([transfer(closure, 2, 'h2', 'h0', ['p0'], 1)]);
    const o = byId(drain(ex));
    expect(o.get(0)).toMatchObject({
      ok: false,
      at: 1,
      cause: { code: 'host-killed', host: 'h1' },
      delivered: ['p0'],
    });
    expect(o.get(2)).toMatchObject({ ok: true, at: 2 });
  });

  it('a partition of a switch link fails crossing transfers transiently, only while it lasts', () => {
    const hosts = makeHosts(4, 10, 1000);
    const topo = simpleTopology({
      hosts: hosts.map((h) => h.id),
      attach: { h0: 's1', h1: 's1', h2: 's2', h3: 's2' },
      links: [{ from: 's1', to: 's2', bandwidth: 1000, latency: 0.5, both: true }],
    });
    const failures = compileFailureSchedule(
      { kind: 'partition', a: 's2', b: 's1', atTime: 2, untilTime: 20, connectTimeout: 0 },
      { hosts, topology: topo },
    );
    const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
    ex.start([transfer(closure, 0, 'h0', 'h2', ALL), transfer(closure, 1, 'h1', 'h0', ALL)]);
    const o = byId(drain(ex));
    // Transfer 0 flows from 0.5 s at 10 B/s: 15 bytes by the partition at 2 s.
    expect(o.get(0)).toMatchObject({
      ok: false,
      at: 2,
      cause: { kind: 'transient', code: 'partitioned', host: 'h2' },
      delivered: ['p0'],
    });
    expect(o.get(1)).toEqual({ transfer: 1, ok: true, at: 10 });
    // During the partition, a crossing transfer fails after its route latency (connectTimeout 0), in either
    // direction.
    ex.start([transfer(closure, 2, 'h3', 'h1', ['p0'], 1)]);
    expect(ex.nextSync()).toMatchObject({ transfer: 2, ok: false, at: 10.5, cause: { code: 'partitioned' } });
    // Still partitioned at 10.5; after untilTime (20) the link works again.
    ex.start([transfer(closure, 3, 'h0', 'h3', ['p0'], 2), transfer(closure, 4, 'h1', 'h0', ALL, 2)]);
    expect(ex.nextSync()).toMatchObject({ transfer: 3, ok: false, at: 11, cause: { code: 'partitioned' } });
    expect(ex.nextSync()).toEqual({ transfer: 4, ok: true, at: 20.5 });
    ex.start([transfer(closure, 5, 'h0', 'h3', ['p0'], 3)]);
    expect(ex.nextSync()).toEqual({ transfer: 5, ok: true, at: 22 });
  });

  it('a partition between two hosts fails only transfers between them', () => {
    const hosts = makeHosts(3, 10, 1000);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const failures = compileFailureSchedule({ kind: 'partition', a: 'h0', b: 'h1' }, { hosts });
    const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
    ex.start([transfer(closure, 0, 'h1', 'h0', ['p0']), transfer(closure, 1, 'h2', 'h0', ['p0'])]);
    const o = byId(drain(ex));
    // A transfer into the partition fails when its connection attempt times out (10 s by default).
    expect(o.get(0)).toMatchObject({
      ok: false,
      at: PARTITION_CONNECT_TIMEOUT,
      cause: { kind: 'transient', code: 'partitioned', host: 'h0' },
    });
    expect(o.get(1)).toMatchObject({ ok: true, at: 1 });
  });

  it('random failures replay identically for a seed, differ in a later round, and break part-way', () => {
    const n = 40;
    const hosts = [host('s', 1000), ...makeHosts(n, 1000)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const failures = compileFailureSchedule({ kind: 'random', probability: 0.5 }, { hosts });
    const run = (round: number, seed: number): Outcome[] => {
      const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures, seed });
      ex.start(Array.from({ length: n }, (_, i) => transfer(closure, i, 's', `h${i}`, ALL, round)));
      return drain(ex);
    };
    const failed = (os: Outcome[]): number[] =>
      os
        .filter((o) => !o.ok)
        .map((o) => o.transfer)
        .sort((a, b) => a - b);
    const a = run(0, 7);
    expect(run(0, 7)).toEqual(a);
    expect(failed(a).length).toBeGreaterThan(5);
    expect(failed(a).length).toBeLessThan(35);
    expect(failed(run(1, 7))).not.toEqual(failed(a));
    expect(failed(run(0, 8))).not.toEqual(failed(a));
    // Each failure broke once `point` of its bytes was through and kept the completed paths.
    for (const o of a) {
      const to = `h${o.transfer}`;
      const draw = hashDraw(7, 'random', 0, 's', to);
      expect(o.ok).toBe(draw >= 0.5);
      if (o.ok) continue;
      const point = hashDraw(7, 'random-point', 0, 's', to);
      expect(o.cause).toMatchObject({ kind: 'transient', code: 'copy-failed', host: to });
      const cum = [10, 30, 60, 100];
      expect(o.delivered).toEqual(ALL.filter((_, i) => cum[i]! <= point * 100));
    }
  });

  it('explicit failures match (round, from, to); the first matching one wins, a kill in force wins over all', () => {
    const hosts = makeHosts(3, 10, 1000);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const failures = compileFailureSchedule(
      {
        kind: 'all',
        schedules: [
          { kind: 'explicit', failures: [{ round: 0, from: 'h0', to: 'h2', fraction: 0.65 }] },
          { kind: 'explicit', failures: [{ round: 0, from: 'h2', to: 'h1', fraction: 0.5 }] },
          { kind: 'kill-host', host: 'h1' },
          { kind: 'explicit', failures: [{ round: 0, from: 'h2', to: 'h0', code: 'ssh-handshake' }] },
          { kind: 'explicit', failures: [{ round: 0, from: 'h0', to: 'h2', code: 'ssh-handshake' }] },
        ],
      },
      { hosts },
    );
    const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
    ex.start([
      transfer(closure, 0, 'h0', 'h2', ALL),
      transfer(closure, 1, 'h2', 'h0', ALL),
      transfer(closure, 2, 'h2', 'h1', ALL),
    ]);
    const o = byId(drain(ex));
    expect(o.get(0)).toMatchObject({
      ok: false,
      cause: { kind: 'transient', code: 'copy-failed', host: 'h2' },
      delivered: ['p0', 'p1', 'p2'],
    });
    expect(o.get(1)).toMatchObject({
      ok: false,
      at: 0,
      cause: { kind: 'permanent', code: 'ssh-handshake' },
      delivered: [],
    });
    expect(o.get(2)).toMatchObject({ ok: false, at: 0, cause: { code: 'host-killed', host: 'h1' } });
    // Round 1: the explicit entry no longer matches, but h1 is still dead.
    ex.start([transfer(closure, 3, 'h2', 'h0', ALL, 1)]);
    expect(ex.nextSync()).toMatchObject({ transfer: 3, ok: true });
  });
});

describe('rule order', () => {
  it('a dead or cut-off host delivers nothing, even when a random rule is listed first', () => {
    const hosts = makeHosts(2, 10, 1000);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    for (const [hard, code] of [
      [{ kind: 'kill-host', host: 'h0' }, 'host-killed'],
      [{ kind: 'partition', a: 'h0', b: 'h1' }, 'partitioned'],
    ] as const) {
      const failures = compileFailureSchedule({ kind: 'all', schedules: [{ kind: 'random', probability: 1, seed: 3 }, hard] }, { hosts, topology: topo });
      const ex = new SimExecutor({ hosts, topology: topo, closure, network: 'flow', failures });
      ex.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
      const o = ex.nextSync();
      expect(o).toMatchObject({ ok: false, cause: { code } });
      if (!o.ok) expect(o.delivered ?? []).toEqual([]);
    }
  });
});

describe('stragglers', () => {
  const hosts = makeHosts(2, 10, 1000);
  const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });

  it('from the start: the host runs at factor × its bandwidth', () => {
    const failures = compileFailureSchedule({ kind: 'straggler', host: 'h0', factor: 0.25 }, { hosts });
    for (const network of ['round', 'flow'] as const) {
      const ex = new SimExecutor({ hosts, topology: topo, closure, network, failures });
      ex.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
      expect(ex.nextSync()).toEqual({ transfer: 0, ok: true, at: 40 });
    }
  });

  it('from a time: the flow model slows running transfers, the round model only later ones', () => {
    const failures = compileFailureSchedule(
      { kind: 'straggler', host: 'h0', factor: 0.5, atTime: 5 },
      { hosts },
    );
    const flow = new SimExecutor({ hosts, topology: topo, closure, network: 'flow', failures });
    flow.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
    expect(flow.nextSync()).toEqual({ transfer: 0, ok: true, at: 15 });
    const round = new SimExecutor({ hosts, topology: topo, closure, network: 'round', failures });
    round.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
    expect(round.nextSync()).toEqual({ transfer: 0, ok: true, at: 10 });
    round.start([transfer(closure, 1, 'h0', 'h1', ALL)]);
    expect(round.nextSync()).toEqual({ transfer: 1, ok: true, at: 30 });
  });
});

describe('a partition that heals', () => {
  const homelab = (connectTimeout?: number) =>
    buildScenario(
      parseScenario({
        seed: 83409,
        topology: { preset: 'homelab', hosts: 30, maxSends: 3 },
        closure: { totalMB: 100, paths: 40, roles: 3, perHost: true },
        // The Wi-Fi access point loses the router for the first 30 s.
        failures: [{ kind: 'partition', a: 'wifi-ap', b: 'router', atTime: 0, untilTime: 30, ...(connectTimeout === undefined ? {} : { connectTimeout }) }],
        network: 'flow',
      }),
    );

  it.each(['log2-fanout', 'swarm'])('%s: retries into it take the connect timeout, so the Wi-Fi hosts are served once it heals', async (name) => {
    const r = await runScenario(homelab(), getStrategy(name), { mode: 'round' });
    expect(r.success).toBe(true);
    expect(r.makespanSeconds).toBeGreaterThan(30);
  });

  it('with connectTimeout 0 the retries fail at once and the Wi-Fi hosts are given up before it heals', async () => {
    const r = await runScenario(homelab(0), getStrategy('log2-fanout'), { mode: 'round' });
    expect(r.hostsFailed).toBeGreaterThan(0);
    expect(r.failed.every((f) => f.code === 'retries-exhausted')).toBe(true);
    expect(r.makespanSeconds).toBeLessThan(30);
  });
});
