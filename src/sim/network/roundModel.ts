import { TransferError } from '../../core/errors.js';
import type { Topology } from '../../core/topology.js';
import type { Host, HostId, TransferId } from '../../core/types.js';
import { HostTable } from './hostTable.js';
import {
  growFloat64,
  growInt32,
  TransferSlots,
  type NetEvent,
  type NetScheduler,
  type NetTransfer,
  type NetworkModel,
  type ScheduledEvent,
} from './model.js';

/** A completion event's payload; the model reuses it for a later flow once the event is no longer queued. */
interface CompletionEvent extends NetEvent {
  transfer: TransferId;
}

/**
 * The round model (the reference's `effective_bandwidth`): a transfer of `b` bytes u→v takes
 * `latency(route) + b / rate`, where rate is the least of
 *  - u's uplink ÷ the number of transfers u is sending when it starts (the whole start batch counted),
 *  - v's downlink ÷ the number of transfers v is receiving then (likewise),
 *  - for every topology link on the route, its bandwidth ÷ the number of transfers crossing it then
 *    (with no topology given: the route's bottleneck),
 *  - the transfer's own cap (`maxRate`, a TCP window ÷ RTT), if any.
 * The rate is fixed at start and never recomputed: cheap (one event per transfer) and exact for
 * round-based schedules where every transfer of a round starts together. A straggler factor set later
 * only affects transfers that start later.
 */
export class RoundModel implements NetworkModel {
  readonly kind = 'round' as const;
  readonly #hosts: HostTable;
  readonly #queue: NetScheduler;
  /**
   * Flows in flight as a struct of arrays by slot (see {@link TransferSlots}): sender and receiver
   * positions, bytes, when bytes start moving (start + route latency), the fixed rate, the route's links
   * (topology only) and the completion event.
   */
  readonly #slots = new TransferSlots();
  #from: Int32Array = new Int32Array(64);
  #to: Int32Array = new Int32Array(64);
  #bytes: Float64Array = new Float64Array(64);
  #flowStart: Float64Array = new Float64Array(64);
  #rate: Float64Array = new Float64Array(64);
  readonly #links: Array<readonly string[] | undefined> = [];
  readonly #events: Array<ScheduledEvent | undefined> = [];
  /**
   * Completion events of finished flows with their payloads, for the next flows to reuse: rescheduled,
   * an event gets the fresh sequence number a push would give, so the order is the same, and a
   * 1,000,000-host round does not leave 500,000 queue entries and payloads to the garbage collector.
   */
  readonly #spareEvents: ScheduledEvent[] = [];
  readonly #sparePayloads: CompletionEvent[] = [];
  readonly #payloads: Array<CompletionEvent | undefined> = [];
  /** Active sends / receives per host index, latency phase included. */
  readonly #sending: Int32Array;
  readonly #receiving: Int32Array;
  /** Active transfers per topology link id. */
  readonly #onLink = new Map<string, number>();
  readonly #topology: Topology | undefined;

  /**
   * @param hosts - the fleet (fleet order).
   * @param queue - the simulator's event queue, where completions are scheduled.
   */
  constructor(hosts: readonly Host[] | HostTable, queue: NetScheduler, topology?: Topology) {
    this.#topology = topology;
    this.#hosts = hosts instanceof HostTable ? hosts : new HostTable(hosts);
    this.#queue = queue;
    this.#sending = new Int32Array(this.#hosts.size);
    this.#receiving = new Int32Array(this.#hosts.size);
  }

  get size(): number {
    return this.#slots.size;
  }

  start(batch: readonly NetTransfer[], now: number): void {
    const idx = new Int32Array(batch.length * 2);
    // Count the whole batch first: every transfer of a start batch shares the same uplink split.
    batch.forEach((t, k) => {
      if (this.#slots.get(t.id) >= 0) throw new TransferError(`transfer ${t.id} started twice`);
      const f = t.fromIndex ?? this.#hosts.indexOf(t.from);
      const r = t.toIndex ?? this.#hosts.indexOf(t.to);
      this.#sending[f]!++;
      this.#receiving[r]!++;
      if (this.#topology) for (const l of t.route.links) this.#onLink.set(l, (this.#onLink.get(l) ?? 0) + 1);
      idx[2 * k] = f;
      idx[2 * k + 1] = r;
    });
    batch.forEach((t, k) => {
      const f = idx[2 * k]!;
      const r = idx[2 * k + 1]!;
      const rate = Math.min(
        this.#hosts.uplink(f) / this.#sending[f]!,
        this.#hosts.downlink(r) / this.#receiving[r]!,
        this.#linkShare(t.route.links, t.route.bottleneck),
        t.maxRate ?? Infinity,
      );
      const flowStart = now + t.route.latency;
      const end = t.bytes > 0 ? flowStart + t.bytes / rate : flowStart;
      const at = Math.max(now, end);
      const spares = this.#spareEvents.length;
      let event: ScheduledEvent;
      let payload: CompletionEvent;
      if (spares === 0) {
        payload = { kind: 'net', transfer: t.id, phase: 'complete' };
        event = this.#queue.push(at, payload);
      } else {
        // Rescheduling refuses a NaN time before it changes anything; the spare is taken only after.
        event = this.#queue.reschedule(this.#spareEvents[spares - 1]!, at);
        payload = this.#sparePayloads[spares - 1]!;
        this.#spareEvents.length = spares - 1;
        this.#sparePayloads.length = spares - 1;
        payload.transfer = t.id;
      }
      const slot = this.#slots.add(t.id);
      if (slot >= this.#from.length) this.#grow(slot + 1);
      this.#from[slot] = f;
      this.#to[slot] = r;
      this.#bytes[slot] = t.bytes;
      this.#flowStart[slot] = flowStart;
      this.#rate[slot] = rate;
      this.#links[slot] = this.#topology ? t.route.links : undefined;
      this.#events[slot] = event;
      this.#payloads[slot] = payload;
    });
  }

  handle(event: NetEvent, _now: number): TransferId | undefined {
    const slot = this.#slots.get(event.transfer);
    if (slot < 0 || event.phase !== 'complete') return undefined;
    this.#forget(event.transfer, slot);
    return event.transfer;
  }

  progress(id: TransferId, now: number): number {
    const slot = this.#slots.get(id);
    return slot < 0 ? 0 : this.#delivered(slot, now);
  }

  rate(id: TransferId): number {
    const slot = this.#slots.get(id);
    return slot < 0 ? 0 : this.#rate[slot]!;
  }

  remove(id: TransferId, now: number): number {
    const slot = this.#slots.get(id);
    if (slot < 0) return 0;
    this.#queue.remove(this.#events[slot]!);
    this.#forget(id, slot);
    return this.#delivered(slot, now);
  }

  setHostFactor(host: HostId, factor: number, _now: number): void {
    this.#hosts.setFactor(this.#hosts.indexOf(host), factor);
  }

  flush(_now: number): void {
    // Nothing deferred: rates are fixed at start.
  }

  /** The least share of any link on the route, counting the transfers crossing each at start. */
  #linkShare(links: readonly string[], bottleneck: number): number {
    if (!this.#topology) return bottleneck;
    let share = Infinity;
    for (const l of links) share = Math.min(share, this.#topology.link(l).bandwidth / this.#onLink.get(l)!);
    return share;
  }

  #forget(id: TransferId, slot: number): void {
    this.#slots.delete(id, slot);
    const links = this.#links[slot];
    if (links !== undefined) {
      for (const l of links) {
        const n = this.#onLink.get(l)! - 1;
        if (n === 0) this.#onLink.delete(l);
        else this.#onLink.set(l, n);
      }
      this.#links[slot] = undefined;
    }
    // Popped (handled) or removed: no longer queued, free for another flow.
    const event = this.#events[slot];
    const payload = this.#payloads[slot];
    if (event !== undefined && payload !== undefined) {
      this.#spareEvents.push(event);
      this.#sparePayloads.push(payload);
    }
    this.#events[slot] = undefined;
    this.#payloads[slot] = undefined;
    this.#sending[this.#from[slot]!]!--;
    this.#receiving[this.#to[slot]!]!--;
  }

  /** Bytes the flow in `slot` has delivered by `now` (its fields stay readable until the slot is reused). */
  #delivered(slot: number, now: number): number {
    const flowStart = this.#flowStart[slot]!;
    if (now <= flowStart) return 0;
    return Math.min(this.#bytes[slot]!, (now - flowStart) * this.#rate[slot]!);
  }

  #grow(n: number): void {
    this.#from = growInt32(this.#from, n);
    this.#to = growInt32(this.#to, n);
    this.#bytes = growFloat64(this.#bytes, n);
    this.#flowStart = growFloat64(this.#flowStart, n);
    this.#rate = growFloat64(this.#rate, n);
  }
}
