/**
 * A worker thread of `compare --jobs N`: takes job indexes from the shared counter in its
 * {@link WorkerInput} until none is left, and posts each job's result or a serialized error. Started by
 * `comparePool.ts`, through tsx's loader when running from the TypeScript sources.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerAnswer, WorkerInput } from './comparePool.js';
import { runCompareJob, ScenarioCache, serializeError } from './compareRuns.js';

const port = parentPort;
if (port === null) throw new Error('compareWorker.ts runs only as a worker thread');
const { jobs, next } = workerData as WorkerInput;
const cache = new ScenarioCache();
const post = (answer: WorkerAnswer): void => port.postMessage(answer);
for (let i = Atomics.add(next, 0, 1); i < jobs.length; i = Atomics.add(next, 0, 1)) {
  try {
    post({ ok: true, result: await runCompareJob(jobs[i]!, cache) });
  } catch (err) {
    post({ ok: false, index: i, error: serializeError(err) });
    break;
  }
}
