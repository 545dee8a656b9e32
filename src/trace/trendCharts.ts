/**
 * Charts of a quantity against time or fleet size, several strategies per chart: the deployer's uplink
 * utilisation over time, and makespan ÷ lower bound versus fleet size (from a sweep).
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  BOUND_COLOUR,
  boundLayers,
  CONFIG,
  finite,
  header,
  seriesStyle,
  type ChartOptions,
  type SeriesOptions,
} from './chartStyle.js';

/** One point of one strategy's uplink series (`RatePoint` from chartData.ts plus the strategy). */
export interface UplinkRow {
  readonly strategy: string;
  /** Seconds (bin start). */
  readonly t: number;
  /** Bytes per second the deployer sent. */
  readonly rate: number;
}

/** Options of {@link uplinkSpec}. */
export interface UplinkOptions extends ChartOptions, SeriesOptions {
  /**
   * The deployer's uplink capacity in bytes per second: with it the chart shows utilisation in percent
   * with a rule at 100 %; without it, throughput in bytes per second.
   */
  readonly capacity?: number;
}

/**
 * The deployer's uplink over time, one small panel per strategy (best first, each with its own time
 * axis, so a slow run does not squeeze the fast ones), coloured as in the other charts.
 */
export function uplinkSpec(rows: readonly UplinkRow[], options: UplinkOptions = {}): TopLevelSpec {
  const style = seriesStyle(rows, options);
  const cap = options.capacity !== undefined && options.capacity > 0 ? options.capacity : undefined;
  const present = [...new Set(rows.map((r) => r.strategy))];
  const rank = new Map((options.ranking ?? []).map((s, i) => [s, i]));
  const order = present
    .map((s, i) => ({ s, k: rank.get(s) ?? rank.size + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.s);
  const values = rows.map((r) => ({
    strategy: r.strategy,
    colour: style.colourOf(r.strategy),
    t: finite(r.t),
    y: finite(cap !== undefined ? (100 * r.rate) / cap : r.rate),
  }));
  const y =
    cap !== undefined
      ? {
          field: 'y',
          type: 'quantitative',
          title: 'used (%)',
          // 0–100 %, or more if the data says so (a capacity that does not match the trace).
          scale: { domain: [0, values.reduce((m, v) => Math.max(m, v.y ?? 0), 100)] },
        }
      : { field: 'y', type: 'quantitative', title: 'B/s', axis: { format: '~s' } };
  const { width, ...top } = header(options);
  const capacityRule = {
    // One rule per panel: the aggregate leaves one datum per facet cell.
    transform: [{ aggregate: [{ op: 'count', as: 'n' }] }],
    mark: { type: 'rule', color: BOUND_COLOUR, strokeDash: [4, 3], strokeWidth: 1.5 },
    encoding: { y: { datum: 100 } },
  };
  return {
    ...top,
    data: { values },
    facet: {
      row: {
        field: 'strategy',
        type: 'nominal',
        sort: order,
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelFontWeight: 'bold',
          labelLimit: 400,
        },
      },
    },
    spec: {
      width,
      height: 60,
      layer: [
        {
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.85 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'time (s)' },
            y,
            color: { ...style.color, legend: null },
            tooltip: [
              { field: 'strategy', type: 'nominal' },
              { field: 't', type: 'quantitative', title: 'time (s)' },
              { field: 'y', type: 'quantitative', title: y.title, format: '.3~s' },
            ],
          },
        },
        ...(cap !== undefined ? [capacityRule] : []),
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** One strategy's result on one fleet size. */
export interface ScalingPoint {
  readonly strategy: string;
  /** Target hosts. */
  readonly hosts: number;
  /** Makespan ÷ lower bound. */
  readonly ratio: number;
}

/**
 * Makespan ÷ lower bound versus fleet size (log-log), one line per strategy, the lower bound as a rule
 * at 1. Default ranking: the lowest ratio at the largest fleet first, so the best few are coloured.
 */
export function scalingSpec(
  points: readonly ScalingPoint[],
  options: ChartOptions & SeriesOptions = {},
): TopLevelSpec {
  const largest = new Map<string, { hosts: number; ratio: number }>();
  for (const p of points) {
    const l = largest.get(p.strategy);
    if (!l || p.hosts > l.hosts) largest.set(p.strategy, { hosts: p.hosts, ratio: p.ratio });
  }
  const rank = (s: string): number => {
    const r = largest.get(s)!.ratio;
    return Number.isFinite(r) ? r : Number.POSITIVE_INFINITY;
  };
  const ranking =
    options.ranking ?? [...largest.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const style = seriesStyle(points, { ...options, ranking });
  return {
    ...header(options),
    height: 320,
    data: {
      values: points.map((p) => ({
        strategy: p.strategy,
        colour: style.colourOf(p.strategy),
        hosts: p.hosts,
        ratio: finite(p.ratio),
      })),
    },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'hosts',
            type: 'quantitative',
            title: 'target hosts (log scale)',
            scale: { type: 'log', nice: false },
          },
          y: {
            field: 'ratio',
            type: 'quantitative',
            title: 'makespan ÷ lower bound (log scale)',
            scale: { type: 'log', domainMin: 1 },
          },
          color: style.color,
          detail: { field: 'strategy', type: 'nominal' },
          tooltip: [
            { field: 'strategy', type: 'nominal' },
            { field: 'hosts', type: 'quantitative' },
            { field: 'ratio', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      ...boundLayers('y', 1, 'lower bound'),
    ],
    config: CONFIG,
  } as TopLevelSpec;
}
