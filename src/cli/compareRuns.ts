/**
 * The runs of one `compare`: every strategy × mode × scenario × seed as plain, cloneable jobs, and the
 * function that runs one job. The same function runs in-process (`--jobs 1`) and in worker threads
 * (`compareWorker.ts`), so a run's result does not depend on where it ran.
 */
import type { RunResult } from '../core/coordinator.js';
import type { CascadeEvent } from '../core/events.js';
import { CascadeError, ConfigError } from '../core/errors.js';
import type { RunMode } from '../core/strategy.js';
import { buildScenario, runScenario, type Scenario, type ScenarioSources, type ScenarioSpec } from '../sim/index.js';
import { getStrategy } from '../strategies/registry.js';
import { TraceHasher } from '../trace/jsonl.js';
import { fanOut, TraceRecorder } from '../trace/recorder.js';
import { resultJson } from './summary.js';
import { comparisonRow, type ComparisonRow } from '../trace/report.js';

/** One run of a comparison: plain data, so it crosses a worker boundary by structured clone. */
export interface CompareJob {
  /** Position in the comparison: results are put back in this order, whoever ran them. */
  readonly index: number;
  /** Index of the scenario in `--scenarios` (0 for a single scenario). */
  readonly scenario: number;
  /** The validated scenario, its seed already set to this run's seed. */
  readonly spec: ScenarioSpec;
  /** Where the scenario came from, for `buildScenario`'s messages. */
  readonly where: string;
  /** Its real closures, read once by the main thread (plain data: maps and arrays clone). */
  readonly sources: ScenarioSources;
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly mode: RunMode;
  /** Return the run's events (for the report); otherwise only its hash travels back. */
  readonly keepTrace: boolean;
  /** Return the whole {@link RunResult} too (the worked studies measure more than the summary). */
  readonly keepResult?: boolean;
}

/** What one run gives back. */
export interface CompareRunResult {
  readonly index: number;
  /** What `simulate --json` prints for the same run (plus the scenario's name). */
  readonly json: Record<string, unknown>;
  readonly row: ComparisonRow;
  /** Whether every host got its closure: an unfinished run has no meaningful ratio to the bound. */
  readonly finished: boolean;
  readonly events?: readonly CascadeEvent[] | undefined;
  readonly result?: RunResult | undefined;
}

/** A failure inside a worker, as plain data (errors lose their class crossing a thread). */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly where?: string | undefined;
  readonly stack?: string | undefined;
}

/** Turns an error into {@link SerializedError}, keeping a ConfigError's location. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof ConfigError) {
    const message = err.where === undefined ? err.message : err.message.slice(err.where.length + 2);
    return { name: 'ConfigError', message, where: err.where };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** The inverse of {@link serializeError}: a ConfigError again (exit 2), a CascadeError for the rest. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'ConfigError') return new ConfigError(e.message, e.where);
  const err = new CascadeError(`${e.name}: ${e.message}`);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** Built scenarios, per (scenario, seed): every strategy and mode of a seed shares one fleet. */
export class ScenarioCache {
  private readonly built = new Map<string, Scenario>();
  get(job: CompareJob): Scenario {
    const key = `${job.scenario}\u0000${String(job.spec.seed)}`;
    let s = this.built.get(key);
    if (s === undefined) {
      // One fleet at a time in memory: jobs arrive grouped by (scenario, seed).
      this.built.clear();
      s = buildScenario(job.spec, job.where, job.sources);
      this.built.set(key, s);
    }
    return s;
  }
}

/** Runs one job in the simulator (a fresh strategy instance: strategies keep per-run memory). */
export async function runCompareJob(job: CompareJob, cache: ScenarioCache): Promise<CompareRunResult> {
  const scenario = cache.get(job);
  const strategy = getStrategy(job.strategy, job.options);
  // The events are kept only for the report; the hash streams, so a big fleet's sweep does not hold
  // every run's millions of events.
  const hasher = new TraceHasher();
  const recorder = job.keepTrace ? new TraceRecorder() : undefined;
  const onEvent = recorder ? fanOut(hasher.sink, recorder.sink) : hasher.sink;
  const result = await runScenario(scenario, strategy, { mode: job.mode, onEvent });
  const sha = hasher.digest();
  return {
    index: job.index,
    json: resultJson(result, sha, {
      seed: job.spec.seed,
      network: job.spec.network,
      topology: job.spec.topology.preset,
    }),
    row: comparisonRow(result, sha),
    finished: result.success,
    events: recorder ? [...recorder.events()] : undefined,
    // Spread into a plain object: its `finishTimes` getter becomes a Map that crosses a thread.
    result: job.keepResult === true ? { ...result } : undefined,
  };
}
