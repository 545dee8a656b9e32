import type { ClosureGraph } from './closure.js';
import { lowerBound as computeLowerBound, type LowerBound } from './bounds.js';
import { ConfigError } from './errors.js';
import type { EventSink, StopReason } from './events.js';
import type { Executor } from './executor.js';
import { buildFailureTree, type FailureTreeNode, type HostFailure } from './failureTree.js';
import { deriveRng } from './random.js';
import { RunState } from './state.js';
import type { RunMode, Strategy } from './strategy.js';
import type { Topology } from './topology.js';
import { RETRIES_EXHAUSTED } from './vocabulary.js';
import type { FailureCause, Fleet, HostId, Outcome, PathId, Transfer } from './types.js';
import { validateProposals } from './validateProposals.js';

/** Everything one cascade run needs. */
export interface RunOptions {
  readonly fleet: Fleet;
  readonly closure: ClosureGraph;
  readonly topology: Topology;
  readonly strategy: Strategy;
  readonly executor: Executor;
  /** @defaultValue `'round'` */
  readonly mode?: RunMode;
  /** Root seed; the strategy's stream is derived from it. @defaultValue `0` */
  readonly seed?: number | string;
  /** Round mode: stop after this many rounds. @defaultValue `1000` */
  readonly maxRounds?: number;
  /** Stop once the executor's clock passes this many seconds. @defaultValue `Infinity` */
  readonly maxTime?: number;
  /**
   * A target is given up after this many failed transfers in a row without any path delivered to it in
   * between. @defaultValue `5`
   */
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

interface Resolved {
  mode: RunMode;
  maxRounds: number;
  maxTime: number;
  maxAttemptsPerHost: number;
}

function resolveOptions(o: RunOptions): Resolved {
  const mode = o.mode ?? 'round';
  if (mode !== 'round' && mode !== 'eager') throw new ConfigError(`mode must be round or eager, got ${String(mode)}`, 'mode');
  const positive = (v: number | undefined, dflt: number, name: string): number => {
    const x = v ?? dflt;
    if (!(x > 0)) throw new ConfigError(`must be a positive number, got ${x}`, name);
    return x;
  };
  return {
    mode,
    maxRounds: positive(o.maxRounds, 1000, 'maxRounds'),
    maxTime: positive(o.maxTime, Infinity, 'maxTime'),
    maxAttemptsPerHost: positive(o.maxAttemptsPerHost, 5, 'maxAttemptsPerHost'),
  };
}

/**
 * Runs one cascade: asks the strategy for proposals, validates them, starts them on the executor and
 * applies outcomes until every reachable target is done or a limit is hit. Round mode asks again when all
 * transfers of the round have ended; eager mode after every outcome. Failures are outcomes: a transient one
 * returns the target to the pool (bounded by `maxAttemptsPerHost`), a permanent one takes the host out.
 *
 * @throws StrategyError when the strategy proposes something impossible. Running transfers are drained
 *   first (what they delivered is kept), so nothing is left half-applied.
 */
export async function runCascade(options: RunOptions): Promise<RunResult> {
  const cfg = resolveOptions(options);
  const { fleet, closure, topology, strategy, executor } = options;
  const emit: EventSink = options.onEvent ?? (() => undefined);
  const state = new RunState(fleet, closure, topology, cfg.mode, deriveRng(options.seed ?? 0, `strategy/${strategy.name}`));
  const bound = options.lowerBound ?? computeLowerBound(fleet, closure, topology);

  const running = new Map<number, Transfer>();
  const failures = new Map<HostId, HostFailure>();
  /** Receiver → sender of the transfer that last completed paths on it: the cascade tree. */
  const parent = new Map<HostId, HostId>();
  const finishTimes = new Map<HostId, number>();
  let nextId = 0;
  let rounds = 0;
  let bytesTransferred = 0;
  let egressCost = 0;
  let transfersFailed = 0;
  const priceOf = (t: Transfer): number => topology.route(t.from, t.to)?.pricePerByte ?? 0;
  let reason: StopReason | undefined;

  const seeds = fleet.hosts.filter((h) => (fleet.initialHave.get(h.id)?.length ?? 0) > 0).map((h) => h.id);
  emit({
    type: 'run-started',
    t: executor.now(),
    strategy: strategy.name,
    mode: cfg.mode,
    hosts: fleet.hosts.map((h) => h.id),
    targets: state.targets,
    seeds,
    alreadyDone: state.targets.filter((id) => state.isDone(id)),
    bytesWanted: bound.bytesWanted,
  });

  const onAbort = (): void => {
    for (const id of running.keys()) executor.cancel(id);
  };
  options.signal?.addEventListener('abort', onAbort);

  const fail = (host: HostId, f: HostFailure): void => {
    if (state.isFailed(host)) return;
    state.markFailed(host);
    failures.set(host, f);
    emit({ type: 'host-failed', t: f.at, host, code: f.code, message: f.message });
    // Transfers from or to a host that is out can only fail; stop them now.
    for (const [id, t] of running) if (t.from === host || t.to === host) executor.cancel(id);
  };

  // A host that got its closure and then died (a killed sender) counts as failed, not done: the
  // counters split the targets into done, failed and unreached.
  const doneHosts = (): HostId[] => state.targets.filter((id) => state.isDone(id) && !state.isFailed(id));
  const unreachedHosts = (): HostId[] => state.pending().filter((id) => !state.isFailed(id));

  const apply = (o: Outcome): void => {
    const t = running.get(o.transfer);
    if (!t) throw new Error(`executor reported unknown or finished transfer ${o.transfer}`);
    running.delete(o.transfer);
    state.endTransfer(t);
    state.now = o.at;
    if (o.ok) {
      state.recordSendProgress(t.from);
      bytesTransferred += t.bytes;
      egressCost += t.bytes * priceOf(t);
      parent.set(t.to, t.from);
      emit({ type: 'transfer-finished', t: o.at, id: t.id, from: t.from, to: t.to, bytes: t.bytes });
      if (state.deliverAll(t.to, t.paths)) {
        finishTimes.set(t.to, o.at);
        emit({ type: 'host-done', t: o.at, host: t.to });
      }
      return;
    }
    const delivered = keepDelivered(t, o.delivered ?? []);
    const deliveredBytes = closure.bytes(delivered);
    bytesTransferred += deliveredBytes;
    egressCost += deliveredBytes * priceOf(t);
    transfersFailed++;
    const c = o.cause;
    if (delivered.length > 0) state.recordSendProgress(t.from);
    // A transient failure blamed on the sender (a peer whose own ssh or store broke) counts against the
    // sender, not the receiver: at the bound the sender stops being a source, and the receiver, which did
    // nothing wrong, keeps its retries for other sources.
    const senderFault = c.kind === 'transient' && c.code !== 'cancelled' && c.host === t.from;
    const retire =
      senderFault &&
      state.recordSendFailure(t.from, t.to) >= cfg.maxAttemptsPerHost &&
      !state.isRetired(t.from);
    if (retire) state.retireSource(t.from);
    emit({
      type: 'transfer-failed',
      t: o.at,
      id: t.id,
      from: t.from,
      to: t.to,
      kind: c.kind,
      code: c.code,
      host: c.host,
      message: c.message,
      delivered,
      deliveredBytes,
      ...(retire ? { senderRetired: true as const } : {}),
    });
    if (delivered.length > 0) {
      parent.set(t.to, t.from);
      if (state.deliverAll(t.to, delivered)) {
        finishTimes.set(t.to, o.at);
        emit({ type: 'host-done', t: o.at, host: t.to });
      }
    }
    if (c.code === 'cancelled' || senderFault) return;
    if (c.kind === 'permanent') {
      const server = c.host === t.to ? t.from : undefined;
      fail(c.host, { host: c.host, code: c.code, kind: c.kind, message: c.message, server, at: o.at });
      return;
    }
    const n = state.recordFailedAttempt(t.from, t.to);
    if (n >= cfg.maxAttemptsPerHost && !state.isDone(t.to)) {
      fail(t.to, {
        host: t.to,
        code: RETRIES_EXHAUSTED,
        kind: 'transient',
        message: `gave up after ${n} failed attempts in a row; last: ${c.code}: ${c.message}`,
        server: t.from,
        at: o.at,
      });
    }
  };

  /** Keeps the delivered paths that belong to the transfer and whose references the target then holds. */
  const keepDelivered = (t: Transfer, delivered: readonly PathId[]): PathId[] => {
    const inTransfer = new Set(t.paths);
    const kept: PathId[] = [];
    const keptSet = new Set<PathId>();
    for (const p of closure.sortTopologically(delivered.filter((d) => inTransfer.has(d)))) {
      if (state.has(t.to, p) || keptSet.has(p)) continue;
      if (closure.get(p).references.every((r) => state.has(t.to, r) || keptSet.has(r))) {
        kept.push(p);
        keptSet.add(p);
      }
    }
    return kept;
  };

  const drain = async (): Promise<void> => {
    while (executor.active > 0) apply(await executor.next());
  };

  const planAndStart = (): number => {
    state.now = executor.now();
    const proposals = strategy.plan(state);
    if (proposals.length === 0) return 0;
    const batch = validateProposals(proposals, state, strategy, nextId);
    if (cfg.mode === 'round') emit({ type: 'round-started', t: state.now, round: state.round });
    for (const t of batch) {
      running.set(t.id, t);
      state.startTransfer(t);
      emit({ type: 'transfer-started', t: state.now, round: t.round, id: t.id, from: t.from, to: t.to, bytes: t.bytes, paths: t.paths });
    }
    nextId += batch.length;
    rounds++;
    executor.start(batch);
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
        const started = planAndStart();
        if (started === 0) {
          reason = 'no-progress';
          break;
        }
        await drain();
        emit({ type: 'round-finished', t: executor.now(), round: state.round });
        state.round++;
      } else {
        planAndStart();
        state.round++;
        if (executor.active === 0) {
          reason = 'no-progress';
          break;
        }
        apply(await executor.next());
      }
      // Over the time limit with work left; a run whose last outcome completed it is `complete`.
      if (executor.now() > cfg.maxTime && state.pending().length > 0) reason = 'max-time';
    }
  } catch (err) {
    // Keep the state consistent before reporting a strategy bug: stop and account for running transfers.
    for (const id of running.keys()) executor.cancel(id);
    await drain();
    emit({ type: 'run-finished', t: executor.now(), reason: 'strategy-error', hostsDone: doneHosts().length, hostsFailed: failures.size, hostsUnreached: unreachedHosts().length, rounds, bytesTransferred });
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  // Whatever still runs is useless (complete) or over a limit: stop it, keep what it delivered.
  for (const id of running.keys()) executor.cancel(id);
  await drain();
  if (reason === 'complete' && state.pending().length > 0) reason = 'no-progress';

  const done = doneHosts();
  const unreached = unreachedHosts();
  const failed = state.targets.filter((id) => failures.has(id)).map((id) => failures.get(id)!);
  // Failed hosts that are not targets (a seed that died) are reported too, after the targets.
  for (const [id, f] of failures) if (!state.targets.includes(id)) failed.push(f);
  const makespan = executor.now();
  emit({
    type: 'run-finished',
    t: makespan,
    reason,
    hostsDone: done.length,
    hostsFailed: failed.length,
    hostsUnreached: unreached.length,
    rounds,
    bytesTransferred,
  });
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
    failureTree: buildFailureTree(fleet, failed, parent),
    retiredSources: state.retiredSources(),
    rounds,
    makespanSeconds: makespan,
    bytesTransferred,
    egressCost,
    transfersStarted: nextId,
    transfersFailed,
    finishTimes,
    lowerBound: bound,
    // Nothing to send: a real run still takes some wall time (discovery, the first plan), and that is par.
    ratioToLowerBound: bound.seconds > 0 ? makespan / bound.seconds : makespan === 0 || bound.bytesWanted === 0 ? 1 : Infinity,
  };
}

export type { FailureCause, FailureTreeNode, HostFailure };
