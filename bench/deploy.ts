/**
 * Deploy benchmark on a shaped lab (needs root, see scripts/install-system-deps.sh):
 *
 * 1. `deploy switch` of an N-host lab flake (two roles sharing a base each) with `--copy push` and with
 *    `--copy cascade`: the span of each stage (first start to last end, over hosts) and the whole
 *    makespan, next to what `plan` predicted for the copy beforehand. Each mode gets its own salt, so both
 *    copy everything from scratch.
 * 2. Evaluation of 10 / 100 / 500 synthetic hosts: one evaluator call for the selection (what `deploy`
 *    does) against one call per host (what the reference did).
 *
 *   npx tsx bench/deploy.ts [--hosts 8] [--rate 100mbit] [--size-mb 48] [--strategy swarm]
 *                           [--eval-sizes 10,100,500] [--dir /tmp/nix-cascade-bench-deploy]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { DeployAction } from '../src/deploy/actions.js';
import type { DagEvent } from '../src/deploy/dagTypes.js';
import { evaluateFleet, evaluateToplevels } from '../src/deploy/eval.js';
import { deploy } from '../src/deploy/pipeline.js';
import { planDeploy } from '../src/deploy/plan.js';
import { labDown, labUp, writeLabFlake, type LabFlakeSpec } from '../src/lab/index.js';
import { openRemoteContext } from '../src/remote/context.js';
import { OFFLINE_NIX_CONFIG } from '../src/remote/nixEnv.js';
import { getStrategy } from '../src/strategies/registry.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const hosts = Number(flag('hosts', '8'));
const rate = flag('rate', '100mbit');
const sizeMb = Number(flag('size-mb', '48'));
const strategyName = flag('strategy', 'swarm');
const evalSizes = flag('eval-sizes', '10,100,500').split(',').map(Number);
const dir = flag('dir', '/tmp/nix-cascade-bench-deploy');
const stateDir = join(dir, 'state');
const load = (): string => execFileSync('uptime', [], { encoding: 'utf8' }).trim();
const loadBefore = load();
process.env['NIX_CONFIG'] = OFFLINE_NIX_CONFIG;
const remote = openRemoteContext({ nixConfig: OFFLINE_NIX_CONFIG });

/** Per stage: from its first start to its last end, over hosts (seconds). */
function stageSpans(events: readonly DagEvent[]): Record<string, number> {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'stage-started' && !first.has(e.stage)) first.set(e.stage, e.at);
    if (e.type === 'stage-finished') last.set(e.stage, e.at);
  }
  return Object.fromEntries([...first].map(([s, t]) => [s, (last.get(s) ?? t) - t]));
}

async function deployOnce(flake: string, action: DeployAction, copy: 'push' | 'cascade') {
  const { fleet, broken } = await evaluateFleet(flake, remote);
  const events: DagEvent[] = [];
  const t0 = performance.now();
  const report = await deploy({
    action,
    fleet,
    flake,
    broken,
    remote,
    copy,
    strategy: getStrategy(strategyName),
    checkSigs: false,
    stateDir,
    onProgress: (e) => events.push(e),
  });
  if (!report.success) throw new Error(`deploy ${action} (${copy}) failed: ${JSON.stringify(report.hosts)}`);
  return { report, seconds: (performance.now() - t0) / 1000, spans: stageSpans(events), fleet };
}

// A previous run's directory (its lab torn down) would make labUp refuse to overwrite its keys.
if (existsSync(join(dir, 'lab', 'lab.json'))) await labDown(join(dir, 'lab'));
rmSync(dir, { recursive: true, force: true });
const lab = await labUp({ hosts, dir: join(dir, 'lab'), uplink: rate, downlink: rate, deployerUplink: rate });
const results: Record<string, unknown> = {};
try {
  const sshOptions = [
    '-i',
    lab.keyFile,
    '-o',
    `UserKnownHostsFile=${lab.knownHostsFile}`,
    '-o',
    'KexAlgorithms=curve25519-sha256',
  ];
  const spec = (salt: string): LabFlakeSpec => ({
    salt,
    generation: 'g1',
    fill: 'random',
    roles: { web: { paths: 12, sizeBytes: sizeMb * 1e6 }, db: { paths: 8, sizeBytes: (sizeMb * 1e6) / 2 } },
    hosts: lab.hosts.map((h, i) => ({
      name: h.name,
      role: i % 2 === 0 ? 'web' : 'db',
      // The link rates the lab shapes, so the plan's prediction knows them.
      deployment: { targetHost: h.address, sshOptions, cascade: { uplink: rate, downlink: rate } },
    })),
    deployer: { uplink: rate },
  });
  const rows: string[] = [];
  const copyRuns: Record<string, unknown> = {};
  for (const copy of ['push', 'cascade'] as const) {
    const flake = join(dir, `flake-${copy}`);
    writeLabFlake(flake, spec(`bench-${copy}-${process.pid}`));
    // Build first (not timed with the copy), so the plan can measure the closures.
    await deployOnce(flake, 'build', copy);
    const { fleet } = await evaluateFleet(flake, remote);
    const plan = await planDeploy({ fleet, flake, remote, strategy: getStrategy(strategyName) });
    const run = await deployOnce(flake, 'switch', copy);
    const predicted = copy === 'push' ? plan.prediction?.pushSeconds : plan.prediction?.strategySeconds;
    copyRuns[copy] = {
      spans: run.spans,
      seconds: run.seconds,
      predictedCopySeconds: predicted,
      plan: plan.prediction,
    };
    const s = run.spans;
    const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
    rows.push(
      `| ${copy === 'push' ? 'push (-p 10)' : `cascade (${strategyName})`} | ${f(s['eval'])} | ${f(s['check'])} | ${f(s['build'])} | ${f(s['copy'])} | ${f(predicted)} | ${f(s['activate'])} | ${f(run.seconds)} |`,
    );
  }
  results['copy'] = copyRuns;
  console.log(
    `\n${hosts} hosts at ${rate}, bases ${sizeMb} MB (web) / ${sizeMb / 2} MB (db), switch after a build:\n`,
  );
  console.log('| copy | eval s | check s | build s | copy s | copy predicted s | activate s | makespan s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
} finally {
  await labDown(lab.dir);
}

// Evaluation: one call for the selection vs one per host, on hosts that need no network.
const evalRows: Array<{ hosts: number; oneCall: number; perHost: number }> = [];
for (const n of evalSizes) {
  const flake = join(dir, `eval-${n}`);
  writeLabFlake(flake, {
    salt: `bench-eval-${n}`,
    generation: 'g1',
    roles: { base: { paths: 4, sizeBytes: 1000 } },
    hosts: Array.from({ length: n }, (_, i) => ({ name: `h${String(i).padStart(4, '0')}`, role: 'base' })),
  });
  const names = Array.from({ length: n }, (_, i) => `h${String(i).padStart(4, '0')}`);
  let t = performance.now();
  const all = await evaluateToplevels(flake, names, remote);
  const oneCall = (performance.now() - t) / 1000;
  t = performance.now();
  for (const name of names) await evaluateToplevels(flake, [name], remote);
  const perHost = (performance.now() - t) / 1000;
  if ([...all.values()].some((r) => !r.ok)) throw new Error('an evaluation failed');
  evalRows.push({ hosts: n, oneCall, perHost });
}
results['eval'] = evalRows;
console.log('\n| hosts | one evaluator call s | one call per host s | ratio |');
console.log('| ---: | ---: | ---: | ---: |');
for (const r of evalRows)
  console.log(
    `| ${r.hosts} | ${r.oneCall.toFixed(2)} | ${r.perHost.toFixed(1)} | ${(r.perHost / r.oneCall).toFixed(0)}× |`,
  );

await remote.close();
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'deploy.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ hosts, rate, sizeMb, strategy: strategyName, loadBefore, loadAfter: load(), ...results }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
