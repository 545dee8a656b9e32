import { TransferError } from '../../core/errors.js';
import type { Topology } from '../../core/topology.js';
import type { Host, HostId, TransferId } from '../../core/types.js';
import { HostTable } from './hostTable.js';
import { MaxMinSolver } from './maxMin.js';
import type { NetEvent, NetScheduler, NetTransfer, NetworkModel, ScheduledEvent } from './model.js';

/** Bytes below which a flow counts as finished (absorbs floating-point residue). */
export const DONE_EPSILON_BYTES = 1e-6;

type Phase = 'latency' | 'flowing' | 'finishing';

interface Flow {
  readonly id: TransferId;
  readonly bytes: number;
  readonly latency: number;
  /** The transfer's own most rate (a TCP window ÷ RTT); `Infinity` = none. */
  readonly maxRate: number;
  /** Global indices of the finite-capacity resources crossed: sender uplink, receiver downlink, links. */
  readonly resources: readonly number[];
  /** Position of this flow in each of its resources' flow lists (parallel to `resources`). */
  readonly slots: number[];
  phase: Phase;
  /** Bytes left as of `lastT`. */
  remaining: number;
  rate: number;
  lastT: number;
  /** Its pending event (arrival or completion), undefined once popped. */
  event: ScheduledEvent | undefined;
  /** The completion payload, allocated once per flow. */
  readonly completeEvent: NetEvent;
  /** BFS epoch in which this flow was last visited. */
  stamp: number;
}

/** One shared resource as {@link FlowModel.resourceUsage} reports it. */
export interface ResourceUsage {
  /** `up:HOST`, `down:HOST` or `link:ID`. */
  readonly resource: string;
  readonly capacity: number;
  readonly flows: ReadonlyArray<{ readonly id: TransferId; readonly rate: number }>;
}

/**
 * The flow model: concurrent transfers share every host uplink, host downlink and topology link on
 * their routes by max-min fairness (SimGrid's flow-level model without its TCP corrections), each flow
 * also bounded by its own `maxRate` (a TCP window ÷ RTT) when it has one. A transfer first waits its
 * route latency, then becomes a flow. Rates are recomputed at every start,
 * finish, removal and straggler change, but only for the connected component of flows linked through
 * shared resources to what changed; work is deferred to {@link FlowModel.flush}, so a batch of starts
 * or simultaneous finishes costs one recomputation.
 *
 * Progress is tracked lazily per flow (remaining bytes at the last rate change), and completion times
 * are `now + remaining / rate`, rescheduled only when a rate actually changes.
 */
export class FlowModel implements NetworkModel {
  readonly kind = 'flow' as const;
  readonly #hosts: HostTable;
  readonly #queue: NetScheduler;
  readonly #topology: Pick<Topology, 'link'>;
  readonly #flows = new Map<TransferId, Flow>();

  // Resources: 2i = uplink of host i, 2i+1 = its downlink, then topology links in first-use order.
  readonly #resName: string[] = [];
  readonly #resCap: number[] = [];
  /** Flows on each resource; unordered (swap-removal), but every operation is deterministic. */
  readonly #resFlows: Flow[][] = [];
  readonly #resStamp: number[] = [];
  readonly #resLocal: number[] = [];
  readonly #linkIndex = new Map<string, number>();

  readonly #dirtyRes: number[] = [];
  readonly #dirtyResFlag: boolean[] = [];
  readonly #dirtyFlows: Flow[] = [];
  #epoch = 0;

  // Work buffers reused by every flush (no allocation per recomputation).
  readonly #solver = new MaxMinSolver();
  readonly #comp: Flow[] = [];
  readonly #compRes: number[] = [];
  readonly #live: Flow[] = [];
  #capBuf = new Float64Array(64);
  #flowCapBuf = new Float64Array(64);
  #startBuf = new Int32Array(64);
  #resBuf = new Int32Array(64);

  /**
   * @param hosts - the fleet (fleet order).
   * @param topology - used for link capacities (`link(id).bandwidth`).
   * @param queue - the simulator's event queue.
   */
  constructor(hosts: readonly Host[] | HostTable, topology: Pick<Topology, 'link'>, queue: NetScheduler) {
    this.#hosts = hosts instanceof HostTable ? hosts : new HostTable(hosts);
    this.#queue = queue;
    this.#topology = topology;
    for (let i = 0; i < this.#hosts.size; i++) {
      const id = this.#hosts.ids[i]!;
      this.#addResource(`up:${id}`, this.#hosts.uplink(i));
      this.#addResource(`down:${id}`, this.#hosts.downlink(i));
    }
  }

  get size(): number {
    return this.#flows.size;
  }

  start(batch: readonly NetTransfer[], now: number): void {
    for (const t of batch) {
      if (this.#flows.has(t.id)) throw new TransferError(`transfer ${t.id} started twice`);
      const resources: number[] = [];
      const up = 2 * this.#hosts.indexOf(t.from);
      const down = 2 * this.#hosts.indexOf(t.to) + 1;
      for (const r of [up, down]) if (Number.isFinite(this.#resCap[r]!)) resources.push(r);
      for (const linkId of t.route.links) {
        const r = this.#linkResource(linkId);
        if (Number.isFinite(this.#resCap[r]!) && !resources.includes(r)) resources.push(r);
      }
      const flow: Flow = {
        id: t.id,
        bytes: t.bytes,
        latency: t.route.latency,
        maxRate: t.maxRate ?? Infinity,
        resources,
        slots: resources.map(() => -1),
        phase: 'latency',
        remaining: t.bytes,
        rate: 0,
        lastT: now,
        event: undefined,
        completeEvent: { kind: 'net', transfer: t.id, phase: 'complete' },
        stamp: -1,
      };
      this.#flows.set(t.id, flow);
      if (t.route.latency > 0) {
        flow.event = this.#queue.push(now + t.route.latency, {
          kind: 'net',
          transfer: t.id,
          phase: 'arrive',
        });
      } else {
        this.#arrive(flow, now);
      }
    }
  }

  handle(event: NetEvent, now: number): TransferId | undefined {
    const flow = this.#flows.get(event.transfer);
    if (flow === undefined) return undefined;
    flow.event = undefined;
    if (event.phase === 'arrive') {
      this.#arrive(flow, now);
      return undefined;
    }
    if (flow.phase === 'flowing') this.#detach(flow);
    this.#flows.delete(flow.id);
    return flow.id;
  }

  progress(id: TransferId, now: number): number {
    const flow = this.#flows.get(id);
    return flow === undefined ? 0 : FlowModel.#delivered(flow, now);
  }

  rate(id: TransferId): number {
    const flow = this.#flows.get(id);
    return flow?.phase === 'flowing' ? flow.rate : 0;
  }

  remove(id: TransferId, now: number): number {
    const flow = this.#flows.get(id);
    if (flow === undefined) return 0;
    const delivered = FlowModel.#delivered(flow, now);
    if (flow.event !== undefined) this.#queue.remove(flow.event);
    if (flow.phase === 'flowing') this.#detach(flow);
    this.#flows.delete(id);
    return delivered;
  }

  setHostFactor(host: HostId, factor: number, _now: number): void {
    const i = this.#hosts.indexOf(host);
    this.#hosts.setFactor(i, factor);
    this.#resCap[2 * i] = this.#hosts.uplink(i);
    this.#resCap[2 * i + 1] = this.#hosts.downlink(i);
    this.#markDirty(2 * i);
    this.#markDirty(2 * i + 1);
  }

  flush(now: number): void {
    if (this.#dirtyRes.length === 0 && this.#dirtyFlows.length === 0) return;
    const epoch = ++this.#epoch;
    const comp = this.#comp;
    const compRes = this.#compRes;
    comp.length = 0;
    compRes.length = 0;
    for (const f of this.#dirtyFlows) {
      if (f.phase === 'flowing' && f.stamp !== epoch && this.#flows.get(f.id) === f) {
        f.stamp = epoch;
        comp.push(f);
      }
    }
    for (const r of this.#dirtyRes) {
      this.#dirtyResFlag[r] = false;
      this.#absorb(r, epoch, comp, compRes);
    }
    this.#dirtyRes.length = 0;
    this.#dirtyFlows.length = 0;
    // Breadth-first over flows <-> resources: the connected component the change can affect.
    for (let k = 0; k < comp.length; k++) {
      const res = comp[k]!.resources;
      for (let j = 0; j < res.length; j++) this.#absorb(res[j]!, epoch, comp, compRes);
    }

    // Settle progress at `now` under the old rates; flows with nothing left end now, in one step.
    const live = this.#live;
    live.length = 0;
    for (const f of comp) {
      f.remaining -= f.rate * (now - f.lastT);
      f.lastT = now;
      if (f.remaining < DONE_EPSILON_BYTES) {
        f.remaining = 0;
        f.phase = 'finishing';
        this.#unlink(f);
        this.#schedule(f, now, now);
      } else {
        live.push(f);
      }
    }
    if (live.length === 0) return;

    // Compress the component: local resource indices, CSR flow -> resources.
    const nr = compRes.length;
    if (this.#capBuf.length < nr) this.#capBuf = new Float64Array(2 * nr);
    const cap = this.#capBuf;
    const resLocal = this.#resLocal;
    for (let j = 0; j < nr; j++) {
      const r = compRes[j]!;
      resLocal[r] = j;
      cap[j] = this.#resCap[r]!;
    }
    const nf = live.length;
    if (this.#startBuf.length < nf + 1) this.#startBuf = new Int32Array(2 * (nf + 1));
    const start = this.#startBuf;
    let links = 0;
    for (const f of live) links += f.resources.length;
    if (this.#resBuf.length < links) this.#resBuf = new Int32Array(2 * links);
    const flat = this.#resBuf;
    if (this.#flowCapBuf.length < nf) this.#flowCapBuf = new Float64Array(2 * nf);
    const flowCap = this.#flowCapBuf;
    let capped = false;
    let k = 0;
    start[0] = 0;
    for (let i = 0; i < nf; i++) {
      const f = live[i]!;
      const res = f.resources;
      for (let j = 0; j < res.length; j++) flat[k++] = resLocal[res[j]!]!;
      start[i + 1] = k;
      flowCap[i] = f.maxRate;
      if (f.maxRate < Infinity) capped = true;
    }
    // A flow's own cap (a TCP window) is a bound inside max-min fairness: what it cannot use goes to others.
    const rates = this.#solver.solve(nf, start, flat, nr, cap, capped ? flowCap : undefined);
    for (let i = 0; i < nf; i++) {
      const f = live[i]!;
      const rate = rates[i]!;
      if (rate === f.rate && f.event !== undefined) continue; // completion time unchanged
      f.rate = rate;
      this.#schedule(f, now, rate === Infinity ? now : now + f.remaining / rate);
    }
  }

  /** Live flows per shared resource, for checks and debugging (resources without flows omitted). */
  resourceUsage(): ResourceUsage[] {
    const out: ResourceUsage[] = [];
    this.#resFlows.forEach((set, r) => {
      if (set.length === 0) return;
      out.push({
        resource: this.#resName[r]!,
        capacity: this.#resCap[r]!,
        flows: Array.from(set, (f) => ({ id: f.id, rate: f.rate })),
      });
    });
    return out;
  }

  #arrive(flow: Flow, now: number): void {
    flow.phase = 'flowing';
    flow.lastT = now;
    flow.rate = 0;
    flow.resources.forEach((r, j) => {
      const on = this.#resFlows[r]!;
      flow.slots[j] = on.length;
      on.push(flow);
      this.#markDirty(r);
    });
    // A flow that crosses no finite resource is reached through the dirty-flow list instead.
    this.#dirtyFlows.push(flow);
  }

  #detach(flow: Flow): void {
    this.#unlink(flow);
    for (const r of flow.resources) this.#markDirty(r);
  }

  /** Takes a flow off its resources' lists in O(d): the last flow of each list fills its slot. */
  #unlink(flow: Flow): void {
    const res = flow.resources;
    for (let j = 0; j < res.length; j++) {
      const r = res[j]!;
      const on = this.#resFlows[r]!;
      const last = on.pop()!;
      if (last !== flow) {
        const slot = flow.slots[j]!;
        on[slot] = last;
        last.slots[last.resources.indexOf(r)] = slot;
      }
    }
  }

  #schedule(flow: Flow, now: number, time: number): void {
    const at = Math.max(now, time);
    if (flow.event === undefined) {
      flow.event = this.#queue.push(at, flow.completeEvent);
    } else if (flow.event.time !== at) {
      this.#queue.reschedule(flow.event, at);
    }
  }

  /** Adds resource `r` and its flows to the component being collected (each once per `epoch`). */
  #absorb(r: number, epoch: number, comp: Flow[], compRes: number[]): void {
    if (this.#resStamp[r] === epoch) return;
    this.#resStamp[r] = epoch;
    compRes.push(r);
    const on = this.#resFlows[r]!;
    for (let i = 0; i < on.length; i++) {
      const g = on[i]!;
      if (g.stamp !== epoch) {
        g.stamp = epoch;
        comp.push(g);
      }
    }
  }

  #markDirty(r: number): void {
    if (this.#dirtyResFlag[r] === true) return;
    this.#dirtyResFlag[r] = true;
    this.#dirtyRes.push(r);
  }

  #addResource(name: string, capacity: number): number {
    const r = this.#resName.length;
    this.#resName.push(name);
    this.#resCap.push(capacity);
    this.#resFlows.push([]);
    this.#resStamp.push(-1);
    this.#resLocal.push(-1);
    this.#dirtyResFlag.push(false);
    return r;
  }

  #linkResource(linkId: string): number {
    let r = this.#linkIndex.get(linkId);
    if (r === undefined) {
      r = this.#addResource(`link:${linkId}`, this.#topology.link(linkId).bandwidth);
      this.#linkIndex.set(linkId, r);
    }
    return r;
  }

  static #delivered(flow: Flow, now: number): number {
    if (flow.phase === 'latency') return 0;
    if (flow.phase === 'finishing') return flow.bytes;
    const left = flow.remaining - flow.rate * Math.max(0, now - flow.lastT);
    return Math.min(flow.bytes, Math.max(0, flow.bytes - left));
  }
}
