import type { CommandModule } from 'yargs';
import type { RunResult } from '../../core/coordinator.js';
import type { CascadeEvent } from '../../core/events.js';
import { ConfigError } from '../../core/errors.js';
import { runScenario } from '../../sim/index.js';
import { getStrategy, strategyNames } from '../../strategies/registry.js';
import { traceSha256 } from '../../trace/jsonl.js';
import { ensureDirectory } from '../../trace/outputPaths.js';
import { TraceRecorder } from '../../trace/recorder.js';
import { formatTable, writeComparisonReport, type ComparisonRow } from '../../trace/report.js';
import {
  parseScenarioInput,
  scenarioInputFromFlags,
  scenarioOptions,
  type ScenarioFlags,
} from '../scenarioFlags.js';
import { buildCliScenario, scenarioFacts } from '../closureFrom.js';
import { comparisonRow, resultJson } from '../summary.js';

/** Coordinator modes `compare --mode` takes: one, or both (each strategy runs in round and eager mode). */
const COMPARE_MODES = ['round', 'eager', 'both'] as const;

interface CompareArgs extends ScenarioFlags {
  strategies?: string[] | undefined;
  report?: string | undefined;
  json: boolean;
}

/** `nix-cascade compare`: every (or the named) strategy on one scenario, as a table and a report. */
export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe: 'Compare strategies on one scenario (default: all registered, on the default synthetic fleet)',
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
        // `--strategies a,b` as well as `--strategies a b`: both spellings are common.
        coerce: (names: string[]) => names.flatMap((n) => n.split(',')).filter((n) => n !== ''),
        describe: 'Strategies to compare, space- or comma-separated [default: all registered]',
      })
      .option('report', {
        type: 'string',
        describe: 'Write an HTML report with charts, CSV and traces to this directory',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON object with a row per strategy',
      }),
  handler: async (args) => {
    // `both` unless asked for one mode, by the flag or by the scenario file itself (not parsing's default).
    const input = scenarioInputFromFlags({
      ...args,
      mode: args.mode === 'both' ? undefined : args.mode,
    });
    const both = args.mode === 'both' || (args.mode === undefined && input.raw['mode'] === undefined);
    const spec = parseScenarioInput(input);
    const modes = both ? (['round', 'eager'] as const) : [spec.mode];
    if (args.strategies?.length === 0) {
      throw new ConfigError('names no strategy (leave it out to compare all)', '--strategies');
    }
    const names = args.strategies ?? strategyNames();
    // The scenario's strategy options belong to its strategy (as in `simulate`); the others run on defaults.
    const optionsOf = (n: string) => (n === spec.strategy ? spec.strategyOptions : {});
    for (const n of names) getStrategy(n, optionsOf(n)); // validates every name and option before any run
    // Before the runs: a bad report path fails at once, not after minutes of simulation.
    if (args.report !== undefined) ensureDirectory(args.report, '--report');
    const scenario = await buildCliScenario(spec, input);
    const facts = scenarioFacts(scenario);
    const rows: ComparisonRow[] = [];
    const results: RunResult[] = [];
    const traces = new Map<string, CascadeEvent[]>();
    for (const name of names) {
      for (const mode of modes) {
        // A fresh instance per run: strategies keep per-run memory (holders verified, flows in flight).
        const strategy = getStrategy(name, optionsOf(name));
        const recorder = new TraceRecorder();
        const result = await runScenario(scenario, strategy, { mode, onEvent: recorder.sink });
        // With both modes a row is named `strategy (mode)`: the report keys its files and charts by row name.
        const label = both ? `${strategy.name} (${mode})` : strategy.name;
        rows.push({ ...comparisonRow(result, traceSha256(recorder.events())), strategy: label });
        results.push(result);
        traces.set(label, [...recorder.events()]);
      }
    }
    const description = {
      seed: spec.seed,
      topology: facts.topology,
      hosts: facts.hosts,
      closureMB: facts.closureMB,
      paths: facts.paths,
      network: spec.network,
      mode: both ? 'both' : spec.mode,
      lowerBoundSeconds: scenario.lowerBound.seconds,
    };
    // Each result is what `simulate --json` prints for the same run.
    const run = { seed: spec.seed, network: spec.network, topology: spec.topology.preset };
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ scenario: description, results: results.map((r, i) => resultJson(r, rows[i]!.traceSha256, run)) })}\n`,
      );
    } else {
      process.stdout.write(
        `scenario: ${facts.hosts} hosts, ${facts.topology} topology, ${facts.closureText}, ` +
          `${spec.network} network model, ${both ? 'round and eager' : spec.mode} mode, seed ${spec.seed}\n\n${formatTable(rows)}`,
      );
    }
    if (args.report !== undefined) {
      const files = await writeComparisonReport(args.report, {
        title: `nix-cascade strategy comparison (${facts.hosts} hosts, ${facts.topology})`,
        scenario: description,
        rows,
        traces,
        hosts: new Map(
          scenario.fleet.hosts.map((h) => [
            h.id,
            { role: h.role, group: h.rack ?? h.site, uplink: h.uplink },
          ]),
        ),
      });
      if (!args.json) process.stdout.write(`\nreport: ${args.report}/index.html (${files.length} files)\n`);
    }
  },
};
