import { describe, expect, it } from 'vitest';
import { runCompareJobs, startCompareWorker, type WorkerAnswer } from '../../src/cli/comparePool.js';
import type { CompareJob } from '../../src/cli/compareRuns.js';
import { ConfigError } from '../../src/core/errors.js';
import type { RunMode } from '../../src/core/strategy.js';
import { parseScenario } from '../../src/sim/index.js';

const good = parseScenario({ topology: { preset: 'flat', hosts: 6 }, closure: { totalMB: 20 } });
// Builds, but fails when a thread builds its fleet: host-9 does not exist.
const bad = parseScenario({
  topology: { preset: 'flat', hosts: 4 },
  failures: [{ kind: 'kill-host', host: 'host-9', atRound: 1 }],
});

function jobs(count: number, failing: ReadonlySet<number> = new Set()): CompareJob[] {
  const strategies = ['log2-fanout', 'swarm', 'push-parallel'];
  const modes: readonly RunMode[] = ['round', 'eager'];
  return Array.from({ length: count }, (_, index) => ({
    index,
    // Seeds grouped as compare groups them: several runs share each (scenario, seed) fleet.
    scenario: failing.has(index) ? 1 : 0,
    spec: { ...(failing.has(index) ? bad : good), seed: 1 + Math.floor(index / 6) },
    where: failing.has(index) ? 'bad.json' : 'good.json',
    sources: {},
    strategy: strategies[index % strategies.length]!,
    options: {},
    mode: modes[Math.floor(index / 3) % 2]!,
    keepTrace: false,
  }));
}

describe('runCompareJobs', () => {
  it('gives the same results in job order on 1, 2 and 3 threads, each job run once', async () => {
    const all = jobs(14);
    const serial = await runCompareJobs(all, 1);
    for (const threads of [2, 3]) {
      const progress: number[] = [];
      const parallel = await runCompareJobs(all, threads, (done, total) => {
        expect(total).toBe(all.length);
        progress.push(done);
      });
      expect(parallel.map((r) => r.index)).toEqual(all.map((j) => j.index));
      expect(parallel.map((r) => r.json)).toEqual(serial.map((r) => r.json));
      // Wait for stray messages: a job run twice would report progress after the pool resolved.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(progress).toEqual(all.map((_, i) => i + 1));
    }
  });

  it('brings back the events of runs that keep their trace', async () => {
    const all = jobs(6).map((j) => ({ ...j, keepTrace: true }));
    const results = await runCompareJobs(all, 3);
    for (const r of results) expect(r.events?.length).toBeGreaterThan(0);
  });

  it.each([
    ['the first job', new Set([0])],
    ['a job in the middle', new Set([7])],
    ['every job', new Set(Array.from({ length: 12 }, (_, i) => i))],
  ])(
    'rejects with the ConfigError naming the file when %s fails, on 1 or 3 threads',
    async (_what, failing) => {
      for (const threads of [1, 3]) {
        const run = runCompareJobs(jobs(12, failing), threads);
        await expect(run).rejects.toBeInstanceOf(ConfigError);
        await expect(run).rejects.toMatchObject({ where: 'bad.json.failures[0].host' });
      }
    },
  );
});

describe('a compare worker thread', () => {
  /** Runs one worker to its end: the answers it posted, its exit code and where the counter ended. */
  async function runWorker(all: readonly CompareJob[], startAt: number) {
    const next = new Int32Array(new SharedArrayBuffer(4));
    next[0] = startAt;
    const answers: WorkerAnswer[] = [];
    const w = startCompareWorker({ jobs: all, next });
    w.on('message', (m: WorkerAnswer) => answers.push(m));
    const code = await new Promise<number>((resolve, reject) => {
      w.on('exit', resolve);
      w.on('error', reject);
    });
    return { answers, code, counter: next[0] };
  }

  it('takes every job left on the shared counter, answers each (with events if kept), and exits 0', async () => {
    const all = jobs(8).map((j) => ({ ...j, keepTrace: j.index % 2 === 0 }));
    const { answers, code, counter } = await runWorker(all, 3);
    expect(code).toBe(0);
    expect(answers.map((a) => (a.ok ? a.result.index : -1))).toEqual([3, 4, 5, 6, 7]);
    expect(counter).toBeGreaterThanOrEqual(all.length);
    for (const a of answers) if (a.ok) expect(a.result.events !== undefined).toBe(a.result.index % 2 === 0);
    const inThread = await runCompareJobs(
      all.slice(3).map((j, i) => ({ ...j, index: i })),
      1,
    );
    expect(answers.map((a) => (a.ok ? a.result.json : null))).toEqual(inThread.map((r) => r.json));
  });

  it('sends the whole run result back when asked, its finish times a Map across the thread', async () => {
    const all = jobs(2).map((j) => ({ ...j, keepResult: true }));
    const { answers } = await runWorker(all, 0);
    const [inThread] = await runCompareJobs(all.slice(0, 1), 1);
    const first = answers[0]!;
    if (!first.ok) throw new Error('the run failed');
    expect(first.result.result?.finishTimes).toBeInstanceOf(Map);
    expect(inThread!.result!.finishTimes.size).toBeGreaterThan(0);
    expect(first.result.result?.finishTimes.size).toBe(inThread!.result!.finishTimes.size);
    expect(first.result.result?.makespanSeconds).toBe(inThread!.result!.makespanSeconds);
    expect(answers[1]!.ok && answers[1]!.result.result?.success).toBe(true);
  });

  it('answers a failing job with its serialized ConfigError and takes no other', async () => {
    const { answers, code, counter } = await runWorker(jobs(8, new Set([5])), 4);
    expect(code).toBe(0);
    expect(answers.map((a) => a.ok)).toEqual([true, false]);
    expect(answers[1]).toMatchObject({ ok: false, index: 5, error: { name: 'ConfigError' } });
    expect(counter).toBe(6);
  });
});
