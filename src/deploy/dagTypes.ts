/**
 * The vocabulary of the deploy pipeline's task runner (`runStages` in dag.ts): stages, what a task
 * reports, per-host records, progress events and the run's report. Types only.
 */

/** What a stage task reports for one host. A thrown error or rejected promise counts as `failed`. */
export type StageOutcome =
  /** Done; `output` is handed to the host's later stages through {@link StageContext.outputs}. */
  | { readonly kind: 'ok'; readonly output?: unknown; readonly detail?: string }
  /**
   * The host is finished early (e.g. it already runs this system: 'unchanged'): its later stages do not
   * run and it counts as done, not failed.
   */
  | { readonly kind: 'skip-rest'; readonly reason: string }
  /** The host failed at this stage; its later stages do not run. */
  | { readonly kind: 'failed'; readonly error: string; readonly cause?: unknown };

/** What a task gets besides its host. */
export interface StageContext {
  readonly host: string;
  readonly stage: string;
  /**
   * Aborted when the caller's signal is (never by `failFast`, which lets running tasks finish). Tasks
   * must honour it: an aborted run still waits for its running tasks to settle before it resolves.
   */
  readonly signal: AbortSignal;
  /** This host's earlier stages' outputs, by stage name (only stages that returned an `output`). */
  readonly outputs: ReadonlyMap<string, unknown>;
}

/** One stage of the pipeline. */
export interface Stage {
  /** Unique within the pipeline; used in records and events. */
  readonly name: string;
  /** The most tasks of this stage running at once, across hosts: a positive integer; `undefined` = unlimited. */
  readonly limit?: number;
  /**
   * Awaited before the host's task queues for a slot (it holds no slot while waiting): a staged
   * rollout's wave gate, or a cascade's "closure arrived on this host". A rejection fails the host at
   * this stage. A gate still pending when the run stops is abandoned (the host is `cancelled`), so a
   * gate that never settles only stalls its own host — and the run, unless the run is stopped.
   */
  readonly gate?: (host: string, signal: AbortSignal) => Promise<void>;
  /** The task. */
  readonly run: (host: string, ctx: StageContext) => Promise<StageOutcome>;
}

/**
 * A stage's status for one host.
 * `skipped`: an earlier stage said skip-rest. `not-run`: an earlier stage failed. `cancelled`: the run
 * stopped (abort or failFast) before the task started — or, with `startedAt` set, it was running when the
 * caller aborted and then failed (interrupted; `error` says how).
 */
export type StageStatus = 'ok' | 'failed' | 'skipped' | 'not-run' | 'cancelled';

/** One host × one stage in the report. Times are `now()` readings. */
export interface StageRecord {
  readonly stage: string;
  readonly status: StageStatus;
  /** Set when the task started (a failed gate fails the stage without starting it). */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** The ok outcome's `detail`, or the skip-rest `reason` on the stage that said it. */
  readonly detail?: string;
  readonly output?: unknown;
  /** For `failed` and interrupted `cancelled` stages. */
  readonly error?: string;
  readonly cause?: unknown;
}

/** How one host ended. Every host gets exactly one. */
export type HostOutcome =
  | { readonly outcome: 'done' }
  | { readonly outcome: 'skipped-early'; readonly stage: string; readonly reason: string }
  | { readonly outcome: 'failed'; readonly stage: string; readonly error: string; readonly cause?: unknown }
  /**
   * `stage` is the one it was waiting for, or the one that was running when the caller aborted
   * (`interrupted`).
   */
  | { readonly outcome: 'cancelled'; readonly stage: string; readonly interrupted: boolean };

/** One host in the report: its outcome and every stage's record, in stage order. */
export type HostResult = HostOutcome & { readonly host: string; readonly stages: readonly StageRecord[] };

/** Progress events, delivered in the order things happened. */
export type DagEvent =
  | { readonly type: 'stage-started'; readonly host: string; readonly stage: string; readonly at: number }
  | {
      readonly type: 'stage-finished';
      readonly host: string;
      readonly stage: string;
      readonly at: number;
      readonly outcome: StageOutcome;
    }
  /** The host's final outcome is known (also for hosts cancelled or failed without a running task). */
  | {
      readonly type: 'host-finished';
      readonly host: string;
      readonly at: number;
      readonly result: HostResult;
    };

/** Options of {@link runStages}; validated once, before anything starts. */
export interface RunStagesOptions {
  /** Resource names (hosts), unique, in fleet order: the order tasks start in when ready together. */
  readonly hosts: readonly string[];
  /** At least one stage; names unique. */
  readonly stages: readonly Stage[];
  /**
   * Stop at the first failure anywhere: no task starts after it, running tasks finish (their outcomes
   * count), every task not started is `cancelled`. Default `false`: hosts are independent.
   */
  readonly failFast?: boolean;
  /** Aborting stops the run: running tasks see it through `ctx.signal`, the rest is `cancelled`. */
  readonly signal?: AbortSignal;
  /** Clock in seconds. Default `performance.now() / 1000`. */
  readonly now?: () => number;
  /**
   * Progress callback. Called outside the scheduler's bookkeeping, so it may abort the run's signal.
   * If it throws, scheduling carries on and the run rejects with that error once every task settled.
   */
  readonly onEvent?: (e: DagEvent) => void;
}

/** Per-stage counts over hosts. */
export interface StageSummary {
  readonly stage: string;
  readonly limit: number | null;
  readonly ok: number;
  readonly failed: number;
  readonly skipped: number;
  readonly notRun: number;
  readonly cancelled: number;
  /** The most tasks of this stage that ran at once. */
  readonly peakConcurrency: number;
}

/** The result of a run. */
export interface DagReport {
  /** In host order. */
  readonly hosts: readonly HostResult[];
  readonly totals: {
    readonly hosts: number;
    readonly done: number;
    readonly skippedEarly: number;
    readonly failed: number;
    readonly cancelled: number;
  };
  readonly stages: readonly StageSummary[];
  /** Why the run stopped early (the first reason), or `null` if it ran to the end. */
  readonly stoppedBy: 'abort' | 'fail-fast' | null;
  readonly startedAt: number;
  readonly finishedAt: number;
}
