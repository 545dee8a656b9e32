/**
 * Runs a comparison's jobs: in this thread for one job at a time, else over worker threads with this
 * thread taking part. Results come back in job order whatever finished first, so `--jobs 1` and
 * `--jobs 8` print the same bytes.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CascadeError } from '../core/errors.js';
import {
  deserializeError,
  runCompareJob,
  ScenarioCache,
  type CompareJob,
  type CompareRunResult,
  type SerializedError,
} from './compareRuns.js';

/** The default of `--jobs`: one thread per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Called after each finished run, with how many are done out of how many. */
export type ProgressCallback = (done: number, total: number) => void;

/**
 * What a worker starts with: every job, and the counter from which every thread takes the index of its
 * next job (`Atomics.add`), so no thread waits for the main thread to hand it work.
 */
export interface WorkerInput {
  readonly jobs: readonly CompareJob[];
  readonly next: Int32Array;
}

/** What a worker posts per job it took. */
export type WorkerAnswer =
  | { readonly ok: true; readonly result: CompareRunResult }
  | { readonly ok: false; readonly index: number; readonly error: SerializedError };

/**
 * The worker's entry. Compiled (this module is `dist/cli/comparePool.js`), the worker is the compiled
 * `compareWorker.js`. From the TypeScript sources it is an ES module that registers tsx's loader in the
 * worker itself (a worker inherits neither `register()` calls nor, under `bin/nix-cascade.js`, any loader
 * flag), then imports the TypeScript worker.
 */
function workerSource(): URL {
  // Under vitest the module URL may carry a query; the worker needs the plain file.
  const here = pathToFileURL(decodeURIComponent(new URL(import.meta.url).pathname));
  if (here.pathname.endsWith('.js')) return new URL('./compareWorker.js', here);
  const api = import.meta.resolve('tsx/esm/api');
  const file = new URL('./compareWorker.ts', here).href;
  const code = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(file)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/**
 * Starts one worker thread on `input`: it runs jobs until the counter passes the last one, posts a
 * {@link WorkerAnswer} per job, stops after the first failure, and exits with 0.
 */
export function startCompareWorker(input: WorkerInput): Worker {
  return new Worker(workerSource(), { workerData: input });
}

async function runSerial(
  jobs: readonly CompareJob[],
  onProgress?: ProgressCallback,
): Promise<CompareRunResult[]> {
  const cache = new ScenarioCache();
  const out: CompareRunResult[] = [];
  for (const job of jobs) {
    out.push(await runCompareJob(job, cache));
    onProgress?.(out.length, jobs.length);
  }
  return out;
}

/** Lets the event loop deliver the workers' messages between this thread's own runs. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `threads - 1` workers and this thread take jobs from one shared counter. This thread runs jobs too:
 * a worker is a fresh V8 isolate that loads every module and warms the JIT up again (seconds of CPU on a
 * sweep of small runs), and this thread is already warm and would otherwise only wait.
 */
function runParallel(
  jobs: readonly CompareJob[],
  threads: number,
  onProgress?: ProgressCallback,
): Promise<CompareRunResult[]> {
  return new Promise((resolve, reject) => {
    const results: CompareRunResult[] = new Array<CompareRunResult>(jobs.length);
    const next = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const take = (): number => Atomics.add(next, 0, 1);
    const pool: Worker[] = [];
    let done = 0;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      Atomics.store(next, 0, jobs.length); // nobody takes another job
      for (const w of pool) void w.terminate();
      if (err === undefined) resolve(results);
      else reject(err);
    };
    const accept = (result: CompareRunResult): void => {
      results[result.index] = result;
      done++; // not inside `onProgress?.(…)`, whose arguments are skipped when there is no callback
      onProgress?.(done, jobs.length);
      if (done === jobs.length) finish();
    };
    for (let i = 1; i < threads; i++) {
      const w = startCompareWorker({ jobs, next });
      pool.push(w);
      w.on('message', (m: WorkerAnswer) => {
        if (m.ok) accept(m.result);
        else finish(deserializeError(m.error));
      });
      w.on('error', (err) => finish(err));
      // A worker leaves with 0 only once its loop found no job left; anything else lost the job it held.
      w.on('exit', (code) => {
        if (code !== 0) finish(new CascadeError(`a compare worker thread stopped with exit code ${code}`));
      });
    }
    const cache = new ScenarioCache();
    void (async () => {
      for (let i = take(); i < jobs.length && !settled; i = take()) {
        try {
          accept(await runCompareJob(jobs[i]!, cache));
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
        }
        await yieldToEvents();
      }
    })();
  });
}

/**
 * Runs every job and returns the results in job order (`jobs[i].index` must be `i`).
 * @param threads - threads to use, this one included; 1 runs in this thread. Never more than jobs.
 */
export function runCompareJobs(
  jobs: readonly CompareJob[],
  threads: number,
  onProgress?: ProgressCallback,
): Promise<CompareRunResult[]> {
  const n = Math.min(threads, jobs.length);
  return n <= 1 ? runSerial(jobs, onProgress) : runParallel(jobs, n, onProgress);
}
