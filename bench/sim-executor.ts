/**
 * Throughput of the simulated executor (not a timed test): how long the event core and each network
 * model take to carry many transfers. Prints a table and writes bench/results/sim-executor.json.
 *
 *   npx tsx bench/sim-executor.ts
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { ClosureGraph } from '../src/core/closure.js';
import type { Topology } from '../src/core/topology.js';
import type { Host, Outcome, Transfer } from '../src/core/types.js';
import { SimExecutor } from '../src/sim/executor.js';
import type { FailureSchedule } from '../src/sim/failures.js';
import { compileFailureSchedule } from '../src/sim/failures.js';
import type { NetworkModelKind } from '../src/sim/network/model.js';
import { chainClosure, makeHosts, simpleTopology } from '../test/sim/helpers/simpleTopology.js';

interface Case {
  readonly name: string;
  readonly network: NetworkModelKind;
  readonly hosts: number;
  readonly transfers: number;
  /** `rounds`: batches of one send per host, drained before the next; `eager`: keep `inFlight` running. */
  readonly drive: 'rounds' | 'eager';
  readonly inFlight?: number;
  readonly topology: 'flat' | 'racks';
  readonly failures?: unknown;
}

const MB = 1e6;
const closure: ClosureGraph = chainClosure([4 * MB, 2 * MB, 1 * MB, 3 * MB]);
const PATHS = ['p0', 'p1', 'p2', 'p3'];

function topologyFor(c: Case, hosts: readonly Host[]): Topology {
  const ids = hosts.map((h) => h.id);
  if (c.topology === 'flat') return simpleTopology({ hosts: ids, accessLatency: 0.0005 });
  // 10 racks behind one core switch; each rack uplink carries 10 hosts' worth (oversubscribed 10:1).
  const racks = 10;
  const attach: Record<string, string> = {};
  ids.forEach((id, i) => (attach[id] = `rack${i % racks}`));
  const links = Array.from({ length: racks }, (_, r) => ({
    from: `rack${r}`,
    to: 'core',
    bandwidth: 10 * 100 * MB,
    latency: 0.0002,
    both: true,
  }));
  return simpleTopology({ hosts: ids, attach, links, accessLatency: 0.0005 });
}

/** A deterministic pseudo-random receiver for sender i, transfer k (no self-sends). */
function peer(i: number, k: number, n: number): number {
  return (i + 1 + ((k * 7919 + i * 104729) % (n - 1))) % n;
}

function runCase(c: Case): {
  seconds: number;
  cpuSeconds: number;
  outcomes: number;
  failed: number;
  simSeconds: number;
  trace: string;
} {
  const hosts = makeHosts(c.hosts, 100 * MB, 200 * MB);
  const topology = topologyFor(c, hosts);
  const failures: FailureSchedule | undefined =
    c.failures === undefined ? undefined : compileFailureSchedule(c.failures, { hosts });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const ex = new SimExecutor({
    hosts,
    topology,
    closure,
    network: c.network,
    seed: 1,
    ...(failures ? { failures } : {}),
  });
  const bytes = closure.bytes(PATHS);
  const mk = (id: number, round: number): Transfer => {
    const i = id % c.hosts;
    return { id, from: `h${i}`, to: `h${peer(i, id, c.hosts)}`, paths: PATHS, bytes, round };
  };
  let outcomes = 0;
  // Every outcome (transfer, time, ok) in order, hashed after the clock stops: equal hashes = identical runs.
  const log: Outcome[] = [];
  let failed = 0;
  let id = 0;
  if (c.drive === 'rounds') {
    for (let round = 0; id < c.transfers; round++) {
      const batch: Transfer[] = [];
      for (let k = 0; k < c.hosts && id < c.transfers; k++) batch.push(mk(id++, round));
      ex.start(batch);
      while (ex.active > 0) {
        const o = ex.nextSync();
        log.push(o);
        if (!o.ok) failed++;
        outcomes++;
      }
    }
  } else {
    const inFlight = c.inFlight ?? c.hosts;
    const first: Transfer[] = [];
    while (id < Math.min(inFlight, c.transfers)) first.push(mk(id++, 0));
    ex.start(first);
    let plans = 1;
    while (ex.active > 0) {
      const o = ex.nextSync();
      log.push(o);
      if (!o.ok) failed++;
      outcomes++;
      if (id < c.transfers) ex.start([mk(id++, plans++)]);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const hash = createHash('sha256');
  for (const o of log) hash.update(`${o.transfer} ${o.at} ${o.ok}\n`);
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    outcomes,
    failed,
    simSeconds: ex.now(),
    trace: hash.digest('hex').slice(0, 12),
  };
}

const cases: Case[] = [
  {
    name: 'round, 1k hosts, 100k transfers, rounds',
    network: 'round',
    hosts: 1000,
    transfers: 100_000,
    drive: 'rounds',
    topology: 'flat',
  },
  {
    name: 'round, 10k hosts, 100k transfers, eager',
    network: 'round',
    hosts: 10_000,
    transfers: 100_000,
    drive: 'eager',
    topology: 'flat',
  },
  {
    name: 'round, 1k hosts, 100k transfers, random 10% failures',
    network: 'round',
    hosts: 1000,
    transfers: 100_000,
    drive: 'rounds',
    topology: 'flat',
    failures: { kind: 'random', probability: 0.1 },
  },
  {
    name: 'flow, 1k hosts, 20k transfers, rounds (flat)',
    network: 'flow',
    hosts: 1000,
    transfers: 20_000,
    drive: 'rounds',
    topology: 'flat',
  },
  {
    name: 'flow, 1k hosts, 30k transfers, eager (flat)',
    network: 'flow',
    hosts: 1000,
    transfers: 30_000,
    drive: 'eager',
    topology: 'flat',
  },
  {
    name: 'flow, 1k hosts, 20k transfers, rounds (racks)',
    network: 'flow',
    hosts: 1000,
    transfers: 20_000,
    drive: 'rounds',
    topology: 'racks',
  },
  {
    name: 'flow, 1k hosts, 20k transfers, eager 200 in flight (racks)',
    network: 'flow',
    hosts: 1000,
    transfers: 20_000,
    drive: 'eager',
    inFlight: 200,
    topology: 'racks',
  },
];

const REPEATS = Number(process.env['REPEATS'] ?? 3);
const only = process.env['ONLY'];
const rows = cases
  .filter((_, i) => only === undefined || only.split(',').includes(String(i)))
  .map((c) => {
    const runs = Array.from({ length: REPEATS }, () => runCase(c));
    const times = runs.map((r) => r.seconds).sort((a, b) => a - b);
    const r = runs[0]!;
    return {
      case: c.name,
      network: c.network,
      hosts: c.hosts,
      transfers: c.transfers,
      outcomes: r.outcomes,
      failed: r.failed,
      simulatedSeconds: Number(r.simSeconds.toFixed(3)),
      trace: r.trace,
      medianSeconds: Number(times[Math.floor(REPEATS / 2)]!.toFixed(3)),
      minSeconds: Number(times[0]!.toFixed(3)),
      minCpuSeconds: Number(Math.min(...runs.map((x) => x.cpuSeconds)).toFixed(3)),
      transfersPerSecond: Math.round(c.transfers / times[Math.floor(REPEATS / 2)]!),
    };
  });

console.table(rows);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'sim-executor.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'sim-executor', node: process.version, repeats: REPEATS, rows }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
