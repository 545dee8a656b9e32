/**
 * Strategy quality benchmark (issue 4, "Quality targets"): runs every registered strategy on a set of
 * scenarios, prints makespan ÷ lower bound per strategy × scenario, checks the targets (PASS/MISS
 * with the numbers) and writes bench/results/strategies.json. Not a test: it asserts nothing and never
 * fails the process on a MISS. Scenarios are fixed here; they are not tuned to the strategies.
 *
 * Usage: `npx tsx bench/strategies.ts` (env ONLY=scenario,scenario to pick scenarios; JOBS=n worker
 * processes, default 2). Each scenario runs in its own child process (execa, argument array) so two cores
 * work in parallel; `--one <scenario>` is that child's entry point and prints one JSON line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { CascadeEvent } from '../src/core/events.js';
import { buildScenario, parseScenario, runScenario, type ScenarioInput } from '../src/sim/scenario.js';
import { getStrategy, strategyNames } from '../src/strategies/registry.js';

/** One benchmark scenario: a scenario file's content plus the strategies left out (too slow to matter). */
interface BenchScenario {
  readonly name: string;
  readonly what: string;
  readonly input: ScenarioInput;
  readonly skip?: readonly string[];
}

/** Strategies of the reference system (the comparison baseline). */
const REFERENCE = ['log2-fanout', 'max-bottleneck-spanning', 'steiner-greedy', 'level-tree'];
/** Strategies this project adds beyond the reference. */
const NEW = ['fastest-first', 'topology-aware', 'swarm', 'multi-target', 'cost-aware'];
/** Naive baselines: only a yardstick. */
const BASELINES = ['push-sequential', 'push-parallel'];
/** Whole-closure and path-level cascades (everything but the naive pushes). */
const CASCADES = [...REFERENCE, ...NEW];

/** 1,000-host presets: the naive pushes need ~N single-copy times and add nothing to learn there. */
const SLOW_AT_1000 = BASELINES;

/**
 * Closures: `fleet` is the generator's NixOS-like default (1 GB / 60 paths per host, three roles sharing a
 * base, and each host's own toplevel and configuration paths that only the deployer holds); `same` is the
 * main job's closure, one 1 GB / 60-path closure every host wants. Real fleets look like `fleet`; `same`
 * isolates the cascade itself (the deployer's per-host pushes no longer dominate the bound).
 */
const SAME = { totalMB: 1000, paths: 60, roles: 1, perHost: false } as const;

const scenarios: BenchScenario[] = [
  {
    name: 'flat-1000',
    what: 'flat LAN, 1,000 equal hosts, fleet closure (roles + per-host paths), flow model',
    input: { seed: 1, topology: { preset: 'flat', hosts: 1000 }, network: 'flow' },
    skip: SLOW_AT_1000,
  },
  {
    name: 'flat-1000-same',
    what: 'flat LAN, 1,000 equal hosts, one closure for all, flow model',
    input: { seed: 1, topology: { preset: 'flat', hosts: 1000 }, closure: SAME, network: 'flow' },
    skip: SLOW_AT_1000,
  },
  {
    name: 'heavy-tailed-1000',
    what: 'heavy-tailed uplinks, 1,000 hosts, fleet closure, flow model',
    input: { seed: 1, topology: { preset: 'heavy-tailed', hosts: 1000 }, network: 'flow' },
    skip: SLOW_AT_1000,
  },
  {
    name: 'heavy-tailed-1000-same',
    what: 'heavy-tailed uplinks, 1,000 hosts, one closure for all, flow model',
    input: { seed: 1, topology: { preset: 'heavy-tailed', hosts: 1000 }, closure: SAME, network: 'flow' },
    skip: SLOW_AT_1000,
  },
  {
    name: 'racks-200',
    what: 'racks preset (4:1 oversubscribed), 200 hosts, fleet closure, flow model',
    input: { seed: 1, topology: { preset: 'racks', hosts: 200 }, network: 'flow' },
  },
  {
    name: 'regions-200',
    what: 'regions preset, 200 hosts, fleet closure, flow model',
    input: { seed: 1, topology: { preset: 'regions', hosts: 200 }, network: 'flow' },
  },
  {
    name: 'homelab-30',
    what: 'homelab preset, 30 hosts, fleet closure, flow model',
    input: { seed: 1, topology: { preset: 'homelab', hosts: 30 }, network: 'flow' },
  },
  {
    name: 'paths-500',
    what: 'flat, 100 hosts, one 1 GB closure of 500 paths, flow model',
    input: {
      seed: 1,
      topology: { preset: 'flat', hosts: 100 },
      closure: { totalMB: 1000, paths: 500, roles: 1, perHost: false },
      network: 'flow',
    },
  },
  {
    name: 'flat-100',
    what: 'flat, 100 hosts, deployer uplink = a host uplink (1 Gbit/s), fleet closure, flow model',
    input: { seed: 1, topology: { preset: 'flat', hosts: 100 }, network: 'flow' },
  },
];

/** Coordinator modes every strategy runs in; a strategy's figure is its better mode. */
const MODES = ['round', 'eager'] as const;

/** One strategy's run on one scenario in one mode. */
interface Run {
  readonly mode: (typeof MODES)[number];
  readonly success: boolean;
  readonly makespan: number;
  readonly bytes: number;
  readonly crossGroupBytes: number;
  readonly egressCost: number;
  readonly rounds: number;
  readonly transfers: number;
  readonly wallSeconds: number;
}

/** One strategy on one scenario: its better mode's run (a converged run beats one that did not). */
interface Row extends Run {
  readonly strategy: string;
  /** The full lower bound (fluid terms and the per-path doubling term). */
  readonly bound: number;
  /** The fluid terms alone (DESIGN.md's bound, without the per-path doubling term). */
  readonly fluidBound: number;
  readonly ratio: number;
  readonly ratioToFluid: number;
  /** Both modes' runs. */
  readonly runs: readonly Run[];
}

interface ScenarioResult {
  readonly scenario: string;
  readonly what: string;
  readonly rows: readonly Row[];
}

const better = (a: Run, b: Run): Run =>
  a.success !== b.success ? (a.success ? a : b) : b.makespan < a.makespan ? b : a;

async function runOne(sc: BenchScenario): Promise<ScenarioResult> {
  const scenario = buildScenario(parseScenario(sc.input, sc.name));
  const groupOf = (h: string): string | undefined => scenario.topology.groupOf(h);
  const lb = scenario.lowerBound;
  const fluidBound = Math.max(lb.downlinkSeconds, lb.seedUplinkSeconds, lb.fleetUplinkSeconds, lb.cutSeconds, lb.latencySeconds);
  const rows: Row[] = [];
  for (const name of strategyNames()) {
    if (sc.skip?.includes(name)) continue;
    const runs: Run[] = [];
    for (const mode of MODES) {
      let cross = 0;
      const onEvent = (e: CascadeEvent): void => {
        if (e.type === 'transfer-finished' && groupOf(e.from) !== groupOf(e.to)) cross += e.bytes;
      };
      const t0 = performance.now();
      const r = await runScenario(scenario, getStrategy(name), { onEvent, mode });
      process.stderr.write(`    ${sc.name} ${name} ${mode}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      runs.push({
        mode,
        success: r.success,
        makespan: r.makespanSeconds,
        bytes: r.bytesTransferred,
        crossGroupBytes: cross,
        egressCost: r.egressCost,
        rounds: r.rounds,
        transfers: r.transfersStarted,
        wallSeconds: (performance.now() - t0) / 1000,
      });
    }
    const best = runs.reduce(better);
    rows.push({
      ...best,
      strategy: name,
      bound: lb.seconds,
      fluidBound,
      ratio: best.makespan / lb.seconds,
      ratioToFluid: best.makespan / fluidBound,
      runs,
    });
  }
  return { scenario: sc.name, what: sc.what, rows };
}

/** Runs scenarios in `jobs` child processes, keeping the scenario order in the output. */
async function runAll(list: readonly BenchScenario[], jobs: number): Promise<ScenarioResult[]> {
  const self = fileURLToPath(import.meta.url);
  const out: ScenarioResult[] = new Array<ScenarioResult>(list.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      const sc = list[i]!;
      const t0 = performance.now();
      const { stdout } = await execa(process.execPath, ['--import', 'tsx', self, '--one', sc.name], {
        stderr: 'inherit',
      });
      out[i] = JSON.parse(stdout.trim().split('\n').at(-1)!) as ScenarioResult;
      process.stderr.write(`  ${sc.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return out;
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const gb = (b: number): string => (b / 1e9).toFixed(1);

function table(results: readonly ScenarioResult[]): string {
  const names = strategyNames();
  const head = ['strategy', ...results.map((r) => r.scenario)];
  const lines = [head];
  for (const n of names) {
    lines.push([
      n,
      ...results.map((r) => {
        const row = r.rows.find((x) => x.strategy === n);
        if (!row) return '—';
        return `${fmt(row.ratio)}${row.mode === 'eager' ? 'e' : 'r'}${row.success ? '' : '!'}`;
      }),
    ]);
  }
  lines.push(['bound s', ...results.map((r) => fmt(r.rows[0]?.bound ?? NaN, 1))]);
  lines.push(['fluid bound s', ...results.map((r) => fmt(r.rows[0]?.fluidBound ?? NaN, 1))]);
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const render = (l: readonly string[]): string => l.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [render(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(render)].join('\n');
}

interface Target {
  readonly target: string;
  readonly pass: boolean;
  readonly detail: string;
}

function targets(results: readonly ScenarioResult[]): Target[] {
  const by = (sc: string): ScenarioResult | undefined => results.find((r) => r.scenario === sc);
  const row = (sc: string, s: string): Row | undefined => by(sc)?.rows.find((r) => r.strategy === s);
  const best = (sc: string, among: readonly string[]): Row | undefined =>
    by(sc)
      ?.rows.filter((r) => among.includes(r.strategy) && r.success)
      .reduce<Row | undefined>((a, r) => (!a || r.makespan < a.makespan ? r : a), undefined);
  const out: Target[] = [];
  const ratioTarget = (sc: string, limit: number, label: string): void => {
    const b = best(sc, CASCADES);
    if (!b) return;
    out.push({
      target: `${label}: best ≤ ${limit}× bound`,
      pass: b.ratio <= limit,
      detail: `${b.strategy} (${b.mode}) ${fmt(b.ratio)}× (${fmt(b.makespan, 1)} s vs bound ${fmt(b.bound, 1)} s; ${fmt(b.ratioToFluid)}× the fluid terms alone, ${fmt(b.fluidBound, 1)} s)`,
    });
  };
  ratioTarget('flat-1000', 1.25, 'flat 1,000 hosts, fleet closure');
  ratioTarget('flat-1000-same', 1.25, 'flat 1,000 hosts, one closure');
  ratioTarget('heavy-tailed-1000', 1.5, 'heavy-tailed 1,000 hosts, fleet closure');
  ratioTarget('heavy-tailed-1000-same', 1.5, 'heavy-tailed 1,000 hosts, one closure');

  const ta = row('racks-200', 'topology-aware');
  const l2 = row('racks-200', 'log2-fanout');
  if (ta && l2) {
    const fewer = ta.crossGroupBytes > 0 ? l2.crossGroupBytes / ta.crossGroupBytes : Infinity;
    out.push({
      target: 'racks: topology-aware ≥ 2× fewer cross-rack bytes than log2-fanout at ≤ makespan',
      pass: fewer >= 2 && ta.makespan <= l2.makespan * (1 + 1e-9) && ta.success,
      detail: `cross-rack ${gb(ta.crossGroupBytes)} GB vs ${gb(l2.crossGroupBytes)} GB (${fmt(fewer)}× fewer); makespan ${fmt(ta.makespan, 1)} s vs ${fmt(l2.makespan, 1)} s`,
    });
  }

  const sw = row('paths-500', 'swarm');
  const l5 = row('paths-500', 'log2-fanout');
  if (sw && l5) {
    const speedup = l5.makespan / sw.makespan;
    out.push({
      target: '500-path closure, flow: swarm ≥ 1.3× faster than log2-fanout',
      pass: speedup >= 1.3 && sw.success,
      detail: `swarm ${fmt(sw.makespan, 1)} s vs log2-fanout ${fmt(l5.makespan, 1)} s (${fmt(speedup)}×)`,
    });
  }

  const pp = row('flat-100', 'push-parallel');
  if (pp) {
    for (const s of CASCADES) {
      const r = row('flat-100', s);
      if (!r) continue;
      const speedup = pp.makespan / r.makespan;
      const note = s === 'steiner-greedy' ? ' (by definition no per-sender cap: the uplink-contention demo)' : '';
      out.push({
        target: `100 hosts, deployer uplink = host's: ${s} ≥ 5× faster than push-parallel`,
        pass: speedup >= 5 && r.success,
        detail: `${fmt(r.makespan, 1)} s vs ${fmt(pp.makespan, 1)} s (${fmt(speedup)}×)${note}`,
      });
    }
  }

  for (const r of results) {
    const bn = best(r.scenario, NEW);
    const br = best(r.scenario, REFERENCE);
    if (!bn || !br) continue;
    out.push({
      target: `${r.scenario}: best new strategy beats best reference strategy`,
      pass: bn.makespan < br.makespan * (1 - 1e-9),
      detail: `${bn.strategy} ${fmt(bn.makespan, 2)} s vs ${br.strategy} ${fmt(br.makespan, 2)} s (${fmt(br.makespan / bn.makespan, 3)}×)`,
    });
  }
  return out;
}

const argv = process.argv.slice(2);
if (argv[0] === '--one') {
  const sc = scenarios.find((s) => s.name === argv[1]);
  if (!sc) throw new Error(`unknown scenario ${String(argv[1])}`);
  process.stdout.write(`${JSON.stringify(await runOne(sc))}\n`);
} else {
  const only = process.env['ONLY']?.split(',');
  const list = scenarios.filter((s) => !only || only.includes(s.name));
  const t0 = performance.now();
  const results = await runAll(list, Number(process.env['JOBS'] ?? 2));
  const checks = targets(results);
  console.log('makespan ÷ lower bound, better of round (r) and eager (e) mode (! = did not converge; — = not run)\n');
  console.log(table(results));
  console.log('\nscenarios:');
  for (const r of results) console.log(`  ${r.scenario}: ${r.what}`);
  console.log('\ntargets:');
  for (const c of checks) console.log(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.target}: ${c.detail}`);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/strategies.json',
    `${JSON.stringify({ scenarios: scenarios.filter((s) => list.includes(s)), results, targets: checks }, null, 2)}\n`,
  );
}
