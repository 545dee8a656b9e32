// Long file: SimExecutor is one class, its event loop, failure handling and the in-flight records they share.
import { z } from 'zod';
import type { ClosureGraph } from '../core/closure.js';
import { ConfigError, ExecutorError, TransferError } from '../core/errors.js';
import type { Executor } from '../core/executor.js';
import type { Route, Topology } from '../core/topology.js';
import type { FailureCause, Host, Outcome, PathId, Transfer, TransferId } from '../core/types.js';
import { EventQueue, type QueueEntry } from './eventQueue.js';
import { FailureSchedule, type FailureTrigger, type PlannedFailure } from './failures.js';
import { DONE_EPSILON_BYTES, FlowModel } from './network/flowModel.js';
import { HostTable } from './network/hostTable.js';
import {
  growFloat64,
  TransferSlots,
  type NetEvent,
  type NetTransfer,
  type NetworkModel,
  type NetworkModelKind,
} from './network/model.js';
import { RoundModel } from './network/roundModel.js';
import { parseSpec } from '../core/parseSpec.js';
import { bytesSchema } from '../units/units.js';

const seconds = z.number().min(0).finite();

/**
 * The fixed seconds every transfer pays before its bytes move (SSH handshake, `nix copy` start, remote store
 * queries): one number for every copy, or one per sender kind (`deployer`: the deployer or a cache sends;
 * `peer`: a target forwards, which on real hosts costs an ssh hop more). The one validator of that
 * setting, for scenario files, flags and direct use.
 */
export const setupSecondsSchema = z.union([seconds, z.strictObject({ deployer: seconds, peer: seconds })]);
/** {@link setupSecondsSchema}'s values: seconds, or seconds per sender kind. */
export type SetupSeconds = z.output<typeof setupSecondsSchema>;

/**
 * Seconds a transfer pays per store path it carries, on top of its fixed cost: `nix copy` queries,
 * registers and signs-checks each path, so a copy of many small paths costs more than its bytes. The one
 * validator of that setting.
 */
export const perPathSecondsSchema = seconds;

/**
 * A TCP window in bytes (a size: `"4MiB"`, `"64KiB"`, or a number of bytes): a transfer over a route of
 * one-way latency L moves at most window ÷ 2L bytes per second, however fast its links (a route without
 * latency gets no cap). The one validator of that setting; must be > 0.
 */
export const tcpWindowSchema = bytesSchema.refine((b) => b > 0, { message: 'a TCP window must be > 0' });

/** Options of {@link SimExecutor}. */
export interface SimExecutorOptions {
  /** The fleet, in fleet order. */
  readonly hosts: readonly Host[];
  readonly topology: Topology;
  /** Store path sizes, for the paths delivered before a failure. */
  readonly closure: ClosureGraph;
  /** Network model: `round` (rate fixed at start) or `flow` (max-min fair sharing, recomputed). */
  readonly network: NetworkModelKind;
  /** @defaultValue {@link FailureSchedule.none} */
  readonly failures?: FailureSchedule;
  /** Seed for `random` failure rules that carry none. @defaultValue 0 */
  readonly seed?: number | string;
  /**
   * Fixed cost of every transfer before its bytes move, in seconds: on real hosts each `nix copy` pays an
   * SSH handshake, the remote store's start and its path queries whatever its size. Added to the route
   * latency of the transfer (a refused connection still costs only the latency). One number, or one per
   * sender kind (see {@link setupSecondsSchema}). @defaultValue 0
   */
  readonly setupSeconds?: SetupSeconds;
  /** Seconds per store path of a transfer, added like `setupSeconds`. @defaultValue 0 */
  readonly perPathSeconds?: number;
  /**
   * TCP window in bytes: each transfer's rate is capped at window ÷ RTT, RTT = 2 × its route's latency
   * (without `setupSeconds` and `perPathSeconds`, which are not round trips of its bytes). A zero-latency
   * route gets no cap. @defaultValue undefined (no cap)
   */
  readonly tcpWindow?: number | string;
}

/** Events of the simulator's queue: the network model's own, decided outcomes, schedule triggers. */
type SimEvent =
  | NetEvent
  | { readonly kind: 'outcome'; readonly transfer: TransferId; readonly outcome: Outcome }
  | { readonly kind: 'time-trigger'; readonly trigger: FailureTrigger };

/** A {@link NetTransfer} the executor refills for each batch. */
type PooledNetTransfer = { -readonly [K in keyof NetTransfer]-?: NetTransfer[K] };

/** A pooled entry's first contents (every field set, so all entries share one shape). */
const EMPTY_NET_TRANSFER: PooledNetTransfer = {
  id: -1,
  from: '',
  to: '',
  bytes: 0,
  route: { links: [], latency: 0, bottleneck: 0, pricePerByte: 0 },
  maxRate: Infinity,
  fromIndex: -1,
  toIndex: -1,
};

/** A running transfer's state: the network model carries it, or its outcome event is queued. */
const NETWORK = 0;
const DECIDED = 1;

/**
 * The simulated executor: carries transfers out in virtual time over a network model, with a failure
 * schedule. The clock starts at 0 and moves only when `next()` pops an event; every outcome time is
 * exact and simultaneous events pop in (time, seq) order, so the same inputs give the same outcome
 * sequence. `next()` resolves at once (nothing real is waited for).
 *
 * Failures: a transfer with no route fails at once (`unreachable`, permanent, about the receiver);
 * a transfer to or from a killed host, or across a partition, fails after its route latency; one
 * that the schedule breaks part-way fails once that share of its bytes is through, keeping the paths
 * fully delivered by then. A kill or partition that begins while transfers run fails the affected ones
 * at that instant, with the paths they had completed.
 */
export class SimExecutor implements Executor {
  readonly #queue = new EventQueue<SimEvent>();
  readonly #hosts: HostTable;
  readonly #topology: Topology;
  readonly #closure: ClosureGraph;
  readonly #failures: FailureSchedule;
  readonly #seed: number | string;
  /**
   * Fixed cost of a copy by sender position (deployer or peer cost), or the one cost of every sender when
   * both are equal (the usual case: no 8 MB array for a 1,000,000-host fleet).
   */
  readonly #setupByHost: Float64Array | number;
  readonly #perPathSeconds: number;
  /** TCP window in bytes, or undefined for no cap. */
  readonly #tcpWindow: number | undefined;
  readonly #model: NetworkModel;
  /**
   * Transfers started and not yet reported, as a struct of arrays by slot (see {@link TransferSlots}):
   * the transfer, its route, its state (`NETWORK` / `DECIDED`), its planned failure, its queued outcome
   * event, and when it was first recorded (the order `#fire` visits them in).
   */
  readonly #slots = new TransferSlots();
  readonly #transfers: Array<Transfer | undefined> = [];
  readonly #routes: Array<Route | null> = [];
  #state: Uint8Array = new Uint8Array(64);
  readonly #planned: Array<PlannedFailure | undefined> = [];
  readonly #outcomeEvents: Array<QueueEntry<SimEvent> | undefined> = [];
  #order: Float64Array = new Float64Array(64);
  #recorded = 0;
  /**
   * The network model's view of each transfer of a batch, reused by every batch (a model keeps nothing of
   * them past `start`): a 1,000,000-host round started 500,000 objects that outlived a young-generation
   * collection only to die at the end of `start`. Grows to the largest batch.
   */
  readonly #netPool: PooledNetTransfer[] = [];
  readonly #roundTriggers: FailureTrigger[];
  #nextRoundTrigger = 0;
  readonly #triggered = new Set<number>();
  #now = 0;
  #active = 0;

  /** @throws ConfigError for an unknown network model or invalid hosts (naming the field). */
  constructor(options: SimExecutorOptions) {
    if (options.network !== 'round' && options.network !== 'flow') {
      throw new ConfigError(
        `unknown network model "${String(options.network)}" (expected round or flow)`,
        'network',
      );
    }
    const setup = parseSpec(setupSecondsSchema, options.setupSeconds ?? 0, 'setupSeconds');
    const bySender = typeof setup === 'number' ? { deployer: setup, peer: setup } : setup;
    this.#setupByHost =
      bySender.peer === bySender.deployer
        ? bySender.peer
        : Float64Array.from(options.hosts, (h) => (h.role === 'target' ? bySender.peer : bySender.deployer));
    this.#perPathSeconds = parseSpec(perPathSecondsSchema, options.perPathSeconds ?? 0, 'perPathSeconds');
    this.#tcpWindow =
      options.tcpWindow === undefined
        ? undefined
        : parseSpec(tcpWindowSchema, options.tcpWindow, 'tcpWindow');
    this.#hosts = new HostTable(options.hosts);
    this.#topology = options.topology;
    this.#closure = options.closure;
    this.#failures = options.failures ?? FailureSchedule.none;
    this.#seed = options.seed ?? 0;
    this.#model =
      options.network === 'round'
        ? new RoundModel(this.#hosts, this.#queue, this.#topology)
        : new FlowModel(this.#hosts, this.#topology, this.#queue);
    for (const s of this.#failures.initialStragglers()) this.#model.setHostFactor(s.host, s.factor, 0);
    // Pushed first, so a trigger at time t pops before anything else scheduled for t.
    for (const trigger of this.#failures.timeTriggers()) {
      this.#queue.push(trigger.at, { kind: 'time-trigger', trigger });
    }
    this.#roundTriggers = this.#failures.roundTriggers();
  }

  /** Number of transfers started and not yet reported by `next`. */
  get active(): number {
    return this.#active;
  }

  /** The network model (for inspection: rates, progress). */
  get model(): NetworkModel {
    return this.#model;
  }

  now(): number {
    return this.#now;
  }

  /**
   * Starts a batch at the current time. Round-triggered failure rules whose round has come fire first.
   * @throws TransferError for a transfer id already running; ConfigError for an unknown host.
   */
  start(batch: readonly Transfer[], positions?: Int32Array): void {
    let maxRound = -1;
    // Every host is checked before anything starts; the model is handed the positions found. Positions
    // the caller passed are used when they name the same hosts (an id comparison, no look-up).
    const index = new Int32Array(batch.length * 2);
    const hint = positions !== undefined && positions.length >= batch.length * 2 ? positions : undefined;
    const ids = this.#hosts.ids;
    for (let k = 0; k < batch.length; k++) {
      const t = batch[k]!;
      if (this.#slots.get(t.id) >= 0) throw new TransferError(`transfer ${t.id} is already running`);
      const f = hint?.[2 * k] ?? -1;
      const r = hint?.[2 * k + 1] ?? -1;
      index[2 * k] = f >= 0 && ids[f] === t.from ? f : this.#hosts.indexOf(t.from);
      index[2 * k + 1] = r >= 0 && ids[r] === t.to ? r : this.#hosts.indexOf(t.to);
      if (t.round > maxRound) maxRound = t.round;
    }
    while (this.#nextRoundTrigger < this.#roundTriggers.length) {
      const trigger = this.#roundTriggers[this.#nextRoundTrigger]!;
      if (trigger.at > maxRound) break;
      this.#nextRoundTrigger++;
      this.#triggered.add(trigger.rule.index);
      this.#fire(trigger);
    }

    const now = this.#now;
    const toNetwork: NetTransfer[] = [];
    const pool = this.#netPool;
    // A topology indexing its hosts with the fleet's map answers by the positions just found.
    const topology = this.#topology;
    const byPosition = topology.routeAt !== undefined && topology.hostIndex === this.#hosts.index;
    const ctx = { now, triggered: this.#triggered, seed: this.#seed, topology: this.#topology };
    for (let k = 0; k < batch.length; k++) {
      const t = batch[k]!;
      const f = index[2 * k]!;
      const r = index[2 * k + 1]!;
      const route = byPosition && f !== r ? topology.routeAt!(f, r) : topology.route(t.from, t.to);
      if (route === null) {
        const cause: FailureCause = {
          kind: 'permanent',
          code: 'unreachable',
          host: t.to,
          message: `no network path from ${t.from} to ${t.to}`,
        };
        this.#decide(this.#record(t, route, undefined), now, cause, []);
        continue;
      }
      const planned = this.#failures.decide(t, route, ctx);
      const slot = this.#record(t, route, planned);
      if (planned !== undefined && planned.fraction === 0) {
        // Refused connection / dead peer: it costs the route latency (a partition: its connect timeout) and
        // delivers nothing.
        this.#decide(slot, now + Math.max(route.latency, planned.after ?? 0), planned.cause, []);
      } else {
        const bytes = planned === undefined ? t.bytes : planned.fraction * t.bytes;
        const setup = this.#setupByHost;
        const cost =
          (typeof setup === 'number' ? setup : setup[index[2 * k]!]!) + this.#perPathSeconds * t.paths.length;
        const paid = cost > 0 ? { ...route, latency: route.latency + cost } : route;
        const window = this.#tcpWindow;
        const n = toNetwork.length;
        const net = n < pool.length ? pool[n]! : (pool[n] = { ...EMPTY_NET_TRANSFER });
        net.id = t.id;
        net.from = t.from;
        net.to = t.to;
        net.bytes = bytes;
        net.route = paid;
        // The window's cap counts the route's round trip only, not the copy's fixed costs. Infinity (no
        // cap) rather than an absent optional field: one object shape.
        net.maxRate = window !== undefined && route.latency > 0 ? window / (2 * route.latency) : Infinity;
        net.fromIndex = index[2 * k]!;
        net.toIndex = index[2 * k + 1]!;
        toNetwork.push(net);
      }
    }
    this.#active += batch.length;
    if (toNetwork.length > 0) this.#model.start(toNetwork, now);
  }

  /** Resolves with the next outcome in (time, seq) order; rejects with ExecutorError when idle. */
  next(): Promise<Outcome> {
    try {
      return Promise.resolve(this.nextSync());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new ExecutorError(String(e)));
    }
  }

  /**
   * The synchronous core of {@link next} (the optional `Executor.nextSync`): the coordinator calls it
   * instead of `next`, as do benchmarks and tools that drive the simulator directly.
   * @throws ExecutorError when no transfer is active (or the queue ran dry, which is a bug).
   */
  nextSync(): Outcome {
    if (this.#active === 0) throw new ExecutorError('next() called with no active transfers');
    for (;;) {
      this.#model.flush(this.#now);
      const entry = this.#queue.pop();
      if (entry === undefined) {
        throw new ExecutorError(`event queue empty with ${this.#active} transfer(s) active`);
      }
      if (entry.time < this.#now) {
        throw new ExecutorError(`event at ${entry.time} is before the clock (${this.#now})`);
      }
      this.#now = entry.time;
      const ev = entry.payload;
      switch (ev.kind) {
        case 'net': {
          const id = this.#model.handle(ev, this.#now);
          if (id === undefined) continue;
          const slot = this.#slots.get(id);
          const planned = this.#planned[slot];
          const t = this.#transfers[slot]!;
          this.#release(id, slot);
          this.#active--;
          if (planned === undefined) return { transfer: id, ok: true, at: this.#now };
          return {
            transfer: id,
            ok: false,
            at: this.#now,
            cause: planned.cause,
            delivered: this.#prefix(t, planned.fraction * t.bytes),
          };
        }
        case 'outcome': {
          const slot = this.#slots.get(ev.transfer);
          if (slot >= 0) this.#release(ev.transfer, slot);
          this.#active--;
          return ev.outcome;
        }
        case 'time-trigger':
          this.#fire(ev.trigger);
          continue;
      }
    }
  }

  /**
   * Stops a transfer: its outcome becomes a transient `cancelled` failure at the current time, with the
   * paths completed so far. No-op for an id that is not running, or whose failure is already decided
   * for the current instant.
   */
  cancel(id: TransferId): void {
    const slot = this.#slots.get(id);
    if (slot < 0) return;
    const t = this.#transfers[slot]!;
    const cause: FailureCause = { kind: 'transient', code: 'cancelled', host: t.to, message: 'cancelled' };
    const queued = this.#outcomeEvents[slot];
    if (this.#state[slot] === NETWORK) {
      this.#decide(slot, this.#now, cause, this.#prefix(t, this.#model.remove(id, this.#now)));
    } else if (queued !== undefined && queued.time > this.#now) {
      this.#queue.remove(queued);
      this.#decide(slot, this.#now, cause, []);
    }
  }

  /** Drops all pending work. Safe to call twice. */
  close(): Promise<void> {
    this.#queue.clear();
    for (let slot = 0; slot < this.#slots.capacity; slot++) this.#forgetSlot(slot);
    this.#slots.clear();
    this.#active = 0;
    return Promise.resolve();
  }

  /** Applies a kill, partition or straggler at the current time. */
  #fire(trigger: FailureTrigger): void {
    const rule = trigger.rule;
    const now = this.#now;
    if (rule.kind === 'straggler') {
      this.#model.setHostFactor(rule.host, rule.factor, now);
      return;
    }
    if (!this.#failures.inForce(rule, { now, triggered: this.#triggered })) return;
    for (const slot of this.#inOrder()) {
      const t = this.#transfers[slot]!;
      const route = this.#routes[slot]!;
      let cause: FailureCause | undefined;
      if (rule.kind === 'kill-host') {
        if (FailureSchedule.touches(rule.host, t)) cause = FailureSchedule.killCause(rule.host);
      } else if (route !== null && this.#failures.crosses(rule, t, route, this.#topology)) {
        cause = FailureSchedule.partitionCause(rule, t.to);
      }
      if (cause === undefined) continue;
      const queued = this.#outcomeEvents[slot];
      if (this.#state[slot] === NETWORK) {
        this.#decide(slot, now, cause, this.#prefix(t, this.#model.remove(t.id, now)));
      } else if (queued !== undefined && queued.time > now && rule.kind === 'kill-host') {
        // A transfer already doomed later (e.g. across a partition) dies with the host, now.
        this.#queue.remove(queued);
        this.#decide(slot, now, cause, []);
      }
    }
  }

  /** Seals a transfer's failure: its outcome event is queued at `at`. */
  #decide(slot: number, at: number, cause: FailureCause, delivered: readonly PathId[]): void {
    const t = this.#transfers[slot]!;
    this.#state[slot] = DECIDED;
    const outcome: Outcome = { transfer: t.id, ok: false, at, cause, delivered };
    this.#outcomeEvents[slot] = this.#queue.push(at, { kind: 'outcome', transfer: t.id, outcome });
  }

  /** Records a started transfer (in the network state) and returns its slot. */
  #record(t: Transfer, route: Route | null, planned: PlannedFailure | undefined): number {
    const slot = this.#slots.add(t.id);
    if (slot >= this.#state.length) {
      const grown = new Uint8Array(Math.max(slot + 1, 2 * this.#state.length));
      grown.set(this.#state);
      this.#state = grown;
      this.#order = growFloat64(this.#order, slot + 1);
    }
    this.#transfers[slot] = t;
    this.#routes[slot] = route;
    this.#state[slot] = NETWORK;
    this.#planned[slot] = planned;
    this.#outcomeEvents[slot] = undefined;
    this.#order[slot] = this.#recorded++;
    return slot;
  }

  /** Frees a reported transfer's slot. */
  #release(id: TransferId, slot: number): void {
    this.#slots.delete(id, slot);
    this.#forgetSlot(slot);
  }

  /** Drops a slot's references, so a freed slot keeps nothing alive. */
  #forgetSlot(slot: number): void {
    this.#transfers[slot] = undefined;
    this.#routes[slot] = null;
    this.#planned[slot] = undefined;
    this.#outcomeEvents[slot] = undefined;
  }

  /** The slots in use, in the order their transfers were recorded (the order a map by id would visit). */
  #inOrder(): number[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.#slots.capacity; slot++) {
      const t = this.#transfers[slot];
      if (t !== undefined && this.#slots.get(t.id) === slot) slots.push(slot);
    }
    const order = this.#order;
    return slots.sort((a, b) => order[a]! - order[b]!);
  }

  /** The longest prefix of the transfer's paths whose bytes all fit in `bytes`. */
  #prefix(t: Transfer, bytes: number): PathId[] {
    const out: PathId[] = [];
    if (!(bytes > 0)) return out;
    let sum = 0;
    for (const p of t.paths) {
      sum += this.#closure.narSize(p);
      if (sum > bytes + DONE_EPSILON_BYTES) break;
      out.push(p);
    }
    return out;
  }
}
