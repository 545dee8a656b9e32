import type { CommandModule } from 'yargs';
import type { RunResult } from '../../core/coordinator.js';
import type { CascadeEvent } from '../../core/events.js';
import { ConfigError } from '../../core/errors.js';
import { buildScenario, runScenario } from '../../sim/scenario.js';
import { getStrategy, strategyNames } from '../../strategies/registry.js';
import { traceSha256 } from '../../trace/jsonl.js';
import { TraceRecorder } from '../../trace/recorder.js';
import { formatTable, writeComparisonReport, type ComparisonRow } from '../../trace/report.js';
import { scenarioFromFlags, scenarioOptions, type ScenarioFlags } from '../scenarioFlags.js';
import { comparisonRow, resultJson } from '../summary.js';

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
    scenarioOptions(y)
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
    const spec = scenarioFromFlags(args);
    if (args.strategies?.length === 0) {
      throw new ConfigError('names no strategy (leave it out to compare all)', '--strategies');
    }
    const names = args.strategies ?? strategyNames();
    const strategies = names.map((n) => getStrategy(n)); // validates every name before any run
    const scenario = buildScenario(spec);
    const rows: ComparisonRow[] = [];
    const results: RunResult[] = [];
    const traces = new Map<string, CascadeEvent[]>();
    for (const strategy of strategies) {
      const recorder = new TraceRecorder();
      const result = await runScenario(scenario, strategy, { onEvent: recorder.sink });
      const sha = traceSha256(recorder.events());
      rows.push(comparisonRow(result, sha));
      results.push(result);
      traces.set(strategy.name, [...recorder.events()]);
    }
    const description = {
      seed: spec.seed,
      topology: spec.topology.preset,
      hosts: spec.topology.hosts,
      closureMB: spec.closure.totalMB,
      paths: spec.closure.paths,
      network: spec.network,
      mode: spec.mode,
      lowerBoundSeconds: scenario.lowerBound.seconds,
    };
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ scenario: description, results: results.map((r, i) => resultJson(r, rows[i]!.traceSha256)) })}\n`,
      );
    } else {
      process.stdout.write(
        `scenario: ${spec.topology.hosts} hosts, ${spec.topology.preset} topology, ${spec.closure.totalMB} MB closure in ${spec.closure.paths} paths, ` +
          `${spec.network} network model, ${spec.mode} mode, seed ${spec.seed}\n\n${formatTable(rows)}`,
      );
    }
    if (args.report !== undefined) {
      const files = await writeComparisonReport(args.report, {
        title: `nix-cascade strategy comparison (${spec.topology.hosts} hosts, ${spec.topology.preset})`,
        scenario: description,
        rows,
        traces,
      });
      if (!args.json) process.stdout.write(`\nreport: ${args.report}/index.html (${files.length} files)\n`);
    }
  },
};
