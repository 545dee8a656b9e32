/**
 * Worked study: how close does each strategy get to the lower bound as the fleet grows from 10 to 100,000
 * hosts, pushing from the deployer (colmena / deploy-rs style) versus cascades?
 *
 * Run: `npx tsx notebooks/scaling.ts [--smoke] [outDir]` (default reports/notebooks/scaling). It
 * regenerates `scaling.json` (the data), `scaling.svg/png` (makespan by fleet size), `ratio.svg/png`
 * (makespan ÷ lower bound by fleet size) and a self-contained `index.html`.
 */
import type { ScenarioInput } from '../src/sim/scenario.js';
import { scalingSpec, type ScalingPoint } from '../src/trace/trendCharts.js';
import {
  label,
  lineChart,
  round,
  runGrid,
  studyArgs,
  writeStudy,
  type Contender,
  type GridCell,
} from './lib.js';

const { smoke, outDir } = studyArgs('scaling');
const sizes = smoke ? [10, 100] : [10, 100, 1_000, 10_000, 100_000];
/**
 * Eager path-level runs re-plan after every outcome; past this many hosts they take minutes to
 * simulate today (issue 22), so their lines stop here.
 */
const EAGER_LIMIT = 1_000;
/**
 * From this size on the whole-closure strategies run in the round network model: on a flat LAN where every
 * transfer of a round has its own sender and receiver it gives the flow model's answer (checked below at
 * the size before), and the flow model's per-event work makes 100,000 hosts slow.
 */
const ROUND_MODEL_FROM = 10_000;

/**
 * Push's line is straight (hosts ÷ 8 copy times) and every one of its rounds re-plans over the whole fleet,
 * so 100,000 hosts (12,500 rounds) take many minutes to simulate: it stops here.
 */
const PUSH_LIMIT = 10_000;
const push: Contender = { strategy: 'push-parallel', mode: 'round' };
const batch: Contender[] = [
  push,
  { strategy: 'log2-fanout', mode: 'round' },
  { strategy: 'level-tree', mode: 'round' },
  { strategy: 'max-bottleneck-spanning', mode: 'round' },
];
const eager: Contender[] = [
  { strategy: 'fastest-first', mode: 'eager' },
  { strategy: 'swarm', mode: 'eager' },
];
const series = ['lower bound', ...[...batch, ...eager].map(label)];

// A 1 Gbit/s LAN; every host wants the same 1 GB closure of 60 paths; the deployer's uplink equals a host's.
const scenario = (hosts: number, network: 'flow' | 'round'): ScenarioInput => ({
  seed: 1,
  topology: { preset: 'flat', hosts },
  closure: { totalMB: smoke ? 100 : 1000, paths: smoke ? 10 : 60, roles: 1, perHost: false },
  network,
  // Push at 100,000 hosts is 12,500 rounds of 8 copies: far past the default 1,000-round limit.
  limits: { maxRounds: 1_000_000 },
});

interface Point {
  readonly hosts: number;
  readonly series: string;
  readonly seconds: number;
  readonly network: 'flow' | 'round';
}
const points: Point[] = [];
const ratios: ScalingPoint[] = [];
/** At the last size run in both network models: the largest relative difference between their makespans. */
let modelCheck: { hosts: number; largestDifference: number } | undefined;

/** Per size: the main cell (push left out past its limit), the eager cell, and the round-model check. */
const modelCheckAt = (hosts: number) =>
  hosts < ROUND_MODEL_FROM && sizes.includes(hosts * 10) && hosts * 10 >= ROUND_MODEL_FROM;
const cells = sizes.map((hosts): Record<'main' | 'eager' | 'check', GridCell | undefined> => ({
  main: {
    input: scenario(hosts, hosts >= ROUND_MODEL_FROM ? 'round' : 'flow'),
    contenders: hosts <= PUSH_LIMIT ? batch : batch.filter((c) => c !== push),
  },
  eager: hosts <= EAGER_LIMIT ? { input: scenario(hosts, 'flow'), contenders: eager } : undefined,
  check: modelCheckAt(hosts) ? { input: scenario(hosts, 'round'), contenders: batch } : undefined,
}));
// One grid over every core: the sizes' runs do not depend on each other.
const grid = cells.flatMap((c) => [c.main, c.eager, c.check].filter((x) => x !== undefined));
const gridRuns = await runGrid(grid);
const runsOf = (cell: GridCell | undefined) => (cell === undefined ? [] : gridRuns[grid.indexOf(cell)]!);

sizes.forEach((hosts, i) => {
  const runs = [...runsOf(cells[i]!.main), ...runsOf(cells[i]!.eager)];
  points.push({
    hosts,
    series: 'lower bound',
    seconds: round(runs[0]!.result.lowerBound.seconds),
    network: runs[0]!.spec.network,
  });
  for (const run of runs) {
    // A run that stopped early has no makespan to draw; the table says so.
    if (!run.result.success)
      throw new Error(`${label(run.contender)} did not finish on ${hosts} hosts: ${run.result.reason}`);
    const seconds = run.result.makespanSeconds;
    points.push({ hosts, series: label(run.contender), seconds: round(seconds), network: run.spec.network });
    ratios.push({ strategy: label(run.contender), hosts, ratio: round(run.result.ratioToLowerBound, 3) });
  }
  const other = runsOf(cells[i]!.check);
  if (other.length > 0) {
    const diff = other.map((r, j) =>
      Math.abs(r.result.makespanSeconds / runs[j]!.result.makespanSeconds - 1),
    );
    modelCheck = { hosts, largestDifference: Math.max(...diff) };
  }
});

const makespan = lineChart({
  title: 'Time to deliver a 1 GB closure on a 1 Gbit/s LAN',
  points,
  x: { field: 'hosts', title: 'target hosts', log: true },
  y: { field: 'seconds', title: 'makespan (s)', log: true },
  series,
});
const ratio = scalingSpec(ratios, { title: 'Makespan ÷ lower bound by fleet size' });
const columns = ['hosts', ...series];
const rows = sizes.map((h) => [
  h,
  ...series.map((s) => points.find((p) => p.hosts === h && p.series === s)?.seconds ?? '-'),
]);

await writeStudy({
  outDir,
  name: 'scaling',
  title: 'Scaling: push versus cascade',
  data: {
    smoke,
    sizes,
    eagerLimit: EAGER_LIMIT,
    pushLimit: PUSH_LIMIT,
    roundModelFrom: ROUND_MODEL_FROM,
    modelCheck,
    points,
    ratios,
  },
  charts: [
    { file: 'scaling', heading: 'Makespan by fleet size', spec: makespan },
    { file: 'ratio', heading: 'Makespan ÷ lower bound by fleet size', spec: ratio },
  ],
  sections: [
    {
      heading: 'Question',
      text:
        'Pushing from the deployer to every host costs N copies through one uplink, so it grows linearly with the fleet. ' +
        'A cascade lets holders forward, so whole-closure strategies grow with log2(N) copy times, and path-level ' +
        "swarming approaches the fluid lower bound, which stays flat once the fleet's total uplink outgrows the closure. " +
        `Eager path-level runs stop at ${EAGER_LIMIT.toLocaleString('en')} hosts and push at ` +
        `${PUSH_LIMIT.toLocaleString('en')} (slow to simulate today); from ` +
        `${ROUND_MODEL_FROM.toLocaleString('en')} hosts the whole-closure strategies run in the round network model` +
        (modelCheck
          ? `, which at ${modelCheck.hosts.toLocaleString('en')} hosts differs from the flow model by at most ` +
            `${(100 * modelCheck.largestDifference).toFixed(2)} %.`
          : '.'),
    },
    { heading: 'Makespan by fleet size', chart: makespan },
    { heading: 'Makespan ÷ lower bound by fleet size', chart: ratio },
    { heading: 'Numbers (seconds)', table: { columns, rows } },
  ],
});
console.table(rows.map((r) => Object.fromEntries(columns.map((k, i) => [k, r[i]]))));
