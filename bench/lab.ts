/**
 * Real-lab benchmark: an N-host lab on this machine, every host (and the deployer) shaped to the same
 * uplink/downlink, one synthetic closure; each strategy delivers it for real and is shown next to the
 * simulator's prediction for the same fleet (flow model, same rates). Needs root (see
 * scripts/install-system-deps.sh).
 *
 * Before the strategies run, the fixed cost of one copy is measured on the lab itself (median of tiny
 * copies deployer → host and host → host, with and without ssh multiplexing) and written to the JSON as
 * `setupSeconds`: real makespans include it once per copy; the "simulated + setup" column charges the
 * larger of the two measured costs per transfer (the simulator's `setupSeconds`).
 *
 *   npx tsx bench/lab.ts [--hosts 8] [--rate 100mbit] [--size-mb 128] [--paths 40]
 *                        [--strategies push-parallel,log2-fanout,swarm:eager,...] [--multiplex true|false]
 *                        [--dir /tmp/nix-cascade-bench-lab]
 *
 * A strategy may carry its mode after a colon (`swarm:eager`); the default mode is round.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClosureGraph } from '../src/core/closure.js';
import { runCascade } from '../src/core/coordinator.js';
import { coreFleet, flatTopology, runRealCascade } from '../src/executor/cascade.js';
import { closureInfo } from '../src/remote/store.js';
import { loadFleetFile } from '../src/fleet/fleetFile.js';
import { NixCopyExecutor } from '../src/executor/nixCopyExecutor.js';
import type { RealFleet } from '../src/fleet/realFleet.js';
import type { RunMode } from '../src/core/strategy.js';
import { buildSyntheticClosure, labDown, labUp } from '../src/lab/index.js';
import { SimExecutor } from '../src/sim/executor.js';
import { getStrategy } from '../src/strategies/registry.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const hosts = Number(flag('hosts', '8'));
const rate = flag('rate', '100mbit');
/** Megabytes (10⁶ bytes), as `lab closure --size-mb` reads them; the lab's builder takes MiB. */
const sizeMb = Number(flag('size-mb', '128'));
const paths = Number(flag('paths', '40'));
const strategies = flag('strategies', 'push-parallel,log2-fanout,level-tree,swarm,swarm:eager').split(',');
const multiplex = flag('multiplex', 'true') !== 'false';
const dir = flag('dir', '/tmp/nix-cascade-bench-lab');
const load = (): string => execFileSync('uptime', [], { encoding: 'utf8' }).trim();
const loadBefore = load();

/** Median seconds of `n` single-path copies `from` → `to`, each of a different tiny path. */
async function medianCopy(
  fleet: RealFleet,
  from: string,
  to: string,
  tiny: readonly string[],
  mux: boolean,
): Promise<number> {
  const ex = new NixCopyExecutor({ fleet, checkSigs: false, multiplex: mux });
  const xs: number[] = [];
  try {
    for (const [i, p] of tiny.entries()) {
      const t0 = performance.now();
      ex.start([{ id: i, from, to, paths: [p], bytes: 0, round: 0 }]);
      const o = await ex.next();
      if (!o.ok) throw new Error(`setup measurement copy failed: ${o.cause.message}`);
      xs.push((performance.now() - t0) / 1000);
    }
  } finally {
    await ex.close();
  }
  // The first copy of a multiplexed pair opens the master connection: measured, but not the median.
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

/**
 * Fixed per-copy cost on this lab: tiny paths copied one by one in reference order, so each copy brings
 * exactly one new path (its references are there already).
 */
async function measureSetup(fleet: RealFleet): Promise<Record<string, number>> {
  const { toplevel } = await buildSyntheticClosure({
    sizeMb: 0.05,
    paths: 41,
    seed: `bench-setup-${process.pid}`,
  });
  const graph = new ClosureGraph(await closureInfo([toplevel]));
  const leaves = graph.closureOf([toplevel]);
  const [a, b] = [fleet.hosts[0]!.id, fleet.hosts[1]!.id];
  const out: Record<string, number> = {};
  for (const [k, mux] of [
    ['', true],
    ['Unmultiplexed', false],
  ] as const) {
    const set = mux ? leaves.slice(0, 10) : leaves.slice(20, 30);
    const first = set.slice(0, 5);
    const second = set.slice(5, 10);
    // Deployer → a, then a → b of the same paths (a holds them by then).
    out[`deployer${k}`] = await medianCopy(fleet, fleet.deployer.id, a, first, mux);
    await medianCopy(fleet, fleet.deployer.id, a, second, mux);
    out[`peer${k}`] = await medianCopy(fleet, a, b, [...first, ...second].slice(0, 5), mux);
  }
  return out;
}

await labDown(dir, { purge: true });
const lab = await labUp({ hosts, dir, uplink: rate, downlink: rate, deployerUplink: rate });
const rows: string[] = [];
const results: Array<Record<string, unknown>> = [];
const setupSeconds: Record<string, number> = {};
try {
  const fleet = loadFleetFile(lab.fleetFile);
  Object.assign(setupSeconds, await measureSetup(fleet));
  process.stderr.write(`setup seconds per copy: ${JSON.stringify(setupSeconds)}\n`);
  // The measurement left tiny paths on h1/h2; they are not part of any strategy's closure.
  for (const entry of strategies) {
    const [name, modeRaw] = entry.split(':') as [string, string | undefined];
    const mode: RunMode = modeRaw === 'eager' ? 'eager' : 'round';
    // A fresh closure per run, so no host holds anything at the start.
    const { toplevel } = await buildSyntheticClosure({
      sizeMb: (sizeMb * 1e6) / 2 ** 20,
      paths,
      seed: `bench-${name}-${mode}`,
    });
    const graph = new ClosureGraph(await closureInfo([toplevel]));
    const closure = graph.closureOf([toplevel]);
    const simFleet = coreFleet(fleet, closure, new Map([[fleet.deployer.id, closure]]));
    // The simulator's prediction, ideal (no fixed cost) and charging the measured per-copy cost.
    const simulate = (setup: number): ReturnType<typeof runCascade> =>
      runCascade({
        fleet: simFleet,
        closure: graph,
        topology: flatTopology(simFleet),
        strategy: getStrategy(name),
        mode,
        executor: new SimExecutor({
          hosts: simFleet.hosts,
          topology: flatTopology(simFleet),
          closure: graph,
          network: 'flow',
          setupSeconds: setup,
        }),
      });
    const predicted = await simulate(0);
    const withSetup = await simulate(Math.max(setupSeconds['deployer'] ?? 0, setupSeconds['peer'] ?? 0));
    const cpu0 = cpuTicks();
    const real = await runRealCascade({
      fleet,
      strategy: getStrategy(name),
      mode,
      paths: [toplevel],
      checkSigs: false,
      healthCheck: false,
      multiplex,
    });
    const r = real.result;
    const cpu1 = cpuTicks();
    // Share of the machine's CPU time that was busy during the real run: near 1 means the lab (all hosts
    // on this machine's cores) was CPU-bound, not network-bound.
    const cpuBusy = (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total);
    rows.push(
      `| ${name} | ${mode} | ${r.success ? 'yes' : 'NO'} | ${r.rounds} | ${r.makespanSeconds.toFixed(1)} | ${predicted.makespanSeconds.toFixed(1)} | ${withSetup.makespanSeconds.toFixed(1)} | ${r.lowerBound.seconds.toFixed(1)} | ${(r.bytesTransferred / 1e6).toFixed(0)} | ${(cpuBusy * 100).toFixed(0)} % |`,
    );
    results.push({
      strategy: name,
      mode,
      success: r.success,
      verified: [...real.verified.values()].every(Boolean),
      rounds: r.rounds,
      realSeconds: r.makespanSeconds,
      simulatedSeconds: predicted.makespanSeconds,
      simulatedWithSetupSeconds: withSetup.makespanSeconds,
      cpuBusy,
      lowerBoundSeconds: r.lowerBound.seconds,
      bytesTransferred: r.bytesTransferred,
      transfersStarted: r.transfersStarted,
      transfersFailed: r.transfersFailed,
      perHostSeconds: Object.fromEntries(real.perHostSeconds),
    });
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
} finally {
  await labDown(dir, { purge: true });
}
process.stdout.write(
  [
    `${hosts} lab hosts, every link (deployer included) ${rate}, ${sizeMb} MB closure of ${paths} paths, ssh multiplexing ${multiplex ? 'on' : 'off'}`,
    `fixed cost per copy (s): ${JSON.stringify(setupSeconds)}; load before: ${loadBefore}; after: ${load()}`,
    '',
    '| strategy | mode | all done | rounds | real makespan (s) | simulated (s) | simulated + setup (s) | lower bound (s) | MB moved | CPU busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);

const push = results.find((r) => r.strategy === 'push-parallel' && r.mode === 'round');
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'lab.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      hosts,
      rate,
      sizeMb,
      paths,
      multiplex,
      /** Median seconds one tiny copy takes on this lab (not modelled by the simulator). */
      setupSeconds,
      loadBefore,
      loadAfter: load(),
      results: results.map((r) => ({
        ...r,
        speedupVsPushParallel: push ? Number(push['realSeconds']) / Number(r['realSeconds']) : null,
      })),
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`wrote ${out}\n`);

/** Busy and total CPU ticks of the whole machine, from /proc/stat (all cores). */
function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}
