/**
 * The deploy pipeline's task runner: M hosts × an ordered list of stages (eval → build → copy →
 * activate …), our equivalent of consortium's `StageBuilder` DAG executor.
 *
 * What it guarantees:
 * - per host, stage k+1 starts only after stage k finished `ok`; a host's failure is its own (unless
 *   `failFast`), its later stages are `not-run`;
 * - per stage, at most `limit` tasks run at once across hosts; a stage's waiting hosts start FIFO in the
 *   order they became ready (fleet order for hosts ready together, e.g. every host at stage 0);
 * - pipelining: a host moves on as soon as its stage is done and the next stage has a free slot, so host A
 *   activates while host B still copies;
 * - a run always resolves with a full report, one final outcome per host; tasks cannot make it throw.
 *
 * The scheduler is a small state machine driven by promise settlements, so it is deterministic given
 * the order in which tasks and gates settle; it uses no timers and reads time only from `now`.
 */
import { failure, normalise, validate } from './dagInput.js';
import type {
  StageOutcome,
  StageContext,
  Stage,
  StageStatus,
  StageRecord,
  HostOutcome,
  HostResult,
  DagEvent,
  RunStagesOptions,
  StageSummary,
  DagReport,
} from './dagTypes.js';

export type {
  StageOutcome,
  StageContext,
  Stage,
  StageStatus,
  StageRecord,
  HostOutcome,
  HostResult,
  DagEvent,
  RunStagesOptions,
  StageSummary,
  DagReport,
} from './dagTypes.js';

/**
 * Runs every host through every stage and reports how each host ended. Resolves once every host has a
 * final outcome and no task is running; never rejects because of a task (a throwing task is a failed
 * one).
 *
 * @throws ConfigError (as a rejection) for invalid options: no stages, a duplicate or empty stage or
 *   host name, a limit that is not a positive integer, a `run`/`gate`/`now`/`onEvent` that is not a
 *   function.
 */
export async function runStages(options: RunStagesOptions): Promise<DagReport> {
  validate(options);
  return new Run(options).start();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where a host is. `final`: its outcome is decided (it has no running task and no gate it listens to). */
type Phase = 'idle' | 'gating' | 'queued' | 'running' | 'final';

interface HostState {
  readonly index: number;
  readonly name: string;
  /** The stage it is at (waiting for, gating, queued for or running). */
  stage: number;
  phase: Phase;
  readonly records: Array<Mutable<StageRecord>>;
  readonly outputs: Map<string, unknown>;
  result: HostResult | undefined;
}

interface StageState {
  readonly stage: Stage;
  readonly limit: number;
  running: number;
  peak: number;
  /** FIFO of host indexes; `head` is the next to start (an index avoids O(n) shifts on big fleets). */
  readonly queue: number[];
  head: number;
}

const defaultNow = (): number => performance.now() / 1000;

class Run {
  private readonly hosts: HostState[];
  private readonly stages: StageState[];
  private readonly failFast: boolean;
  private readonly now: () => number;
  private readonly external: AbortSignal | undefined;
  /** What tasks and gates see; follows the caller's signal (failFast does not abort it). */
  private readonly controller = new AbortController();
  private stoppedBy: 'abort' | 'fail-fast' | null = null;
  private aborted = false;
  private unfinished: number;
  private startedAt = 0;

  private readonly onEvent: ((e: DagEvent) => void) | undefined;
  /** Events wait here until the current turn's bookkeeping is done (see `flush`). */
  private readonly outbox: DagEvent[] = [];
  private flushing = false;
  private listenerError: { error: unknown } | undefined;

  private settle: { resolve: (r: DagReport) => void; reject: (e: unknown) => void } | undefined;
  private settled = false;

  constructor(o: RunStagesOptions) {
    this.failFast = o.failFast ?? false;
    this.now = o.now ?? defaultNow;
    this.external = o.signal;
    this.onEvent = o.onEvent;
    this.stages = o.stages.map((stage) => ({
      stage,
      limit: stage.limit ?? Number.POSITIVE_INFINITY,
      running: 0,
      peak: 0,
      queue: [],
      head: 0,
    }));
    this.hosts = o.hosts.map((name, index) => ({
      index,
      name,
      stage: 0,
      phase: 'idle',
      records: o.stages.map((s) => ({ stage: s.name, status: 'not-run' })),
      outputs: new Map(),
      result: undefined,
    }));
    this.unfinished = this.hosts.length;
  }

  start(): Promise<DagReport> {
    const done = new Promise<DagReport>((resolve, reject) => (this.settle = { resolve, reject }));
    this.startedAt = this.now();
    if (this.external?.aborted) {
      this.abort();
    } else {
      this.external?.addEventListener('abort', this.onAbort);
      for (const h of this.hosts) if (h.phase === 'idle') this.advance(h);
    }
    this.flush();
    return done;
  }

  // --- entry points (each ends with flush) -------------------------------------------------------

  private readonly onAbort = (): void => {
    this.abort();
    this.flush();
  };

  private onGateSettled(h: HostState, k: number, error: { error: unknown } | undefined): void {
    // Cancelled while the gate was pending: the gate is abandoned.
    if (h.phase !== 'gating' || h.stage !== k) return;
    if (error !== undefined) {
      this.failHost(h, k, failure(error.error), undefined);
    } else if (this.stoppedBy !== null) {
      this.cancelHost(h, false);
    } else {
      this.enqueue(h);
    }
    this.flush();
  }

  private onTaskSettled(h: HostState, k: number, outcome: StageOutcome): void {
    const s = this.stages[k]!;
    s.running--;
    const at = this.now();
    const rec = h.records[k]!;
    rec.finishedAt = at;
    this.outbox.push({ type: 'stage-finished', host: h.name, stage: s.stage.name, at, outcome });
    if (outcome.kind === 'failed' && this.aborted) {
      // Failed after the caller aborted: most likely because of the abort, so it is an interruption.
      rec.status = 'cancelled';
      rec.error = outcome.error;
      if ('cause' in outcome) rec.cause = outcome.cause;
      this.cancelHost(h, true);
    } else if (outcome.kind === 'failed') {
      this.failHost(h, k, outcome, at);
    } else if (outcome.kind === 'skip-rest') {
      rec.status = 'ok';
      rec.detail = outcome.reason;
      this.finalize(h, { outcome: 'skipped-early', stage: s.stage.name, reason: outcome.reason }, 'skipped');
    } else {
      rec.status = 'ok';
      if (outcome.detail !== undefined) rec.detail = outcome.detail;
      if ('output' in outcome) {
        rec.output = outcome.output;
        h.outputs.set(s.stage.name, outcome.output);
      }
      h.stage = k + 1;
      if (h.stage === this.stages.length) this.finalize(h, { outcome: 'done' }, 'ok');
      else h.phase = 'idle';
    }
    // The freed slot goes to the stage's next waiting host before this host moves on: that host has
    // waited longer for this stage than this one has for the next.
    this.pump(k);
    if (h.phase === 'idle') this.advance(h);
    this.flush();
  }

  // --- bookkeeping -----------------------------------------------------------------------------------

  /** Moves an idle host (one with a stage still to run) into that stage: its gate or its queue. */
  private advance(h: HostState): void {
    if (this.stoppedBy !== null) {
      this.cancelHost(h, false);
      return;
    }
    const k = h.stage;
    const gate = this.stages[k]!.stage.gate;
    if (gate === undefined) {
      this.enqueue(h);
      return;
    }
    h.phase = 'gating';
    // The executor form turns a synchronous throw into a rejection.
    void new Promise<void>((resolve) => resolve(gate(h.name, this.controller.signal))).then(
      () => this.onGateSettled(h, k, undefined),
      (error: unknown) => this.onGateSettled(h, k, { error }),
    );
  }

  private enqueue(h: HostState): void {
    h.phase = 'queued';
    const s = this.stages[h.stage]!;
    s.queue.push(h.index);
    this.pump(h.stage);
  }

  /** Starts queued hosts of stage k while it has free slots. Re-reads all state each turn of the loop
   * because a task's synchronous part may abort the run. */
  private pump(k: number): void {
    const s = this.stages[k]!;
    while (this.stoppedBy === null && s.running < s.limit && s.head < s.queue.length) {
      const h = this.hosts[s.queue[s.head++]!]!;
      if (h.phase === 'queued' && h.stage === k) this.startTask(h, s, k);
    }
    if (s.head === s.queue.length) {
      s.queue.length = 0;
      s.head = 0;
    }
  }

  private startTask(h: HostState, s: StageState, k: number): void {
    h.phase = 'running';
    s.running++;
    s.peak = Math.max(s.peak, s.running);
    const at = this.now();
    h.records[k]!.startedAt = at;
    this.outbox.push({ type: 'stage-started', host: h.name, stage: s.stage.name, at });
    const ctx: StageContext = {
      host: h.name,
      stage: s.stage.name,
      signal: this.controller.signal,
      outputs: new Map(h.outputs),
    };
    void new Promise<StageOutcome>((resolve) => resolve(s.stage.run(h.name, ctx))).then(
      (o) => this.onTaskSettled(h, k, normalise(o)),
      (error: unknown) => this.onTaskSettled(h, k, failure(error)),
    );
  }

  private failHost(
    h: HostState,
    k: number,
    f: Extract<StageOutcome, { kind: 'failed' }>,
    at: number | undefined,
  ): void {
    const rec = h.records[k]!;
    rec.status = 'failed';
    rec.error = f.error;
    if ('cause' in f) rec.cause = f.cause;
    if (at !== undefined) rec.finishedAt = at;
    const outcome: HostOutcome =
      'cause' in f
        ? { outcome: 'failed', stage: rec.stage, error: f.error, cause: f.cause }
        : { outcome: 'failed', stage: rec.stage, error: f.error };
    this.finalize(h, outcome, 'not-run');
    if (this.failFast) this.stop('fail-fast');
  }

  /** Cancels a host at its current stage (the record of an interrupted task is already written). */
  private cancelHost(h: HostState, interrupted: boolean): void {
    if (!interrupted) h.records[h.stage]!.status = 'cancelled';
    this.finalize(
      h,
      { outcome: 'cancelled', stage: this.stages[h.stage]!.stage.name, interrupted },
      'cancelled',
    );
  }

  /** Records the host's outcome; every stage after the current one gets `rest`. */
  private finalize(h: HostState, outcome: HostOutcome, rest: StageStatus): void {
    const from = outcome.outcome === 'done' ? h.records.length : h.stage + 1;
    for (let i = from; i < h.records.length; i++) h.records[i]!.status = rest;
    h.phase = 'final';
    const result: HostResult = { ...outcome, host: h.name, stages: h.records.map((r) => ({ ...r })) };
    h.result = result;
    this.unfinished--;
    this.outbox.push({ type: 'host-finished', host: h.name, at: this.now(), result });
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.stop('abort');
    this.controller.abort(this.external?.reason);
  }

  /** Nothing new starts; hosts not running are cancelled now, in host order. */
  private stop(reason: 'abort' | 'fail-fast'): void {
    if (this.stoppedBy !== null) return;
    this.stoppedBy = reason;
    for (const h of this.hosts) if (h.phase !== 'running' && h.phase !== 'final') this.cancelHost(h, false);
    for (const s of this.stages) {
      s.queue.length = 0;
      s.head = 0;
    }
  }

  /**
   * Delivers queued events, then resolves the run if every host is final. Listeners run here, after the
   * turn's bookkeeping, so one that aborts the run re-enters a consistent scheduler; the events that
   * abort produces are delivered by this same loop, in order.
   */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let e = this.outbox.shift(); e !== undefined; e = this.outbox.shift()) {
        if (this.onEvent === undefined) continue;
        try {
          this.onEvent(e);
        } catch (error) {
          this.listenerError ??= { error };
        }
      }
    } finally {
      this.flushing = false;
    }
    if (this.unfinished === 0 && !this.settled) this.finish();
  }

  private finish(): void {
    this.settled = true;
    this.external?.removeEventListener('abort', this.onAbort);
    if (this.listenerError !== undefined) {
      this.settle!.reject(this.listenerError.error);
      return;
    }
    this.settle!.resolve(this.report());
  }

  private report(): DagReport {
    const results = this.hosts.map((h) => h.result!);
    const count = (o: HostOutcome['outcome']): number => results.filter((r) => r.outcome === o).length;
    const stages = this.stages.map((s, k): StageSummary => {
      const n = (status: StageStatus): number => results.filter((r) => r.stages[k]!.status === status).length;
      return {
        stage: s.stage.name,
        limit: s.stage.limit ?? null,
        ok: n('ok'),
        failed: n('failed'),
        skipped: n('skipped'),
        notRun: n('not-run'),
        cancelled: n('cancelled'),
        peakConcurrency: s.peak,
      };
    });
    return {
      hosts: results,
      totals: {
        hosts: results.length,
        done: count('done'),
        skippedEarly: count('skipped-early'),
        failed: count('failed'),
        cancelled: count('cancelled'),
      },
      stages,
      stoppedBy: this.stoppedBy,
      startedAt: this.startedAt,
      finishedAt: this.now(),
    };
  }
}
