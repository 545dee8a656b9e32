/**
 * Failures (issue 4): under random transient failures and kill-host schedules, failed hosts are reported
 * with a code and in the failure tree, delivered paths are never re-sent, and every target ends done,
 * failed or unreached — never silently missing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FailureTreeNode } from '../../src/core/coordinator.js';
import type { HostId } from '../../src/core/types.js';
import { holdsAll, replay, runRecorded, RUNS_PER_PAIR, scenarioArb, STRATEGY_MODES, targetsOf } from './helpers/scenarios.js';

/** Every node of a failure tree that carries a failure, by host. */
function treeFailures(nodes: readonly FailureTreeNode[], out = new Map<HostId, FailureTreeNode>()): Map<HostId, FailureTreeNode> {
  for (const n of nodes) {
    if (n.failure) {
      expect(out.has(n.host), `${n.host} twice in the failure tree`).toBe(false);
      out.set(n.host, n);
    }
    treeFailures(n.children, out);
  }
  return out;
}

const FAILURE_CODES = ['copy-failed', 'timeout', 'partitioned', 'unreachable', 'ssh-handshake', 'host-killed', 'retries-exhausted'];

describe('failures', () => {
  it.each(STRATEGY_MODES)('failed hosts carry a code and appear in the failure tree; every target is done, failed or unreached (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, forceFailures: true, maxSends: [1, 3], strategy: name, mode }), async ({ input, strategy }) => {
        const { scenario, result, events } = await runRecorded(input, strategy);
        const { fleet } = scenario;
        const failedEvents = events.filter((e) => e.type === 'host-failed').map((e) => e.host);
        const failed = result.failed.map((f) => f.host);
        expect(new Set(failed).size).toBe(failed.length);
        expect([...failed].sort()).toEqual([...failedEvents].sort());
        for (const f of result.failed) expect(FAILURE_CODES).toContain(f.code);
        const tree = treeFailures(result.failureTree);
        expect([...tree.keys()].sort()).toEqual([...failed].sort());
        for (const f of result.failed) expect(tree.get(f.host)?.failure).toEqual(f);

        // Partition of the targets: done ⊎ failed ⊎ unreached.
        const r = replay(fleet, events);
        const targets = targetsOf(fleet);
        const failedSet = new Set(failed);
        const unreached = new Set(result.unreached);
        let done = 0;
        for (const t of targets) {
          const isDone = holdsAll(r.have.get(t), fleet.wants.get(t)!);
          const states = [isDone && !failedSet.has(t), failedSet.has(t), unreached.has(t)].filter(Boolean).length;
          expect(states, `${t} must be exactly one of done / failed / unreached`).toBe(1);
          if (isDone && !failedSet.has(t)) done++;
        }
        expect(result.hostsFailed).toBe(result.failed.length);
        expect(result.hostsUnreached).toBe(unreached.size);
        for (const u of unreached) expect(targets).toContain(u);
        expect(result.success).toBe(failed.length === 0 && unreached.size === 0);
        // Progress continues: a run only ends with targets unserved when its reason says why, and only when
        // something cut them off (a partition, a killed host, a permanent failure): transient failures and
        // stragglers alone end every target done or failed (retries exhausted), never silently given up.
        if (unreached.size > 0) expect(['no-progress', 'max-rounds', 'max-time']).toContain(result.reason);
        else expect(result.reason).toBe('complete');
        const specs = input.failures === undefined ? [] : [input.failures].flat();
        const onlyTransient = specs.every((f) => f.kind === 'random' || f.kind === 'straggler');
        if (onlyTransient) expect([...unreached], 'unreached with only transient failures').toEqual([]);
        // A target may end unreached only when it is cut off: some path it misses has no live holder whose
        // link to it is whole (kills took every copy, or partitions cut it from every holder left). A
        // permanent copy failure takes its receiver out (failed), so it cuts nobody else off. Partitions
        // here join two hosts, so only that pair's transfers cross them; they count whether or not their
        // round came, which only makes this check easier to pass.
        const cut = new Set<string>();
        for (const f of specs) if (f.kind === 'partition') cut.add(`${f.a} ${f.b}`).add(`${f.b} ${f.a}`);
        const live = fleet.hosts.map((h) => h.id).filter((h) => !failedSet.has(h));
        for (const t of unreached) {
          const missing = fleet.wants.get(t)!.filter((p) => !r.have.get(t)!.has(p));
          const cutOff = missing.some((p) => live.every((h) => h === t || !r.have.get(h)!.has(p) || cut.has(`${h} ${t}`)));
          expect(cutOff, `${t} unreached although every path it misses has a live holder it can reach`).toBe(true);
        }
        // The counters partition the targets too: a host that finished and was killed later must not
        // count as both done and failed.
        expect(result.hostsDone, 'hostsDone counts a failed host').toBe(done);
        expect(result.hostsDone + result.hostsFailed + result.hostsUnreached).toBe(targets.length + result.failed.filter((f) => !targets.includes(f.host)).length);
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it.each(STRATEGY_MODES)('no delivered path is ever re-sent (replay: a transfer never carries a path its receiver holds) (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, forceFailures: true, maxSends: [1, 3], strategy: name, mode }), async ({ input, strategy }) => {
        const { scenario, events } = await runRecorded(input, strategy);
        const r = replay(scenario.fleet, events);
        expect(r.resent).toEqual([]);
        // Partially delivered paths are reported only as paths of their transfer.
        const started = new Map<number, readonly string[]>();
        for (const e of events) {
          if (e.type === 'transfer-started') started.set(e.id, e.paths);
          if (e.type === 'transfer-failed') for (const p of e.delivered) expect(started.get(e.id)).toContain(p);
        }
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it('a host killed before it is served fails with host-killed and never completes', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: false, maxSends: [1, 3] }), fc.nat(), async ({ input, strategy }, pick) => {
        const n = input.topology.hosts as number; // scenarioArb draws presets only
        const victim = `host-${String((pick % n) + 1).padStart(String(n).length, '0')}`;
        const { scenario, result, events } = await runRecorded({ ...input, failures: [{ kind: 'kill-host', host: victim, atRound: 0 }] }, strategy);
        const wanted = targetsOf(scenario.fleet).includes(victim);
        const initiallyDone = holdsAll(new Set(scenario.fleet.initialHave.get(victim) ?? []), scenario.fleet.wants.get(victim) ?? []);
        expect(events.some((e) => e.type === 'host-done' && e.host === victim)).toBe(false);
        if (wanted && !initiallyDone) {
          expect(result.failed.map((f) => f.host)).toContain(victim);
          expect(result.failed.find((f) => f.host === victim)?.code).toBe('host-killed');
          expect(result.success).toBe(false);
        }
      }),
      { numRuns: Math.min(30, Number(process.env['FC_NUM_RUNS'] ?? 50)) },
    );
  });

  // Found by the first property (FC_SEED=11): host-22's own toplevel can only come from the deployer, and
  // that edge failed 8 times in all while peers kept delivering its other paths (so the coordinator's
  // bound of 5 failures in a row never fired). Strategies then banned the edge: unreached, no-progress.
  it('regression: a flaky edge to the only holder of a path is retried until the host is served', async () => {
    const { result } = await runRecorded(
      {
        seed: 9,
        topology: { preset: 'flat', hosts: 24, maxSends: 1, maxReceives: 1 },
        closure: { totalMB: 1, paths: 3, roles: 1, perHost: true },
        seeds: { kind: 'fraction', fraction: 0.25 },
        network: 'round',
        mode: 'eager',
        failures: [{ kind: 'random', probability: 0.3 }],
      },
      'swarm',
    );
    expect(result.unreached).toEqual([]);
    expect(result.reason).toBe('complete');
  });

  // Found by the first property (lead: see report): host-05 finishes in round 0, is killed while serving
  // in round 1, and is then counted in hostsDone (15 of 15 targets) and in failed at once.
  it('regression: a host killed after it finished is not counted as both done and failed', async () => {
    const { result } = await runRecorded(
      {
        seed: 0,
        topology: { preset: 'flat', hosts: 15, maxSends: 1 },
        closure: { totalMB: 1, paths: 1, roles: 2, perHost: false },
        seeds: { kind: 'count', count: 2 },
        network: 'round',
        mode: 'round',
        failures: [{ kind: 'kill-host', host: 'host-05', atRound: 1 }],
      },
      'log2-fanout',
    );
    expect(result.failed.map((f) => f.host)).toEqual(['host-05']);
    expect(result.hostsDone + result.hostsFailed + result.hostsUnreached).toBe(result.hosts);
  });
});

