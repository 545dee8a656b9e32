import type { Route } from '../../core/topology.js';
import type { HostId, TransferId } from '../../core/types.js';

/**
 * The one interface behind which the simulator's network models live (round model, flow model).
 * A model owns the bandwidth side of transfers: when each one ends, how many bytes it has delivered.
 * Failures, cancellation and outcomes are the executor's business; it drives a model through this
 * interface and shares its event queue with it (see {@link NetScheduler}).
 */

/** A transfer as a network model sees it. */
export interface NetTransfer {
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  /** Bytes to carry before the transfer ends (may be less than the transfer's size when it breaks part-way). */
  readonly bytes: number;
  /** The topology route (never null here: the executor fails unroutable transfers itself). */
  readonly route: Route;
  /**
   * Most bytes per second this transfer can reach whatever its share, e.g. a TCP window ÷ the route's
   * round-trip time. Absent or `Infinity`: no cap of its own.
   */
  readonly maxRate?: number;
  /** Fleet positions of `from` and `to` when the caller already looked them up (saves a model the look-up). */
  readonly fromIndex?: number;
  readonly toIndex?: number;
}

/** A model's own wake-up: the end of a transfer's latency phase, or the transfer's completion. */
export interface NetEvent {
  readonly kind: 'net';
  readonly transfer: TransferId;
  readonly phase: 'arrive' | 'complete';
}

/** A handle on a scheduled event (an `EventQueue` entry). */
export interface ScheduledEvent {
  readonly time: number;
  readonly seq: number;
}

/**
 * The part of the simulator's event queue a model may use. `EventQueue<T>` satisfies it whenever
 * `T` includes {@link NetEvent}.
 */
export interface NetScheduler {
  push(time: number, event: NetEvent): ScheduledEvent;
  /** Removes a still-queued event; returns whether it was queued. */
  remove(entry: ScheduledEvent): boolean;
  /** Moves an event (queued or not) to `time` in place, with a fresh sequence number. */
  reschedule(entry: ScheduledEvent, time: number): ScheduledEvent;
}

/** Which model: `round` fixes each rate at start; `flow` shares by max-min fairness, recomputed. */
export type NetworkModelKind = 'round' | 'flow';

/**
 * A network model. All times are the simulator's virtual seconds and never go backwards between calls.
 * Completion events the model schedules carry exact times; the executor pops them in (time, seq) order
 * and hands each back through {@link NetworkModel.handle}.
 */
export interface NetworkModel {
  readonly kind: NetworkModelKind;
  /**
   * Starts a batch at `now`: every transfer planned together (the round model counts them together). The
   * batch's objects are the caller's and are refilled for its next batch once this returns (the executor
   * pools them): a model copies what it keeps (ids, numbers, the route), never the objects themselves.
   */
  start(batch: readonly NetTransfer[], now: number): void;
  /**
   * Processes one of the model's own events popped at `now`. Returns the id of the transfer that
   * completed (it is then forgotten by the model), or undefined for an internal step.
   */
  handle(event: NetEvent, now: number): TransferId | undefined;
  /** Bytes of a running transfer delivered by `now` (0 during its latency phase). */
  progress(id: TransferId, now: number): number;
  /** Current rate in bytes per second (0 during the latency phase, or for an unknown transfer). */
  rate(id: TransferId): number;
  /** Takes a transfer out early (failure, cancellation); returns the bytes it had delivered by `now`. */
  remove(id: TransferId, now: number): number;
  /** Multiplies `host`'s uplink and downlink by `factor` from `now` on (1 restores the nominal rates). */
  setHostFactor(host: HostId, factor: number, now: number): void;
  /**
   * Settles deferred work at `now` (the flow model recomputes rates of the touched components here and
   * reschedules completions). The executor calls it before every pop.
   */
  flush(now: number): void;
  /** Number of transfers the model is carrying (latency phase included). */
  readonly size: number;
}

/**
 * Slots of the transfers in flight, for records kept as a struct of arrays: each running transfer holds
 * one slot, freed slots are reused, so the arrays grow to the most transfers in flight at once. Ids that
 * are small non-negative integers (the coordinator's) find their slot in a typed array indexed by id;
 * any other id through a map.
 */
export class TransferSlots {
  /** Slot + 1 by id (0: none), for integer ids below {@link TransferSlots.#denseLimit}. */
  #byId: Int32Array = new Int32Array(1024);
  readonly #other = new Map<TransferId, number>();
  #free: number[] = [];
  #next = 0;
  #size = 0;
  static readonly #denseLimit = 1 << 28;

  /** Transfers holding a slot. */
  get size(): number {
    return this.#size;
  }

  /** One more than the highest slot ever handed out (the length the record arrays need). */
  get capacity(): number {
    return this.#next;
  }

  /** The transfer's slot, or -1. */
  get(id: TransferId): number {
    if (TransferSlots.#dense(id)) return id < this.#byId.length ? this.#byId[id]! - 1 : -1;
    return this.#other.get(id) ?? -1;
  }

  /** Gives `id` (not holding one) a slot and returns it. */
  add(id: TransferId): number {
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#next++;
    if (TransferSlots.#dense(id)) {
      if (id >= this.#byId.length) {
        let n = this.#byId.length;
        while (n <= id) n *= 2;
        const grown = new Int32Array(n);
        grown.set(this.#byId);
        this.#byId = grown;
      }
      this.#byId[id] = slot + 1;
    } else {
      this.#other.set(id, slot);
    }
    this.#size++;
    return slot;
  }

  /** Frees the transfer's slot (it must hold one). */
  delete(id: TransferId, slot: number): void {
    if (TransferSlots.#dense(id)) this.#byId[id] = 0;
    else this.#other.delete(id);
    this.#free.push(slot);
    this.#size--;
  }

  /** Forgets every transfer. */
  clear(): void {
    this.#byId = new Int32Array(1024);
    this.#other.clear();
    this.#free = [];
    this.#next = 0;
    this.#size = 0;
  }

  static #dense(id: TransferId): boolean {
    return Number.isInteger(id) && id >= 0 && id < TransferSlots.#denseLimit;
  }
}

/** A Float64Array of at least `n` elements: `a` itself, or a copy grown by doubling. */
export function growFloat64(a: Float64Array, n: number): Float64Array {
  if (n <= a.length) return a;
  const grown = new Float64Array(Math.max(n, 2 * a.length));
  grown.set(a);
  return grown;
}

/** An Int32Array of at least `n` elements: `a` itself, or a copy grown by doubling. */
export function growInt32(a: Int32Array, n: number): Int32Array {
  if (n <= a.length) return a;
  const grown = new Int32Array(Math.max(n, 2 * a.length));
  grown.set(a);
  return grown;
}
