/**
 * Simulator scale benchmark (issue 3): whole runs of `log2-fanout` (and path-level `swarm`) through the
 * coordinator and the simulated executor. Prints a table and writes bench/results/sim-scale.json. Not a
 * test: nothing here asserts on time. Usage: `npx tsx bench/sim-scale.ts` (env ONLY=name,name to pick
 * cases).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildScenario, parseScenario, runScenario } from '../src/sim/scenario.js';
import { getStrategy } from '../src/strategies/registry.js';

interface Case {
  readonly name: string;
  readonly hosts: number;
  readonly network: 'round' | 'flow';
  readonly mode: 'round' | 'eager';
  readonly strategy: string;
  readonly target: string;
}

const cases: Case[] = [
  { name: 'round-10k', hosts: 10_000, network: 'round', mode: 'round', strategy: 'log2-fanout', target: '< 0.5 s' },
  { name: 'round-100k', hosts: 100_000, network: 'round', mode: 'round', strategy: 'log2-fanout', target: '< 5 s, < 1 GiB' },
  { name: 'flow-1k', hosts: 1_000, network: 'flow', mode: 'round', strategy: 'log2-fanout', target: '< 5 s' },
  { name: 'flow-1k-eager', hosts: 1_000, network: 'flow', mode: 'eager', strategy: 'log2-fanout', target: '(no target)' },
  // Path level: every plan call ranks paths and matches holders to receivers one path at a time.
  { name: 'swarm-flow-1k', hosts: 1_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
  { name: 'swarm-flow-4k', hosts: 4_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
  { name: 'swarm-flow-10k', hosts: 10_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
];
const only = process.env['ONLY']?.split(',');

const rows = [];
for (const c of cases.filter((x) => !only || only.includes(x.name))) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const spec = parseScenario({
    seed: 1,
    topology: { preset: 'flat', hosts: c.hosts },
    closure: { totalMB: 1000, paths: 20, roles: 1, perHost: false },
    network: c.network,
    mode: c.mode,
  });
  const scenario = buildScenario(spec);
  const t1 = performance.now();
  const result = await runScenario(scenario, getStrategy(c.strategy));
  const t2 = performance.now();
  const mem = process.memoryUsage();
  rows.push({
    case: c.name,
    hosts: c.hosts,
    network: c.network,
    mode: c.mode,
    strategy: c.strategy,
    buildSeconds: +((t1 - t0) / 1000).toFixed(3),
    runSeconds: +((t2 - t1) / 1000).toFixed(3),
    totalSeconds: +((t2 - t0) / 1000).toFixed(3),
    heapDeltaMiB: Math.round((mem.heapUsed - heapBefore) / 2 ** 20),
    rssMiB: Math.round(mem.rss / 2 ** 20),
    rounds: result.rounds,
    makespan: +result.makespanSeconds.toFixed(3),
    done: result.hostsDone,
    target: c.target,
  });
  console.error(`${c.name}: ${rows.at(-1)!.totalSeconds} s`);
}
console.table(rows);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sim-scale.json', `${JSON.stringify({ node: process.version, rows }, null, 2)}\n`);
