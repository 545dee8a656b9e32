import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import type { EventSink } from '../../core/events.js';
import { runScenario } from '../../sim/index.js';
import { JsonlFileSink } from '../../trace/jsonl.js';
import { ensureWritableFile } from '../../trace/outputPaths.js';
import { toPerfettoJson } from '../../trace/perfetto.js';
import { fanOut, TraceRecorder } from '../../trace/recorder.js';
import {
  hashingSink,
  scenarioFromFlags,
  scenarioOptions,
  type ScenarioFlags,
} from '../scenarioFlags.js';
import { strategyFromFlags, strategyOptions, type StrategyFlags } from '../strategyFlags.js';
import { buildCliScenario } from '../closureFrom.js';
import { progressReporter, type Progress, type ProgressStream } from '../progress.js';
import { resultJson, resultText } from '../summary.js';

/**
 * An event sink that reports hosts done as the run goes (about 200 updates per run, so big fleets pay
 * nothing); the count comes from `run-started` (targets not done at the start).
 */
export function hostsProgress(stream: ProgressStream = process.stderr): {
  sink: EventSink;
  stop: () => void;
} {
  let p: Progress | undefined;
  let total = 0;
  let step = 1;
  let done = 0;
  return {
    sink: (e) => {
      if (e.type === 'run-started') {
        total = e.targets.length - e.alreadyDone.length;
        step = Math.max(1, Math.floor(total / 200));
        p = progressReporter('simulate', total, stream, 'hosts done');
      } else if (e.type === 'host-done' && (++done % step === 0 || done === total)) {
        p?.update(done, total);
      }
    },
    stop: () => p?.stop(),
  };
}

interface SimulateArgs extends ScenarioFlags, StrategyFlags {
  trace?: string | undefined;
  perfetto?: string | undefined;
  json: boolean;
  progress?: boolean | undefined;
}

/** `nix-cascade simulate`: one strategy on one scenario in the deterministic simulator. */
export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate',
  describe: 'Run one strategy on a scenario in the deterministic network simulator',
  builder: (y) =>
    strategyOptions(scenarioOptions(y))
      .option('trace', { type: 'string', describe: 'Write the event trace as JSON Lines to this file' })
      .option('perfetto', {
        type: 'string',
        describe: 'Write a Perfetto / chrome://tracing JSON trace to this file',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print exactly one JSON object' })
      .option('progress', {
        type: 'boolean',
        describe: 'Show hosts done on stderr while it runs [default: on a terminal only]',
      })
      .example('$0 simulate --hosts 500 --topology racks --strategy topology-aware', '')
      .example('$0 simulate --scenario examples/regions.json --json', '')
      .example('$0 simulate --hosts 50 --closure-from examples/closures/lab-web.json', ''),
  handler: async (args) => {
    const { spec, input } = scenarioFromFlags(args);
    const strategy = strategyFromFlags(args, spec);
    if (args.perfetto !== undefined) ensureWritableFile(args.perfetto, '--perfetto');
    const scenario = await buildCliScenario(spec, input);
    // With a trace file, the file sink's hash of what it wrote is the trace's sha256: encode each event once.
    const file = args.trace === undefined ? undefined : new JsonlFileSink(args.trace);
    const hash = file ? undefined : hashingSink();
    const sinks: EventSink[] = [file ? file.sink : hash!.sink];
    const recorder = args.perfetto === undefined ? undefined : new TraceRecorder();
    if (recorder) sinks.push(recorder.sink);
    const progress = (args.progress ?? process.stderr.isTTY) ? hostsProgress() : undefined;
    if (progress) sinks.push(progress.sink);
    let result;
    try {
      result = await runScenario(scenario, strategy, { onEvent: fanOut(...sinks) });
    } finally {
      file?.close();
      progress?.stop();
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
