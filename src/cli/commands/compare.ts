import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import type { RunMode } from '../../core/strategy.js';
import { buildScenario, NETWORK_PRESETS } from '../../sim/index.js';
import { getStrategy, strategyNames } from '../../strategies/registry.js';
import { ensureDirectory } from '../../trace/outputPaths.js';
import { defaultJobs, runCompareJobs } from '../comparePool.js';
import type { CompareJob, CompareRunResult } from '../compareRuns.js';
import { aggregateRuns } from '../compareTable.js';
import { describe, seedList, tablesText, writeReport, type ComparedScenario } from '../compareOutput.js';
import { scenarioSources } from '../closureFrom.js';
import { progressReporter, silentProgress } from '../progress.js';
import {
  parseScenarioInput,
  parseStrategyOptions,
  scenarioInputFromFlags,
  scenarioOptions,
  type ScenarioFlags,
} from '../scenarioFlags.js';

/** Coordinator modes `compare --mode` takes: one, or both (each strategy runs in round and eager mode). */
const COMPARE_MODES = ['round', 'eager', 'both'] as const;

interface CompareArgs extends ScenarioFlags {
  strategies?: string[] | undefined;
  scenarios?: string[] | undefined;
  seeds?: number | undefined;
  jobs?: number | undefined;
  'strategy-option'?: string[] | undefined;
  report?: string | undefined;
  json: boolean;
  wide: boolean;
  progress: boolean;
}

/** A list flag that takes `a,b` as well as `a b`. */
const commaList = (names: string[]): string[] => names.flatMap((n) => n.split(',')).filter((n) => n !== '');

async function loadScenarios(args: CompareArgs): Promise<ComparedScenario[]> {
  const entries = args.scenarios;
  if (entries !== undefined && args.scenario !== undefined) {
    throw new ConfigError('give either --scenario FILE or --scenarios LIST, not both', '--scenarios');
  }
  if (entries?.length === 0) throw new ConfigError('names no scenario', '--scenarios');
  const flags = { ...args, mode: args.mode === 'both' ? undefined : args.mode };
  const list = entries ?? [args.scenario];
  const loaded = list.map((entry) => {
    // A preset name is the default synthetic fleet on that topology; anything else is a scenario file.
    const preset = entry !== undefined && (NETWORK_PRESETS as readonly string[]).includes(entry);
    if (preset && flags.topology !== undefined) {
      throw new ConfigError(`names the topology preset ${entry}: leave out --topology`, '--scenarios');
    }
    const input = preset
      ? scenarioInputFromFlags({ ...flags, scenario: undefined, topology: entry })
      : scenarioInputFromFlags({ ...flags, scenario: entry });
    const spec = parseScenarioInput(input);
    const both = args.mode === 'both' || (args.mode === undefined && input.raw['mode'] === undefined);
    const name = entry === undefined ? 'scenario' : preset ? entry : basename(entry).replace(/\.json$/, '');
    return { name, spec, input, both };
  });
  const out: ComparedScenario[] = [];
  for (const { name, spec, input, both } of loaded) {
    // Real closures are read here, once; the jobs carry them to the workers as plain data.
    const sources = await scenarioSources(spec, input);
    out.push({ name, spec, where: input.where, both, sources, built: buildScenario(spec, input.where, sources) });
  }
  return out;
}

function positiveInt(v: number | undefined, flag: string): number | undefined {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
    throw new ConfigError(`must be a whole number ≥ 1, got ${v}`, flag);
  }
  return v;
}

/**
 * Which compared strategies get which `--strategy-option`: `key=value` goes to every compared strategy
 * that has option `key`, `name.key=value` to that strategy alone.
 * @throws ConfigError naming --strategy-option when no compared strategy takes an option.
 */
export function optionsForStrategies(
  names: readonly string[],
  options: Readonly<Record<string, unknown>>,
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>(names.map((n) => [n, {}]));
  const takes = (n: string, key: string, value: unknown): boolean => {
    try {
      getStrategy(n, { [key]: value });
      return true;
    } catch (err) {
      // Only "no such option" rules a strategy out; a bad value is reported by the real validation.
      return !(
        err instanceof ConfigError &&
        err.where === `${n}.${key}` &&
        /unknown option/.test(err.message)
      );
    }
  };
  for (const [full, value] of Object.entries(options)) {
    const dot = full.indexOf('.');
    const only = dot > 0 ? full.slice(0, dot) : undefined;
    const key = dot > 0 ? full.slice(dot + 1) : full;
    if (only !== undefined && !out.has(only)) {
      throw new ConfigError(`"${full}": ${only} is not among the compared strategies`, '--strategy-option');
    }
    const targets = only !== undefined ? [only] : names.filter((n) => takes(n, key, value));
    if (targets.length === 0) {
      throw new ConfigError(
        `no compared strategy takes option "${key}" (see \`nix-cascade strategies\`)`,
        '--strategy-option',
      );
    }
    for (const n of targets) out.get(n)![key] = value;
  }
  return out;
}

/** `nix-cascade compare`: every (or the named) strategy on one or more scenarios and seeds. */
export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe:
    'Compare strategies on scenarios and seeds (default: all registered, on the default synthetic fleet)',
  builder: (y) =>
    scenarioOptions(y, {
      choices: COMPARE_MODES,
      describe:
        'Coordinator mode; both: every strategy in round and eager mode, one row each ' +
        "[default: both, or the scenario file's mode]",
    })
      .option('strategies', {
        type: 'string',
        array: true,
        coerce: commaList,
        describe: 'Strategies to compare, space- or comma-separated [default: all registered]',
      })
      .option('strategy-option', {
        type: 'string',
        array: true,
        describe:
          'Strategy option key=value (repeatable), for every compared strategy that has that option, e.g. k=16',
      })
      .option('scenarios', {
        type: 'string',
        array: true,
        coerce: commaList,
        describe: `Scenario files and/or topology presets (${NETWORK_PRESETS.join(', ')}), comma-separated; the scenario flags apply to each`,
      })
      .option('seeds', {
        type: 'number',
        describe:
          'Run each scenario with K seeds (its seed, then the next ones) and show the spread [default: 1]',
      })
      .option('jobs', {
        type: 'number',
        describe: `Runs at once, in worker threads (1: in this process) [default: one per core, here ${defaultJobs()}]`,
      })
      .option('report', {
        type: 'string',
        describe: 'Write an HTML report with charts, CSV and traces to this directory',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object: every run, and the aggregates per strategy, mode and scenario',
      })
      .option('wide', {
        type: 'boolean',
        default: false,
        describe: 'Show every column, and a line per run with its trace sha256',
      })
      .option('progress', {
        type: 'boolean',
        default: true,
        describe: 'Show progress on stderr (a bar on a terminal, plain lines otherwise); --no-progress: none',
      })
      .example('$0 compare --hosts 200 --strategies log2-fanout,swarm --seeds 5', '')
      .example('$0 compare --scenarios flat,racks,examples/regions.json --seeds 3 --json', ''),
  handler: async (args) => {
    const seedCount = positiveInt(args.seeds, '--seeds') ?? 1;
    const workers = positiveInt(args.jobs, '--jobs') ?? defaultJobs();
    const scenarios = await loadScenarios(args);
    if (args.strategies?.length === 0) {
      throw new ConfigError('names no strategy (leave it out to compare all)', '--strategies');
    }
    const names = args.strategies ?? strategyNames();
    const flagOptions = optionsForStrategies(names, parseStrategyOptions(args['strategy-option']));
    const jobs: CompareJob[] = [];
    scenarios.forEach((sc, s) => {
      // The scenario's strategy options belong to its strategy (as in `simulate`); the others run on defaults.
      const optionsOf = (n: string) => ({
        ...(n === sc.spec.strategy ? sc.spec.strategyOptions : {}),
        ...flagOptions.get(n),
      });
      for (const n of names) getStrategy(n, optionsOf(n)); // every name and option checked before any run
      const modes: readonly RunMode[] = sc.both ? ['round', 'eager'] : [sc.spec.mode];
      for (const seed of seedList(sc.spec.seed, seedCount)) {
        for (const strategy of names) {
          for (const mode of modes) {
            jobs.push({
              index: jobs.length,
              scenario: s,
              spec: { ...sc.spec, seed },
              where: sc.where,
              sources: sc.sources,
              strategy,
              options: optionsOf(strategy),
              mode,
              keepTrace: args.report !== undefined,
            });
          }
        }
      }
    });
    // Before the runs: a bad report path fails at once, not after minutes of simulation.
    if (args.report !== undefined) ensureDirectory(args.report, '--report');
    const progress = args.progress
      ? progressReporter(`compare (${Math.min(workers, jobs.length)} at once)`, jobs.length)
      : silentProgress;
    let results: CompareRunResult[];
    try {
      results = await runCompareJobs(jobs, workers, (d, t) => progress.update(d, t));
    } finally {
      progress.stop();
    }
    const nameOf = (r: CompareRunResult) => scenarios[jobs[r.index]!.scenario]!.name;
    const groups = aggregateRuns(results, nameOf);
    const multi = scenarios.length > 1;
    if (args.json) {
      const runs = results.map((r) => (multi ? { scenario: nameOf(r), ...r.json } : r.json));
      const aggregates = groups.map(({ members: _m, ...a }) => a);
      process.stdout.write(
        `${JSON.stringify({ scenarios: scenarios.map(describe), seeds: seedCount, results: runs, aggregates })}\n`,
      );
    } else {
      process.stdout.write(tablesText(scenarios, groups, results, { wide: args.wide, seeds: seedCount }));
    }
    if (args.report !== undefined) {
      const count = await writeReport(args.report, scenarios, groups, results, seedCount);
      if (!args.json) process.stdout.write(`\nreport: ${args.report}/index.html (${count} files)\n`);
    }
  },
};

