import { TransferError } from '../../core/errors.js';
import type { Topology } from '../../core/topology.js';
import type { Host, HostId, TransferId } from '../../core/types.js';
import { HostTable } from './hostTable.js';
import type { NetEvent, NetScheduler, NetTransfer, NetworkModel, ScheduledEvent } from './model.js';

interface RoundFlow {
  readonly from: number;
  readonly to: number;
  readonly bytes: number;
  /** When bytes start moving: start + route latency. */
  readonly flowStart: number;
  readonly rate: number;
  readonly links: readonly string[];
  readonly event: ScheduledEvent;
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
  readonly #flows = new Map<TransferId, RoundFlow>();
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
    return this.#flows.size;
  }

  start(batch: readonly NetTransfer[], now: number): void {
    const idx = new Int32Array(batch.length * 2);
    // Count the whole batch first: every transfer of a start batch shares the same uplink split.
    batch.forEach((t, k) => {
      if (this.#flows.has(t.id)) throw new TransferError(`transfer ${t.id} started twice`);
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
      const event = this.#queue.push(Math.max(now, end), { kind: 'net', transfer: t.id, phase: 'complete' });
      const links = this.#topology ? t.route.links : [];
      this.#flows.set(t.id, { from: f, to: r, bytes: t.bytes, flowStart, rate, links, event });
    });
  }

  handle(event: NetEvent, _now: number): TransferId | undefined {
    const flow = this.#flows.get(event.transfer);
    if (flow === undefined || event.phase !== 'complete') return undefined;
    this.#forget(event.transfer, flow);
    return event.transfer;
  }

  progress(id: TransferId, now: number): number {
    const flow = this.#flows.get(id);
    if (flow === undefined) return 0;
    return RoundModel.#delivered(flow, now);
  }

  rate(id: TransferId): number {
    return this.#flows.get(id)?.rate ?? 0;
  }

  remove(id: TransferId, now: number): number {
    const flow = this.#flows.get(id);
    if (flow === undefined) return 0;
    this.#queue.remove(flow.event);
    this.#forget(id, flow);
    return RoundModel.#delivered(flow, now);
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

  #forget(id: TransferId, flow: RoundFlow): void {
    this.#flows.delete(id);
    for (const l of flow.links) {
      const n = this.#onLink.get(l)! - 1;
      if (n === 0) this.#onLink.delete(l);
      else this.#onLink.set(l, n);
    }
    this.#sending[flow.from]!--;
    this.#receiving[flow.to]!--;
  }

  static #delivered(flow: RoundFlow, now: number): number {
    if (now <= flow.flowStart) return 0;
    return Math.min(flow.bytes, (now - flow.flowStart) * flow.rate);
  }
}
