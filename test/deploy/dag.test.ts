/**
 * The deploy task runner (hosts × stages) with fake stages whose outcomes the test releases one by
 * one: limits, pipelining, failure isolation, failFast, abort, skip-rest, gates, determinism.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  runStages,
  type DagEvent,
  type DagReport,
  type RunStagesOptions,
  type Stage,
  type StageContext,
  type StageOutcome,
} from '../../src/deploy/dag.js';

/** Lets every pending promise callback run (setImmediate comes after the whole microtask queue). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Pending {
  resolve: (o: StageOutcome) => void;
  reject: (e: unknown) => void;
  ctx: StageContext;
}

/**
 * Fake stages: each task waits until the test settles it by key `stage:host`. Records the start order
 * and, per stage, how many tasks run at once (checked against the limit at every start).
 */
class Harness {
  clock = 0;
  readonly pending = new Map<string, Pending>();
  readonly starts: string[] = [];
  readonly events: DagEvent[] = [];
  readonly concurrent = new Map<string, number>();
  readonly peak = new Map<string, number>();
  readonly overLimit: string[] = [];
  readonly stages: Stage[];

  constructor(defs: ReadonlyArray<Pick<Stage, 'name' | 'limit' | 'gate'>>) {
    this.stages = defs.map((d) => ({
      ...d,
      run: (host: string, ctx: StageContext) => {
        const key = `${d.name}:${host}`;
        this.starts.push(key);
        const now = (this.concurrent.get(d.name) ?? 0) + 1;
        this.concurrent.set(d.name, now);
        this.peak.set(d.name, Math.max(now, this.peak.get(d.name) ?? 0));
        if (d.limit !== undefined && now > d.limit) this.overLimit.push(key);
        return new Promise<StageOutcome>((resolve, reject) => {
          const done = (): void => {
            this.pending.delete(key);
            this.concurrent.set(d.name, this.concurrent.get(d.name)! - 1);
          };
          this.pending.set(key, {
            ctx,
            resolve: (o) => (done(), resolve(o)),
            reject: (e) => (done(), reject(e instanceof Error ? e : new Error(String(e)))),
          });
        });
      },
    }));
  }

  options(hosts: string[], extra: Partial<RunStagesOptions> = {}): RunStagesOptions {
    return {
      hosts,
      stages: this.stages,
      now: () => this.clock,
      onEvent: (e) => this.events.push(e),
      ...extra,
    };
  }

  running(): string[] {
    return [...this.pending.keys()].sort();
  }

  async settle(key: string, o: StageOutcome = { kind: 'ok' }, at?: number): Promise<void> {
    const p = this.pending.get(key);
    if (!p) throw new Error(`${key} is not running (running: ${this.running().join(' ')})`);
    if (at !== undefined) this.clock = at;
    p.resolve(o);
    await flush();
  }

  async reject(key: string, e: unknown): Promise<void> {
    const p = this.pending.get(key);
    if (!p) throw new Error(`${key} is not running`);
    p.reject(e);
    await flush();
  }

  /** Settles whatever runs, first key first, until nothing does. */
  async drain(o: StageOutcome = { kind: 'ok' }): Promise<void> {
    await flush();
    for (let k = this.running()[0]; k !== undefined; k = this.running()[0]) await this.settle(k, o);
  }
}

const outcomes = (r: DagReport): Record<string, string> =>
  Object.fromEntries(r.hosts.map((h) => [h.host, h.outcome === 'done' ? 'done' : `${h.outcome}@${h.stage}`]));
const statuses = (r: DagReport, host: string): string[] =>
  r.hosts.find((h) => h.host === host)!.stages.map((s) => s.status);

const PIPE = [
  { name: 'eval' },
  { name: 'build', limit: 2 },
  { name: 'copy', limit: 1 },
  { name: 'activate' },
];

describe('runStages: options are validated once', () => {
  const ok = (): Promise<StageOutcome> => Promise.resolve({ kind: 'ok' });
  const bad: Array<[string, RunStagesOptions, string]> = [
    ['no stages', { hosts: ['a'], stages: [] }, 'stages'],
    [
      'a duplicate stage',
      {
        hosts: ['a'],
        stages: [
          { name: 's', run: ok },
          { name: 's', run: ok },
        ],
      },
      'stages[1].name',
    ],
    ['an empty stage name', { hosts: ['a'], stages: [{ name: '', run: ok }] }, 'stages[0].name'],
    ['a duplicate host', { hosts: ['a', 'b', 'a'], stages: [{ name: 's', run: ok }] }, 'hosts[2]'],
    ['an empty host', { hosts: [''], stages: [{ name: 's', run: ok }] }, 'hosts[0]'],
    ['limit 0', { hosts: ['a'], stages: [{ name: 's', limit: 0, run: ok }] }, 'stages[0].limit'],
    ['limit -1', { hosts: ['a'], stages: [{ name: 's', limit: -1, run: ok }] }, 'stages[0].limit'],
    ['limit 1.5', { hosts: ['a'], stages: [{ name: 's', limit: 1.5, run: ok }] }, 'stages[0].limit'],
    ['limit NaN', { hosts: ['a'], stages: [{ name: 's', limit: NaN, run: ok }] }, 'stages[0].limit'],
    [
      'limit Infinity',
      { hosts: ['a'], stages: [{ name: 's', limit: Infinity, run: ok }] },
      'stages[0].limit',
    ],
    [
      'a run that is not a function',
      { hosts: ['a'], stages: [{ name: 's', run: 3 as never }] },
      'stages[0].run',
    ],
  ];
  it.each(bad)('%s is a ConfigError', async (_, options, where) => {
    const e: unknown = await runStages(options).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).where).toBe(where);
  });

  it('nothing runs when the options are bad', async () => {
    let ran = 0;
    const run = (): Promise<StageOutcome> => (ran++, Promise.resolve({ kind: 'ok' }));
    await expect(runStages({ hosts: ['a', 'a'], stages: [{ name: 's', run }] })).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(ran).toBe(0);
  });

  it('no hosts: an empty report', async () => {
    const r = await runStages({ hosts: [], stages: [{ name: 's', run: ok }], now: () => 7 });
    expect(r.hosts).toEqual([]);
    expect(r.totals).toEqual({ hosts: 0, done: 0, skippedEarly: 0, failed: 0, cancelled: 0 });
    expect(r.stoppedBy).toBeNull();
  });

  it('the default clock is seconds from performance.now()', async () => {
    const before = performance.now() / 1000;
    const r = await runStages({ hosts: ['a'], stages: [{ name: 's', run: ok }] });
    expect(r.startedAt).toBeGreaterThanOrEqual(before);
    expect(r.finishedAt).toBeLessThanOrEqual(performance.now() / 1000);
  });
});

describe('runStages: the happy path', () => {
  it('runs every stage of every host, with times, details, outputs and events', async () => {
    const seen: Array<[string, string, Record<string, unknown>]> = [];
    const stages: Stage[] = ['eval', 'build', 'activate'].map((name) => ({
      name,
      run: async (host, ctx) => {
        await Promise.resolve();
        seen.push([host, ctx.stage, Object.fromEntries(ctx.outputs)]);
        expect(ctx.host).toBe(host);
        expect(ctx.signal.aborted).toBe(false);
        if (name === 'eval') return { kind: 'ok', output: `/nix/store/${host}-system` };
        if (name === 'build') return { kind: 'ok', detail: 'built' };
        return { kind: 'ok' };
      },
    }));
    let t = 100;
    const events: DagEvent[] = [];
    const r = await runStages({ hosts: ['a', 'b'], stages, now: () => t++, onEvent: (e) => events.push(e) });
    expect(outcomes(r)).toEqual({ a: 'done', b: 'done' });
    expect(r.totals).toEqual({ hosts: 2, done: 2, skippedEarly: 0, failed: 0, cancelled: 0 });
    // The build stage sees eval's output; activate sees it too (build returned none).
    expect(seen.filter(([h]) => h === 'a')).toEqual([
      ['a', 'eval', {}],
      ['a', 'build', { eval: '/nix/store/a-system' }],
      ['a', 'activate', { eval: '/nix/store/a-system' }],
    ]);
    const a = r.hosts[0]!;
    expect(a.stages.map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
    expect(a.stages[0]!.output).toBe('/nix/store/a-system');
    expect(a.stages[1]!.detail).toBe('built');
    for (const s of a.stages) expect(s.finishedAt!).toBeGreaterThan(s.startedAt!);
    expect(r.startedAt).toBe(100);
    expect(r.finishedAt).toBeGreaterThan(a.stages[2]!.finishedAt!);
    expect(events.filter((e) => e.type === 'stage-started')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'stage-finished')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'host-finished').map((e) => e.host)).toEqual(['a', 'b']);
    expect(r.stages.map((s) => [s.stage, s.ok, s.limit])).toEqual([
      ['eval', 2, null],
      ['build', 2, null],
      ['activate', 2, null],
    ]);
  });
});

describe('runStages: limits, order, pipelining', () => {
  it('never exceeds a stage limit and starts waiting hosts in fleet order as slots free', async () => {
    const h = new Harness([{ name: 'copy', limit: 2 }]);
    const run = runStages(h.options(['a', 'b', 'c', 'd', 'e']));
    await flush();
    expect(h.running()).toEqual(['copy:a', 'copy:b']);
    await h.settle('copy:b');
    expect(h.running()).toEqual(['copy:a', 'copy:c']);
    await h.settle('copy:a');
    await h.settle('copy:d');
    await h.settle('copy:c');
    await h.drain();
    const r = await run;
    expect(h.starts).toEqual(['copy:a', 'copy:b', 'copy:c', 'copy:d', 'copy:e']);
    expect(h.overLimit).toEqual([]);
    expect(h.peak.get('copy')).toBe(2);
    expect(r.stages[0]!.peakConcurrency).toBe(2);
  });

  it('pipelines: a host activates while the next one still copies', async () => {
    const h = new Harness([{ name: 'copy', limit: 1 }, { name: 'activate' }]);
    const run = runStages(h.options(['a', 'b', 'c']));
    await flush();
    expect(h.running()).toEqual(['copy:a']);
    await h.settle('copy:a');
    expect(h.running()).toEqual(['activate:a', 'copy:b']);
    await h.settle('copy:b');
    expect(h.running()).toEqual(['activate:a', 'activate:b', 'copy:c']);
    await h.drain();
    expect(outcomes(await run)).toEqual({ a: 'done', b: 'done', c: 'done' });
  });

  it('queues a stage FIFO by readiness: the host that finished the previous stage first goes first', async () => {
    const h = new Harness([{ name: 'build' }, { name: 'activate', limit: 1 }]);
    const run = runStages(h.options(['a', 'b', 'c']));
    await flush();
    await h.settle('build:b');
    expect(h.running()).toEqual(['activate:b', 'build:a', 'build:c']);
    await h.settle('build:c');
    await h.settle('build:a');
    await h.settle('activate:b');
    await h.drain();
    await run;
    expect(h.starts.filter((k) => k.startsWith('activate'))).toEqual([
      'activate:b',
      'activate:c',
      'activate:a',
    ]);
  });

  it('a full pipeline with limits at every stage stays within them', async () => {
    const h = new Harness(PIPE);
    const hosts = Array.from({ length: 12 }, (_, i) => `h${i}`);
    const run = runStages(h.options(hosts));
    // Settle from the back of the running list: the most adversarial order for FIFO bugs.
    await flush();
    for (let k = h.running().at(-1); k !== undefined; k = h.running().at(-1)) await h.settle(k);
    const r = await run;
    expect(r.totals.done).toBe(12);
    expect(h.overLimit).toEqual([]);
    expect(r.stages.map((s) => s.peakConcurrency)).toEqual([12, 2, 1, h.peak.get('activate')]);
  });

  it('is deterministic: the same completion order gives the same events and report', async () => {
    const order = fc.sample(fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), {
      numRuns: 1,
      seed: 7,
    })[0]!;
    const once = async (): Promise<{ events: DagEvent[]; report: DagReport }> => {
      const h = new Harness(PIPE);
      const run = runStages(h.options(['a', 'b', 'c', 'd', 'e'], { failFast: false }));
      await flush();
      for (let i = 0; h.running().length > 0; i++) {
        const keys = h.running();
        h.clock = i;
        const key = keys[order[i % order.length]! % keys.length]!;
        await h.settle(key, key === 'build:c' ? { kind: 'failed', error: 'boom' } : { kind: 'ok' });
      }
      return { events: h.events, report: await run };
    };
    const [x, y] = [await once(), await once()];
    expect(y.events).toEqual(x.events);
    expect(y.report).toEqual(x.report);
    expect(outcomes(x.report)['c']).toBe('failed@build');
  });
});

describe('runStages: failures', () => {
  it('a failure isolates one host: the others finish, its later stages are not-run', async () => {
    const h = new Harness(PIPE);
    const run = runStages(h.options(['a', 'b', 'c']));
    await flush();
    await h.settle('eval:a');
    await h.settle('eval:b');
    await h.settle('eval:c');
    await h.settle('build:b', { kind: 'failed', error: 'builder ran out of disk', cause: 'ENOSPC' }, 5);
    await h.drain();
    const r = await run;
    expect(outcomes(r)).toEqual({ a: 'done', b: 'failed@build', c: 'done' });
    const b = r.hosts[1]!;
    expect(b).toMatchObject({
      outcome: 'failed',
      stage: 'build',
      error: 'builder ran out of disk',
      cause: 'ENOSPC',
    });
    expect(statuses(r, 'b')).toEqual(['ok', 'failed', 'not-run', 'not-run']);
    expect(b.stages[1]).toMatchObject({ error: 'builder ran out of disk', finishedAt: 5 });
    expect(b.stages[2]!.startedAt).toBeUndefined();
    expect(r.totals).toEqual({ hosts: 3, done: 2, skippedEarly: 0, failed: 1, cancelled: 0 });
    expect(r.stages[2]).toMatchObject({ ok: 2, notRun: 1 });
    expect(r.stoppedBy).toBeNull();
  });

  it('a rejected promise, a synchronous throw and a non-outcome are failures with the message', async () => {
    const stages: Stage[] = [
      {
        name: 's',
        run: (host) => {
          if (host === 'rejects') return Promise.reject(new Error('ssh: connection refused'));
          if (host === 'throws') throw new TypeError('oops');
          if (host === 'with-cause') return Promise.reject(new Error('x', { cause: 'inner' }));
          if (host === 'garbage') return Promise.resolve({ kind: 'maybe' } as unknown as StageOutcome);
          return Promise.resolve(undefined as unknown as StageOutcome);
        },
      },
    ];
    const r = await runStages({ hosts: ['rejects', 'throws', 'with-cause', 'garbage', 'undef'], stages });
    expect(r.hosts.map((h) => h.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    const [rej, thr, , garbage, undef] = r.hosts;
    expect(rej).toMatchObject({ error: 'ssh: connection refused' });
    expect((rej as { cause: unknown }).cause).toBeInstanceOf(Error);
    expect(thr).toMatchObject({ error: 'oops' });
    expect((thr as { cause: unknown }).cause).toBeInstanceOf(TypeError);
    expect((garbage as { error: string }).error).toContain('invalid outcome');
    expect((undef as { error: string }).error).toContain('invalid outcome');
  });

  it('skip-rest finishes a host early: later stages skipped, counted apart from done and failed', async () => {
    const h = new Harness(PIPE);
    const run = runStages(h.options(['a', 'b']));
    await flush();
    await h.settle('eval:a', { kind: 'skip-rest', reason: 'unchanged' });
    await h.drain();
    const r = await run;
    expect(r.hosts[0]).toMatchObject({ outcome: 'skipped-early', stage: 'eval', reason: 'unchanged' });
    expect(statuses(r, 'a')).toEqual(['ok', 'skipped', 'skipped', 'skipped']);
    expect(r.hosts[0]!.stages[0]!.detail).toBe('unchanged');
    expect(r.totals).toEqual({ hosts: 2, done: 1, skippedEarly: 1, failed: 0, cancelled: 0 });
    expect(r.stages[1]).toMatchObject({ ok: 1, skipped: 1 });
    expect(h.starts.some((k) => k.endsWith(':a') && !k.startsWith('eval'))).toBe(false);
  });
});

describe('runStages: failFast', () => {
  it('starts nothing after the first failure; running tasks finish and count; the rest is cancelled', async () => {
    const h = new Harness([{ name: 'build', limit: 2 }, { name: 'activate' }]);
    const run = runStages(h.options(['a', 'b', 'c', 'd'], { failFast: true }));
    await flush();
    await h.settle('build:a');
    expect(h.running()).toEqual(['activate:a', 'build:b', 'build:c']);
    await h.settle('build:b', { kind: 'failed', error: 'boom' });
    // Nothing new: d stays unstarted, a and c keep running.
    expect(h.running()).toEqual(['activate:a', 'build:c']);
    expect(h.pending.get('build:c')!.ctx.signal.aborted).toBe(false);
    await h.settle('build:c');
    await h.settle('activate:a', { kind: 'failed', error: 'second' });
    const r = await run;
    expect(h.starts).toEqual(['build:a', 'build:b', 'build:c', 'activate:a']);
    expect(outcomes(r)).toEqual({
      a: 'failed@activate',
      b: 'failed@build',
      c: 'cancelled@activate',
      d: 'cancelled@build',
    });
    expect(statuses(r, 'c')).toEqual(['ok', 'cancelled']);
    expect(statuses(r, 'd')).toEqual(['cancelled', 'cancelled']);
    expect(r.hosts[3]).toMatchObject({ interrupted: false });
    expect(r.stoppedBy).toBe('fail-fast');
    expect(r.totals).toEqual({ hosts: 4, done: 0, skippedEarly: 0, failed: 2, cancelled: 2 });
  });

  it('a skip-rest is not a failure', async () => {
    const h = new Harness([{ name: 's', limit: 1 }]);
    const run = runStages(h.options(['a', 'b'], { failFast: true }));
    await flush();
    await h.settle('s:a', { kind: 'skip-rest', reason: 'unchanged' });
    await h.drain();
    expect(outcomes(await run)).toEqual({ a: 'skipped-early@s', b: 'done' });
  });
});

describe('runStages: abort', () => {
  it('aborts running tasks through ctx.signal, cancels the rest, and reports after the running ones settle', async () => {
    const h = new Harness([{ name: 'copy', limit: 2 }, { name: 'activate' }]);
    const ac = new AbortController();
    let resolved = false;
    const run = runStages(h.options(['a', 'b', 'c', 'd'], { signal: ac.signal })).then(
      (r) => ((resolved = true), r),
    );
    await flush();
    await h.settle('copy:a');
    expect(h.running()).toEqual(['activate:a', 'copy:b', 'copy:c']);
    ac.abort(new Error('Ctrl-C'));
    await flush();
    for (const k of h.running()) expect(h.pending.get(k)!.ctx.signal.aborted).toBe(true);
    expect(h.pending.get('copy:b')!.ctx.signal.reason).toEqual(new Error('Ctrl-C'));
    expect(resolved).toBe(false);
    // b finishes its copy anyway; c's copy and a's activation give up because of the abort.
    await h.settle('copy:b');
    await h.reject('copy:c', new DOMException('aborted', 'AbortError'));
    expect(resolved).toBe(false);
    await h.settle('activate:a', { kind: 'failed', error: 'activation interrupted' });
    const r = await run;
    expect(h.starts).toEqual(['copy:a', 'copy:b', 'copy:c', 'activate:a']);
    expect(outcomes(r)).toEqual({
      a: 'cancelled@activate',
      b: 'cancelled@activate',
      c: 'cancelled@copy',
      d: 'cancelled@copy',
    });
    expect(r.hosts.map((x) => (x.outcome === 'cancelled' ? x.interrupted : null))).toEqual([
      true,
      false,
      true,
      false,
    ]);
    const a = r.hosts[0]!.stages[1]!;
    expect(a).toMatchObject({ status: 'cancelled', error: 'activation interrupted' });
    expect(a.startedAt).toBeDefined();
    expect(r.hosts[1]!.stages.map((s) => s.status)).toEqual(['ok', 'cancelled']);
    expect(r.hosts[3]!.stages.map((s) => s.startedAt)).toEqual([undefined, undefined]);
    expect(r.stoppedBy).toBe('abort');
    expect(r.totals.cancelled).toBe(4);
  });

  it('an already aborted signal runs nothing', async () => {
    const h = new Harness(PIPE);
    const r = await runStages(h.options(['a', 'b'], { signal: AbortSignal.abort() }));
    expect(h.starts).toEqual([]);
    expect(outcomes(r)).toEqual({ a: 'cancelled@eval', b: 'cancelled@eval' });
    expect(statuses(r, 'a')).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(h.events.filter((e) => e.type === 'host-finished')).toHaveLength(2);
  });

  it('abort after a failFast stop still aborts the tasks that are running', async () => {
    const h = new Harness([{ name: 's' }]);
    const ac = new AbortController();
    const run = runStages(h.options(['a', 'b'], { signal: ac.signal, failFast: true }));
    await flush();
    await h.settle('s:a', { kind: 'failed', error: 'x' });
    expect(h.pending.get('s:b')!.ctx.signal.aborted).toBe(false);
    ac.abort();
    expect(h.pending.get('s:b')!.ctx.signal.aborted).toBe(true);
    await h.reject('s:b', new Error('aborted'));
    const r = await run;
    expect(outcomes(r)).toEqual({ a: 'failed@s', b: 'cancelled@s' });
    expect(r.stoppedBy).toBe('fail-fast');
  });

  it('a task that aborts the run from its synchronous part leaves the scheduler consistent', async () => {
    const ac = new AbortController();
    const started: string[] = [];
    const stages: Stage[] = [
      {
        name: 's',
        limit: 2,
        run: (host, ctx) => {
          started.push(host);
          if (host === 'b') ac.abort();
          return ctx.signal.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve({ kind: 'ok' });
        },
      },
    ];
    const r = await runStages({ hosts: ['a', 'b', 'c'], stages, signal: ac.signal });
    // a's promise was already resolved ok when b aborted: a finished its only stage.
    expect(started).toEqual(['a', 'b']);
    expect(outcomes(r)).toEqual({ a: 'done', b: 'cancelled@s', c: 'cancelled@s' });
    expect(r.hosts.map((x) => (x.outcome === 'cancelled' ? x.interrupted : null))).toEqual([
      null,
      true,
      false,
    ]);
  });

  it('a progress listener may abort the run; a throwing listener rejects the run after everything settled', async () => {
    const ac = new AbortController();
    const h = new Harness([{ name: 's', limit: 1 }]);
    const run = runStages(
      h.options(['a', 'b'], {
        signal: ac.signal,
        onEvent: (e) => {
          h.events.push(e);
          if (e.type === 'stage-started') ac.abort();
        },
      }),
    );
    await flush();
    await h.settle('s:a');
    const r = await run;
    expect(outcomes(r)).toEqual({ a: 'done', b: 'cancelled@s' });
    expect(h.events.map((e) => `${e.type}:${e.host}`)).toEqual([
      'stage-started:a',
      'host-finished:b',
      'stage-finished:a',
      'host-finished:a',
    ]);

    const broken = new Error('display crashed');
    const h2 = new Harness([{ name: 's' }]);
    const run2 = runStages(
      h2.options(['a', 'b'], {
        onEvent: () => {
          throw broken;
        },
      }),
    );
    let settled = false;
    const caught = run2.then(
      () => 'resolved',
      (e: unknown) => ((settled = true), e),
    );
    await flush();
    expect(h2.running()).toEqual(['s:a', 's:b']);
    await h2.settle('s:a');
    expect(settled).toBe(false);
    await h2.drain();
    expect(await caught).toBe(broken);
  });
});

describe('runStages: gates', () => {
  it('a gate is awaited before the task takes a slot: a gated host does not hold one', async () => {
    const opened = new Map<string, () => void>();
    const gate = (host: string): Promise<void> => new Promise((resolve) => opened.set(host, resolve));
    const h = new Harness([{ name: 'copy' }, { name: 'activate', limit: 1, gate }]);
    const run = runStages(h.options(['a', 'b']));
    await flush();
    await h.settle('copy:a');
    await h.settle('copy:b');
    expect([...opened.keys()]).toEqual(['a', 'b']);
    expect(h.running()).toEqual([]);
    opened.get('b')!();
    await flush();
    expect(h.running()).toEqual(['activate:b']);
    opened.get('a')!();
    await flush();
    expect(h.running()).toEqual(['activate:b']);
    await h.drain();
    expect(outcomes(await run)).toEqual({ a: 'done', b: 'done' });
    expect(h.starts.slice(2)).toEqual(['activate:b', 'activate:a']);
  });

  it('a rejecting (or throwing) gate fails the host at that stage without starting it', async () => {
    const gate = (host: string): Promise<void> => {
      if (host === 'b') throw new Error('wave 1 failed');
      return host === 'a' ? Promise.reject(new Error('not healthy')) : Promise.resolve();
    };
    const h = new Harness([{ name: 'copy' }, { name: 'activate', gate }]);
    const run = runStages(h.options(['a', 'b', 'c']));
    await h.drain();
    const r = await run;
    expect(outcomes(r)).toEqual({ a: 'failed@activate', b: 'failed@activate', c: 'done' });
    expect(r.hosts[0]).toMatchObject({ error: 'not healthy' });
    expect(r.hosts[1]).toMatchObject({ error: 'wave 1 failed' });
    expect(r.hosts[0]!.stages[1]!.startedAt).toBeUndefined();
    expect(h.starts).not.toContain('activate:a');
  });

  it('a gate that never opens is abandoned when the run stops', async () => {
    const ac = new AbortController();
    let gateSignal: AbortSignal | undefined;
    const gate = (_: string, signal: AbortSignal): Promise<void> => (
      (gateSignal = signal),
      new Promise<void>(() => {})
    );
    const h = new Harness([{ name: 'copy' }, { name: 'activate', gate }]);
    const run = runStages(h.options(['a'], { signal: ac.signal }));
    await h.drain();
    ac.abort();
    const r = await run;
    expect(gateSignal!.aborted).toBe(true);
    expect(outcomes(r)).toEqual({ a: 'cancelled@activate' });
  });

  it('with failFast, a failure elsewhere cancels hosts waiting at a gate', async () => {
    const gate = (): Promise<void> => new Promise<void>(() => {});
    const h = new Harness([
      { name: 'copy', limit: 1 },
      { name: 'activate', gate },
    ]);
    const run = runStages(h.options(['a', 'b'], { failFast: true }));
    await flush();
    await h.settle('copy:a');
    await h.settle('copy:b', { kind: 'failed', error: 'x' });
    expect(outcomes(await run)).toEqual({ a: 'cancelled@activate', b: 'failed@copy' });
  });
});
