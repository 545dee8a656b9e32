/**
 * The strategy comparison report: one directory with a self-contained `index.html`, a `summary.json`,
 * SVG/PNG charts and, per strategy, the trace (JSON Lines, Perfetto) and CSV tables. Also the fixed-width
 * terminal table the CLI `compare` prints.
 */
import { formatBytes } from '../units/units.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { RunResult } from '../core/coordinator.js';
import type { CascadeEvent } from '../core/events.js';
import type { HostId } from '../core/types.js';
import type { HostInfo } from './chartData.js';
import { hostsCsv, transfersCsv } from './csv.js';
import { cascadeTreeAscii, cascadeTreeDot, hostOrder } from './derive.js';
import { toJsonLines } from './jsonl.js';
import { ensureDirectory } from './outputPaths.js';
import { toPerfettoJson } from './perfetto.js';
import { renderHtml, renderPng, renderSvg, type HtmlSection } from './render.js';
import { rankRows, reportCharts, type ReportChartSettings } from './reportCharts.js';

/** One strategy's result on the compared scenario (the fields of `simulate --json`). */
export interface ComparisonRow {
  readonly strategy: string;
  /** Target hosts. */
  readonly hosts: number;
  readonly hostsDone: number;
  readonly hostsFailed: number;
  readonly hostsUnreached: number;
  readonly rounds: number;
  readonly makespanSeconds: number;
  readonly lowerBoundSeconds: number;
  readonly ratioToLowerBound: number;
  readonly bytesTransferred: number;
  readonly traceSha256: string;
}

/** A comparison-table row for a run. */
export function comparisonRow(r: RunResult, traceSha256: string): ComparisonRow {
  return {
    strategy: r.strategy,
    hosts: r.hosts,
    hostsDone: r.hostsDone,
    hostsFailed: r.hostsFailed,
    hostsUnreached: r.hostsUnreached,
    rounds: r.rounds,
    makespanSeconds: r.makespanSeconds,
    lowerBoundSeconds: r.lowerBound.seconds,
    ratioToLowerBound: r.ratioToLowerBound,
    bytesTransferred: r.bytesTransferred,
    traceSha256,
  };
}

/** What {@link writeComparisonReport} reports on. */
export interface ComparisonReportInput {
  readonly title: string;
  /** A description of the scenario (preset, hosts, topology, closure size, seed…), shown as a table. */
  readonly scenario: Readonly<Record<string, unknown>>;
  /** One row per strategy, in the order to show them. */
  readonly rows: readonly ComparisonRow[];
  /** Each strategy's events; strategies without a trace get no per-strategy files. */
  readonly traces: ReadonlyMap<string, readonly CascadeEvent[]>;
  /**
   * The fleet's hosts (role, rack or site, uplink), when known: the timeline then colours senders by
   * their real kind or group, the heat map aggregates per group and the uplink chart shows utilisation.
   */
  readonly hosts?: ReadonlyMap<HostId, HostInfo>;
  /** More sections, shown after the results table (e.g. `compare`'s spread over seeds). */
  readonly sections?: readonly HtmlSection[] | undefined;
}

/** Options of {@link writeComparisonReport}. */
export interface ReportOptions {
  /**
   * Draw a timeline for the best strategy only, or for every strategy.
   * @defaultValue 'best'
   */
  readonly timelines?: 'best' | 'all';
  /**
   * A timeline shows at most this many receivers (an evenly spaced sample in finish order, said on the
   * chart); big fleets would make it unreadable and slow to render.
   * @defaultValue 100
   */
  readonly timelineMaxHosts?: number;
  /**
   * Colour timeline bars by the sender's kind (deployer / peer / cache) or by its topology group.
   * @defaultValue 'kind'
   */
  readonly timelineColour?: 'kind' | 'group';
  /**
   * Most rows or columns of the bytes heat map (more hosts are aggregated into blocks).
   * @defaultValue 32
   */
  readonly heatMapCells?: number;
  /**
   * Strategies coloured in multi-strategy charts (the best ones; the rest are grey), at most 9.
   * @defaultValue 6
   */
  readonly highlight?: number;
  /**
   * Points per completion curve in charts (curves are thinned, keeping their step shape).
   * @defaultValue 400
   */
  readonly curvePoints?: number;
  /**
   * Include the ASCII cascade tree in the HTML only up to this many hosts.
   * @defaultValue 64
   */
  readonly detailMaxHosts?: number;
  /**
   * Also write PNGs next to the SVG charts.
   * @defaultValue true
   */
  readonly png?: boolean;
}

interface ResolvedReportOptions extends ReportChartSettings {
  readonly detailMaxHosts: number;
  readonly png: boolean;
}

function resolveReportOptions(o: ReportOptions): ResolvedReportOptions {
  const positiveInt = (v: number | undefined, dflt: number, field: string): number => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || x < 1)
      throw new ConfigError(`must be a positive integer, got ${x}`, `ReportOptions.${field}`);
    return x;
  };
  const timelines = o.timelines ?? 'best';
  if (timelines !== 'best' && timelines !== 'all') {
    throw new ConfigError(`must be "best" or "all", got ${String(timelines)}`, 'ReportOptions.timelines');
  }
  const timelineColour = o.timelineColour ?? 'kind';
  if (timelineColour !== 'kind' && timelineColour !== 'group') {
    throw new ConfigError(
      `must be "kind" or "group", got ${String(timelineColour)}`,
      'ReportOptions.timelineColour',
    );
  }
  const highlight = positiveInt(o.highlight, 6, 'highlight');
  if (highlight > 9) throw new ConfigError(`must be at most 9, got ${highlight}`, 'ReportOptions.highlight');
  return {
    timelines,
    timelineMaxHosts: positiveInt(o.timelineMaxHosts, 100, 'timelineMaxHosts'),
    timelineColour,
    heatMapCells: positiveInt(o.heatMapCells, 32, 'heatMapCells'),
    highlight,
    curvePoints: positiveInt(o.curvePoints, 400, 'curvePoints'),
    detailMaxHosts: positiveInt(o.detailMaxHosts, 64, 'detailMaxHosts'),
    png: o.png ?? true,
  };
}

/**
 * A strategy name as a file-name part: `log2-fanout` stays, each run of other characters becomes one `_`,
 * none at the end (`swarm (eager)` → `swarm_eager`).
 */
export function fileSafe(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/(?<=.)_$/, '');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/**
 * The best row: fewest hosts left behind (failed + unreached), then the lowest makespan ÷ lower bound,
 * then the earliest row. `undefined` for no rows.
 */
export function bestRow(rows: readonly ComparisonRow[]): ComparisonRow | undefined {
  return rankRows(rows)[0];
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

const TABLE_COLUMNS = [
  'strategy',
  'hosts',
  'done',
  'failed',
  'unreached',
  'rounds',
  'makespan s',
  'bound s',
  'ratio',
  'bytes',
  'trace sha256',
] as const;

function tableCells(r: ComparisonRow): string[] {
  return [
    r.strategy,
    String(r.hosts),
    String(r.hostsDone),
    String(r.hostsFailed),
    String(r.hostsUnreached),
    String(r.rounds),
    fixed(r.makespanSeconds, 3),
    fixed(r.lowerBoundSeconds, 3),
    // A run that left hosts behind has no meaningful ratio (0 would read like a perfect score).
    r.hostsFailed + r.hostsUnreached > 0 ? '-' : fixed(r.ratioToLowerBound, 3),
    formatBytes(r.bytesTransferred, 1),
    r.traceSha256.slice(0, 12),
  ];
}

/**
 * A fixed-width text table of the rows for terminals (the CLI `compare`): a header, a rule, one line per
 * row; text columns left-aligned, numbers right-aligned, the trace hash shortened to 12 hex digits.
 * Every line ends with `\n`; no trailing spaces.
 */
export function formatTable(rows: readonly ComparisonRow[]): string {
  return textTable(TABLE_COLUMNS, rows.map(tableCells), new Set([0, TABLE_COLUMNS.length - 1]));
}

/**
 * A fixed-width text table: a header line, a rule, one line per row; columns two spaces apart, the
 * `left` ones (by index) left-aligned, the others right-aligned.
 */
export function textTable(
  columns: readonly string[],
  cells: readonly (readonly string[])[],
  left: ReadonlySet<number> = new Set([0]),
): string {
  const widths = columns.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (cs: readonly string[]): string =>
    cs
      .map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

function scenarioValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  // JSON.stringify returns undefined only for functions and symbols, which a description should not hold.
  return JSON.stringify(v) ?? typeof v;
}

/**
 * Writes the comparison report into `dir` (created if missing):
 * `index.html` (self-contained, works offline), `summary.json`, `comparison.svg/png`,
 * `completion.svg/png`, `uplink.svg/png` (the deployer's uplink), `timeline-<strategy>.svg/png` (the best
 * strategy, or all), the best strategy's `bytes-<strategy>.svg/png` heat map and `tree-<strategy>.txt/.dot`,
 * and per strategy with a trace `trace-<s>.jsonl`, `trace-<s>.perfetto.json`, `transfers-<s>.csv`,
 * `hosts-<s>.csv`. Same input, same bytes.
 *
 * @returns the written files (absolute when `dir` is), in write order.
 * @throws ConfigError for bad options or duplicate strategy names.
 */
export async function writeComparisonReport(
  dir: string,
  input: ComparisonReportInput,
  options: ReportOptions = {},
): Promise<string[]> {
  const cfg = resolveReportOptions(options);
  const names = input.rows.map((r) => r.strategy);
  const fileNames = names.map(fileSafe);
  if (new Set(fileNames).size !== fileNames.length) {
    throw new ConfigError(`strategy names must be unique (as file names): ${names.join(', ')}`, 'rows');
  }
  ensureDirectory(dir, 'report directory');
  const written: string[] = [];
  const chartNames: string[] = [];
  const write = (name: string, data: string | Uint8Array): void => {
    const file = join(dir, name);
    writeFileSync(file, data);
    written.push(file);
  };
  const chart = async (base: string, spec: Parameters<typeof renderSvg>[0]): Promise<void> => {
    const svg = await renderSvg(spec);
    write(`${base}.svg`, svg);
    chartNames.push(`${base}.svg`);
    if (cfg.png) {
      write(`${base}.png`, renderPng(svg));
      chartNames.push(`${base}.png`);
    }
  };

  // Per-strategy data files.
  const fileLinks: { label: string; href: string }[] = [];
  for (const r of input.rows) {
    const events = input.traces.get(r.strategy);
    if (!events) continue;
    const s = fileSafe(r.strategy);
    const files: [string, string][] = [
      [`trace-${s}.jsonl`, toJsonLines(events)],
      [`trace-${s}.perfetto.json`, toPerfettoJson(events)],
      [`transfers-${s}.csv`, transfersCsv(events)],
      [`hosts-${s}.csv`, hostsCsv(events)],
    ];
    for (const [name, text] of files) {
      write(name, text);
      fileLinks.push({ label: name, href: name });
    }
  }

  // Charts.
  const best = bestRow(input.rows);
  const chartSections: HtmlSection[] = [];
  for (const c of reportCharts(input.rows, input.traces, cfg, input.hosts, fileSafe)) {
    await chart(c.file, c.spec);
    chartSections.push({
      heading: c.heading,
      ...(c.text !== undefined ? { text: c.text } : {}),
      chart: c.spec,
    });
  }

  // The best strategy's cascade tree, as text and Graphviz.
  const sections: HtmlSection[] = [];
  const detailSections: HtmlSection[] = [];
  const bestEvents = best ? input.traces.get(best.strategy) : undefined;
  if (best && bestEvents) {
    const s = fileSafe(best.strategy);
    const ascii = cascadeTreeAscii(bestEvents);
    write(`tree-${s}.txt`, ascii);
    write(`tree-${s}.dot`, cascadeTreeDot(bestEvents));
    fileLinks.push(
      { label: `tree-${s}.txt`, href: `tree-${s}.txt` },
      { label: `tree-${s}.dot`, href: `tree-${s}.dot` },
    );
    const hostCount = hostOrder(bestEvents).size;
    detailSections.push(
      hostCount <= cfg.detailMaxHosts
        ? { heading: `Cascade tree: ${best.strategy}`, pre: ascii }
        : {
            heading: `Cascade tree: ${best.strategy}`,
            text: `${hostCount} hosts: too many to show inline; see tree-${s}.txt and tree-${s}.dot.`,
          },
    );
  }

  const summary = {
    title: input.title,
    scenario: input.scenario,
    best: best?.strategy ?? null,
    rows: input.rows,
  };
  write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);

  sections.push(
    {
      heading: 'Scenario',
      table: {
        columns: ['parameter', 'value'],
        rows: Object.keys(input.scenario).map((k) => [k, scenarioValue(input.scenario[k])]),
        numeric: [],
      },
    },
    {
      heading: 'Results',
      text: best
        ? `Best: ${best.strategy} (${fixed(best.ratioToLowerBound, 3)} × the lower bound).`
        : 'No results.',
      table: {
        columns: [...TABLE_COLUMNS],
        // The first 12 hex digits, as in the text table: the full hash is in summary.json.
        rows: input.rows.map(tableCells),
        numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      },
    },
    ...(input.sections ?? []),
    ...chartSections,
    ...detailSections,
    {
      heading: 'Files',
      text: 'Open the .perfetto.json files in ui.perfetto.dev to see every host’s timeline.',
      links: [
        { label: 'summary.json', href: 'summary.json' },
        ...chartNames.map((f) => ({ label: f, href: f })),
        ...fileLinks,
      ],
    },
  );
  write('index.html', renderHtml(input.title, sections));
  return written;
}
