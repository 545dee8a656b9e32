import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/core/coordinator.js';
import { StrategyError } from '../../src/core/errors.js';
import type { CascadeEvent } from '../../src/core/events.js';
import type { PlanView, Proposal, Strategy } from '../../src/core/strategy.js';
import type { FailureCause, HostId } from '../../src/core/types.js';
import { ScriptedExecutor, SyncScriptedExecutor } from '../helpers/fakeExecutor.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { chainClosure, host, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

/** Whole-closure doubling: every idle holder serves one pending host that nobody serves yet. */
const doubling: Strategy = {
  name: 'test-doubling',
  plan(view: PlanView): Proposal[] {
    const out: Proposal[] = [];
    const taken = new Set<HostId>();
    const targets = view.pending().filter((h) => view.canReceive(h) && view.incoming(h).size === 0);
    for (const h of view.fleet.hosts) {
      if (!view.canSend(h.id)) continue;
      const to = targets.find(
        (t) => !taken.has(t) && view.attempts(h.id, t) === 0 && view.holdsAll(h.id, view.missing(t)),
      );
      if (to === undefined) continue;
      out.push({ from: h.id, to, paths: [...view.missing(to)] });
      taken.add(to);
    }
    return out;
  },
};

function setup(n: number, sizes = [3, 5]) {
  const { closure, paths } = chainClosure(sizes);
  const fleet = simpleFleet(n, paths);
  return { closure, paths, fleet, topology: flatTopology(fleet.hosts) };
}

const killed = (host: HostId): FailureCause => ({ kind: 'permanent', code: 'host-killed', host, message: 'killed' });

describe('runCascade', () => {
  it('completes a doubling cascade in ceil(log2(N+1)) rounds and reports the bound', async () => {
    const { closure, fleet, topology } = setup(7);
    const executor = new ScriptedExecutor();
    const events: CascadeEvent[] = [];
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor, onEvent: (e) => events.push(e) });
    expect(r.success).toBe(true);
    expect(r.reason).toBe('complete');
    expect(r.hostsDone).toBe(7);
    expect(r.rounds).toBe(3);
    expect(r.makespanSeconds).toBe(24); // 3 rounds × 8 bytes at 1 B/s
    expect(r.bytesTransferred).toBe(7 * 8);
    expect(r.lowerBound.rounds).toBe(3);
    expect(r.makespanSeconds).toBeGreaterThanOrEqual(r.lowerBound.seconds);
    expect(events[0]!.type).toBe('run-started');
    expect(events.at(-1)!.type).toBe('run-finished');
    expect(events.filter((e) => e.type === 'host-done')).toHaveLength(7);
    expect(events.filter((e) => e.type === 'round-started')).toHaveLength(3);
  });

  it('works the same loop in eager mode', async () => {
    const { closure, fleet, topology } = setup(5);
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor: new ScriptedExecutor(), mode: 'eager' });
    expect(r.success).toBe(true);
    expect(r.hostsDone).toBe(5);
  });

  it('takes a permanently failed host out and puts it in the failure tree under its server', async () => {
    const { closure, fleet, topology } = setup(6);
    const executor = new ScriptedExecutor((t) => (t.to === 'host-002' ? { duration: 1, cause: killed('host-002') } : { duration: t.bytes }));
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor });
    expect(r.hostsDone).toBe(5);
    expect(r.hostsFailed).toBe(1);
    expect(r.success).toBe(false);
    expect(r.failed[0]).toMatchObject({ host: 'host-002', code: 'host-killed', kind: 'permanent' });
    const server = r.failed[0]!.server!;
    // The tree leads from a root through the server down to the failed host.
    const find = (nodes: typeof r.failureTree, host: HostId): boolean =>
      nodes.some((n) => n.host === host || find(n.children, host));
    const serverNode = (function walk(nodes: typeof r.failureTree): (typeof r.failureTree)[number] | undefined {
      for (const n of nodes) {
        if (n.host === server) return n;
        const x = walk(n.children);
        if (x) return x;
      }
      return undefined;
    })(r.failureTree);
    expect(serverNode?.children.map((c) => c.host)).toEqual(['host-002']);
    expect(find(r.failureTree, 'host-002')).toBe(true);
  });

  it('counts a host that failed once and then succeeded as a success', async () => {
    const { closure, fleet, topology } = setup(3);
    let first = true;
    const executor = new ScriptedExecutor((t) => {
      if (t.to === 'host-001' && first) {
        first = false;
        return { duration: 1, cause: { kind: 'transient', code: 'copy-failed', host: t.to, message: 'broken pipe' } };
      }
      return { duration: t.bytes };
    });
    const events: CascadeEvent[] = [];
    // Doubling skips edges with failed attempts, so the retry comes from another source.
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor, onEvent: (e) => events.push(e) });
    expect(r.success).toBe(true);
    expect(r.failed).toEqual([]);
    expect(events.some((e) => e.type === 'transfer-failed' && e.to === 'host-001')).toBe(true);
  });

  it('keeps paths delivered by a failed transfer and never sends them again', async () => {
    const { closure, paths, fleet, topology } = setup(1, [4, 6]);
    let n = 0;
    const executor = new ScriptedExecutor((t) =>
      n++ === 0
        ? { duration: 4, cause: { kind: 'transient', code: 'copy-failed', host: t.to, message: 'x' }, delivered: [paths[0]!] }
        : { duration: t.bytes },
    );
    const retrying: Strategy = {
      name: 'test-retry',
      plan: (v) =>
        v.pending().filter((h) => v.canReceive(h)).map((to) => ({ from: 'deployer', to, paths: [...v.missing(to)] })),
    };
    const r = await runCascade({ fleet, closure, topology, strategy: retrying, executor });
    expect(r.success).toBe(true);
    expect(executor.started.map((t) => t.paths)).toEqual([paths, [paths[1]]]);
    expect(r.bytesTransferred).toBe(10);
  });

  it('gives up on a host after maxAttemptsPerHost transient failures', async () => {
    const { closure, fleet, topology } = setup(1);
    const executor = new ScriptedExecutor((t) => ({ duration: 1, cause: { kind: 'transient', code: 'timeout', host: t.to, message: 'slow' } }));
    const stubborn: Strategy = {
      name: 'test-stubborn',
      plan: (v) => v.pending().map((to) => ({ from: 'deployer', to, paths: [...v.missing(to)] })),
    };
    const r = await runCascade({ fleet, closure, topology, strategy: stubborn, executor, maxAttemptsPerHost: 3 });
    expect(executor.started).toHaveLength(3);
    expect(r.failed).toMatchObject([{ host: 'host-001', code: 'retries-exhausted' }]);
    expect(r.reason).toBe('complete');
    expect(r.success).toBe(false);
  });

  it('counts transient failures blamed on the sender against the sender: at the bound it stops being a source, the receivers keep their retries', async () => {
    const { closure, fleet, topology } = setup(3);
    // host-001 gets the closure from the deployer; every copy it sends then breaks on its side.
    const executor = new ScriptedExecutor((t) =>
      t.from === 'host-001'
        ? { duration: 1, cause: { kind: 'transient', code: 'copy-failed', host: 'host-001', message: 'outer ssh exited 255' } }
        : { duration: 1 },
    );
    // Prefers host-001 as the source whenever it may send.
    const peerFirst: Strategy = {
      name: 'test-peer-first',
      plan: (v) => {
        const out: Proposal[] = [];
        const open = v.pending().filter((h) => v.canReceive(h) && v.incoming(h).size === 0);
        const serve = (from: HostId): void => {
          const to = open.find((t) => t !== from && !out.some((o) => o.to === t));
          if (to !== undefined && v.canSend(from)) out.push({ from, to, paths: [...v.missing(to)] });
        };
        if (v.isDone('host-001')) serve('host-001');
        serve('deployer');
        return out;
      },
    };
    const events: CascadeEvent[] = [];
    const r = await runCascade({ fleet, closure, topology, strategy: peerFirst, executor, maxAttemptsPerHost: 2, onEvent: (e) => events.push(e) });
    expect(r.success).toBe(true);
    expect(r.failed).toEqual([]);
    expect(r.retiredSources).toEqual(['host-001']);
    const fromPeer = events.filter((e) => e.type === 'transfer-failed' && e.from === 'host-001');
    expect(fromPeer).toHaveLength(2);
    expect(fromPeer.map((e) => e.type === 'transfer-failed' && e.senderRetired)).toEqual([undefined, true]);
    expect(executor.started.filter((t) => t.from === 'host-001')).toHaveLength(2);
  });

  it('rejects a proposal from a sender no longer a source with a StrategyError', async () => {
    const { closure, fleet, topology } = setup(2);
    const executor = new ScriptedExecutor((t) =>
      t.from === 'host-001' ? { duration: 1, cause: { kind: 'transient', code: 'copy-failed', host: 'host-001', message: 'broke' } } : { duration: 1 },
    );
    // Keeps proposing host-001 after it was retired, ignoring canSend.
    const blind: Strategy = {
      name: 'test-blind',
      plan: (v) =>
        v.isDone('host-001')
          ? v.pending().filter((t) => v.canReceive(t)).map((to) => ({ from: 'host-001', to, paths: [...v.missing(to)] }))
          : [{ from: 'deployer', to: 'host-001', paths: [...v.missing('host-001')] }],
    };
    await expect(runCascade({ fleet, closure, topology, strategy: blind, executor, maxAttemptsPerHost: 2 })).rejects.toBeInstanceOf(StrategyError);
    expect(executor.started.filter((t) => t.from === 'host-001')).toHaveLength(2);
  });

  it('does not give up on a host while its failing transfers still deliver paths', async () => {
    const { closure, paths, fleet, topology } = setup(1, [1, 1, 1, 1, 1, 1]);
    // Every transfer breaks after its first path: six failures in all, but each one made progress.
    const executor = new ScriptedExecutor((t) => ({
      duration: 1,
      cause: { kind: 'transient', code: 'copy-failed', host: t.to, message: 'reset' },
      delivered: t.paths.slice(0, 1),
    }));
    const retrying: Strategy = {
      name: 'test-retry',
      plan: (v) => v.pending().filter((h) => v.canReceive(h)).map((to) => ({ from: 'deployer', to, paths: [...v.missing(to)] })),
    };
    const r = await runCascade({ fleet, closure, topology, strategy: retrying, executor, maxAttemptsPerHost: 2 });
    expect(r.success).toBe(true);
    expect(executor.started).toHaveLength(paths.length);
    expect(r.transfersFailed).toBe(paths.length);
  });

  it('reports hosts the strategy never reached as unreached, never as success', async () => {
    const { closure, fleet, topology } = setup(3);
    const lazy: Strategy = {
      name: 'test-lazy',
      plan: (v) => (v.pending().includes('host-001') ? [{ from: 'deployer', to: 'host-001', paths: [...v.missing('host-001')] }] : []),
    };
    const r = await runCascade({ fleet, closure, topology, strategy: lazy, executor: new ScriptedExecutor() });
    expect(r.reason).toBe('no-progress');
    expect(r.unreached).toEqual(['host-002', 'host-003']);
    expect(r.success).toBe(false);
  });

  it('reports the money spent on priced links', async () => {
    const { closure, fleet } = setup(3);
    const topology = flatTopology(fleet.hosts, 0, 0.5);
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor: new ScriptedExecutor() });
    expect(r.egressCost).toBe(3 * 8 * 0.5);
  });

  it('stops at maxRounds with a clear reason', async () => {
    const { closure, fleet, topology } = setup(7);
    const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor: new ScriptedExecutor(), maxRounds: 2 });
    expect(r.reason).toBe('max-rounds');
    expect(r.hostsDone).toBe(3);
    expect(r.hostsUnreached).toBe(4);
  });
});

describe('an executor with the optional nextSync', () => {
  // Failures, retries and a killed host, in both modes: the paths through apply and drain that differ.
  const fate = (t: { id: number; to: HostId; bytes: number }) =>
    t.to === 'host-002'
      ? { duration: 1, cause: killed('host-002') }
      : t.id % 3 === 1
        ? { duration: 2, cause: { kind: 'transient', code: 'copy-failed', host: t.to, message: 'x' } as FailureCause }
        : { duration: t.bytes };

  for (const mode of ['round', 'eager'] as const) {
    it(`is driven through nextSync alone, with the same events and result as through next (${mode} mode)`, async () => {
      const run = async (executor: ScriptedExecutor) => {
        const { closure, fleet, topology } = setup(9);
        const events: CascadeEvent[] = [];
        const r = await runCascade({ fleet, closure, topology, strategy: doubling, executor, mode, onEvent: (e) => events.push(e) });
        return { events, r: { ...r, finishTimes: [...r.finishTimes] } };
      };
      const asynchronous = new ScriptedExecutor(fate);
      const synchronous = new SyncScriptedExecutor(fate);
      const a = await run(asynchronous);
      const b = await run(synchronous);
      expect(b).toEqual(a);
      expect(a.r.hostsFailed).toBe(1);
      expect(a.r.transfersFailed).toBeGreaterThan(1);
      expect(asynchronous.nextCalls).toBeGreaterThan(0);
      expect(synchronous.nextCalls).toBe(0);
      expect(synchronous.syncCalls).toBe(asynchronous.nextCalls);
    });
  }

  it('reports a throw from nextSync as the run failing, like a rejection from next', async () => {
    const { closure, fleet, topology } = setup(3);
    const executor = new SyncScriptedExecutor();
    executor.nextSync = () => {
      throw new Error('simulator broke');
    };
    await expect(runCascade({ fleet, closure, topology, strategy: doubling, executor })).rejects.toThrow('simulator broke');
  });
});

describe('proposal validation', () => {
  const broken = (name: string, plan: (v: PlanView) => Proposal[]): Strategy => ({ name, plan });
  const cases: Array<[string, (v: PlanView, paths: string[]) => Proposal[]]> = [
    ['sender lacks the paths', (_v, paths) => [{ from: 'host-001', to: 'host-002', paths }]],
    ['exceeds concurrent sends', (_v, paths) => [{ from: 'deployer', to: 'host-001', paths }, { from: 'deployer', to: 'host-002', paths }]],
    ['breaks the closure invariant', (_v, paths) => [{ from: 'deployer', to: 'host-001', paths: [paths[1]!] }]],
    ['unknown receiver', (_v, paths) => [{ from: 'deployer', to: 'nope', paths }]],
    ['self transfer', (_v, paths) => [{ from: 'deployer', to: 'deployer', paths }]],
    ['empty paths', () => [{ from: 'deployer', to: 'host-001', paths: [] }]],
  ];
  for (const [what, plan] of cases) {
    it(`rejects a proposal that ${what} with a StrategyError`, async () => {
      const { closure, paths, fleet, topology } = setup(2);
      const executor = new ScriptedExecutor();
      await expect(runCascade({ fleet, closure, topology, strategy: broken('broken', (v) => plan(v, paths)), executor })).rejects.toThrow(StrategyError);
      expect(executor.started).toHaveLength(0);
    });
  }

  it('rejects re-sending a delivered path and drains running transfers first', async () => {
    const { closure, paths, fleet, topology } = setup(3);
    let calls = 0;
    const resend = broken('resend', (v) =>
      calls++ === 0
        ? [{ from: 'deployer', to: 'host-001', paths: [...v.missing('host-001')] }]
        : [{ from: 'deployer', to: 'host-001', paths }],
    );
    const events: CascadeEvent[] = [];
    const executor = new ScriptedExecutor();
    await expect(runCascade({ fleet, closure, topology, strategy: resend, executor, onEvent: (e) => events.push(e) })).rejects.toThrow(StrategyError);
    expect(executor.active).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', reason: 'strategy-error' });
  });

  it('rejects a proposal to a failed host', async () => {
    const { closure, fleet, topology } = setup(2);
    const executor = new ScriptedExecutor((t) => (t.to === 'host-001' ? { duration: 1, cause: killed('host-001') } : { duration: t.bytes }));
    const again = broken('again', (v) => [{ from: 'deployer', to: 'host-001', paths: [...v.missing('host-001')] }]);
    await expect(runCascade({ fleet, closure, topology, strategy: again, executor })).rejects.toThrow(StrategyError);
  });
});

describe('coordinator checks found in review', () => {
  it('refuses a send from a host that does not hold the path, even when neither side holds or wants anything', async () => {
    const { closure, paths } = chainClosure([10]);
    const hosts = [host('seed', { role: 'deployer' }), host('t0'), host('relay', { role: 'cache' }), host('empty', { role: 'cache' })];
    const fleet = { hosts, initialHave: new Map([['seed', paths]]), wants: new Map([['t0', paths]]) };
    const relay: Strategy = { name: 'bad-relay', relays: true, plan: () => [{ from: 'empty', to: 'relay', paths }] };
    const run = runCascade({ fleet, closure, topology: flatTopology(hosts), strategy: relay, executor: new ScriptedExecutor() });
    await expect(run).rejects.toBeInstanceOf(StrategyError);
  });

  it('nothing to send is par (ratio 1), even when the run took wall time', async () => {
    const { closure, paths } = chainClosure([10]);
    const hosts = [host('seed', { role: 'deployer' }), host('t0')];
    const fleet = { hosts, initialHave: new Map([['seed', paths], ['t0', paths]]), wants: new Map([['t0', paths]]) };
    const executor = new ScriptedExecutor();
    executor.now = () => 3; // a real deployer's clock has moved on by the time the run starts
    const r = await runCascade({ fleet, closure, topology: flatTopology(hosts), strategy: doubling, executor });
    expect(r.reason).toBe('complete');
    expect(r.ratioToLowerBound).toBe(1);
  });

  it('a run whose last transfer ends past maxTime is complete, not max-time', async () => {
    const { closure, paths } = chainClosure([10]);
    const hosts = [host('seed', { role: 'deployer', uplink: 1, downlink: 1 }), host('t0', { uplink: 1, downlink: 1 })];
    const fleet = { hosts, initialHave: new Map([['seed', paths]]), wants: new Map([['t0', paths]]) };
    for (const mode of ['round', 'eager'] as const) {
      const executor = new SimExecutor({ hosts, topology: flatTopology(hosts), closure, network: 'flow' });
      const r = await runCascade({ fleet, closure, topology: flatTopology(hosts), strategy: doubling, executor, mode, maxTime: 5 });
      expect(r.makespanSeconds).toBeGreaterThan(5);
      expect(r.reason).toBe('complete');
    }
  });
});
