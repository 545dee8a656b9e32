/**
 * Worked study: failures and stragglers. Which strategies degrade gracefully: makespan and hosts left
 * without their closure as transfers fail more often, and as more hosts run slow?
 *
 * Run: `npx tsx notebooks/failures.ts [--smoke] [outDir]` (default reports/notebooks/failures). It
 * regenerates `failures.json`, four charts (`failure-makespan`, `dead-makespan`, `dead-missing`,
 * `straggler-makespan`, each .svg/.png) and `index.html`.
 */
import { deriveRng } from '../src/core/random.js';
import { buildScenario, parseScenario, type ScenarioInput } from '../src/sim/scenario.js';
import { label, lineChart, round, runGrid, studyArgs, writeStudy, type Contender } from './lib.js';

const { smoke, outDir } = studyArgs('failures');

const contenders: Contender[] = [
  { strategy: 'push-parallel', mode: 'round' },
  { strategy: 'log2-fanout', mode: 'round' },
  { strategy: 'level-tree', mode: 'round' },
  { strategy: 'max-bottleneck-spanning', mode: 'round' },
  { strategy: 'fastest-first', mode: 'eager' },
  { strategy: 'swarm', mode: 'eager' },
];
const series = contenders.map(label);
const failureRates = smoke ? [0, 0.2] : [0, 0.05, 0.1, 0.2, 0.3];
const deadShares = smoke ? [0, 0.1] : [0, 0.02, 0.05, 0.1, 0.2];
const stragglerShares = smoke ? [0, 0.25] : [0, 0.05, 0.1, 0.25, 0.5];
/** A straggler's links run at a tenth of their speed from the start. */
const STRAGGLER_FACTOR = 0.1;

const base: ScenarioInput = {
  seed: 1,
  topology: { preset: 'flat', hosts: smoke ? 20 : 100 },
  closure: { totalMB: smoke ? 100 : 1000, paths: smoke ? 10 : 60, roles: 1, perHost: false },
  network: 'flow',
};

const baseScenario = buildScenario(parseScenario(base));
/** Hosts die half-way through the lower bound: some hold paths by then and were forwarding them. */
const DEATH_TIME = round(baseScenario.lowerBound.seconds / 2, 2);

/** The first `share` of a seeded shuffle of the targets: the same hosts at every share, grown one by one. */
function pick(share: number, component: string): string[] {
  const targets = baseScenario.fleet.hosts.filter((h) => h.role === 'target').map((h) => h.id);
  const rng = deriveRng(1, `notebook/${component}`);
  const order = targets.map((id) => ({ id, key: rng() })).sort((a, b) => a.key - b.key);
  return order.slice(0, Math.round(share * targets.length)).map(({ id }) => id);
}
const stragglers = (share: number): ScenarioInput['failures'] =>
  pick(share, 'stragglers').map((host) => ({ kind: 'straggler' as const, host, factor: STRAGGLER_FACTOR }));
const deaths = (share: number): ScenarioInput['failures'] =>
  pick(share, 'deaths').map((host) => ({ kind: 'kill-host' as const, host, atTime: DEATH_TIME }));

interface Point {
  readonly sweep: 'failure rate' | 'dead share' | 'straggler share';
  readonly x: number;
  readonly series: string;
  readonly makespan: number;
  /** Live targets without their closure at the end (given up or never reached; the dead not counted). */
  readonly missing: number;
}

const sweeps: readonly [Point['sweep'], readonly number[], (x: number) => ScenarioInput['failures']][] = [
  ['failure rate', failureRates, (p) => (p > 0 ? { kind: 'random', probability: p, seed: 1 } : undefined)],
  ['dead share', deadShares, deaths],
  ['straggler share', stragglerShares, stragglers],
];
const cells = sweeps.flatMap(([sweep, xs, failures]) =>
  xs.map((x) => ({ sweep, x, input: { ...base, failures: failures(x) } })),
);
const grid = await runGrid(cells.map(({ input }) => ({ input, contenders })));
const points: Point[] = cells.flatMap(({ sweep, x }, i) =>
  grid[i]!.map(({ contender, result: r }) => {
    const dead = r.failed.filter((f) => f.code === 'host-killed').length;
    const missing = r.hostsFailed + r.hostsUnreached - dead;
    return { sweep, x, series: label(contender), makespan: round(r.makespanSeconds), missing };
  }),
);

const of = (s: Point['sweep']) => points.filter((p) => p.sweep === s);
const charts = [
  {
    file: 'failure-makespan',
    heading: 'Makespan as transfers fail',
    sweep: 'failure rate',
    y: 'makespan',
    x: 'share of transfers that fail',
    yt: 'makespan (s)',
  },
  {
    file: 'dead-makespan',
    heading: 'Makespan as hosts die mid-run',
    sweep: 'dead share',
    y: 'makespan',
    x: `share of hosts killed at ${DEATH_TIME} s`,
    yt: 'makespan (s)',
  },
  {
    file: 'dead-missing',
    heading: 'Live hosts left without their closure as hosts die',
    sweep: 'dead share',
    y: 'missing',
    x: `share of hosts killed at ${DEATH_TIME} s`,
    yt: 'live hosts failed or unreached',
  },
  {
    file: 'straggler-makespan',
    heading: 'Makespan as more hosts straggle',
    sweep: 'straggler share',
    y: 'makespan',
    x: `share of hosts at ${STRAGGLER_FACTOR}× speed`,
    yt: 'makespan (s)',
  },
].map((c) => ({
  file: c.file,
  heading: c.heading,
  spec: lineChart({
    title: c.heading,
    points: of(c.sweep as Point['sweep']),
    x: { field: 'x', title: c.x },
    y: { field: c.y, title: c.yt, log: c.y === 'makespan' },
    series,
  }),
}));
const columns = ['sweep', 'x', 'strategy (mode)', 'makespan s', 'live hosts missing'];
const rows = points.map((p) => [p.sweep, p.x, p.series, p.makespan, p.missing]);

await writeStudy({
  outDir,
  name: 'failures',
  title: 'Failures and stragglers: who degrades gracefully',
  data: { smoke, base, contenders, stragglerFactor: STRAGGLER_FACTOR, deathTime: DEATH_TIME, points },
  charts,
  sections: [
    {
      heading: 'Question',
      text:
        'Transient failures (a transfer breaks and is retried; a host is given up after 5 failures in a row), hosts ' +
        'that die mid-run, and stragglers (hosts whose links run at a tenth of their speed) hurt strategies ' +
        'differently: a tree waits on slow inner nodes and must re-route the subtrees of dead ones, push retries ' +
        'from the one deployer, path-level swarming routes around all three. Each point is one seeded run; the ' +
        'same hosts die or straggle at every share (a seeded shuffle, grown one host at a time). A dead host is ' +
        'not counted as missing: the charts count the live hosts a strategy failed to serve.',
    },
    ...charts.map((c) => ({ heading: c.heading, chart: c.spec })),
    { heading: 'Numbers', table: { columns, rows } },
  ],
});
console.table(rows.map((r) => Object.fromEntries(columns.map((k, i) => [k, r[i]]))));
