/**
 * Worked study: racks and regions. What does topology awareness buy: makespan, bytes that cross a rack
 * uplink or a WAN link, and the egress bill, against strategies that see only hosts?
 *
 * Run: `npx tsx notebooks/topology.ts [--smoke] [outDir]` (default reports/notebooks/topology). It
 * regenerates `topology.json`, `makespan.svg/png`, `cross-bytes.svg/png`, `egress.svg/png` and `index.html`.
 */
import type { Host, HostId } from '../src/core/types.js';
import { buildScenario, parseScenario, type ScenarioInput } from '../src/sim/scenario.js';
import {
  barChart,
  label,
  round,
  runGrid,
  studyArgs,
  writeStudy,
  type Contender,
  type StudyRun,
} from './lib.js';

const { smoke, outDir } = studyArgs('topology');

const contenders: Contender[] = [
  { strategy: 'push-parallel', mode: 'round' },
  { strategy: 'log2-fanout', mode: 'round' },
  { strategy: 'max-bottleneck-spanning', mode: 'round' },
  { strategy: 'steiner-greedy', mode: 'round' },
  { strategy: 'swarm', mode: 'eager' },
  { strategy: 'topology-aware', mode: 'eager' },
  { strategy: 'cost-aware', mode: 'eager' },
];
const series = contenders.map(label);

const closure = { totalMB: smoke ? 200 : 1000, paths: smoke ? 20 : 60, roles: 1, perHost: false };
const networks: Record<string, ScenarioInput> = {
  // 8 racks behind 4:1 oversubscribed uplinks: a rack uplink carries a quarter of its hosts' traffic.
  racks: {
    seed: 1,
    topology: { preset: 'racks', hosts: smoke ? 32 : 256, racks: 8 },
    closure,
    network: 'flow',
  },
  // 3 regions joined by 100 Mbit/s WAN links that cost $0.02 per GB.
  regions: {
    seed: 1,
    topology: {
      preset: 'regions',
      hosts: smoke ? 30 : 150,
      regions: 3,
      wanBandwidth: '100mbit',
      wanLatency: '50ms',
      wanPricePerGB: 0.02,
    },
    closure,
    network: 'flow',
  },
};

/** Bytes delivered between hosts of different racks or regions (the deployer counts as its own place). */
function crossBytes(run: StudyRun, hosts: readonly Host[]): number {
  const place = new Map<HostId, string>();
  for (const h of hosts) place.set(h.id, h.rack ?? h.site ?? `own:${h.id}`);
  let bytes = 0;
  for (const e of run.events) {
    if (e.type !== 'transfer-finished' && e.type !== 'transfer-failed') continue;
    if (place.get(e.from) !== place.get(e.to))
      bytes += e.type === 'transfer-finished' ? e.bytes : e.deliveredBytes;
  }
  return bytes;
}

interface Point {
  readonly network: string;
  readonly series: string;
  readonly makespan: number;
  readonly ratio: number;
  readonly crossGB: number;
  readonly egress: number;
}

const points: Point[] = [];
const grid = await runGrid(
  Object.values(networks).map((input) => ({ input, contenders })),
  { events: true },
);
for (const [i, [network, input]] of Object.entries(networks).entries()) {
  // Where each host sits, from the same fleet the runs had (building is deterministic).
  const { hosts } = buildScenario(parseScenario(input)).fleet;
  for (const run of grid[i]!) {
    points.push({
      network,
      series: label(run.contender),
      makespan: round(run.result.makespanSeconds),
      ratio: round(run.result.ratioToLowerBound, 2),
      crossGB: round(crossBytes(run, hosts) / 1e9, 2),
      egress: round(run.result.egressCost, 3),
    });
  }
}

const chart = (field: keyof Point, title: string, what: string) =>
  barChart({ title, points, x: { field, title: what }, column: 'network', series });
const charts = [
  {
    file: 'makespan',
    heading: 'Makespan',
    spec: chart('makespan', 'Time until every host holds its closure', 'seconds'),
  },
  {
    file: 'cross-bytes',
    heading: 'Bytes across rack uplinks and WAN links',
    spec: chart('crossGB', 'Bytes that left a rack or a region', 'GB'),
  },
  {
    file: 'egress',
    heading: 'Egress bill',
    spec: chart('egress', 'Money spent on priced (WAN) links', 'USD'),
  },
];
const columns = ['network', 'strategy (mode)', 'makespan s', '× bound', 'cross GB', 'egress $'];
const rows = points.map((p) => [p.network, p.series, p.makespan, p.ratio, p.crossGB, p.egress]);

await writeStudy({
  outDir,
  name: 'topology',
  title: 'Racks and regions: what topology awareness buys',
  data: { smoke, networks, contenders, points },
  charts,
  sections: [
    {
      heading: 'Question',
      text:
        'A rack uplink shared by its hosts, or a WAN link between regions, is slower (and may cost money per byte) ' +
        'where a flat-LAN strategy assumes every pair of hosts is alike. Strategies that see only hosts send the same ' +
        'store path across the same thin link many times; topology-aware sends each path into a rack or region once ' +
        'and spreads it inside; cost-aware trades time against the price of priced links.',
    },
    ...charts.map((c) => ({ heading: c.heading, chart: c.spec })),
    { heading: 'Numbers', table: { columns, rows } },
  ],
});
console.table(rows.map((r) => Object.fromEntries(columns.map((k, i) => [k, r[i]]))));
