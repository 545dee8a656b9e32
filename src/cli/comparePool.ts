/**
 * Runs a comparison's jobs: in this thread for one job at a time, else over worker threads. Results come
 * back in job order whatever finished first, so `--jobs 1` and `--jobs 8` print the same bytes.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  deserializeError,
  runCompareJob,
  ScenarioCache,
  type CompareJob,
  type CompareRunResult,
  type SerializedError,
} from './compareRuns.js';

/** The default of `--jobs`: one worker per core. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Called after each finished run, with how many are done out of how many. */
export type ProgressCallback = (done: number, total: number) => void;

type WorkerAnswer =
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

function runParallel(
  jobs: readonly CompareJob[],
  workers: number,
  onProgress?: ProgressCallback,
): Promise<CompareRunResult[]> {
  return new Promise((resolve, reject) => {
    const results: CompareRunResult[] = new Array<CompareRunResult>(jobs.length);
    const pool: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stop = (err: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const feed = (w: Worker): void => {
      if (next < jobs.length) w.postMessage(jobs[next++]);
      else void w.terminate();
    };
    const source = workerSource();
    for (let i = 0; i < workers; i++) {
      const w = new Worker(source);
      pool.push(w);
      w.on('message', (m: WorkerAnswer) => {
        if (!m.ok) {
          stop(deserializeError(m.error));
          return;
        }
        results[m.result.index] = m.result;
        done++;
        onProgress?.(done, jobs.length);
        if (done === jobs.length) {
          for (const x of pool) void x.terminate();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (err) => stop(err));
      feed(w);
    }
  });
}

/**
 * Runs every job and returns the results in job order (`jobs[i].index` must be `i`).
 * @param workers - threads to use; 1 runs in this thread. Never more threads than jobs.
 */
export function runCompareJobs(
  jobs: readonly CompareJob[],
  workers: number,
  onProgress?: ProgressCallback,
): Promise<CompareRunResult[]> {
  const n = Math.min(workers, jobs.length);
  return n <= 1 ? runSerial(jobs, onProgress) : runParallel(jobs, n, onProgress);
}
