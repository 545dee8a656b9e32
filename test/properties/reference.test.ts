/**
 * Ports of the reference system's (consortium's) property suite: exact round counts, a killed host,
 * the uplink-contention gap between steiner-greedy and max-bottleneck-spanning, flow-model sharing and
 * the closed form of sequential push.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FailureTreeNode } from '../../src/core/coordinator.js';
import type { ScenarioInput } from '../../src/sim/scenario.js';
import { RUNS_PER_PAIR, STRATEGIES, runRecorded, targetId } from './helpers/scenarios.js';

/** A homogeneous flat fleet with one closure shared by every target. */
function flat(hosts: number, over: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    seed: 1,
    topology: { preset: 'flat', hosts },
    closure: { totalMB: 20, paths: 4, roles: 1, perHost: false },
    seeds: { kind: 'deployer' },
    network: 'round',
    mode: 'round',
    ...over,
  };
}

describe('reference-suite ports', () => {
  it('log2-fanout takes exactly ⌈log₂(N+1)⌉ rounds on a homogeneous flat fleet', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1000 }), async (n, seed) => {
        const { result } = await runRecorded(flat(n, { seed }), 'log2-fanout');
        expect(result.success).toBe(true);
        expect(result.rounds).toBe(Math.ceil(Math.log2(n + 1)));
      }),
    );
  });

  it.each(STRATEGIES)('a host killed at round 0 in a 32-host fleet leaves exactly 31 done (%s)', async (strategy) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 32 }), fc.constantFrom<'round' | 'flow'>('round', 'flow'), async (i, network) => {
        const victim = targetId(i, 32);
        const { result } = await runRecorded(flat(32, { network, failures: [{ kind: 'kill-host', host: victim, atRound: 0 }] }), strategy);
        expect(result.hostsDone).toBe(31);
        expect(result.failed.map((f) => f.host)).toEqual([victim]);
        // The failure tree names only that host (inner nodes are healthy servers on its path).
        const named: string[] = [];
        const walk = (nodes: readonly FailureTreeNode[]): void => {
          for (const n of nodes) {
            if (n.failure) named.push(n.host);
            walk(n.children);
          }
        };
        walk(result.failureTree);
        expect(named).toEqual([victim]);
        expect(result.failed[0]?.code).toBe('host-killed');
        expect(result.unreached).toEqual([]);
        expect(result.success).toBe(false);
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it('with the seed uplink as bottleneck, steiner-greedy takes ≥ 5× max-bottleneck-spanning (flow model)', async () => {
    const input = flat(64, {
      topology: { preset: 'flat', hosts: 64, uplink: '1gbit', deployer: { uplink: '1gbit', maxSends: 64 } },
      closure: { totalMB: 100, paths: 4, roles: 1, perHost: false },
      network: 'flow',
    });
    const steiner = await runRecorded(input, 'steiner-greedy');
    const mbs = await runRecorded(input, 'max-bottleneck-spanning');
    expect(steiner.result.success).toBe(true);
    expect(mbs.result.success).toBe(true);
    expect(steiner.result.makespanSeconds).toBeGreaterThanOrEqual(5 * mbs.result.makespanSeconds);
  });

  it.each([
    ['push-parallel', { k: 31 }],
    ['steiner-greedy', {}],
  ] as const)('one 100 MB/s seed serving 31 receivers at once moves 10 MB in ≈ 3.1 s (%s, flow model)', async (strategy, options) => {
    const input = flat(31, {
      topology: { preset: 'flat', hosts: 31, uplink: '1gbit', downlink: '1gbit', deployer: { uplink: '100MB/s', maxSends: 64 } },
      closure: { totalMB: 10, paths: 1, roles: 1, perHost: false },
      network: 'flow',
    });
    const { result, events } = await runRecorded(input, strategy, options);
    expect(result.success).toBe(true);
    // All 31 copies run at once from the seed.
    expect(events.filter((e) => e.type === 'transfer-started' && e.t === 0 && e.from === 'deployer')).toHaveLength(31);
    expect(result.makespanSeconds).toBeGreaterThanOrEqual(3.1 * 0.9);
    expect(result.makespanSeconds).toBeLessThanOrEqual(3.1 * 1.1);
  });

  it('sequential push on equal links (round model) takes N × (latency + S/bw)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 5 }), async (n, mb, paths) => {
        const input = flat(n, { closure: { totalMB: mb, paths, roles: 1, perHost: false } });
        const { scenario, result } = await runRecorded(input, 'push-sequential');
        const deployer = scenario.fleet.hosts.find((h) => h.id === 'deployer')!;
        const target = scenario.fleet.hosts.find((h) => h.id === targetId(1, n))!;
        expect(deployer.uplink).toBe(target.downlink);
        const latency = scenario.topology.route('deployer', targetId(1, n))!.latency;
        const bytes = scenario.closure.bytes(scenario.fleet.wants.get(targetId(1, n))!);
        const expected = n * (latency + bytes / Math.min(deployer.uplink, target.downlink));
        expect(result.success).toBe(true);
        expect(Math.abs(result.makespanSeconds - expected) / expected).toBeLessThanOrEqual(1e-6);
      }),
    );
  });
});
