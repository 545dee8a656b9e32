/**
 * What every worked study shares: its command line (`[--smoke] [outDir]`), running a grid of scenario ×
 * strategy points in the simulator over every core, simple Vega-Lite charts, and writing the data, the charts (SVG/PNG) and
 * a self-contained HTML page. Deterministic: same code ⇒ same numbers and the same SVG bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../src/core/coordinator.js';
import type { CascadeEvent } from '../src/core/events.js';
import type { RunMode } from '../src/core/strategy.js';
import { defaultJobs, runCompareJobs } from '../src/cli/comparePool.js';
import type { CompareJob } from '../src/cli/compareRuns.js';
import { parseScenario, type ScenarioInput, type ScenarioSpec } from '../src/sim/scenario.js';
import { GREY, PALETTE as CHART_PALETTE, SCHEMA } from '../src/trace/chartStyle.js';
import { renderHtml, renderPng, renderSvg, type HtmlSection } from '../src/trace/render.js';

/** A study's command line: `--smoke` runs a small version (CI checks its outputs), then the output dir. */
export function studyArgs(name: string): { smoke: boolean; outDir: string } {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const outDir = args.find((a) => !a.startsWith('--')) ?? `reports/notebooks/${name}`;
  return { smoke, outDir };
}

/** A strategy to run, in the coordinator mode it does best in. */
export interface Contender {
  readonly strategy: string;
  readonly mode: RunMode;
}

/** The label of a contender in tables and legends. */
export const label = (c: Contender): string => `${c.strategy} (${c.mode})`;

/** One run of a study: its result and, when asked for, its events (for measures the result does not carry). */
export interface StudyRun {
  readonly contender: Contender;
  readonly spec: ScenarioSpec;
  readonly result: RunResult;
  readonly events: readonly CascadeEvent[];
}

/** One scenario of a study's grid and the contenders to run on it. */
export interface GridCell {
  readonly input: ScenarioInput;
  readonly contenders: readonly Contender[];
}

/**
 * Runs every cell's contenders on its scenario, over every core (`compare`'s pool: this thread and a
 * worker per further core); `runs[i]` holds cell i's runs in contender order, whichever thread ran them.
 * @param o.events - keep each run's events (memory: a 100,000-host run has millions).
 */
export async function runGrid(
  cells: readonly GridCell[],
  o: { events?: boolean } = {},
): Promise<StudyRun[][]> {
  const jobs: CompareJob[] = [];
  const specs = cells.map((cell) => parseScenario(cell.input));
  cells.forEach((cell, scenario) => {
    for (const { strategy, mode } of cell.contenders) {
      jobs.push({
        index: jobs.length,
        scenario,
        spec: specs[scenario]!,
        where: `grid cell ${scenario}`,
        sources: {},
        strategy,
        options: {},
        mode,
        keepTrace: o.events === true,
        keepResult: true,
      });
    }
  });
  const results = await runCompareJobs(jobs, defaultJobs(), (done, total) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} runs${done === total ? '\n' : ''}`);
  });
  let next = 0;
  return cells.map((cell, i) =>
    cell.contenders.map((contender) => {
      const r = results[next++]!;
      return { contender, spec: specs[i]!, result: r.result!, events: r.events ?? [] };
    }),
  );
}

/** A value rounded for tables and JSON (numbers stay numbers). */
export const round = (x: number, digits = 1): number => +x.toFixed(digits);

/** Ten colours people can tell apart (Tableau 10: the charts' palette and its grey), in a fixed order so a
 * series keeps its colour. */
const PALETTE = [...CHART_PALETTE, GREY];

/** A colour scale for at most ten series, in the given order. */
export function seriesColour(
  series: readonly string[],
  title: string | null = null,
): Record<string, unknown> {
  if (series.length > PALETTE.length)
    throw new Error(`at most ${PALETTE.length} series per chart, got ${series.length}`);
  return {
    field: 'series',
    type: 'nominal',
    title,
    sort: series,
    scale: { domain: series, range: PALETTE.slice(0, series.length) },
    legend: { labelLimit: 300 },
  };
}

/** Lines of `y` against `x`, one per series (at most ten). */
export function lineChart(o: {
  readonly title: string;
  readonly points: readonly object[];
  readonly x: { readonly field: string; readonly title: string; readonly log?: boolean };
  readonly y: { readonly field: string; readonly title: string; readonly log?: boolean };
  readonly series: readonly string[];
}): TopLevelSpec {
  const axis = (a: { field: string; title: string; log?: boolean }) => ({
    field: a.field,
    type: 'quantitative',
    title: a.title,
    ...(a.log ? { scale: { type: 'log' as const } } : {}),
  });
  return {
    $schema: SCHEMA,
    title: o.title,
    width: 520,
    height: 300,
    data: { values: [...o.points] },
    mark: { type: 'line', point: true },
    encoding: {
      x: axis(o.x),
      y: axis(o.y),
      color: seriesColour(o.series),
      // A series named `lower bound` is a bound, not a run: dashed.
      strokeDash: { condition: { test: "datum.series === 'lower bound'", value: [4, 3] }, value: [1, 0] },
    },
  } as TopLevelSpec;
}

/** Horizontal bars of `x` per series, faceted in columns by `column` (at most ten series). */
export function barChart(o: {
  readonly title: string;
  readonly points: readonly object[];
  readonly x: { readonly field: string; readonly title: string };
  readonly column: string;
  readonly series: readonly string[];
}): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: o.title,
    data: { values: [...o.points] },
    facet: { column: { field: o.column, type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: { step: 16 },
      mark: 'bar',
      encoding: {
        y: { field: 'series', type: 'nominal', sort: o.series, title: null, axis: { labelLimit: 300 } },
        x: { field: o.x.field, type: 'quantitative', title: o.x.title },
        color: { ...seriesColour(o.series), legend: null },
      },
    },
    resolve: { scale: { x: 'independent' } },
  } as TopLevelSpec;
}

/** A chart of a study, saved as `<file>.svg` and `.png` and shown on its page. */
export interface StudyChart {
  readonly file: string;
  readonly heading: string;
  readonly spec: TopLevelSpec;
}

/**
 * Writes a study: `<name>.json` (the data), each chart's SVG and PNG, and `index.html` with the page's
 * sections (each chart is placed where a section names it by `chart`).
 */
export async function writeStudy(o: {
  readonly outDir: string;
  readonly name: string;
  readonly title: string;
  readonly data: unknown;
  readonly charts: readonly StudyChart[];
  readonly sections: readonly HtmlSection[];
}): Promise<void> {
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, `${o.name}.json`), `${JSON.stringify(o.data, null, 2)}\n`);
  for (const c of o.charts) {
    const svg = await renderSvg(c.spec);
    writeFileSync(join(o.outDir, `${c.file}.svg`), svg);
    writeFileSync(join(o.outDir, `${c.file}.png`), renderPng(svg));
  }
  writeFileSync(join(o.outDir, 'index.html'), renderHtml(o.title, o.sections));
  console.log(`wrote ${o.outDir}/index.html`);
}
