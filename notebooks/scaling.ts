/**
 * Worked study: how does the time to get one closure onto a fleet grow with the fleet's size, for the
 * deployer pushing (colmena / deploy-rs style) versus cascades, against the physical lower bound?
 *
 * Run: `npx tsx notebooks/scaling.ts [outDir]` (default reports/notebooks/scaling). It regenerates
 * `scaling.json` (the data), `scaling.svg` / `scaling.png` (makespan by fleet size), `ratio.svg` /
 * `ratio.png` (makespan ÷ lower bound by fleet size) and a self-contained `index.html`.
 * Deterministic: same code ⇒ same numbers and the same SVG bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { buildScenario, parseScenario, runScenario } from '../src/sim/scenario.js';
import { getStrategy } from '../src/strategies/registry.js';
import { renderHtml, renderPng, renderSvg } from '../src/trace/render.js';
import { scalingSpec, type ScalingPoint } from '../src/trace/trendCharts.js';

const outDir = process.argv[2] ?? 'reports/notebooks/scaling';
const sizes = [4, 16, 64, 256, 1024];
const strategies = ['push-parallel', 'log2-fanout', 'max-bottleneck-spanning', 'fastest-first', 'swarm'];

interface Point {
  readonly hosts: number;
  readonly series: string;
  readonly seconds: number;
}

const points: Point[] = [];
const ratios: ScalingPoint[] = [];
const table: Array<Array<string | number>> = [];
for (const hosts of sizes) {
  // A 1 Gbit/s LAN; every host wants the same 1 GB closure of 60 paths; the deployer's uplink equals a host's.
  const scenario = buildScenario(
    parseScenario({
      seed: 1,
      topology: { preset: 'flat', hosts },
      closure: { totalMB: 1000, paths: 60, roles: 1, perHost: false },
      network: 'flow',
      mode: 'eager',
    }),
  );
  points.push({ hosts, series: 'lower bound', seconds: scenario.lowerBound.seconds });
  const row: Array<string | number> = [hosts, +scenario.lowerBound.seconds.toFixed(1)];
  for (const name of strategies) {
    const r = await runScenario(scenario, getStrategy(name));
    points.push({ hosts, series: name, seconds: r.makespanSeconds });
    ratios.push({ strategy: name, hosts, ratio: r.ratioToLowerBound });
    row.push(+r.makespanSeconds.toFixed(1));
  }
  table.push(row);
  process.stderr.write(`${hosts} hosts done\n`);
}

const spec: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'Time to deliver a 1 GB closure on a 1 Gbit/s LAN (flow model, eager mode)',
  width: 560,
  height: 340,
  data: { values: points },
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'hosts', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'target hosts' },
    y: { field: 'seconds', type: 'quantitative', scale: { type: 'log' }, title: 'makespan (s)' },
    color: { field: 'series', type: 'nominal', sort: ['lower bound', ...strategies], title: null },
    strokeDash: { condition: { test: "datum.series === 'lower bound'", value: [4, 3] }, value: [1, 0] },
  },
};

const ratioSpec = scalingSpec(ratios, {
  title: 'How close each strategy gets to the lower bound as the fleet grows',
  subtitle: '1 GB closure, 1 Gbit/s LAN, flow model, eager mode',
  width: 560,
});

mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'scaling.json'),
  `${JSON.stringify({ sizes, strategies, points, ratios }, null, 2)}\n`,
);
for (const [name, chart] of [
  ['scaling', spec],
  ['ratio', ratioSpec],
] as const) {
  const svg = await renderSvg(chart);
  writeFileSync(join(outDir, `${name}.svg`), svg);
  writeFileSync(join(outDir, `${name}.png`), renderPng(svg));
}
writeFileSync(
  join(outDir, 'index.html'),
  renderHtml('Scaling: push versus cascade', [
    {
      heading: 'Question',
      text:
        'Pushing from the deployer to every host costs N copies through one uplink, so it grows linearly with the fleet. ' +
        'A cascade lets holders forward, so whole-closure strategies grow with log2(N) copy times, and path-level ' +
        "swarming approaches the fluid lower bound, which stays flat once the fleet's total uplink outgrows the closure.",
    },
    { heading: 'Makespan by fleet size', chart: spec },
    { heading: 'Makespan ÷ lower bound by fleet size', chart: ratioSpec },
    {
      heading: 'Numbers (seconds)',
      table: { columns: ['hosts', 'lower bound', ...strategies], rows: table },
    },
  ]),
);
console.table(
  table.map((r) => Object.fromEntries(['hosts', 'lower bound', ...strategies].map((k, i) => [k, r[i]]))),
);
console.log(`wrote ${outDir}/index.html`);
