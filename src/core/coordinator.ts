import type { ClosureGraph } from './closure.js';
import { lowerBound as computeLowerBound, type LowerBound } from './bounds.js';
import { TRACE_VERSION, type EventSink, type StopReason } from './events.js';
import type { Executor } from './executor.js';
import { buildFailureTree, type FailureTreeNode, type HostFailure } from './failureTree.js';
import { deriveRng } from './random.js';
import { resolveRunLimits } from './runLimits.js';
import { RunState } from './state.js';
import type { RunMode, Strategy } from './strategy.js';
import type { Topology } from './topology.js';
import {
  applyOutcome,
  runFinished,
  runTotals,
  RunTally,
  startTransfers,
  type CascadeState,
} from './outcome.js';
import type { FailureCause, Fleet, HostId, Outcome } from './types.js';
import { validateProposals } from './validateProposals.js';

/** Everything one cascade run needs. */
export interface RunOptions {
  readonly fleet: Fleet;
  readonly closure: ClosureGraph;
  readonly topology: Topology;
  readonly strategy: Strategy;
  readonly executor: Executor;
  /** Mode and limits: one definition each, with their defaults, in runLimits.ts. */
  readonly mode?: RunMode;
  /** Root seed; the strategy's stream is derived from it. @defaultValue `0` */
  readonly seed?: number | string;
  readonly maxRounds?: number;
  readonly maxTime?: number;
  readonly maxAttemptsPerHost?: number;
  readonly onEvent?: EventSink;
  /** Aborting cancels every running transfer and ends the run with reason `cancelled`. */
  readonly signal?: AbortSignal;
  /** Precomputed bound (the CLI computes it once per scenario for several strategies). */
  readonly lowerBound?: LowerBound;
}

/** What a run produced. Everything here can also be derived from its events. */
export interface RunResult {
  readonly strategy: string;
  readonly mode: RunMode;
  readonly reason: StopReason;
  /** Every target holds its want set. Never true with failed or unreached hosts. */
  readonly success: boolean;
  /** Number of targets (hosts that want something). */
  readonly hosts: number;
  readonly hostsDone: number;
  readonly hostsFailed: number;
  readonly hostsUnreached: number;
  readonly failed: readonly HostFailure[];
  /** Targets that neither finished nor failed: the run never got their paths to them. */
  readonly unreached: readonly HostId[];
  readonly failureTree: readonly FailureTreeNode[];
  /**
   * Hosts the run stopped using as sources: `maxAttemptsPerHost` transient failures in a row were blamed
   * on them as senders. They are not failed (they may have received everything).
   */
  readonly retiredSources: readonly HostId[];
  /** Plan calls that started at least one transfer (in round mode: rounds). */
  readonly rounds: number;
  readonly makespanSeconds: number;
  readonly bytesTransferred: number;
  /** Money spent on priced links (e.g. cross-region egress): Σ bytes moved × route price per byte. */
  readonly egressCost: number;
  readonly transfersStarted: number;
  readonly transfersFailed: number;
  /** Time each target became done (absent for targets done at the start or never done). */
  readonly finishTimes: ReadonlyMap<HostId, number>;
  readonly lowerBound: LowerBound;
  /** makespan ÷ lower bound (1 when both are 0). */
  readonly ratioToLowerBound: number;
}

/**
 * Runs one cascade: asks the strategy for proposals, validates them, starts them on the executor and
 * applies outcomes until every reachable target is done or a limit is hit. Round mode asks again when all
 * transfers of the round have ended; eager mode after every outcome. Failures are outcomes: a transient one
 * returns the target to the pool (bounded by `maxAttemptsPerHost`), a permanent one takes the host out.
 *
 * This is only the async loop (the actor, in XState's terms): what may start is decided by
 * {@link validateProposals}, what an outcome changes by {@link applyOutcome} (pure, in outcome.ts), and
 * the failure tree by {@link buildFailureTree}; the loop sequences them with the executor and the sink.
 *
 * @throws StrategyError when the strategy proposes something impossible. Running transfers are drained
 *   first (what they delivered is kept), so nothing is left half-applied.
 */
export async function runCascade(options: RunOptions): Promise<RunResult> {
  const cfg = resolveRunLimits(options);
  const { fleet, closure, topology, strategy, executor } = options;
  const emit: EventSink = options.onEvent ?? (() => undefined);
  const rng = deriveRng(options.seed ?? 0, `strategy/${strategy.name}`);
  const state = new RunState(fleet, closure, topology, cfg.mode, rng);
  const bound = options.lowerBound ?? computeLowerBound(fleet, closure, topology);
  const cs: CascadeState = { state, tally: new RunTally(state), maxAttemptsPerHost: cfg.maxAttemptsPerHost };
  const { running } = cs.tally;
  let reason: StopReason | undefined;

  emit({
    type: 'run-started',
    version: TRACE_VERSION,
    t: executor.now(),
    strategy: strategy.name,
    mode: cfg.mode,
    hosts: fleet.hosts.map((h) => h.id),
    targets: state.targets,
    seeds: fleet.hosts.filter((h) => (fleet.initialHave.get(h.id)?.length ?? 0) > 0).map((h) => h.id),
    alreadyDone: state.doneTargets(false),
    bytesWanted: bound.bytesWanted,
  });

  const cancelAll = (): void => {
    for (const id of running.keys()) executor.cancel(id);
  };
  options.signal?.addEventListener('abort', cancelAll);

  const apply = (o: Outcome): void => {
    for (const e of applyOutcome(cs, o)) {
      emit(e);
      // Transfers from or to a host that is out can only fail; stop them now.
      if (e.type === 'host-failed') {
        for (const [id, t] of running) if (t.from === e.host || t.to === e.host) executor.cancel(id);
      }
    }
  };

  // An executor that can answer at once (the simulator) is not awaited per outcome: no promise or
  // microtask each, and the outcomes and their order are the same.
  const sync = executor.nextSync !== undefined;
  const drain = async (): Promise<void> => {
    if (sync) while (executor.active > 0) apply(executor.nextSync!());
    else while (executor.active > 0) apply(await executor.next());
  };

  /** Asks the strategy, validates and starts what it proposed; returns how many transfers started. */
  const planAndStart = (): number => {
    state.now = executor.now();
    const proposals = strategy.plan(state);
    if (proposals.length === 0) return 0;
    const batch = validateProposals(proposals, state, strategy, cs.tally.transfersStarted);
    if (cfg.mode === 'round') emit({ type: 'round-started', t: state.now, round: state.round });
    startTransfers(cs, batch, emit);
    // The hosts' fleet positions, known since validation: the simulator need not look them up again.
    const positions = new Int32Array(batch.length * 2);
    for (let k = 0; k < batch.length; k++) state.runningPositions(batch[k]!, positions, k);
    executor.start(batch, positions);
    return batch.length;
  };

  try {
    while (reason === undefined) {
      if (state.pending().length === 0) {
        reason = 'complete';
        break;
      }
      if (options.signal?.aborted) {
        reason = 'cancelled';
        break;
      }
      if (cfg.mode === 'round') {
        if (state.round >= cfg.maxRounds) {
          reason = 'max-rounds';
          break;
        }
        if (planAndStart() === 0) {
          reason = 'no-progress';
          break;
        }
        await drain();
        emit({ type: 'round-finished', t: executor.now(), round: state.round });
        state.round++;
      } else {
        // A round is a plan call that started transfers, as the result's `rounds` counts them: so the
        // trace's round numbers, the summary's count and `trace --round N` agree in both modes.
        if (planAndStart() > 0) state.round++;
        if (executor.active === 0) {
          reason = 'no-progress';
          break;
        }
        apply(sync ? executor.nextSync!() : await executor.next());
      }
      // Over the time limit with work left; a run whose last outcome completed it is `complete`.
      if (executor.now() > cfg.maxTime && state.pending().length > 0) reason = 'max-time';
    }
  } catch (err) {
    // Keep the state consistent before reporting a strategy bug: stop and account for running transfers.
    cancelAll();
    await drain();
    emit(runFinished(cs, executor.now(), 'strategy-error', runTotals(cs)));
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', cancelAll);
  }

  // Whatever still runs is useless (complete) or over a limit: stop it, keep what it delivered.
  cancelAll();
  await drain();
  if (reason === 'complete' && state.pending().length > 0) reason = 'no-progress';

  const totals = runTotals(cs);
  const { done, failed, unreached } = totals;
  const { tally } = cs;
  const makespan = executor.now();
  emit(runFinished(cs, makespan, reason, totals));
  return {
    strategy: strategy.name,
    mode: cfg.mode,
    reason,
    success: failed.length === 0 && unreached.length === 0 && done.length === state.targets.length,
    hosts: state.targets.length,
    hostsDone: done.length,
    hostsFailed: failed.length,
    hostsUnreached: unreached.length,
    failed,
    unreached,
    failureTree: buildFailureTree(fleet, failed, { get: (h) => tally.parent(h) }),
    retiredSources: state.retiredSources(),
    rounds: tally.rounds,
    makespanSeconds: makespan,
    bytesTransferred: tally.bytesTransferred,
    egressCost: tally.egressCost,
    transfersStarted: tally.transfersStarted,
    transfersFailed: tally.transfersFailed,
    // Built on first read: a 1,000,000-entry map costs a fifth of a second, and most callers never ask.
    get finishTimes() {
      return tally.finishTimes;
    },
    lowerBound: bound,
    ratioToLowerBound: ratioToBound(makespan, bound),
  };
}

/** makespan ÷ lower bound. Nothing to send: a real run still takes some wall time (discovery, the first plan), and that is par. */
function ratioToBound(makespan: number, bound: LowerBound): number {
  if (bound.seconds > 0) return makespan / bound.seconds;
  return makespan === 0 || bound.bytesWanted === 0 ? 1 : Infinity;
}

export type { FailureCause, FailureTreeNode, HostFailure };
