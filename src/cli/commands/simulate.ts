import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { EventSink } from '../../core/events.js';
import { buildScenario, runScenario } from '../../sim/index.js';
import { getStrategy } from '../../strategies/registry.js';
import { JsonlFileSink } from '../../trace/jsonl.js';
import { ensureWritableFile } from '../../trace/outputPaths.js';
import { toPerfettoJson } from '../../trace/perfetto.js';
import { fanOut, TraceRecorder } from '../../trace/recorder.js';
import {
  hashingSink,
  parseStrategyOptions,
  scenarioFromFlags,
  scenarioOptions,
  type ScenarioFlags,
} from '../scenarioFlags.js';
import { resultJson, resultText } from '../summary.js';

interface SimulateArgs extends ScenarioFlags {
  strategy?: string | undefined;
  'strategy-option'?: string[] | undefined;
  trace?: string | undefined;
  perfetto?: string | undefined;
  json: boolean;
}

/** `nix-cascade simulate`: one strategy on one scenario in the deterministic simulator. */
export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate',
  describe: 'Run one strategy on a scenario in the deterministic network simulator',
  builder: (y) =>
    scenarioOptions(y)
      .option('strategy', {
        type: 'string',
        describe: "Strategy name (see `nix-cascade strategies`) [default: the scenario's, else log2-fanout]",
      })
      .option('strategy-option', {
        type: 'string',
        array: true,
        describe: 'Strategy option key=value (repeatable), e.g. k=16',
      })
      .option('trace', { type: 'string', describe: 'Write the event trace as JSON Lines to this file' })
      .option('perfetto', {
        type: 'string',
        describe: 'Write a Perfetto / chrome://tracing JSON trace to this file',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print exactly one JSON object' })
      .example('$0 simulate --hosts 500 --topology racks --strategy topology-aware', '')
      .example('$0 simulate --scenario examples/regions.json --json', ''),
  handler: async (args) => {
    const { spec, where } = scenarioFromFlags(args);
    const name = args.strategy ?? spec.strategy;
    // Flags override the file's options for the file's strategy; another strategy starts from its defaults.
    const options = {
      ...(name === spec.strategy ? spec.strategyOptions : {}),
      ...parseStrategyOptions(args['strategy-option']),
    };
    const strategy = getStrategy(name, options);
    if (args.perfetto !== undefined) ensureWritableFile(args.perfetto, '--perfetto');
    const scenario = buildScenario(spec, where);
    // With a trace file, the file sink's hash of what it wrote is the trace's sha256: encode each event once.
    const file = args.trace === undefined ? undefined : new JsonlFileSink(args.trace);
    const hash = file ? undefined : hashingSink();
    const sinks: EventSink[] = [file ? file.sink : hash!.sink];
    const recorder = args.perfetto === undefined ? undefined : new TraceRecorder();
    if (recorder) sinks.push(recorder.sink);
    let result;
    try {
      result = await runScenario(scenario, strategy, { onEvent: fanOut(...sinks) });
    } finally {
      file?.close();
    }
    if (recorder && args.perfetto !== undefined)
      writeFileSync(args.perfetto, toPerfettoJson(recorder.events()));
    const sha = file ? file.sha256() : hash!.digest();
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify(resultJson(result, sha, { seed: spec.seed, network: spec.network, topology: spec.topology.preset }))}\n`,
      );
    } else {
      process.stdout.write(resultText(result, sha));
    }
  },
};
