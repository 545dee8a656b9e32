/**
 * Vega-Lite specs for the charts of a report. Each function takes plain data rows (not events), so specs
 * are easy to test and to feed from a trace, a benchmark JSON or a notebook.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  baseName,
  boundLayers,
  CONFIG,
  finite,
  GREY,
  header,
  PALETTE,
  seriesStyle,
  type ChartOptions,
  type SeriesOptions,
} from './chartStyle.js';

export type { ChartOptions, SeriesOptions } from './chartStyle.js';

/** One bar of the timeline: a transfer into `to`. `TransferSpan` from derive.ts fits as is. */
export interface TimelineRow {
  readonly from: string;
  readonly to: string;
  readonly start: number;
  readonly end: number;
  readonly round: number;
  readonly bytes: number;
  readonly outcome: 'ok' | 'failed' | 'unfinished';
}

/** Options of {@link timelineSpec}. */
export interface TimelineOptions extends ChartOptions {
  /**
   * The colour category of a sender: its kind (`deployer`, `peer`, `cache`) or its topology group. Past
   * nine categories, all but the nine that sent the most bytes share grey as "other".
   * @defaultValue every sender in one category, `transfer`
   */
  readonly categoryOf?: (sender: string) => string;
  /** The legend's title. @defaultValue 'sender' */
  readonly legendTitle?: string;
  /** Receiver order on the y axis (top first); default: as the data first mentions them. */
  readonly hostOrder?: readonly string[];
  /** Draw the lower bound (seconds) as a vertical rule. */
  readonly lowerBoundSeconds?: number;
}

/** At most nine named categories (most bytes first, ties by name), the rest "other". */
function topCategories(bytesOf: ReadonlyMap<string, number>): { domain: string[]; range: string[] } {
  const named = [...bytesOf.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k]) => k);
  const keep = named.slice(0, PALETTE.length);
  const domain = [...keep].sort();
  const range = PALETTE.slice(0, domain.length) as string[];
  if (keep.length < named.length) {
    domain.push('other');
    range.push(GREY);
  }
  return { domain, range };
}

/**
 * Per-host timeline (Gantt): x = time, y = receiving host, one bar per transfer, coloured by the sender's
 * category (kind or topology group, never per round); failed and unfinished transfers are drawn faint.
 * Sampling is the caller's (see `timelineRows`); say it in `subtitle`.
 */
export function timelineSpec(rows: readonly TimelineRow[], options: TimelineOptions = {}): TopLevelSpec {
  const categoryOf = options.categoryOf ?? (() => 'transfer');
  const bytesOf = new Map<string, number>();
  for (const r of rows) {
    const c = categoryOf(r.from);
    bytesOf.set(c, (bytesOf.get(c) ?? 0) + r.bytes);
  }
  const { domain, range } = topCategories(bytesOf);
  const known = new Set(domain);
  const values = rows.map((r) => {
    const c = categoryOf(r.from);
    return {
      from: r.from,
      to: r.to,
      start: finite(r.start),
      end: finite(r.end),
      round: r.round,
      bytes: r.bytes,
      outcome: r.outcome,
      category: known.has(c) ? c : 'other',
    };
  });
  const order = options.hostOrder ?? [...new Set(rows.map((r) => r.to))];
  // A readable label needs ~11 px; past ~45 hosts the bars get thinner and the host names go.
  const step = order.length <= 45 ? 14 : Math.max(3, Math.floor(630 / order.length));
  const bars = {
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: 'time (s)' },
      x2: { field: 'end' },
      y: {
        field: 'to',
        type: 'nominal',
        sort: [...order],
        title: step >= 11 ? 'receiver (by finish time)' : `${order.length} receivers (by finish time)`,
        axis: step >= 11 ? { labelLimit: 160 } : { labels: false, ticks: false },
      },
      color: {
        field: 'category',
        type: 'nominal',
        title: options.legendTitle ?? 'sender',
        scale: { domain, range },
      },
      opacity: { condition: { test: "datum.outcome !== 'ok'", value: 0.3 }, value: 1 },
      tooltip: [
        { field: 'from', type: 'nominal' },
        { field: 'to', type: 'nominal' },
        { field: 'category', type: 'nominal', title: options.legendTitle ?? 'sender' },
        { field: 'round', type: 'ordinal' },
        { field: 'bytes', type: 'quantitative', format: '~s' },
        { field: 'start', type: 'quantitative' },
        { field: 'end', type: 'quantitative' },
        { field: 'outcome', type: 'nominal' },
      ],
    },
  };
  return {
    ...header(options),
    height: { step },
    data: { values },
    layer: [bars, ...boundLayers('x', options.lowerBoundSeconds, 'lower bound')],
    config: CONFIG,
  } as TopLevelSpec;
}

/** One point of one strategy's completion curve. */
export interface CompletionRow {
  /** The strategy, or a row label such as `swarm (eager)`. */
  readonly strategy: string;
  /** Coordinator mode; with two modes, each strategy draws two curves (eager solid, round dashed). */
  readonly mode?: 'round' | 'eager';
  /** Seconds. */
  readonly t: number;
  /** Hosts done by `t`. */
  readonly done: number;
}

/** Options of {@link completionSpec}. */
export interface CompletionOptions extends ChartOptions, SeriesOptions {
  /** Draw the lower bound (seconds) as a vertical rule. */
  readonly lowerBoundSeconds?: number;
  /**
   * End the time axis soon after the last coloured curve ends when grey ones run on for much longer
   * (the axis title says so), so that the curves that matter are not squeezed to the left.
   * @defaultValue true
   */
  readonly cutTime?: boolean;
}

/** The time axis's end when the coloured curves end well before the grey ones, else undefined. */
function timeCut(values: readonly { t: number | null; top: boolean }[]): number | undefined {
  let top = -Infinity;
  let all = -Infinity;
  for (const v of values) {
    if (v.t === null) continue;
    all = Math.max(all, v.t);
    if (v.top) top = Math.max(top, v.t);
  }
  return top > 0 && top < 0.6 * all ? top * 1.1 : undefined;
}

/** A strategy's name for colours: the label without its ` (mode)` suffix when the row has a mode. */
function strategyOf(r: { strategy: string; mode?: string | undefined }): string {
  const suffix = r.mode !== undefined ? ` (${r.mode})` : '';
  return suffix !== '' && r.strategy.endsWith(suffix) ? r.strategy.slice(0, -suffix.length) : r.strategy;
}

/**
 * Completion curves (hosts done vs time) of several strategies on one chart, drawn as steps: the best
 * few strategies (by `ranking`) in colour and on top, the rest grey; two modes as line dash; the lower
 * bound as a vertical rule.
 */
export function completionSpec(
  rows: readonly CompletionRow[],
  options: CompletionOptions = {},
): TopLevelSpec {
  const keys = rows.map((r) => ({ strategy: strategyOf(r), mode: r.mode }));
  const style = seriesStyle(keys, options);
  const values = rows.map((r, i) => ({
    series: r.strategy,
    strategy: keys[i]!.strategy,
    ...(r.mode !== undefined ? { mode: r.mode } : {}),
    colour: style.colourOf(keys[i]!.strategy),
    top: style.highlighted(keys[i]!.strategy),
    t: finite(r.t),
    done: r.done,
  }));
  const cut = options.cutTime === false ? undefined : timeCut(values);
  const x =
    cut === undefined
      ? { field: 't', type: 'quantitative', title: 'time (s)' }
      : {
          field: 't',
          type: 'quantitative',
          title: 'time (s; cut soon after the coloured curves end, grey ones run on)',
          scale: { domain: [values.reduce((m, v) => Math.min(m, v.t ?? m), 0), cut], nice: false },
        };
  const line = (top: boolean): object => ({
    transform: [{ filter: top ? 'datum.top' : '!datum.top' }],
    mark: {
      type: 'line',
      interpolate: 'step-after',
      strokeWidth: top ? 2 : 1.2,
      opacity: top ? 1 : 0.7,
      clip: true,
    },
    encoding: {
      x,
      y: { field: 'done', type: 'quantitative', title: 'hosts done' },
      color: style.color,
      ...(style.strokeDash ? { strokeDash: style.strokeDash } : {}),
      detail: { field: 'series', type: 'nominal' },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'strategy' },
        { field: 't', type: 'quantitative', title: 'time (s)' },
        { field: 'done', type: 'quantitative', title: 'hosts done' },
      ],
    },
  });
  return {
    ...header(options),
    height: 320,
    data: { values },
    layer: [line(false), line(true), ...boundLayers('x', options.lowerBoundSeconds, 'lower bound')],
    config: CONFIG,
  } as TopLevelSpec;
}

/** One strategy's result relative to the physical limit. */
export interface ComparisonBar {
  readonly strategy: string;
  /** Makespan ÷ lower bound (≥ 1 for a correct simulator). */
  readonly ratio: number;
}

/**
 * Strategy comparison: one horizontal bar per row (makespan ÷ lower bound), in the given order, with a
 * dashed rule at 1.0 (the lower bound). The best few strategies (by `ranking`, default the given order;
 * `swarm (eager)` and `swarm (round)` count as one) are coloured as in the completion chart, the rest grey.
 */
export function comparisonSpec(
  rows: readonly ComparisonBar[],
  options: ChartOptions & SeriesOptions = {},
): TopLevelSpec {
  const labels = rows.map((r) => r.strategy);
  // Both modes of a strategy share its colour: bars are labelled, so no dash is needed.
  const keys = rows.map((r) => ({ strategy: baseName(r.strategy) }));
  const style = seriesStyle(keys, { ...options, ranking: options.ranking ?? labels });
  return {
    ...header(options),
    height: { step: 22 },
    data: {
      values: rows.map((r, i) => ({
        strategy: r.strategy,
        colour: style.colourOf(keys[i]!.strategy),
        ratio: finite(r.ratio),
      })),
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          // Room for `max-bottleneck-spanning (round)`: the default label limit (180 px) cuts it.
          y: { field: 'strategy', type: 'nominal', sort: labels, title: null, axis: { labelLimit: 320 } },
          x: { field: 'ratio', type: 'quantitative', title: 'makespan ÷ lower bound', scale: { zero: true } },
          color: { ...style.color, legend: null },
          tooltip: [
            { field: 'strategy', type: 'nominal' },
            { field: 'ratio', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      ...boundLayers('x', 1, 'lower bound'),
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Bytes from one host or group to another (`LinkBytes` from derive.ts fits as is). */
export interface BytesRow {
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}

/** Options of {@link bytesSpec}. */
export interface BytesOptions extends ChartOptions {
  /** What a cell's row and column are (`host`, `rack`, `host block`). @defaultValue 'host' */
  readonly unit?: string;
}

/**
 * Bytes crossing the network per sender → receiver (hosts or groups such as racks), as a heat map:
 * darker is more bytes, in SI units; axes in the data's order.
 */
export function bytesSpec(rows: readonly BytesRow[], options: BytesOptions = {}): TopLevelSpec {
  const senders = [...new Set(rows.map((r) => r.from))];
  const receivers = [...new Set(rows.map((r) => r.to))];
  const unit = options.unit ?? 'host';
  const step = Math.max(8, Math.min(22, Math.floor(640 / Math.max(1, receivers.length))));
  return {
    ...header(options),
    width: { step },
    height: { step },
    data: { values: rows.map((r) => ({ from: r.from, to: r.to, bytes: finite(r.bytes) })) },
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'to',
        type: 'nominal',
        sort: receivers,
        title: `receiving ${unit}`,
        axis: { labelAngle: -45, labelLimit: 160, ...(step < 11 ? { labels: false } : {}) },
      },
      y: {
        field: 'from',
        type: 'nominal',
        sort: senders,
        title: `sending ${unit}`,
        axis: { labelLimit: 160 },
      },
      color: {
        field: 'bytes',
        type: 'quantitative',
        title: 'bytes (B)',
        scale: { scheme: 'blues' },
        legend: { format: '~s' },
      },
      tooltip: [
        { field: 'from', type: 'nominal', title: 'sender' },
        { field: 'to', type: 'nominal', title: 'receiver' },
        { field: 'bytes', type: 'quantitative', format: '~s', title: 'bytes (B)' },
      ],
    },
    config: CONFIG,
  };
}
