/**
 * Real-lab benchmark: an N-host lab on this machine, every host (and the deployer) shaped to the same
 * uplink/downlink, one synthetic closure; each strategy delivers it for real and is shown next to the
 * simulator's prediction for the same fleet (flow model, same rates). Needs root (see
 * scripts/install-system-deps.sh).
 *
 *   npx tsx bench/lab.ts [--hosts 8] [--rate 100mbit] [--size-mb 128] [--paths 40]
 *                        [--strategies push-parallel,log2-fanout,...] [--dir /tmp/nix-cascade-bench-lab]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClosureGraph } from '../src/core/closure.js';
import { runCascade } from '../src/core/coordinator.js';
import { coreFleet, flatTopology, runRealCascade } from '../src/executor/cascade.js';
import { closureInfo } from '../src/executor/discover.js';
import { loadFleetFile } from '../src/executor/fleetFile.js';
import { buildSyntheticClosure, labDown, labUp } from '../src/executor/lab/index.js';
import { SimExecutor } from '../src/sim/executor.js';
import { getStrategy } from '../src/strategies/registry.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const hosts = Number(flag('hosts', '8'));
const rate = flag('rate', '100mbit');
const sizeMb = Number(flag('size-mb', '128'));
const paths = Number(flag('paths', '40'));
const strategies = flag('strategies', 'push-parallel,log2-fanout,level-tree,swarm').split(',');
const dir = flag('dir', '/tmp/nix-cascade-bench-lab');

await labDown(dir, { purge: true });
const lab = await labUp({ hosts, dir, uplink: rate, downlink: rate, deployerUplink: rate });
const rows: string[] = [];
const results: Array<Record<string, unknown>> = [];
try {
  const fleet = loadFleetFile(lab.fleetFile);
  for (const name of strategies) {
    // A fresh closure per strategy, so no host holds anything at the start.
    const { toplevel } = await buildSyntheticClosure({ sizeMb, paths, seed: `bench-${name}` });
    const graph = new ClosureGraph(await closureInfo([toplevel]));
    const closure = graph.closureOf([toplevel]);
    const simFleet = coreFleet(fleet, closure, new Map([[fleet.deployer.id, closure]]));
    const predicted = await runCascade({
      fleet: simFleet,
      closure: graph,
      topology: flatTopology(simFleet),
      strategy: getStrategy(name),
      executor: new SimExecutor({ hosts: simFleet.hosts, topology: flatTopology(simFleet), closure: graph, network: 'flow' }),
    });
    const real = await runRealCascade({ fleet, strategy: getStrategy(name), paths: [toplevel], checkSigs: false, healthCheck: false });
    const r = real.result;
    rows.push(
      `| ${name} | ${r.success ? 'yes' : 'NO'} | ${r.rounds} | ${r.makespanSeconds.toFixed(1)} | ${predicted.makespanSeconds.toFixed(1)} | ${r.lowerBound.seconds.toFixed(1)} | ${(r.bytesTransferred / 1e6).toFixed(0)} |`,
    );
    results.push({
      strategy: name,
      success: r.success,
      verified: [...real.verified.values()].every(Boolean),
      rounds: r.rounds,
      realSeconds: r.makespanSeconds,
      simulatedSeconds: predicted.makespanSeconds,
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
    `${hosts} lab hosts, every link (deployer included) ${rate}, ${sizeMb} MiB closure of ${paths} paths`,
    '',
    '| strategy | all done | rounds | real makespan (s) | simulated (s) | lower bound (s) | MB moved |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);

const push = results.find((r) => r.strategy === 'push-parallel');
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
