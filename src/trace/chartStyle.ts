/**
 * What every chart shares: the spec header, the font, the palette (at most 10 distinguishable colours),
 * the series styling of multi-strategy charts (the best few strategies coloured, the rest grey, round vs
 * eager as line dash) and the lower-bound rule.
 */
import type { TopLevelSpec } from 'vega-lite';

/** The Vega-Lite schema every spec names. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The only font family on the build machines; set so SVG, PNG and HTML agree on text widths. */
export const CONFIG = {
  font: 'DejaVu Sans',
  view: { stroke: null },
  legend: { labelLimit: 320 },
  title: { subtitleColor: '#555' },
} as const;

/** Tableau 10 without its grey: nine colours anyone can tell apart; grey is kept for "the rest". */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
] as const;

/** The colour of everything not highlighted. */
export const GREY = '#bab0ac';

/** The lower bound's colour (rules and labels). */
export const BOUND_COLOUR = '#d62728';

/** Common chart options. */
export interface ChartOptions {
  readonly title?: string;
  /** A second title line (what was sampled, what the colours mean). */
  readonly subtitle?: string;
  /**
   * Plot width in pixels.
   * @defaultValue 640
   */
  readonly width?: number;
}

/** JSON has no Infinity/NaN; such values become null, which Vega skips. */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** `$schema`, title (with subtitle) and width of a spec. */
export function header(options: ChartOptions): Pick<TopLevelSpec, '$schema' | 'title'> & { width: number } {
  const title =
    options.title === undefined
      ? undefined
      : options.subtitle === undefined
        ? options.title
        : { text: options.title, subtitle: options.subtitle };
  return { $schema: SCHEMA, ...(title !== undefined ? { title } : {}), width: options.width ?? 640 };
}

/** Options of multi-strategy charts: which strategies get a colour. */
export interface SeriesOptions {
  /** Strategy names (or row labels such as `swarm (eager)`), best first; default: the data's order. */
  readonly ranking?: readonly string[];
  /**
   * How many strategies get their own colour; the rest are drawn grey as "others".
   * @defaultValue 6
   */
  readonly highlight?: number;
}

/** A data row of a multi-strategy chart before styling. */
export interface SeriesKey {
  readonly strategy: string;
  /** Coordinator mode, when the chart mixes round and eager runs. */
  readonly mode?: string | undefined;
}

/** How a multi-strategy chart draws its series. */
export interface SeriesStyle {
  /** The colour key of a strategy: its name when highlighted, else the "others" label. */
  readonly colourOf: (strategy: string) => string;
  /** True when a strategy is highlighted (drawn in colour, on top). */
  readonly highlighted: (strategy: string) => boolean;
  /** The `color` encoding (field `colour`). */
  readonly color: Record<string, unknown>;
  /** The `strokeDash` encoding (field `mode`), when the data has more than one mode. */
  readonly strokeDash: Record<string, unknown> | undefined;
}

/** `swarm (eager)` → `swarm`: a row label's strategy name. */
export function baseName(label: string): string {
  const m = /^(.*) \((?:round|eager)\)$/.exec(label);
  return m ? m[1]! : label;
}

/**
 * Colours for the strategies of a chart: the best `highlight` (at most nine) get a palette colour in
 * ranking order, every other strategy shares grey under one "others (N)" legend entry. Two modes in the
 * data become a line dash (eager solid, round dashed), so both runs of a strategy share its colour.
 */
export function seriesStyle(rows: readonly SeriesKey[], options: SeriesOptions = {}): SeriesStyle {
  const max = Math.max(0, Math.min(PALETTE.length, options.highlight ?? 6));
  const present = [...new Set(rows.map((r) => r.strategy))];
  const ranked = [...new Set([...(options.ranking ?? []).map(baseName), ...present])].filter((s) =>
    present.includes(s),
  );
  const chosen = ranked.slice(0, max);
  const others = present.length - chosen.length;
  const othersLabel = `others (${others})`;
  const chosenSet = new Set(chosen);
  const domain = others > 0 ? [...chosen, othersLabel] : chosen;
  const range = [...PALETTE.slice(0, chosen.length), ...(others > 0 ? [GREY] : [])];
  const modes = [...new Set(rows.map((r) => r.mode).filter((m) => m !== undefined))].sort();
  return {
    colourOf: (s) => (chosenSet.has(s) ? s : othersLabel),
    highlighted: (s) => chosenSet.has(s),
    color: { field: 'colour', type: 'nominal', title: 'strategy', scale: { domain, range }, sort: domain },
    strokeDash:
      modes.length > 1
        ? {
            field: 'mode',
            type: 'nominal',
            title: 'mode',
            scale: { domain: modes, range: modes.map((m) => (m === 'round' ? [6, 3] : [1, 0])) },
          }
        : undefined,
  };
}

/**
 * A dashed vertical (`x`) or horizontal (`y`) rule at `value` with a label, as two layers; none for a
 * value that is not a finite number.
 */
export function boundLayers(axis: 'x' | 'y', value: number | undefined, label: string): object[] {
  if (value === undefined || !Number.isFinite(value)) return [];
  // One datum of its own: a layer inheriting the chart's data would draw one rule per data row.
  const data = { values: [{}] };
  const rule = {
    data,
    mark: { type: 'rule', color: BOUND_COLOUR, strokeDash: [4, 3], strokeWidth: 2 },
    encoding: { [axis]: { datum: value } },
  };
  const text = {
    data,
    mark:
      axis === 'x'
        ? { type: 'text', color: BOUND_COLOUR, align: 'left', baseline: 'top', dx: 4, y: 4 }
        : { type: 'text', color: BOUND_COLOUR, align: 'right', baseline: 'bottom', dy: -3, x: 'width' },
    encoding: { [axis]: { datum: value }, text: { value: label } },
  };
  return [rule, text];
}
