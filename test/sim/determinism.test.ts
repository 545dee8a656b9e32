/**
 * Determinism of the simulator (issue 3): a scenario and its seed fix every byte of the trace — across
 * repeated builds, runs interleaved with other runs, and separate CLI processes.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import { buildScenario, parseScenario, runScenario, type ScenarioInput } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { toJsonLines, traceSha256 } from '../../src/trace/jsonl.js';

const PRESETS = ['flat', 'racks', 'regions', 'heavy-tailed', 'homelab'] as const;

function input(preset: (typeof PRESETS)[number], seed: number, network: 'round' | 'flow'): ScenarioInput {
  return {
    seed,
    topology: { preset, hosts: 12, maxSends: 2 },
    closure: { totalMB: 30, paths: 5, roles: 2, perHost: true },
    seeds: { kind: 'fraction', fraction: 0.2 },
    failures: [
      { kind: 'random', probability: 0.2 },
      { kind: 'straggler', host: 'host-03', factor: 0.3 },
    ],
    network,
    mode: 'eager',
  };
}

async function trace(i: ScenarioInput, strategy: string): Promise<CascadeEvent[]> {
  const rec = new TraceRecorder();
  await runScenario(buildScenario(parseScenario(i)), getStrategy(strategy), { onEvent: rec.sink });
  return [...rec.events()];
}

describe('simulator determinism', () => {
  it.each(PRESETS)('%s: building a scenario twice gives the same fleet, closure sizes and bound', (preset) => {
    const a = buildScenario(parseScenario(input(preset, 5, 'flow')));
    const b = buildScenario(parseScenario(input(preset, 5, 'flow')));
    expect(b.fleet.hosts).toEqual(a.fleet.hosts);
    expect([...b.fleet.initialHave]).toEqual([...a.fleet.initialHave]);
    expect([...b.fleet.wants]).toEqual([...a.fleet.wants]);
    expect(b.topology.graph.edges()).toEqual(a.topology.graph.edges());
    expect(b.lowerBound).toEqual(a.lowerBound);
  });

  it.each(['round', 'flow'] as const)('same scenario + seed ⇒ byte-identical JSONL (%s network, every preset)', async (network) => {
    for (const preset of PRESETS) {
      const a = await trace(input(preset, 11, network), 'swarm');
      const b = await trace(input(preset, 11, network), 'swarm');
      expect(a.some((e) => e.type === 'transfer-failed'), `${preset}: the failures were exercised`).toBe(true);
      expect(toJsonLines(b)).toBe(toJsonLines(a));
      expect(traceSha256(b)).toBe(traceSha256(a));
    }
  });

  it('a different seed gives a different trace (the hash is not vacuous)', async () => {
    const a = await trace(input('heavy-tailed', 1, 'flow'), 'log2-fanout');
    const b = await trace(input('heavy-tailed', 2, 'flow'), 'log2-fanout');
    expect(traceSha256(b)).not.toBe(traceSha256(a));
  });

  it('runs interleaved on the event loop do not disturb each other (no shared mutable state)', async () => {
    const strategies = ['log2-fanout', 'swarm', 'level-tree', 'topology-aware'];
    const alone: string[] = [];
    for (const s of strategies) alone.push(traceSha256(await trace(input('racks', 7, 'flow'), s)));
    const together = await Promise.all(strategies.map(async (s) => traceSha256(await trace(input('racks', 7, 'flow'), s))));
    expect(together).toEqual(alone);
  });

  it('two separate CLI processes print the same traceSha256', async () => {
    const args = ['tsx', 'src/cli/main.ts', 'simulate', '--hosts', '20', '--roles', '2', '--seed', '3', '--failure-rate', '0.1', '--json'];
    const runOnce = async (): Promise<string> => {
      const r = await execa('npx', args, { cwd: process.cwd() });
      const parsed = JSON.parse(r.stdout) as { traceSha256?: unknown; transfersFailed?: unknown };
      expect(typeof parsed.traceSha256).toBe('string');
      return parsed.traceSha256 as string;
    };
    const [a, b] = await Promise.all([runOnce(), runOnce()]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });
});
