/**
 * Simulator scale benchmark (issues 3 and 22): whole runs of `log2-fanout` (and path-level `swarm`) through
 * the coordinator and the simulated executor, with the trace recorded as the CLI records it (every event
 * encoded as JSON Lines and hashed; written to a file too with TRACE_DIR=dir). Each case runs REPEAT times
 * (default 3), each time in a fresh child process so peak RSS is the case's own; the table shows the
 * fastest repeat (the machine is shared), the least CPU time of the run and the least peak RSS. Then it fits the exponent of run time
 * against hosts over the round-model cases (least squares on log-log). Writes bench/results/sim-scale.json.
 * Not a test: nothing here asserts on time. Usage: `npx tsx bench/sim-scale.ts` (env ONLY=name,name to pick
 * cases, opt-in ones included; REPEAT=n).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { EventSink } from '../src/core/events.js';
import { buildScenario, parseScenario, runScenario } from '../src/sim/scenario.js';
import { getStrategy } from '../src/strategies/registry.js';
import { JsonlFileSink, TraceHasher } from '../src/trace/jsonl.js';

interface Case {
  readonly name: string;
  readonly hosts: number;
  readonly network: 'round' | 'flow';
  readonly mode: 'round' | 'eager';
  readonly strategy: string;
  readonly target: string;
  /** Part of the exponent fit. */
  readonly fit?: true;
  /** Store paths in the closure (default 20). */
  readonly paths?: number;
  /** Runs only when named in ONLY (too slow for the default set). */
  readonly optIn?: true;
}

const round = (name: string, hosts: number, target: string): Case => ({
  name,
  hosts,
  network: 'round',
  mode: 'round',
  strategy: 'log2-fanout',
  target,
  fit: true,
});

const cases: Case[] = [
  round('round-10k', 10_000, '(fit)'),
  round('round-30k', 30_000, '(fit)'),
  round('round-100k', 100_000, '< 1 s'),
  round('round-300k', 300_000, '(fit)'),
  round('round-1m', 1_000_000, '< 10 s, < 1 GiB'),
  { name: 'flow-1k', hosts: 1_000, network: 'flow', mode: 'round', strategy: 'log2-fanout', target: '< 5 s' },
  { name: 'flow-1k-eager', hosts: 1_000, network: 'flow', mode: 'eager', strategy: 'log2-fanout', target: '(no target)' },
  // Path level: every plan call ranks paths and matches holders to receivers one path at a time.
  { name: 'swarm-flow-1k', hosts: 1_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
  { name: 'swarm-flow-4k', hosts: 4_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
  { name: 'swarm-flow-10k', hosts: 10_000, network: 'flow', mode: 'round', strategy: 'swarm', target: '(no target)' },
  // Eager mode plans after every outcome (13,624 calls at 1,000 hosts): per-call work is what counts.
  // 60 paths is `simulate`'s default closure; the 10,000-host case runs only when ONLY names it.
  ...(
    [
      ['swarm-flow-eager-1k', 1_000, 60, '< 2 s'],
      ['swarm-flow-eager-2k', 2_000, 60, '(no target)'],
      ['swarm-flow-eager-10k', 10_000, 500, '< 60 s'],
    ] as const
  ).map(
    ([name, hosts, paths, target]): Case => ({
      name,
      hosts,
      network: 'flow',
      mode: 'eager',
      strategy: 'swarm',
      target,
      paths,
      ...(hosts > 2_000 ? { optIn: true as const } : {}),
    }),
  ),
];

interface Measure {
  buildSeconds: number;
  runSeconds: number;
  /** CPU seconds of the run (all threads: GC helpers included); steadier than wall time on a busy machine. */
  runCpuSeconds: number;
  peakRssMiB: number;
  events: number;
  rounds: number;
  makespan: number;
  done: number;
  sha256: string;
}

/** One case in this process (the child's job). */
async function measure(c: Case): Promise<Measure> {
  const t0 = performance.now();
  const spec = parseScenario({
    seed: 1,
    topology: { preset: 'flat', hosts: c.hosts },
    closure: { totalMB: 1000, paths: c.paths ?? 20, roles: 1, perHost: false },
    network: c.network,
    mode: c.mode,
  });
  const scenario = buildScenario(spec);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const dir = process.env['TRACE_DIR'];
  const file = dir === undefined ? undefined : new JsonlFileSink(`${dir}/${c.name}.jsonl`);
  const hasher = file ? undefined : new TraceHasher();
  const sink: EventSink = file ? file.sink : hasher!.sink;
  const result = await runScenario(scenario, getStrategy(c.strategy), { onEvent: sink });
  file?.close();
  const sha256 = file ? file.sha256() : hasher!.digest();
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    buildSeconds: (t1 - t0) / 1000,
    runSeconds: (t2 - t1) / 1000,
    runCpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    events: file ? file.count : hasher!.count,
    rounds: result.rounds,
    makespan: result.makespanSeconds,
    done: result.hostsDone,
    sha256,
  };
}

const child = process.env['SIM_SCALE_CASE'];
if (child !== undefined) {
  const c = cases.find((x) => x.name === child)!;
  process.stdout.write(`${JSON.stringify(await measure(c))}\n`);
} else {
  const only = process.env['ONLY']?.split(',');
  const repeat = Number(process.env['REPEAT'] ?? 3);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error(`REPEAT must be a whole number ≥ 1, not "${process.env['REPEAT']}"`);
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (const c of cases.filter((x) => (only ? only.includes(x.name) : !x.optIn))) {
    const runs: Measure[] = [];
    for (let i = 0; i < repeat; i++) {
      // A fresh process per repeat: peak RSS is the case's own, and no run warms the next one's JIT.
      const { stdout } = await execa(process.execPath, [...process.execArgv, self], {
        env: { SIM_SCALE_CASE: c.name },
        stderr: 'inherit',
      });
      runs.push(JSON.parse(stdout) as Measure);
    }
    const min = (f: (m: Measure) => number): number => Math.min(...runs.map(f));
    const first = runs[0]!;
    if (runs.some((r) => r.sha256 !== first.sha256)) throw new Error(`${c.name}: traces differ between repeats`);
    rows.push({
      case: c.name,
      hosts: c.hosts,
      network: c.network,
      mode: c.mode,
      strategy: c.strategy,
      buildSeconds: +min((m) => m.buildSeconds).toFixed(3),
      runSeconds: +min((m) => m.runSeconds).toFixed(3),
      runCpuSeconds: +min((m) => m.runCpuSeconds).toFixed(3),
      totalSeconds: +min((m) => m.buildSeconds + m.runSeconds).toFixed(3),
      peakRssMiB: Math.round(min((m) => m.peakRssMiB)),
      events: first.events,
      rounds: first.rounds,
      makespan: +first.makespan.toFixed(3),
      done: first.done,
      trace: first.sha256.slice(0, 12),
      target: c.target,
      fit: c.fit === true,
    });
    console.error(`${c.name}: run ${rows.at(-1)!.runSeconds} s (min of ${repeat})`);
  }
  console.table(rows.map(({ fit: _fit, ...r }) => r));
  const fitted = rows.filter((r) => r.fit && r.runSeconds > 0);
  const fit = fitted.length >= 2 ? powerFit(fitted.map((r) => [r.hosts, r.runSeconds])) : undefined;
  if (fit) {
    console.log(
      `run seconds ≈ ${fit.a.toExponential(3)} · hosts^${fit.exponent.toFixed(3)} ` +
        `(${fitted[0]!.hosts}–${fitted.at(-1)!.hosts} hosts, ${fitted.length} points; target exponent ≤ 1.15)`,
    );
  }
  mkdirSync('bench/results', { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, repeat };
  writeFileSync('bench/results/sim-scale.json', `${JSON.stringify({ machine, rows, fit }, null, 2)}\n`);
}

/** Least-squares fit of log y = log a + exponent · log x. */
function powerFit(points: ReadonlyArray<readonly [number, number]>): { a: number; exponent: number } {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const n = points.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const exponent = sxy / sxx;
  return { a: Math.exp(my - exponent * mx), exponent };
}
