/**
 * A worker thread of `compare --jobs N`: receives {@link CompareJob}s, answers each with its result or a
 * serialized error. Started by {@link runComparePool} through tsx's loader (the code is TypeScript).
 */
import { parentPort } from 'node:worker_threads';
import { runCompareJob, ScenarioCache, serializeError, type CompareJob } from './compareRuns.js';

const port = parentPort;
if (port === null) throw new Error('compareWorker.ts runs only as a worker thread');
const cache = new ScenarioCache();
port.on('message', (job: CompareJob) => {
  runCompareJob(job, cache).then(
    (result) => port.postMessage({ ok: true, result }),
    (err: unknown) => port.postMessage({ ok: false, index: job.index, error: serializeError(err) }),
  );
});
