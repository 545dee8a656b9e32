import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import type { HostInfo } from '../../src/trace/chartData.js';
import { renderSvg } from '../../src/trace/render.js';
import {
  rankRows,
  reportCharts,
  type ChartResultRow,
  type ReportChartSettings,
} from '../../src/trace/reportCharts.js';
import { doublingHosts, doublingTrace } from './syntheticTrace.js';

const settings: ReportChartSettings = {
  timelines: 'best',
  timelineMaxHosts: 100,
  timelineColour: 'kind',
  curvePoints: 400,
  heatMapCells: 32,
  highlight: 6,
};

const row = (strategy: string, ratio: number, over: Partial<ChartResultRow> = {}): ChartResultRow => ({
  strategy,
  hostsFailed: 0,
  hostsUnreached: 0,
  ratioToLowerBound: ratio,
  lowerBoundSeconds: 10,
  ...over,
});

/** Eleven strategies in two modes (22 rows), as `compare --mode both` gives, all on one trace shape. */
function inputs(trace: (mode: 'round' | 'eager') => CascadeEvent[]) {
  const rows: ChartResultRow[] = [];
  const traces = new Map<string, CascadeEvent[]>();
  for (let i = 0; i < 11; i++) {
    for (const mode of ['round', 'eager'] as const) {
      const label = `strategy-${String(i).padStart(2, '0')} (${mode})`;
      rows.push(row(label, 1 + ((i * 7) % 11) + (mode === 'round' ? 0.5 : 0)));
      traces.set(label, trace(mode));
    }
  }
  return { rows, traces };
}

/** Every colour scale's domain in a spec (nested layers included). */
function colourDomains(spec: unknown): unknown[][] {
  const out: unknown[][] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const scale = (o['color'] as { scale?: { domain?: unknown[] } } | undefined)?.scale;
      if (scale?.domain) out.push(scale.domain);
      Object.values(o).forEach(walk);
    }
  };
  walk(spec);
  return out;
}

async function renderAll(
  rows: ChartResultRow[],
  traces: Map<string, CascadeEvent[]>,
  hosts?: Map<string, HostInfo>,
) {
  const charts = reportCharts(rows, traces, settings, hosts);
  return { charts, svgs: await Promise.all(charts.map((c) => renderSvg(c.spec))) };
}

function expectSane(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  const w = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
  const h = Number(/height="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
  expect(w).toBeGreaterThan(100);
  expect(w).toBeLessThan(2000);
  expect(h).toBeGreaterThan(50);
  expect(h).toBeLessThan(2000);
}

describe('reportCharts', () => {
  const cases: [string, (mode: 'round' | 'eager') => CascadeEvent[], Map<string, HostInfo> | undefined][] = [
    ['an empty trace', () => [], undefined],
    ['a run with no target', (mode) => doublingTrace(0, mode), doublingHosts(0)],
    ['a one-host trace', (mode) => doublingTrace(1, mode), doublingHosts(1)],
    ['a 10,000-host trace', (mode) => doublingTrace(10_000, mode), doublingHosts(10_000)],
  ];
  for (const [name, trace, hosts] of cases) {
    it(`renders every chart of ${name}: deterministic, sane size, at most 10 colours`, async () => {
      // 10,000 hosts: one trace object shared by every row keeps the test fast.
      const shared = { round: trace('round'), eager: trace('eager') };
      const { rows, traces } = inputs((mode) => shared[mode]);
      const a = await renderAll(rows, traces, hosts);
      const b = await renderAll(rows, traces, hosts);
      // No uplink chart for a run that took no time (nothing to plot over time).
      const timed = name !== 'an empty trace' && name !== 'a run with no target';
      expect(a.charts.map((c) => c.file)).toEqual([
        'comparison',
        'completion',
        ...(timed ? ['uplink'] : []),
        expect.stringMatching(/^timeline-/),
        expect.stringMatching(/^bytes-/),
      ]);
      expect(b.svgs).toEqual(a.svgs);
      for (const svg of a.svgs) expectSane(svg);
      for (const c of a.charts)
        for (const d of colourDomains(c.spec)) expect(d.length).toBeLessThanOrEqual(10);
      expect(a.svgs[1]).toContain('lower bound');
      expect(a.charts[0]!.spec.title).toBeDefined();
    });
  }

  it('says on the chart what it sampled or aggregated', () => {
    const t = doublingTrace(10_000);
    const { rows, traces } = inputs(() => t);
    const charts = reportCharts(rows, traces, settings, doublingHosts(10_000));
    const timeline = charts.find((c) => c.file.startsWith('timeline-'))!;
    expect(JSON.stringify(timeline.spec.title)).toMatch(/sampled: 100 of 10000 receivers/);
    const bytes = charts.find((c) => c.file.startsWith('bytes-'))!;
    expect(JSON.stringify(bytes.spec.title)).toMatch(/blocks of/);
    expect(JSON.stringify(charts[1]!.spec.title)).toMatch(/the best 6 strategies, grey: the other 5/);
  });
});

describe('rankRows', () => {
  it('fewest hosts left behind first, then the lowest ratio, then input order', () => {
    const rows = [
      row('a', 1.1, { hostsFailed: 2 }),
      row('b', 2),
      row('c', 1.5),
      row('d', NaN),
      row('e', 1.5),
    ];
    expect(rankRows(rows).map((r) => r.strategy)).toEqual(['c', 'e', 'b', 'd', 'a']);
  });
});
