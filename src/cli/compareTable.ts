/**
 * `compare`'s numbers for people: runs grouped per (scenario, strategy, mode) with the median and the
 * min–max over seeds, and the terminal table: sorted by makespan, best marked, columns that say nothing
 * (the same in every row) moved to a line above the table, so it fits a 100-column terminal.
 */
import { formatBytes } from '../units/units.js';
import type { CompareRunResult } from './compareRuns.js';

/** Median, least and greatest of some numbers. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The runs of one strategy in one mode on one scenario, over every seed. */
export interface CompareAggregate {
  readonly scenario: string;
  readonly strategy: string;
  readonly mode: string;
  readonly runs: number;
  /** Runs where every host got its closure. */
  readonly finished: number;
  /** Makespan over the finished runs (`null` when none finished: a stopped run's time means nothing). */
  readonly makespanSeconds: Spread | null;
  /** Makespan ÷ lower bound over the finished runs (`null` when none finished). */
  readonly ratioToLowerBound: Spread | null;
  readonly lowerBoundSeconds: Spread;
  readonly rounds: Spread;
  readonly bytesTransferred: Spread;
  /** Hosts failed or unreached, over every run. */
  readonly hostsLeftBehind: Spread;
  readonly hosts: number;
  /** Indexes (into the results) of this group's runs, in seed order. */
  readonly members: readonly number[];
}

/** The lower median for an even count, so it is always one of the values (a real run). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread of no values');
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const num = (r: CompareRunResult, k: string): number => r.json[k] as number;

/**
 * Groups results per (scenario, strategy, mode), in first-seen order, and sorts each scenario's groups:
 * most finished runs first, then the lowest median makespan, then the original order.
 * @param scenarioName - the scenario's display name, per result.
 */
export function aggregateRuns(
  results: readonly CompareRunResult[],
  scenarioName: (r: CompareRunResult) => string,
): CompareAggregate[] {
  const groups = new Map<string, number[]>();
  results.forEach((r, i) => {
    const key = `${scenarioName(r)}\u0000${String(r.json['strategy'])}\u0000${String(r.json['mode'])}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const out: CompareAggregate[] = [];
  for (const members of groups.values()) {
    const runs = members.map((i) => results[i]!);
    const first = runs[0]!;
    const done = runs.filter((r) => r.finished);
    const over = (k: string, rs: readonly CompareRunResult[]) => spread(rs.map((r) => num(r, k)));
    out.push({
      scenario: scenarioName(first),
      strategy: String(first.json['strategy']),
      mode: String(first.json['mode']),
      runs: runs.length,
      finished: done.length,
      makespanSeconds: done.length > 0 ? over('makespanSeconds', done) : null,
      ratioToLowerBound: done.length > 0 ? over('ratioToLowerBound', done) : null,
      lowerBoundSeconds: over('lowerBoundSeconds', runs),
      rounds: over('rounds', runs),
      bytesTransferred: over('bytesTransferred', runs),
      hostsLeftBehind: spread(runs.map((r) => num(r, 'hostsFailed') + num(r, 'hostsUnreached'))),
      hosts: num(first, 'hosts'),
      members,
    });
  }
  const order = new Map(out.map((a, i) => [a, i]));
  const scenarioOrder = [...new Set(out.map((a) => a.scenario))];
  return out.sort(
    (a, b) =>
      scenarioOrder.indexOf(a.scenario) - scenarioOrder.indexOf(b.scenario) ||
      b.finished - a.finished ||
      (a.makespanSeconds?.median ?? Infinity) - (b.makespanSeconds?.median ?? Infinity) ||
      order.get(a)! - order.get(b)!,
  );
}

/** The result of a group that stands for it in the report: the run with the median makespan. */
export function medianMember(a: CompareAggregate, results: readonly CompareRunResult[]): number {
  const target = a.makespanSeconds?.median;
  if (target === undefined) return a.members[0]!;
  return a.members.find((i) => results[i]!.finished && num(results[i]!, 'makespanSeconds') === target)!;
}

/** The width `compare`'s default output keeps to: an 100-column terminal. */
export const TABLE_WIDTH = 100;

/**
 * `prefix` and the items, comma-separated, wrapped at {@link TABLE_WIDTH} columns; continuation lines are
 * indented under the first item.
 */
export function wrapList(prefix: string, items: readonly string[], width = TABLE_WIDTH): string {
  const lines: string[] = [];
  let line = prefix;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line.length > prefix.length && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = ' '.repeat(prefix.length) + piece;
    } else {
      line += (line.length > prefix.length ? ' ' : '') + piece;
    }
  });
  lines.push(line);
  return lines.join('\n');
}

interface Column {
  readonly header: string;
  readonly left?: boolean;
  /** Dropped from the narrow table when every row has the same cell (then said once above it). */
  readonly droppable?: boolean;
  /** Only in `--wide`. */
  readonly wideOnly?: boolean;
  readonly cell: (a: CompareAggregate) => string;
}

const fix = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const range = (s: Spread | null, d: number): string =>
  s === null ? '-' : s.min === s.max ? fix(s.min, d) : `${fix(s.min, d)}–${fix(s.max, d)}`;
const med = (s: Spread | null, d: number): string => (s === null ? '-' : fix(s.median, d));

function columns(seeds: boolean): Column[] {
  return [
    { header: '', left: true, cell: () => '' }, // the best mark, filled in by formatCompareTable
    { header: 'strategy', left: true, cell: (a) => a.strategy },
    { header: 'mode', left: true, droppable: true, cell: (a) => a.mode },
    { header: 'hosts', droppable: true, wideOnly: true, cell: (a) => String(a.hosts) },
    ...(seeds
      ? [{ header: 'finished', droppable: true, cell: (a: CompareAggregate) => `${a.finished}/${a.runs}` }]
      : []),
    { header: 'left behind', droppable: true, cell: (a) => range(a.hostsLeftBehind, 0) },
    {
      header: 'rounds',
      droppable: true,
      cell: (a) => (seeds ? range(a.rounds, 0) : String(a.rounds.median)),
    },
    { header: 'makespan s', cell: (a) => med(a.makespanSeconds, 3) },
    ...(seeds ? [{ header: 'min–max s', cell: (a: CompareAggregate) => range(a.makespanSeconds, 3) }] : []),
    { header: 'ratio', cell: (a) => med(a.ratioToLowerBound, 3) },
    ...(seeds
      ? [{ header: 'ratio min–max', cell: (a: CompareAggregate) => range(a.ratioToLowerBound, 3) }]
      : []),
    { header: 'bound s', droppable: true, cell: (a) => range(a.lowerBoundSeconds, 3) },
    {
      header: 'bytes',
      droppable: true,
      cell: (a) => formatBytes(a.bytesTransferred.median, 2),
    },
  ];
}

/** Options of {@link formatCompareTable}. */
export interface CompareTableOptions {
  /** Every column, constant or not. */
  readonly wide: boolean;
  /** Whether runs span several seeds: adds the finished count and min–max columns. */
  readonly seeds: boolean;
}

/**
 * The table of one scenario's groups (already sorted, best first): a `*` marks the best (the first group
 * with a finished run). In the narrow form a column whose cells are all equal is left out and said on a
 * `same for every row:` line; a run that did not finish shows `-` for makespan and ratio, never 0.
 */
export function formatCompareTable(groups: readonly CompareAggregate[], o: CompareTableOptions): string {
  const all = columns(o.seeds).filter((c) => o.wide || !c.wideOnly);
  const cellsOf = (c: Column) => groups.map((g) => c.cell(g));
  const constant = new Map<string, string>();
  const shown = all.filter((c) => {
    if (o.wide || c.droppable !== true || groups.length < 2) return true;
    const cs = cellsOf(c);
    if (cs.some((x) => x !== cs[0])) return true;
    constant.set(c.header, cs[0] ?? '');
    return false;
  });
  const best = groups.findIndex((g) => g.finished > 0);
  const rows = groups.map((g, i) => shown.map((c, j) => (j === 0 ? (i === best ? '*' : ' ') : c.cell(g))));
  const headers = shown.map((c) => c.header);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cs: readonly string[]): string =>
    cs
      .map((c, i) => (shown[i]!.left === true ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  if (constant.size > 0) {
    out.push(
      wrapList(
        'same for every row: ',
        [...constant].map(([h, v]) => `${h} ${v}`),
      ),
    );
  }
  out.push(line(headers), line(widths.map((w, i) => (i === 0 ? '' : '-'.repeat(w)))), ...rows.map(line));
  const b = groups[best];
  out.push(
    b === undefined
      ? 'no strategy finished: no best, and no ratio to the lower bound'
      : `* best: ${b.strategy} (${b.mode}), ${med(b.ratioToLowerBound, 3)} × the lower bound`,
  );
  return `${out.join('\n')}\n`;
}
