import type { PlanView } from '../../core/strategy.js';
import type { HostId } from '../../core/types.js';
import { edgeOk } from './context.js';
import type { SwarmGroups } from './swarm-groups.js';
import type { OpenReceiver, SwarmHosts } from './swarm-hosts.js';
import type { SwarmRun } from './swarm-run.js';

/**
 * With groups, a sender already sending starts another transfer only if max-min sharing of its uplink would
 * give the new one at least this share of the rate it could take alone.
 */
const FAIR_SHARE_FLOOR = 0.75;

/**
 * Eager mode without groups: a receiver turns away a sender whose uplink is below this share of the rate
 * it needs to keep pace with the receiver that has the most receiving left (the best rate a seed could
 * give it × its time left ÷ the longest time left), so a slow sender does not hold the one receive slot of
 * a host on the critical path (heavy-tailed uplinks, one closure: 203 s → 185 s). Only a seed holding the
 * whole closure over an edge that has not failed sets the pace, and it passes, so every receiver is served
 * eventually.
 * The sender's uplink, not the link rate, is compared: a thin route (a WAN) is no reason to wait.
 */
const PACE_SHARE = 0.5;

/**
 * Sender admission for one `SwarmPlan` call (the pace rules): the send and receive slots left, whether a
 * sender may start another transfer (its spare uplink covers the slowest open receiver; with groups, its
 * max-min fair share), whether an edge can carry a copy now, and which free holder a receiver takes a path
 * from (the pace it accepts, then the fewest failed attempts on the edge).
 */
export class SwarmAdmission {
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  readonly #groups: SwarmGroups | undefined;
  /** The kept per-host figures (`SwarmHosts`), read by fleet position; set by {@link SwarmAdmission.useHosts}. */
  #hosts!: SwarmHosts;
  /** Sends proposed in this call, by fleet position. */
  #sends!: Int32Array;
  readonly #receives = new Map<HostId, number>();
  /** Slowest downlink among open receivers: a sender whose spare uplink is below it serves nobody well. */
  #minDown = Infinity;
  /** Most seconds of receiving left among open receivers (see {@link PACE_SHARE}). */
  #maxLeft = 0;
  /**
   * Eager mode without groups: live hosts that want nothing and hold the whole closure (the deployer), who
   * can serve anyone anything (see {@link PACE_SHARE}).
   */
  readonly #seeds: HostId[] = [];
  /** With groups: the open receiver with the slowest downlink in each group (the first in fleet order on ties). */
  readonly #slowestIn = new Map<string, OpenReceiver>();
  /** With groups: per sender, the slowest rate it could send at to some open receiver (see `usable`). */
  readonly #minRate = new Map<HostId, number>();
  /** With groups: per sender, the expected rates of its running and planned sends. */
  readonly #ratesOf = new Map<HostId, number[]>();
  /** With groups: per sender, `#roomFor` answers by rate until its next proposal. */
  readonly #roomOf = new Map<HostId, Map<number, boolean>>();

  constructor(view: PlanView, run: SwarmRun, groups: SwarmGroups | undefined) {
    this.#view = view;
    this.#run = run;
    this.#groups = groups;
  }

  /** Reads the kept per-host figures of this call (`SwarmRun.hosts`, brought up to date) instead of the view. */
  useHosts(hosts: SwarmHosts): void {
    this.#hosts = hosts;
    this.#sends = hosts.callSends.start();
  }

  /** Receive slots `h` has left in this call. */
  recvLeft(h: HostId): number {
    const view = this.#view;
    if (!view.canReceive(h)) return 0;
    return view.host(h).maxReceives - view.receiving(h) - (this.#receives.get(h) ?? 0);
  }

  /** Takes an open receiver (downlink `down`) into the slowest-receiver and pace figures (any order). */
  addReceiver(rec: OpenReceiver, down: number): void {
    this.#maxLeft = Math.max(this.#maxLeft, rec.left);
    this.#minDown = Math.min(this.#minDown, down);
    if (this.#groups) {
      const g = this.#groups.group(rec.id);
      const slowest = this.#slowestIn.get(g);
      const d = slowest && this.#view.host(slowest.id).downlink;
      if (slowest === undefined || down < d! || (down === d && rec.pos < slowest.pos))
        this.#slowestIn.set(g, rec);
    }
  }

  /** Without groups: the open receivers' most receive time left and slowest downlink, folded by the caller. */
  useOpen(maxLeft: number, minDown: number): void {
    this.#maxLeft = maxLeft;
    this.#minDown = minDown;
  }

  /** Slowest downlink among the open receivers taken in (Infinity before any). */
  get minDown(): number {
    return this.#minDown;
  }

  /** Eager mode without groups: finds the seeds that set the pace (see {@link PACE_SHARE}). */
  findSeeds(): void {
    const view = this.#view;
    if (this.#groups || view.mode === 'round') return;
    // Only hosts that held paths at the start can hold the whole closure while wanting nothing.
    for (const s of this.#run.info.seeds) {
      if (!view.isFailed(s) && !view.fleet.wants.get(s)?.length && view.have(s).size === view.closure.size) {
        this.#seeds.push(s);
      }
    }
  }

  /** Send slots `h` has left in this call. */
  sendLeft(h: HostId): number {
    return this.#sendLeftAt(this.#hosts.pos(h));
  }

  /** {@link SwarmAdmission.sendLeft} of the host at fleet position `i`, from the kept figures. */
  #sendLeftAt(i: number): number {
    const hosts = this.#hosts;
    if (hosts.canSend[i] === 0) return 0;
    return hosts.maxSends[i]! - hosts.sending[i]! - this.#sends[i]!;
  }

  #load(h: HostId): number {
    const i = this.#hosts.pos(h);
    return this.#hosts.sending[i]! + this.#sends[i]!;
  }

  /**
   * With groups: the rates `h`'s running and planned sends can expect (see `SwarmGroups.flowRate`), so a
   * sender whose transfers cross thin links knows its uplink still has room.
   */
  #flowRates(h: HostId): number[] {
    let rates = this.#ratesOf.get(h);
    if (!rates) {
      const groups = this.#groups!;
      rates = this.#run.runningFlows(this.#view, h).map((t) => groups.flowRate(h, t, 0));
      this.#ratesOf.set(h, rates);
    }
    return rates;
  }

  /**
   * Whether a new send from `h` capped at `rate` would get at least {@link FAIR_SHARE_FLOOR} of it under
   * max-min fair sharing of `h`'s uplink with its other sends (water-filling over their expected rates).
   */
  #roomFor(h: HostId, rate: number): boolean {
    let known = this.#roomOf.get(h);
    if (!known) this.#roomOf.set(h, (known = new Map<number, boolean>()));
    let room = known.get(rate);
    if (room !== undefined) return room;
    const caps = [...this.#flowRates(h), rate].sort((a, b) => a - b);
    let left = this.#view.host(h).uplink;
    room = true;
    for (let i = 0; i < caps.length; i++) {
      const level = left / (caps.length - i);
      if (caps[i]! >= level) {
        room = level >= FAIR_SHARE_FLOOR * rate;
        break;
      }
      left -= caps[i]!;
    }
    known.set(rate, room);
    return room;
  }

  /**
   * A send slot left, and (when already sending) spare uplink that still covers the slowest open receiver.
   * With groups, the slowest rate is taken per group over the route: a copy across a thin link (a WAN)
   * uses a fraction of a fast uplink, so its holder may serve others at the same time.
   */
  usable(h: HostId): boolean {
    return this.usableAt(this.#hosts.pos(h), h);
  }

  /** {@link SwarmAdmission.usable} of host `h` at fleet position `i`. */
  usableAt(i: number, h: HostId): boolean {
    const hosts = this.#hosts;
    if (this.#sendLeftAt(i) <= 0) return false;
    const load = hosts.sending[i]! + this.#sends[i]!;
    if (load === 0) return true;
    if (!this.#groups) return hosts.uplink[i]! / (load + 1) >= this.#minDown;
    let rate = this.#minRate.get(h);
    if (rate === undefined) {
      rate = Infinity;
      for (const { id: t } of this.#slowestIn.values()) {
        const r = t === h ? 0 : this.#groups.flowRate(h, t, 1);
        if (r > 0) rate = Math.min(rate, r);
      }
      this.#minRate.set(h, rate);
    }
    return this.#roomFor(h, rate);
  }

  /**
   * The edge can carry a copy now (`split`: a seed's private paths may always split its uplink, see
   * `SwarmPlan`'s super-seeding). With groups, a busy sender starts another only if it keeps its fair share
   * (`#roomFor`). In round mode, which waits for the batch's longest transfer, one uplink is not split while
   * a single flow would saturate the receiver. In eager mode every source passed `usable` (each share of its
   * uplink covers the slowest open receiver), so it may split for any receiver (`bestSource` checks its
   * pace): refusing fast receivers left the deployer serving only slow ones while the fast ones waited for
   * the rare paths it alone held (heavy-tailed uplinks: a 65 MB path had two peer copies for a minute).
   */
  #fits(from: HostId, to: HostId, split = false): boolean {
    const view = this.#view;
    const groups = this.#groups;
    if (groups?.crosses(from, to) && !groups.flowRoom(to)) return false;
    if (!edgeOk(view, from, to)) return false;
    if (split) return true;
    const load = this.#load(from);
    if (groups) return load === 0 || this.#roomFor(from, groups.flowRate(from, to, 1));
    if (view.mode !== 'round') return true;
    const rate = Math.min(view.host(to).downlink, view.linkRate(from, to));
    return load === 0 || view.host(from).uplink / (load + 1) >= rate;
  }

  /** The slowest sender uplink `rec` accepts (see {@link PACE_SHARE}; 0 where it does not apply). */
  #paceOf(rec: OpenReceiver, split: boolean): number {
    if (split || this.#maxLeft <= 0) return 0;
    if (rec.pace === undefined) {
      const view = this.#view;
      const to = rec.id;
      let best = 0;
      // A seed whose edge to `to` has failed does not set its pace: `to` would wait for an edge that may
      // keep failing until the coordinator gives it up, while slower sources could serve it.
      for (const s of this.#seeds) {
        if (edgeOk(view, s, to) && view.attempts(s, to) === 0) best = Math.max(best, view.linkRate(s, to));
      }
      rec.pace = (PACE_SHARE * best * rec.left) / this.#maxLeft;
      this.#hosts.touch(rec);
    }
    return rec.pace;
  }

  /**
   * The source for `rec` among `sources`: a send slot, the edge fits, fewest failed attempts (first wins
   * ties). `fresh` (super-seeding, which offers one seed to every receiver): only an edge that has not
   * failed, so a receiver whose edge from the seed fails is left to the heap's pops, which weigh every holder.
   */
  bestSource(
    sources: readonly HostId[],
    rec: OpenReceiver,
    split: boolean,
    fresh = false,
  ): HostId | undefined {
    const t = rec.id;
    let best: HostId | undefined;
    let bestAtt = Infinity;
    const pace = this.#paceOf(rec, split);
    const hosts = this.#hosts;
    for (const s of sources) {
      const i = hosts.pos(s);
      // Sources come fastest uplink first: once one is below the pace, so are the rest.
      if (hosts.uplink[i]! < pace) break;
      if (this.#sendLeftAt(i) <= 0 || !this.#fits(s, t, split)) continue;
      const att = this.#view.attempts(s, t);
      if (fresh && att > 0) continue;
      if (att < bestAtt) {
        best = s;
        bestAtt = att;
        if (att === 0) break;
      }
    }
    return best;
  }

  /** A transfer `from → to` was proposed: it takes a send slot of `from` and a receive slot of `to`. */
  counted(from: HostId, to: HostId): void {
    this.#hosts.callSends.add(this.#hosts.pos(from));
    this.#receives.set(to, (this.#receives.get(to) ?? 0) + 1);
  }

  /** With groups: a proposed transfer `from → to` joins its sender's expected rates. */
  flowPlanned(from: HostId, to: HostId): void {
    this.#flowRates(from).push(this.#groups!.flowRate(from, to, 1));
    this.#roomOf.delete(from);
  }
}
