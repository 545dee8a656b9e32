/**
 * The charts of the comparison report, built from its rows and traces: makespan ÷ lower bound, the
 * completion curves, the deployer's uplink, the timelines and the bytes heat map. Each comes with the
 * file name it is rendered to and the report section that shows it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CascadeEvent } from '../core/events.js';
import type { HostId } from '../core/types.js';
import { heatMapData, senderKind, timelineData, uplinkSeries, type HostInfo } from './chartData.js';
import { bytesSpec, comparisonSpec, completionSpec, timelineSpec, type CompletionRow } from './charts.js';
import { baseName } from './chartStyle.js';
import { completionCurve, downsampleCurve } from './derive.js';
import { runStarted } from './run.js';
import { uplinkSpec, type UplinkRow } from './trendCharts.js';

/** What the charts need of a result row (`ComparisonRow` fits as is). */
export interface ChartResultRow {
  readonly strategy: string;
  readonly hostsFailed: number;
  readonly hostsUnreached: number;
  readonly ratioToLowerBound: number;
  readonly lowerBoundSeconds: number;
}

/** The chart settings of the report (resolved `ReportOptions`). */
export interface ReportChartSettings {
  readonly timelines: 'best' | 'all';
  readonly timelineMaxHosts: number;
  readonly timelineColour: 'kind' | 'group';
  readonly curvePoints: number;
  /** Most rows or columns of the bytes heat map. */
  readonly heatMapCells: number;
  /** Strategies coloured in multi-strategy charts. */
  readonly highlight: number;
}

/** One chart of the report: rendered to `<file>.svg` (and PNG), shown under `heading`. */
export interface ReportChart {
  readonly file: string;
  readonly heading: string;
  readonly spec: TopLevelSpec;
  /** What the section says above the chart. */
  readonly text?: string;
}

function sortable(x: number): number {
  return Number.isFinite(x) ? x : Number.POSITIVE_INFINITY;
}

/** Rows best first: fewest hosts left behind, then the lowest ratio, then input order. */
export function rankRows<R extends ChartResultRow>(rows: readonly R[]): R[] {
  const left = (r: R): number => r.hostsFailed + r.hostsUnreached;
  return rows
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        left(a.r) - left(b.r) ||
        sortable(a.r.ratioToLowerBound) - sortable(b.r.ratioToLowerBound) ||
        a.i - b.i,
    )
    .map((x) => x.r);
}

/** The one lower bound of all rows, or undefined when they differ or none is finite. */
function sharedBound(rows: readonly ChartResultRow[]): number | undefined {
  const bounds = new Set(rows.map((r) => r.lowerBoundSeconds));
  const [only] = bounds;
  return bounds.size === 1 && only !== undefined && Number.isFinite(only) ? only : undefined;
}

function colourNote(shown: number, total: number, modes: boolean): string {
  const parts = [
    total > shown ? `coloured: the best ${shown} strategies, grey: the other ${total - shown}` : '',
  ];
  if (modes) parts.push('dashed: round mode, solid: eager mode');
  return parts.filter((p) => p !== '').join('; ');
}

/** Builds every chart of the report, in the order the report shows them. */
export function reportCharts(
  rows: readonly ChartResultRow[],
  traces: ReadonlyMap<string, readonly CascadeEvent[]>,
  settings: ReportChartSettings,
  hosts?: ReadonlyMap<HostId, HostInfo>,
  safe: (name: string) => string = (n) => n,
): ReportChart[] {
  const ranked = rankRows(rows);
  const ranking = ranked.map((r) => r.strategy);
  const modeOf = (label: string) => (traces.get(label) ? runStarted(traces.get(label)!)?.mode : undefined);
  const modes = new Set(rows.map((r) => modeOf(r.strategy)).filter((m) => m !== undefined));
  const bases = new Set(rows.map((r) => baseName(r.strategy)));
  const shown = Math.min(settings.highlight, bases.size);
  const note = colourNote(shown, bases.size, modes.size > 1);
  const bound = sharedBound(rows);
  const charts: ReportChart[] = [];

  const bars = ranked.map((r) => ({ strategy: r.strategy, ratio: r.ratioToLowerBound }));
  charts.push({
    file: 'comparison',
    heading: 'Makespan ÷ lower bound',
    spec: comparisonSpec(bars, {
      title: 'makespan ÷ lower bound (lower is better; 1.0 = physical limit)',
      ...(bases.size > shown ? { subtitle: `best first; ${note.split(';')[0]!}` } : {}),
      highlight: settings.highlight,
    }),
  });

  const curves: CompletionRow[] = [];
  for (const r of rows) {
    const events = traces.get(r.strategy);
    if (!events) continue;
    const mode = modeOf(r.strategy);
    for (const p of downsampleCurve(completionCurve(events), settings.curvePoints)) {
      curves.push({ strategy: r.strategy, ...(mode !== undefined ? { mode } : {}), t: p.t, done: p.done });
    }
  }
  charts.push({
    file: 'completion',
    heading: 'Completion',
    spec: completionSpec(curves, {
      title: 'hosts done over time (dashed red: the lower bound)',
      ...(note !== '' ? { subtitle: note } : {}),
      ranking,
      highlight: settings.highlight,
      ...(bound !== undefined ? { lowerBoundSeconds: bound } : {}),
    }),
  });

  // The deployer's uplink for the best few rows: how well each keeps the one scarce link busy.
  const uplinkRows: UplinkRow[] = [];
  const best = ranked.filter((r) => traces.has(r.strategy)).slice(0, Math.min(5, settings.highlight));
  let capacity = 0;
  let deployers = 0;
  for (const r of best) {
    const events = traces.get(r.strategy)!;
    const targets = new Set(runStarted(events)?.targets ?? []);
    const senders = new Set(
      [...new Set(events.flatMap((e) => (e.type === 'transfer-started' ? [e.from] : [])))].filter(
        (h) => senderKind(h, targets, hosts) === 'deployer',
      ),
    );
    if (r === best[0]) {
      deployers = senders.size;
      for (const h of senders) capacity += hosts?.get(h)?.uplink ?? Number.NaN;
    }
    for (const p of uplinkSeries(events, senders, 120)) uplinkRows.push({ strategy: r.strategy, ...p });
  }
  if (uplinkRows.length > 0) {
    charts.push({
      file: 'uplink',
      heading: 'Deployer uplink',
      text: 'How busy the deployer’s uplink is: pushing saturates it, a cascade frees it once peers can serve.',
      spec: uplinkSpec(uplinkRows, {
        title: `deployer uplink over time (the best ${best.length})`,
        subtitle:
          'one panel per run, each on its own time axis' +
          (Number.isFinite(capacity) && capacity > 0 ? '; dashed red: the uplink’s capacity' : '') +
          (deployers > 1 ? `; ${deployers} deployers, summed` : ''),
        ranking: best.map((r) => r.strategy),
        highlight: best.length,
        ...(Number.isFinite(capacity) && capacity > 0 ? { capacity } : {}),
      }),
    });
  }

  const timelineFor = settings.timelines === 'all' ? ranked : ranked.slice(0, 1);
  for (const r of timelineFor) {
    const events = traces.get(r.strategy);
    if (!events) continue;
    const data = timelineData(events, settings.timelineMaxHosts);
    const targets = new Set(runStarted(events)?.targets ?? []);
    const byGroup = settings.timelineColour === 'group';
    const categoryOf = (h: HostId): string => {
      const kind = senderKind(h, targets, hosts);
      return byGroup && kind === 'peer' ? (hosts?.get(h)?.group ?? 'peer') : kind;
    };
    charts.push({
      file: `timeline-${safe(r.strategy)}`,
      heading: `Timeline: ${r.strategy}`,
      spec: timelineSpec(data.rows, {
        title: `${r.strategy}: transfers per receiver, sorted by finish time`,
        ...(data.note !== '' ? { subtitle: data.note } : {}),
        categoryOf,
        legendTitle: byGroup ? 'sender (kind or group)' : 'sender kind',
        hostOrder: data.hostOrder,
        ...(bound !== undefined ? { lowerBoundSeconds: bound } : {}),
      }),
    });
  }

  const top = ranked[0];
  const topEvents = top ? traces.get(top.strategy) : undefined;
  if (top && topEvents) {
    const heat = heatMapData(topEvents, settings.heatMapCells, hosts);
    charts.push({
      file: `bytes-${safe(top.strategy)}`,
      heading: `Bytes per link: ${top.strategy}`,
      spec: bytesSpec(heat.rows, {
        title: `${top.strategy}: bytes delivered, sending → receiving ${heat.unit}`,
        ...(heat.note !== '' ? { subtitle: heat.note } : {}),
        unit: heat.unit,
      }),
    });
  }
  return charts;
}
