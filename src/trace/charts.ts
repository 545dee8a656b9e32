/**
 * Vega-Lite specs for the charts of a report. Each function takes plain data rows (not events), so specs
 * are easy to test and to feed from a trace, a benchmark JSON or a notebook.
 */
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The only font family on the build machines; set so SVG, PNG and HTML agree on text widths. */
const CONFIG = { font: 'DejaVu Sans', view: { stroke: null } } as const;

/** Common chart options. */
export interface ChartOptions {
  readonly title?: string;
  /**
   * Plot width in pixels.
   * @defaultValue 640
   */
  readonly width?: number;
}

/** JSON has no Infinity/NaN; such values become null, which Vega skips. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function header(options: ChartOptions): { $schema: string; title?: string; width: number } {
  return {
    $schema: SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    width: options.width ?? 640,
  };
}

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
   * Colour bars by sender (who served whom) or by round.
   * @defaultValue 'sender'
   */
  readonly colorBy?: 'sender' | 'round';
  /** Receiver order on the y axis (fleet order); default: as the data first mentions them. */
  readonly hostOrder?: readonly string[];
}

/**
 * Per-host timeline (Gantt): x = time, y = receiving host, one bar per transfer, coloured by sender or
 * round; failed and unfinished transfers are drawn faint.
 */
export function timelineSpec(rows: readonly TimelineRow[], options: TimelineOptions = {}): TopLevelSpec {
  const values = rows.map((r) => ({
    from: r.from,
    to: r.to,
    start: r.start,
    end: r.end,
    round: r.round,
    bytes: r.bytes,
    outcome: r.outcome,
  }));
  const order = options.hostOrder ?? [...new Set(rows.map((r) => r.to))];
  const color =
    options.colorBy === 'round'
      ? { field: 'round', type: 'ordinal' as const, title: 'round', scale: { scheme: 'viridis' } }
      : { field: 'from', type: 'nominal' as const, title: 'sender', scale: { scheme: 'tableau20' } };
  return {
    ...header(options),
    height: { step: 14 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: 'time (s)' },
      x2: { field: 'end' },
      y: { field: 'to', type: 'nominal', sort: [...order], title: 'receiver' },
      color,
      opacity: { condition: { test: "datum.outcome !== 'ok'", value: 0.3 }, value: 1 },
      tooltip: [
        { field: 'from', type: 'nominal' },
        { field: 'to', type: 'nominal' },
        { field: 'round', type: 'ordinal' },
        { field: 'bytes', type: 'quantitative' },
        { field: 'start', type: 'quantitative' },
        { field: 'end', type: 'quantitative' },
        { field: 'outcome', type: 'nominal' },
      ],
    },
    config: CONFIG,
  };
}

/** One point of one strategy's completion curve. */
export interface CompletionRow {
  readonly strategy: string;
  /** Seconds. */
  readonly t: number;
  /** Hosts done by `t`. */
  readonly done: number;
}

/** Completion curves (hosts done vs time) of several strategies on one chart, drawn as steps. */
export function completionSpec(rows: readonly CompletionRow[], options: ChartOptions = {}): TopLevelSpec {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  return {
    ...header(options),
    height: 320,
    data: { values: rows.map((r) => ({ strategy: r.strategy, t: finite(r.t), done: r.done })) },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time (s)' },
      y: { field: 'done', type: 'quantitative', title: 'hosts done' },
      // 20 colours and whole labels: `compare --mode both` draws two curves per strategy.
      color: {
        field: 'strategy',
        type: 'nominal',
        sort: strategies,
        title: 'strategy',
        scale: { scheme: 'tableau20' },
        legend: { labelLimit: 320 },
      },
      tooltip: [
        { field: 'strategy', type: 'nominal' },
        { field: 't', type: 'quantitative' },
        { field: 'done', type: 'quantitative' },
      ],
    },
    config: CONFIG,
  };
}

/** One strategy's result relative to the physical limit. */
export interface ComparisonBar {
  readonly strategy: string;
  /** Makespan ÷ lower bound (≥ 1 for a correct simulator). */
  readonly ratio: number;
}

/**
 * Strategy comparison: one horizontal bar per strategy (makespan ÷ lower bound), in the given order,
 * with a dashed rule at 1.0 (the lower bound).
 */
export function comparisonSpec(rows: readonly ComparisonBar[], options: ChartOptions = {}): TopLevelSpec {
  const strategies = rows.map((r) => r.strategy);
  return {
    ...header(options),
    height: { step: 22 },
    data: { values: rows.map((r) => ({ strategy: r.strategy, ratio: finite(r.ratio) })) },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          // Room for `max-bottleneck-spanning (round)`: the default label limit (180 px) cuts it.
          y: { field: 'strategy', type: 'nominal', sort: strategies, title: null, axis: { labelLimit: 320 } },
          x: { field: 'ratio', type: 'quantitative', title: 'makespan ÷ lower bound', scale: { zero: true } },
          tooltip: [
            { field: 'strategy', type: 'nominal' },
            { field: 'ratio', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3], strokeWidth: 2 },
        encoding: { x: { datum: 1 } },
      },
    ],
    config: CONFIG,
  };
}

/** Bytes from one host or group to another (`LinkBytes` from derive.ts fits as is). */
export interface BytesRow {
  readonly from: string;
  readonly to: string;
  readonly bytes: number;
}

/** Bytes crossing the network per sender → receiver (hosts or groups such as racks), as a heat map. */
export function bytesSpec(rows: readonly BytesRow[], options: ChartOptions = {}): TopLevelSpec {
  const senders = [...new Set(rows.map((r) => r.from))];
  const receivers = [...new Set(rows.map((r) => r.to))];
  return {
    ...header(options),
    height: { step: 16 },
    data: { values: rows.map((r) => ({ from: r.from, to: r.to, bytes: r.bytes })) },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'to', type: 'nominal', sort: receivers, title: 'receiver' },
      y: { field: 'from', type: 'nominal', sort: senders, title: 'sender' },
      color: { field: 'bytes', type: 'quantitative', title: 'bytes' },
      tooltip: [
        { field: 'from', type: 'nominal' },
        { field: 'to', type: 'nominal' },
        { field: 'bytes', type: 'quantitative' },
      ],
    },
    config: CONFIG,
  };
}
