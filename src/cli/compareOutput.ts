/**
 * What `compare` prints and writes from its runs: the scenario lines and tables (text), the JSON
 * description of each scenario, and the HTML report (each strategy and mode shown by its median run).
 */
import type { CascadeEvent } from '../core/events.js';
import type { Scenario, ScenarioSources, ScenarioSpec } from '../sim/index.js';
import { formatTable, writeComparisonReport, type ComparisonRow } from '../trace/report.js';
import type { CompareRunResult } from './compareRuns.js';
import { formatCompareTable, medianMember, wrapList, type CompareAggregate } from './compareTable.js';
import { scenarioFacts } from './closureFrom.js';

/** One scenario of the comparison, validated and built once, with the name its rows carry. */
export interface ComparedScenario {
  readonly name: string;
  readonly spec: ScenarioSpec;
  readonly where: string;
  /** Whether it runs in both modes (no mode asked for, by flag or by the file). */
  readonly both: boolean;
  /** Its real closures, read once (jobs carry them to the workers). */
  readonly sources: ScenarioSources;
  /** Built with its first seed: the facts the tables print, the hosts the report's charts group. */
  readonly built: Scenario;
}

/** The seeds of `--seeds K` from a scenario's seed: n, n+1, … for a number; `s`, `s.1`, `s.2` … for text. */
export function seedList(base: number | string, count: number): (number | string)[] {
  return Array.from({ length: count }, (_, i) =>
    typeof base === 'number' ? base + i : i === 0 ? base : `${base}.${i}`,
  );
}

/** A scenario as `compare --json` describes it. */
export function describe(sc: ComparedScenario): Record<string, unknown> {
  const { spec } = sc;
  const facts = scenarioFacts(sc.built);
  return {
    name: sc.name,
    seed: spec.seed,
    topology: facts.topology,
    hosts: facts.hosts,
    closureMB: facts.closureMB,
    paths: facts.paths,
    network: spec.network,
    mode: sc.both ? 'both' : spec.mode,
  };
}

/** The text `compare` prints: per scenario, its line and its table (and every run with --wide). */
export function tablesText(
  scenarios: readonly ComparedScenario[],
  groups: readonly CompareAggregate[],
  results: readonly CompareRunResult[],
  o: { wide: boolean; seeds: number },
): string {
  const parts = scenarios.map((sc) => {
    const { spec } = sc;
    const facts = scenarioFacts(sc.built);
    const list = seedList(spec.seed, o.seeds).map(String);
    const seeds =
      list.length === 1
        ? `seed ${list[0]!}`
        : list.length <= 4
          ? `seeds ${list.join(' ')}`
          : `${list.length} seeds ${list[0]!} … ${list.at(-1)!}`;
    const head = wrapList(`scenario${scenarios.length > 1 ? ` ${sc.name}` : ''}: `, [
      `${facts.hosts} hosts`,
      `${facts.topology} topology`,
      facts.closureText,
      `${spec.network} network model`,
      `${sc.both ? 'round and eager' : spec.mode} mode`,
      seeds,
    ]);
    const mine = groups.filter((g) => g.scenario === sc.name);
    let text = `${head}\n\n${formatCompareTable(mine, { wide: o.wide, seeds: o.seeds > 1 })}`;
    if (o.wide) {
      const rows = mine.flatMap((g) =>
        g.members.map((i) =>
          runRow(results[i]!, `${g.strategy} (${g.mode}) seed ${String(results[i]!.json['seed'])}`),
        ),
      );
      text += `\nevery run:\n${formatTable(rows)}`;
    }
    return text;
  });
  return parts.join('\n');
}

const runRow = (r: CompareRunResult, label: string): ComparisonRow => ({ ...r.row, strategy: label });

/** Writes the HTML report; @returns the number of files written. */
export async function writeReport(
  dir: string,
  scenarios: readonly ComparedScenario[],
  groups: readonly CompareAggregate[],
  results: readonly CompareRunResult[],
  seedCount: number,
): Promise<number> {
  const multi = scenarios.length > 1;
  const rows: ComparisonRow[] = [];
  const traces = new Map<string, readonly CascadeEvent[]>();
  for (const g of groups) {
    // Each group is shown by its median run: a real run whose trace matches its numbers.
    const r = results[medianMember(g, results)]!;
    const label = `${g.strategy} (${g.mode})${multi ? ` ${g.scenario}` : ''}`;
    rows.push(runRow(r, label));
    if (r.events !== undefined) traces.set(label, r.events);
  }
  const first = scenarioFacts(scenarios[0]!.built);
  const files = await writeComparisonReport(dir, {
    title: multi
      ? `nix-cascade strategy comparison (${scenarios.map((s) => s.name).join(', ')})`
      : `nix-cascade strategy comparison (${first.hosts} hosts, ${first.topology})`,
    scenario: {
      ...(multi ? { scenarios: scenarios.map((s) => s.name) } : describe(scenarios[0]!)),
      seeds: seedCount,
      rows: seedCount > 1 ? 'the median run of each strategy and mode (see Spread)' : 'one run each',
    },
    rows,
    traces,
    sections: [spreadSection(groups, multi)],
    // Host facts for the charts (sender kind, rack or site); with several scenarios the first one's win.
    hosts: new Map(
      scenarios
        .flatMap((s) => s.built.fleet.hosts)
        .reverse()
        .map((h) => [h.id, { role: h.role, group: h.rack ?? h.site, uplink: h.uplink }]),
    ),
  });
  return files.length;
}

function spreadSection(groups: readonly CompareAggregate[], multi: boolean) {
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));
  return {
    heading: 'Spread over seeds',
    text: 'Median and min–max over every seed; makespan and ratio over the runs that finished.',
    table: {
      columns: [
        ...(multi ? ['scenario'] : []),
        'strategy',
        'mode',
        'finished',
        'makespan s (median)',
        'makespan min',
        'makespan max',
        'ratio (median)',
        'ratio min',
        'ratio max',
      ],
      rows: groups.map((g) => [
        ...(multi ? [g.scenario] : []),
        g.strategy,
        g.mode,
        `${g.finished}/${g.runs}`,
        f(g.makespanSeconds?.median),
        f(g.makespanSeconds?.min),
        f(g.makespanSeconds?.max),
        f(g.ratioToLowerBound?.median),
        f(g.ratioToLowerBound?.min),
        f(g.ratioToLowerBound?.max),
      ]),
      numeric: multi ? [4, 5, 6, 7, 8, 9] : [3, 4, 5, 6, 7, 8],
    },
  };
}
