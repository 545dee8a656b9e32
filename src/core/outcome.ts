import type { CascadeEvent, RunFinishedEvent, StopReason, TransferStartedEvent } from './events.js';
import type { HostFailure } from './failureTree.js';
import { RunningTransfers } from './runningTransfers.js';
import type { RunState } from './state.js';
import type { HostId, Outcome, PathId, Transfer } from './types.js';
import { RETRIES_EXHAUSTED } from './vocabulary.js';

/**
 * What a run counts besides {@link RunState}: the running transfers, the failed hosts, the cascade tree and
 * the byte and transfer tallies the result reports.
 */
export class RunTally {
  /** By id, in start order (see {@link RunningTransfers}: an array window, not a 500,000-entry map). */
  readonly running = new RunningTransfers();
  readonly failures = new Map<HostId, HostFailure>();
  /**
   * Receiver → sender of the transfer that last completed paths on it (the cascade tree), by fleet
   * position; -1: none. An array, not a map: a 1,000,000-host run sets it once per delivery.
   */
  readonly #parent: Int32Array;
  /**
   * When each target became done during the run: positions in the order they finished and the times, in
   * typed arrays (a 1,000,000-host run keeps no map entry and boxed number per host while it runs); the
   * map {@link RunTally.finishTimes} is built when asked for.
   */
  readonly #finishedPos: Int32Array;
  readonly #finishedAt: Float64Array;
  #finished = 0;
  #finishTimes: Map<HostId, number> | undefined;
  /** Whether any topology link has a price (else a transfer's egress cost is 0 without a route look-up). */
  readonly #priced: boolean;
  /** Also the id of the next transfer. */
  transfersStarted = 0;
  /** Plan calls that started at least one transfer. */
  rounds = 0;
  bytesTransferred = 0;
  egressCost = 0;
  transfersFailed = 0;

  constructor(readonly state: RunState) {
    this.#parent = new Int32Array(state.hosts.length).fill(-1);
    this.#finishedPos = new Int32Array(state.hosts.length);
    this.#finishedAt = new Float64Array(state.hosts.length);
    this.#priced = state.topology.hasPrices?.() ?? true;
  }

  /** Records that the target `to` became done at `at` (once per target: it stays done). */
  finished(to: HostId, at: number): void {
    const i = this.state.position(to);
    if (this.#finishTimes !== undefined) this.#finishTimes.set(to, at);
    else if (this.#finished < this.#finishedPos.length) {
      this.#finishedPos[this.#finished] = i;
      this.#finishedAt[this.#finished++] = at;
    }
  }

  /** Time each target became done during the run, in the order they finished. */
  get finishTimes(): ReadonlyMap<HostId, number> {
    if (this.#finishTimes === undefined) {
      const map = new Map<HostId, number>();
      const hosts = this.state.hosts;
      for (let k = 0; k < this.#finished; k++)
        map.set(hosts[this.#finishedPos[k]!]!.id, this.#finishedAt[k]!);
      this.#finishTimes = map;
    }
    return this.#finishTimes;
  }

  /** The price per byte of the route `from → to` (0 on a topology without priced links). */
  pricePerByte(from: HostId, to: HostId): number {
    if (!this.#priced) return 0;
    return this.state.topology.route(from, to)?.pricePerByte ?? 0;
  }

  /** Records `from` as the host that last completed paths on `to`. */
  setParent(to: HostId, from: HostId): void {
    this.#parent[this.state.position(to)] = this.state.position(from);
  }

  /** The cascade tree: receiver → the sender that last completed paths on it (undefined: none). */
  parent(host: HostId): HostId | undefined {
    if (!this.state.hasHost(host)) return undefined;
    const p = this.#parent[this.state.position(host)]!;
    return p < 0 ? undefined : this.state.hosts[p]!.id;
  }
}

/** The state the transitions below act on: the live view, the tallies and the retry bound. */
export interface CascadeState {
  readonly state: RunState;
  readonly tally: RunTally;
  /** A target (or, for failures blamed on it, a source) is given up after this many failures in a row. */
  readonly maxAttemptsPerHost: number;
}

/*
 * The transitions of a run, in the split XState names: these functions are its pure logic (no executor, no
 * clock, no event sink; each changes the state it is given and returns the events that change made, in
 * order), and `runCascade` is the actor that feeds them outcomes and acts on their events.
 */

/**
 * Records a validated batch as running, counts it as one round, and returns its `transfer-started` events;
 * with `emit`, hands each event to it as soon as its transfer is recorded and returns none (a round of
 * 500,000 transfers then keeps no 500,000 events alive until the last is made).
 */
export function startTransfers(
  cs: CascadeState,
  batch: readonly Transfer[],
  emit?: (e: TransferStartedEvent) => void,
): TransferStartedEvent[] {
  const { state, tally } = cs;
  const events: TransferStartedEvent[] = [];
  for (const t of batch) {
    tally.running.add(t);
    state.startTransfer(t);
    const e: TransferStartedEvent = {
      type: 'transfer-started',
      t: state.now,
      round: t.round,
      id: t.id,
      from: t.from,
      to: t.to,
      bytes: t.bytes,
      paths: t.paths,
    };
    if (emit) emit(e);
    else events.push(e);
  }
  tally.transfersStarted += batch.length;
  tally.rounds++;
  return events;
}

/**
 * Applies the end of one running transfer. A success delivers its paths; a failure keeps the paths it
 * delivered, then either counts against the sender (a transient failure blamed on it: at the bound it is
 * retired as a source), takes the host it is about out (permanent), or counts against the receiver (at the
 * bound it fails with `retries-exhausted`). A `host-failed` event means the caller must cancel the transfers
 * still running from or to that host: they can only fail.
 * @throws Error when the outcome is about a transfer that is not running (an executor bug).
 */
export function applyOutcome(cs: CascadeState, o: Outcome): CascadeEvent[] {
  const { state, tally } = cs;
  const t = tally.running.get(o.transfer);
  if (!t) throw new Error(`executor reported unknown or finished transfer ${o.transfer}`);
  tally.running.delete(o.transfer);
  state.endTransfer(t);
  state.now = o.at;
  const events: CascadeEvent[] = [];
  const price = tally.pricePerByte(t.from, t.to);
  if (o.ok) {
    state.recordSendProgress(t.from);
    tally.bytesTransferred += t.bytes;
    tally.egressCost += t.bytes * price;
    events.push({ type: 'transfer-finished', t: o.at, id: t.id, from: t.from, to: t.to, bytes: t.bytes });
    deliver(cs, t, t.paths, o.at, events);
    return events;
  }
  const delivered = keepDelivered(state, t, o.delivered ?? []);
  const deliveredBytes = state.closure.bytes(delivered);
  tally.bytesTransferred += deliveredBytes;
  tally.egressCost += deliveredBytes * price;
  tally.transfersFailed++;
  const c = o.cause;
  if (delivered.length > 0) state.recordSendProgress(t.from);
  // A transient failure blamed on the sender (a peer whose own ssh or store broke) counts against the
  // sender, not the receiver: at the bound the sender stops being a source, and the receiver, which did
  // nothing wrong, keeps its retries for other sources.
  const senderFault = c.kind === 'transient' && c.code !== 'cancelled' && c.host === t.from;
  const retire =
    senderFault && state.recordSendFailure(t.from, t.to) >= cs.maxAttemptsPerHost && !state.isRetired(t.from);
  if (retire) state.retireSource(t.from);
  events.push({
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
  if (delivered.length > 0) deliver(cs, t, delivered, o.at, events);
  if (c.code === 'cancelled' || senderFault) return events;
  if (c.kind === 'permanent') {
    const server = c.host === t.to ? t.from : undefined;
    fail(cs, { host: c.host, code: c.code, kind: c.kind, message: c.message, server, at: o.at }, events);
    return events;
  }
  const n = state.recordFailedAttempt(t.from, t.to);
  if (n >= cs.maxAttemptsPerHost && !state.isDone(t.to)) {
    const message = `gave up after ${n} failed attempts in a row; last: ${c.code}: ${c.message}`;
    fail(
      cs,
      { host: t.to, code: RETRIES_EXHAUSTED, kind: 'transient', message, server: t.from, at: o.at },
      events,
    );
  }
  return events;
}

/** Delivers paths of `t` to its receiver and records who served it; a `host-done` event if that finished it. */
function deliver(
  cs: CascadeState,
  t: Transfer,
  paths: readonly PathId[],
  at: number,
  events: CascadeEvent[],
): void {
  cs.tally.setParent(t.to, t.from);
  if (cs.state.deliverAll(t.to, paths)) {
    cs.tally.finished(t.to, at);
    events.push({ type: 'host-done', t: at, host: t.to });
  }
}

/** Takes a host out of the run (once) and records why. */
function fail(cs: CascadeState, f: HostFailure, events: CascadeEvent[]): void {
  if (cs.state.isFailed(f.host)) return;
  cs.state.markFailed(f.host);
  cs.tally.failures.set(f.host, f);
  events.push({ type: 'host-failed', t: f.at, host: f.host, code: f.code, message: f.message });
}

/** Keeps the delivered paths that belong to the transfer and whose references the target then holds. */
function keepDelivered(state: RunState, t: Transfer, delivered: readonly PathId[]): PathId[] {
  const inTransfer = new Set(t.paths);
  const kept: PathId[] = [];
  const keptSet = new Set<PathId>();
  for (const p of state.closure.sortTopologically(delivered.filter((d) => inTransfer.has(d)))) {
    if (state.has(t.to, p) || keptSet.has(p)) continue;
    if (state.closure.get(p).references.every((r) => state.has(t.to, r) || keptSet.has(r))) {
      kept.push(p);
      keptSet.add(p);
    }
  }
  return kept;
}

/** How a run's targets ended, and every failed host (targets in fleet order, then other hosts). */
export interface RunTotals {
  /** A host that got its closure and then died (a killed sender) counts as failed, not done. */
  readonly done: HostId[];
  readonly failed: HostFailure[];
  /** Targets that neither finished nor failed. */
  readonly unreached: HostId[];
}

/** Splits the targets into done, failed and unreached. */
export function runTotals(cs: CascadeState): RunTotals {
  const { state, tally } = cs;
  const done = state.doneTargets(true);
  const unreached = state.pending().filter((id) => !state.isFailed(id));
  const failed = state.targets.filter((id) => tally.failures.has(id)).map((id) => tally.failures.get(id)!);
  // Failed hosts that are not targets (a seed that died) are reported too, after the targets.
  for (const [id, f] of tally.failures) if (!state.targets.includes(id)) failed.push(f);
  return { done, failed, unreached };
}

/** The run's last event. */
export function runFinished(
  cs: CascadeState,
  t: number,
  reason: StopReason,
  totals: RunTotals,
): RunFinishedEvent {
  return {
    type: 'run-finished',
    t,
    reason,
    hostsDone: totals.done.length,
    hostsFailed: totals.failed.length,
    hostsUnreached: totals.unreached.length,
    rounds: cs.tally.rounds,
    bytesTransferred: cs.tally.bytesTransferred,
  };
}
