/**
 * Calibration benchmark (issue 20): on a shaped N-host lab, `calibrate` measures the fleet, then every
 * strategy runs for real and in the calibrated flow model; the table gives predicted vs measured makespan,
 * the error and the per-host rank correlation, per link rate. Needs root (see scripts/install-system-deps.sh).
 *
 *   sudo npx tsx bench/calibration.ts [--hosts 8] [--rates 20mbit:64MB,100mbit:128MB] [--paths 40]
 *                                     [--strategies push-parallel,log2-fanout,level-tree,swarm:eager]
 *                                     [--probe-size 8MB] [--dir /tmp/nix-cascade-bench-calibration]
 *
 * Each `--rates` entry is RATE:CLOSURE_SIZE: every link (the deployer's included) shaped to RATE, a fresh
 * synthetic closure of CLOSURE_SIZE per run. RATE may be several joined by `+` (`20mbit+40mbit+80mbit`):
 * host hN's links get the list's entries in turn, the deployer's uplink the first (unequal hosts, whose
 * finish order the prediction can be checked on). Writes bench/results/calibration.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate, type CalibrationResult, median } from '../src/calibrate/index.js';
import { ranksAlike } from '../src/calibrate/report.js';
import { parseStrategyRuns } from '../src/cli/commands/calibrate.js';
import { loadFleetFile } from '../src/fleet/fleetFile.js';
import { labDown, labUp } from '../src/lab/index.js';
import { openRemoteContext } from '../src/remote/context.js';
import { formatRate, parseBytes } from '../src/units/units.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const hosts = Number(flag('hosts', '8'));
const rates = flag('rates', '20mbit:64MB,100mbit:128MB')
  .split(',')
  .map((e) => e.split(':') as [string, string]);
const paths = Number(flag('paths', '40'));
const strategies = parseStrategyRuns(flag('strategies', 'push-parallel,log2-fanout,level-tree,swarm:eager'));
const probeBytes = parseBytes(flag('probe-size', '8MB'));
const dir = flag('dir', '/tmp/nix-cascade-bench-calibration');
const load = (): string => execFileSync('uptime', [], { encoding: 'utf8' }).trim();

const rows: string[] = [];
const results: Record<string, unknown>[] = [];
for (const [rate, size] of rates) {
  await labDown(dir, { purge: true });
  const perHost = rate.split('+').join(',');
  const lab = await labUp({
    hosts,
    dir,
    uplink: perHost,
    downlink: perHost,
    deployerUplink: rate.split('+')[0]!,
  });
  const loadBefore = load();
  const remote = openRemoteContext({ strictHostKeyChecking: true });
  const unmultiplexed = openRemoteContext({ strictHostKeyChecking: true, multiplex: false });
  let c: CalibrationResult;
  try {
    c = await calibrate(
      {
        fleet: loadFleetFile(lab.fleetFile),
        fleetFile: 'lab',
        remote,
        unmultiplexed,
        multiplex: true,
        checkSigs: false,
        strategies,
        closureBytes: parseBytes(size),
        closurePaths: paths,
        probeBytes,
        tag: `b${process.pid.toString(36)}${rate.replaceAll('+', '-')}`,
        date: new Date().toISOString().slice(0, 10),
        progress: (line) => process.stderr.write(`${rate}: ${line}\n`),
      },
      'closure.json',
    );
  } finally {
    await remote.close();
    await unmultiplexed.close();
    await labDown(dir, { purge: true });
  }
  const m = c.measurement;
  const params =
    `measured: downlink ${formatRate(median(m.hosts.map((h) => h.downlink)), 2)}, uplink ${formatRate(median(m.hosts.map((h) => h.uplink)), 2)}, ` +
    `deployer ${formatRate(m.deployerUplink, 2)}, setup ${m.setupSeconds.deployer.toFixed(3)} / ${m.setupSeconds.peer.toFixed(3)} s, ` +
    `per path ${(m.perPathSeconds * 1e3).toFixed(1)} ms, import ${c.model.importRate === undefined ? 'not measured' : formatRate(c.model.importRate, 2)}`;
  process.stderr.write(`${rate}: ${params}\n`);
  for (const r of c.runs) {
    const row = `| ${rate} | ${size} | ${r.label} | ${r.real.makespanSeconds.toFixed(1)} | ${r.predicted.makespanSeconds.toFixed(1)} | ${r.error.percent === undefined ? '-' : `${r.error.percent >= 0 ? '+' : ''}${r.error.percent.toFixed(1)} %`} | ${r.rankCorrelation === undefined ? '-' : r.rankCorrelation.toFixed(2)} |`;
    rows.push(row);
    process.stderr.write(`${row}\n`);
  }
  results.push({
    rate,
    closureSize: size,
    loadBefore,
    loadAfter: load(),
    measurement: m,
    model: c.model,
    sameRanking: ranksAlike(c) ?? null,
    params,
    runs: c.runs.map((r) => ({
      strategy: r.label,
      success: r.real.success && r.verified,
      measuredSeconds: r.real.makespanSeconds,
      predictedSeconds: r.predicted.makespanSeconds,
      errorPercent: r.error.percent ?? null,
      rankCorrelation: r.rankCorrelation ?? null,
      perHost: r.perHost,
    })),
  });
  rows.push(
    `| ${rate} | | ranking as real: ${{ true: 'yes', false: 'NO', undefined: '- (one strategy)' }[String(ranksAlike(c))]} | | | | |`,
  );
}

process.stdout.write(
  [
    `${hosts} lab hosts, ${paths}-path synthetic closures, probes of ${(probeBytes / 1e6).toFixed(0)} MB, ssh multiplexing on`,
    ...results.map(
      (r) => `${String(r['rate'])}: ${String(r['params'])}; load before ${String(r['loadBefore'])}`,
    ),
    '',
    '| links | closure | strategy | measured (s) | predicted (s) | error | host order ρ |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'calibration.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ hosts, paths, probeBytes, results }, null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
