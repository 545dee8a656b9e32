import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ExecutorError } from '../../src/core/errors.js';
import type { Outcome, Transfer } from '../../src/core/types.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { compileFailureSchedule } from '../../src/sim/failures.js';
import { chainClosure, host, makeHosts, simpleTopology, transfer } from './helpers/simpleTopology.js';

const closure = chainClosure([10, 20, 30, 40]);
const ALL = ['p0', 'p1', 'p2', 'p3'];

describe('SimExecutor', () => {
  const hosts = makeHosts(4, 10, 1000);
  const topo = simpleTopology({ hosts: hosts.map((h) => h.id), accessLatency: 0.25 });

  it('starts the clock at 0 and advances it only by popping events; outcome times are exact', async () => {
    const ex = new SimExecutor({ hosts, topology: topo, closure, network: 'round' });
    expect(ex.now()).toBe(0);
    ex.start([transfer(closure, 0, 'h0', 'h1', ALL), transfer(closure, 1, 'h2', 'h3', ['p0'])]);
    expect(ex.active).toBe(2);
    expect(ex.now()).toBe(0);
    await expect(ex.next()).resolves.toEqual({ transfer: 1, ok: true, at: 1.5 });
    expect(ex.now()).toBe(1.5);
    expect(ex.active).toBe(1);
    await expect(ex.next()).resolves.toEqual({ transfer: 0, ok: true, at: 10.5 });
    expect(ex.active).toBe(0);
  });

  it('setupSeconds delays every transfer by a fixed cost before bytes move, in both network models', () => {
    for (const network of ['round', 'flow'] as const) {
      const ex = new SimExecutor({ hosts, topology: topo, closure, network, setupSeconds: 2 });
      ex.start([transfer(closure, 0, 'h0', 'h1', ALL), transfer(closure, 1, 'h2', 'h3', ['p0'])]);
      // Without setup: 1.5 s and 10.5 s (see above); the setup is paid once per transfer, not per byte.
      expect([ex.nextSync(), ex.nextSync()].map((o) => [o.transfer, o.at])).toEqual([
        [1, 3.5],
        [0, 12.5],
      ]);
    }
  });

  it('setupSeconds per sender kind: a deployer copy pays deployer, a peer copy pays peer; perPathSeconds per path', () => {
    const withDeployer = hosts.map((h, i) => (i === 0 ? { ...h, role: 'deployer' as const } : h));
    for (const network of ['round', 'flow'] as const) {
      const ex = new SimExecutor({
        hosts: withDeployer,
        topology: topo,
        closure,
        network,
        setupSeconds: { deployer: 1, peer: 3 },
        perPathSeconds: 0.5,
      });
      ex.start([transfer(closure, 0, 'h0', 'h1', ALL), transfer(closure, 1, 'h2', 'h3', ['p0'])]);
      // Deployer copy of 4 paths: 10.5 + 1 + 4 × 0.5; peer copy of 1 path: 1.5 + 3 + 0.5.
      expect([ex.nextSync(), ex.nextSync()].map((o) => [o.transfer, o.at])).toEqual([
        [1, 5],
        [0, 13.5],
      ]);
    }
  });

  it.each([
    ['setupSeconds', { setupSeconds: { deployer: 1 } }],
    ['setupSeconds', { setupSeconds: { deployer: 1, peer: -2 } }],
    ['perPathSeconds', { perPathSeconds: -0.1 }],
    ['tcpWindow', { tcpWindow: 0 }],
    ['tcpWindow', { tcpWindow: -4096 }],
    ['tcpWindow', { tcpWindow: '4MB/s' }],
    ['tcpWindow', { tcpWindow: 'big' }],
  ])('rejects a bad %s naming it', (where, bad) => {
    // Bad input on purpose: the type says what is accepted, the validator must say so at run time too.
    const make = () => new SimExecutor({ hosts, topology: topo, closure, network: 'flow', ...(bad as object) });
    expect(make).toThrow(ConfigError);
    try {
      make();
    } catch (err) {
      expect((err as ConfigError).where?.startsWith(where)).toBe(true);
    }
  });

  it('tcpWindow caps a transfer at window ÷ RTT exactly (RTT = 2 × route latency, copy costs not in it), both models', () => {
    for (const network of ['round', 'flow'] as const) {
      const run = (options: { tcpWindow?: number | string; setupSeconds?: number }): number[] => {
        const ex = new SimExecutor({ hosts, topology: topo, closure, network, ...options });
        ex.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
        return [ex.nextSync().at];
      };
      // Route latency 0.5 s, RTT 1 s: a 5-byte window moves 5 B/s, not the uplink's 10; 100 bytes.
      expect(run({ tcpWindow: 5 })).toEqual([0.5 + 100 / 5]);
      expect(run({ tcpWindow: '5B' })).toEqual([0.5 + 100 / 5]);
      expect(run({ tcpWindow: 5, setupSeconds: 2 })).toEqual([2.5 + 100 / 5]);
      // A window above uplink × RTT changes nothing.
      expect(run({ tcpWindow: 40 })).toEqual(run({}));
    }
  });

  it("flow model: a window-capped transfer leaves its unused share of the sender's uplink to a local one", () => {
    // h0 sends 100 bytes to h2 on its own switch (no latency, no cap) and 10 bytes to h1 behind a link of
    // latency 1 s (RTT 2 s; a 4-byte window caps it at 2 B/s) from one 10 B/s uplink.
    const hs = makeHosts(3, 10, 1000);
    const t = simpleTopology({
      hosts: hs.map((h) => h.id),
      attach: { h0: 's1', h2: 's1', h1: 's2' },
      links: [{ from: 's1', to: 's2', bandwidth: 1e9, latency: 1 }],
    });
    const run = (tcpWindow?: number): number[][] => {
      const ex = new SimExecutor({ hosts: hs, topology: t, closure, network: 'flow', ...(tcpWindow ? { tcpWindow } : {}) });
      ex.start([transfer(closure, 0, 'h0', 'h2', ALL), transfer(closure, 1, 'h0', 'h1', ['p0'])]);
      return [ex.nextSync(), ex.nextSync()].map((o) => [o.transfer, o.at]);
    };
    // 0-1 s: the local copy alone at 10 B/s (10 bytes). Then the far one at 2 B/s until 6 s while the local
    // one takes the other 8 (40 bytes by 6 s), then all 10 for its last 50 bytes: 11 s.
    expect(run(4)).toEqual([
      [1, 6],
      [0, 11],
    ]);
    // Without a window the two split the uplink 5/5 from 1 s.
    expect(run()).toEqual([
      [1, 3],
      [0, 11],
    ]);
  });

  it('tcpWindow has no effect on a route without latency, however small the window', () => {
    const flat = simpleTopology({ hosts: hosts.map((h) => h.id) });
    for (const network of ['round', 'flow'] as const) {
      const run = (tcpWindow?: number): Outcome[] => {
        const ex = new SimExecutor({ hosts, topology: flat, closure, network, ...(tcpWindow ? { tcpWindow } : {}) });
        ex.start([transfer(closure, 0, 'h0', 'h1', ALL), transfer(closure, 1, 'h2', 'h3', ['p0'])]);
        return [ex.nextSync(), ex.nextSync()];
      };
      expect(run(1)).toEqual(run());
      expect(run(1).map((o) => o.at)).toEqual([1, 10]);
    }
  });

  it('rejects a negative or non-finite setupSeconds with a ConfigError', () => {
    for (const setupSeconds of [-1, Infinity, Number.NaN]) {
      expect(() => new SimExecutor({ hosts, topology: topo, closure, network: 'flow', setupSeconds })).toThrow(ConfigError);
    }
  });

  it('pops simultaneous outcomes in start order', () => {
    for (const network of ['round', 'flow'] as const) {
      const ex = new SimExecutor({ hosts, topology: topo, closure, network });
      ex.start([transfer(closure, 5, 'h2', 'h3', ['p1']), transfer(closure, 3, 'h0', 'h1', ['p1'])]);
      ex.start([transfer(closure, 4, 'h1', 'h2', ['p1'])]);
      expect([ex.nextSync(), ex.nextSync(), ex.nextSync()].map((o) => [o.transfer, o.at])).toEqual([
        [5, 2.5],
        [3, 2.5],
        [4, 2.5],
      ]);
    }
  });

  it('fails a transfer without a route at once, permanently, about the receiver', () => {
    const t2 = simpleTopology({
      hosts: ['h0', 'h1', 'h2', 'h3'],
      attach: { h0: 'a', h1: 'a', h2: 'b', h3: 'b' },
    });
    const ex = new SimExecutor({ hosts, topology: t2, closure, network: 'flow' });
    ex.start([transfer(closure, 0, 'h0', 'h2', ALL)]);
    expect(ex.nextSync()).toMatchObject({
      transfer: 0,
      ok: false,
      at: 0,
      cause: { kind: 'permanent', code: 'unreachable', host: 'h2' },
      delivered: [],
    });
  });

  it('cancel makes the outcome a transient cancelled failure now, keeping completed paths', () => {
    for (const network of ['round', 'flow'] as const) {
      const ex = new SimExecutor({ hosts, topology: topo, closure, network });
      ex.start([transfer(closure, 0, 'h0', 'h1', ALL), transfer(closure, 1, 'h2', 'h3', ['p2'])]);
      expect(ex.nextSync()).toMatchObject({ transfer: 1, at: 3.5 });
      ex.cancel(0);
      ex.cancel(0); // idempotent
      ex.cancel(99); // unknown: ignored
      expect(ex.active).toBe(1);
      expect(ex.nextSync()).toMatchObject({
        transfer: 0,
        ok: false,
        at: 3.5,
        cause: { kind: 'transient', code: 'cancelled', host: 'h1' },
        delivered: ['p0', 'p1'], // 32.5 bytes through
      });
    }
  });

  it('cancel overrides a failure still pending later (a dead peer’s latency)', () => {
    const failures = compileFailureSchedule({ kind: 'kill-host', host: 'h1' }, { hosts });
    const ex = new SimExecutor({ hosts, topology: topo, closure, network: 'round', failures });
    ex.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
    ex.cancel(0);
    expect(ex.nextSync()).toMatchObject({ transfer: 0, at: 0, cause: { code: 'cancelled' } });
  });

  it('rejects next() when idle, and a transfer id started twice', async () => {
    const ex = new SimExecutor({ hosts, topology: topo, closure, network: 'round' });
    await expect(ex.next()).rejects.toBeInstanceOf(ExecutorError);
    ex.start([transfer(closure, 0, 'h0', 'h1', ALL)]);
    expect(() => ex.start([transfer(closure, 0, 'h0', 'h2', ALL)])).toThrow();
  });

  it('validates its options with ConfigError', () => {
    expect(
      () => new SimExecutor({ hosts, topology: topo, closure, network: 'fluid' as unknown as 'round' }),
    ).toThrow(ConfigError);
    expect(
      () => new SimExecutor({ hosts: [host('x', 0)], topology: topo, closure, network: 'round' }),
    ).toThrow(ConfigError);
    expect(
      () =>
        new SimExecutor({ hosts: [host('x', 1), host('x', 1)], topology: topo, closure, network: 'flow' }),
    ).toThrow(ConfigError);
    const ex = new SimExecutor({ hosts, topology: topo, closure, network: 'flow' });
    expect(() => ex.start([transfer(closure, 0, 'h0', 'nobody', ALL)])).toThrow(ConfigError);
  });
});

describe('SimExecutor determinism', () => {
  const scenario = fc.record({
    network: fc.constantFrom('round' as const, 'flow' as const),
    n: fc.integer({ min: 2, max: 6 }),
    ups: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 6, maxLength: 6 }),
    seed: fc.integer(),
    failure: fc.oneof(
      fc.constant(undefined),
      fc.record({
        kind: fc.constant('random' as const),
        probability: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({
        kind: fc.constant('kill-host' as const),
        host: fc.constant('h1'),
        atTime: fc.integer({ min: 0, max: 20 }),
      }),
      fc.record({
        kind: fc.constant('straggler' as const),
        host: fc.constant('h0'),
        factor: fc.double({ min: 0.1, max: 1, noNaN: true }),
        atTime: fc.integer({ min: 0, max: 10 }),
      }),
    ),
    plan: fc.array(
      fc.record({ from: fc.nat(5), to: fc.nat(5), k: fc.integer({ min: 1, max: 4 }), cancel: fc.boolean() }),
      { minLength: 1, maxLength: 25 },
    ),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  /** Drives the executor like an eager coordinator: start a few, and after each outcome start the next. */
  function run(s: Scenario): Outcome[] {
    const hosts = Array.from({ length: s.n }, (_, i) => host(`h${i}`, s.ups[i]!, 50));
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id), accessLatency: 0.1 });
    const failures = s.failure === undefined ? undefined : compileFailureSchedule(s.failure, { hosts });
    const ex = new SimExecutor({
      hosts,
      topology: topo,
      closure,
      network: s.network,
      seed: s.seed,
      ...(failures === undefined ? {} : { failures }),
    });
    const ts: Transfer[] = s.plan.map((p, id) => {
      const from = p.from % s.n;
      const to = (from + 1 + (p.to % (s.n - 1))) % s.n;
      return transfer(closure, id, `h${from}`, `h${to}`, ALL.slice(0, p.k), Math.floor(id / 3));
    });
    const out: Outcome[] = [];
    ex.start(ts.slice(0, 3));
    let next = 3;
    while (ex.active > 0) {
      const o = ex.nextSync();
      out.push(o);
      if (next < ts.length) {
        ex.start([ts[next]!]);
        if (s.plan[next]!.cancel && out.length % 3 === 0) ex.cancel(o.transfer === next ? next - 1 : next);
        next++;
      }
    }
    // Invariants: every transfer reported exactly once, times never go back, delivered is a prefix.
    expect(out.map((o) => o.transfer).sort((a, b) => a - b)).toEqual(ts.map((t) => t.id));
    for (let i = 1; i < out.length; i++) expect(out[i]!.at).toBeGreaterThanOrEqual(out[i - 1]!.at);
    for (const o of out) {
      if (!o.ok) expect(o.delivered).toEqual(ts[o.transfer]!.paths.slice(0, o.delivered?.length ?? 0));
    }
    return out;
  }

  it('same inputs give the identical outcome sequence', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(run(s)).toEqual(run(s));
      }),
    );
  });
});
