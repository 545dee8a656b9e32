import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { SharedBits } from './swarm-bits.js';
import { CallCounts, SkipRuns } from './swarm-call-state.js';
import { OpenExtremes } from './swarm-extremes.js';
import { MissingBytes } from './swarm-missing-bytes.js';
import { FreeSenders } from './swarm-free.js';
import { KeptRanking } from './swarm-ranking.js';
import { OpenList, type OpenReceivers } from './swarm-open-list.js';
import { before, Receiver, type OpenReceiver } from './swarm-receiver.js';

export type { OpenReceivers } from './swarm-open-list.js';
export type { OpenReceiver } from './swarm-receiver.js';

const NONE: readonly PathId[] = [];

/**
 * What `swarm` needs to know about every host at the start of a plan call, kept across calls by fleet
 * position and re-read only for the hosts the view reports changed (`PlanView.changedSince`): eager mode
 * calls `plan` after every outcome, and asking the view about each of 1,000 hosts every call (~2,000
 * look-ups) was most of a call. Holds: the pending targets, each host's receive slots, send slots and
 * load, whether it holds anything, its missing and incoming sets and missing bytes, and the copies in
 * flight to pending hosts per path.
 */
export class SwarmHosts {
  readonly ids: readonly HostId[];
  readonly uplink: Float64Array;
  readonly downlink: Float64Array;
  /** 1 when the host wants nothing (`fleet.wants`: the deployer, a cache). */
  readonly wantsNothing: Uint8Array;
  /** Send slots of each host (`maxSends`). */
  readonly maxSends: Int32Array;
  /** Receive slots left (0 when it cannot receive). */
  readonly recvLeft: Int32Array;
  /** 1 when `canSend`. */
  readonly canSend: Uint8Array;
  readonly sending: Int32Array;
  /** 1 when it holds any path. */
  readonly holdsAny: Uint8Array;
  /** 1 while it is a pending target. */
  readonly pending: Uint8Array;
  readonly missing: ReadonlySet<PathId>[];
  readonly incoming: ReadonlySet<PathId>[];
  /** Seconds of receiving left at its downlink (pending hosts only). */
  readonly left: Float64Array;
  /** Copies in flight to pending hosts, per path that is not shared (the shared ones: `flyingShared`). */
  readonly flying = new Map<PathId, number>();
  /** Copies in flight to pending hosts, per shared path (by bit). */
  readonly flyingShared: Int32Array;
  /** Copies of each shared path (by bit) proposed in the current plan call (`SwarmUrgency`). */
  readonly callCarried: CallCounts;
  /** How often each shared path (by bit) was re-ranked in the current plan call (`SwarmUrgency`). */
  readonly callVersions: CallCounts;
  /** Pending targets' positions, fleet order (ones no longer pending dropped at the next refresh). */
  #pendingPos: number[] = [];
  /** Each host's contribution to `flying`: its incoming paths while pending. */
  readonly #counted: (readonly PathId[])[];
  readonly view: PlanView;
  readonly #index = new Map<HostId, number>();
  /** Each host's bytes missing, kept. */
  readonly #missingBytes: MissingBytes;
  /** Per path, the skip runs lent out by {@link SwarmHosts.skipRuns}. */
  readonly #skipPool = new Map<PathId, SkipRuns>();
  /** Stamp of the last {@link SwarmHosts.newCall}. */
  #call = 0;
  /** 1 once the host was read as failed. */
  readonly #failed: Uint8Array;
  #stamp = -1;
  #dropped = false;
  /** Receiver records by fleet position, made when a host first opens. */
  readonly #recs: (Receiver | undefined)[];
  /** The open receivers in `before` order, kept across calls (see {@link SwarmHosts.openReceivers}). */
  readonly #open: OpenList;
  /** 1 while the host is in `#open`. */
  readonly #inOpen: Uint8Array;
  /** The receiver tier `#open` was ranked with; NaN before it was first built. */
  #tier = NaN;
  /** Hosts re-read since `#open` was last brought up to date, each once (`#dirtyMark`). */
  #dirty: number[] = [];
  readonly #dirtyMark: Uint8Array;
  /** Every host was re-read: `#open` is rebuilt. */
  #rebuild = true;
  /** Some record in `#open` has a NaN key: every call rebuilds and sorts it (see `#updateOpen`). */
  #unordered = false;
  /** The slowest downlink and most receive time left among `#open`, kept as it changes. */
  readonly #extremes = new OpenExtremes();
  /**
   * Records whose per-call fields (`slots`, `planned`, `pace`) a plan call changed ({@link SwarmHosts.touch}):
   * the next call resets only these, as every other open record still has the values `#record` gave it.
   */
  readonly #touched: Receiver[] = [];

  /** The senders free at a call's start, kept as hosts are re-read. */
  readonly free: FreeSenders;
  /** Send ranks (positions in `sendOrderPos`) of the hosts that want nothing, in order. */
  readonly seedRanks: readonly number[];
  /** Per-host bit sets over the shared paths (holds, takes) and the per-path figures kept from them. */
  readonly bits: SharedBits;
  /**
   * The shared paths (by bit) in urgency order, kept across calls: the paths whose holders or copies in
   * flight changed as hosts were re-read are marked for re-ranking (`SwarmUrgency.rankShared` ranks them).
   */
  readonly ranking: KeptRanking;
  /** The sends proposed in the current plan call, by fleet position (`SwarmAdmission`). */
  readonly callSends: CallCounts;
  /**
   * @param sendOrderPos - fleet positions, fastest uplink first (`SwarmRun.sendOrderPos`), the order of
   *   {@link SharedBits.holderRanks}.
   */
  constructor(
    view: PlanView,
    missingBytes: (host: HostId) => number,
    shared: readonly PathId[],
    sendOrderPos: Int32Array,
  ) {
    this.view = view;
    this.#missingBytes = new MissingBytes(view, shared, missingBytes);
    const hosts = view.fleet.hosts;
    const n = hosts.length;
    const ranking = (this.ranking = new KeptRanking(shared.length));
    this.bits = new SharedBits(n, shared, sendOrderPos, (b) => ranking.touch(b));
    this.#failed = new Uint8Array(n);
    this.callSends = new CallCounts(n);
    this.flyingShared = new Int32Array(shared.length);
    this.callCarried = new CallCounts(shared.length);
    this.callVersions = new CallCounts(shared.length);
    this.free = new FreeSenders(sendOrderPos);
    this.ids = hosts.map((h) => h.id);
    this.ids.forEach((id, i) => this.#index.set(id, i));
    this.uplink = Float64Array.from(hosts, (h) => view.host(h.id).uplink);
    this.downlink = Float64Array.from(hosts, (h) => view.host(h.id).downlink);
    this.wantsNothing = Uint8Array.from(hosts, (h) =>
      (view.fleet.wants.get(h.id)?.length ?? 0) > 0 ? 0 : 1,
    );
    this.seedRanks = [...sendOrderPos.keys()].filter((r) => this.wantsNothing[sendOrderPos[r]!] === 1);
    this.maxSends = Int32Array.from(hosts, (h) => view.host(h.id).maxSends);
    this.recvLeft = new Int32Array(n);
    this.canSend = new Uint8Array(n);
    this.sending = new Int32Array(n);
    this.holdsAny = new Uint8Array(n);
    this.pending = new Uint8Array(n);
    this.missing = new Array<ReadonlySet<PathId>>(n);
    this.incoming = new Array<ReadonlySet<PathId>>(n);
    this.left = new Float64Array(n);
    this.#counted = new Array<readonly PathId[]>(n).fill(NONE);
    this.#recs = new Array<Receiver | undefined>(n).fill(undefined);
    this.#inOpen = new Uint8Array(n);
    this.#open = new OpenList(this.#recs);
    this.#dirtyMark = new Uint8Array(n);
  }

  /** Brings every figure up to date with the view: only the changed hosts when the view can say which. */
  refresh(): void {
    const view = this.view;
    const changed = this.#stamp < 0 ? undefined : view.changedSince(this.#stamp);
    this.#stamp = view.changeStamp();
    if (changed === undefined) {
      for (let i = 0; i < this.ids.length; i++) this.pending[i] = 0;
      for (const t of view.pending()) this.pending[this.#index.get(t)!] = 1;
      this.#pendingPos = [];
      for (let i = 0; i < this.ids.length; i++) {
        if (this.pending[i]) this.#pendingPos.push(i);
        this.#read(i);
      }
      this.#rebuild = true;
      this.ranking.touchAll();
      return;
    }
    for (const id of changed) {
      const i = this.#index.get(id)!;
      this.#read(i);
      if (this.#dirtyMark[i] === 0) {
        this.#dirtyMark[i] = 1;
        this.#dirty.push(i);
      }
    }
    if (this.#dropped) {
      this.#pendingPos = this.#pendingPos.filter((i) => this.pending[i] === 1);
      this.#dropped = false;
    }
  }

  /** Bit of shared path `p` in the bit sets; undefined for others. */
  bitOf(p: PathId): number | undefined {
    return this.bits.bitOf(p);
  }

  /** Whether host `i` holds the shared path of bit `b` (`PlanView.has`). */
  holds(i: number, b: number): boolean {
    return this.bits.holds(i, b);
  }

  /** Whether host `i` misses the shared path of bit `b` and nothing brings it yet. */
  takes(i: number, b: number): boolean {
    return this.bits.takes(i, b);
  }

  /** Pending targets' positions, fleet order (as `PlanView.pending`). */
  pendingPositions(): readonly number[] {
    return this.#pendingPos;
  }

  /**
   * The pending targets with a receive slot, fastest uplink first (`rank`: the uplink, or 0 below `tier`),
   * then the most receive time left, then fleet order: the same list a sort of them at every call gives,
   * but kept across calls, so a call re-places only the hosts re-read since the last one. The caller owns
   * the records' per-call fields (`slots`, `planned`, `pace`) and must not reorder the list.
   */
  openReceivers(tier: number): OpenReceivers {
    for (const rec of this.#touched) this.#resetCallFields(rec);
    this.#touched.length = 0;
    if (this.#rebuild || this.#unordered || tier !== this.#tier) this.#rebuildOpen(tier);
    else if (this.#dirty.length > 0) this.#updateOpen();
    for (const i of this.#dirty) this.#dirtyMark[i] = 0;
    this.#dirty.length = 0;
    if (this.#extremes.stale) this.#extremes.fold(this.#open, this.downlink);
    return this.#open;
  }

  /** Most receive time left among {@link SwarmHosts.openReceivers}' list (0 when none). */
  get openMaxLeft(): number {
    return this.#extremes.maxLeft;
  }

  /** Slowest downlink among {@link SwarmHosts.openReceivers}' list (Infinity when none). */
  get openMinDown(): number {
    return this.#extremes.minDown;
  }

  /** `rec`'s per-call fields were changed in this call: the next call resets them. */
  touch(rec: OpenReceiver): void {
    this.#touched.push(this.#recs[rec.pos]!);
  }

  /** The record of `i` when it is in {@link SwarmHosts.openReceivers}' list. */
  openAt(i: number): OpenReceiver | undefined {
    return this.#inOpen[i] === 1 ? this.#recs[i] : undefined;
  }

  /** A stamp for one plan call's {@link SkipRuns} entries, different from every earlier one. */
  newCall(): number {
    return ++this.#call;
  }

  /**
   * `SwarmTakers`' receiver skips of path `p` (indices up to the fleet size): one per path, kept across
   * calls, its entries valid only under the stamp they were written with, instead of a new array per path
   * per call (most of the run's garbage in eager mode) or one cleared per path per call (6 % of a 500-path
   * eager run).
   */
  skipRuns(p: PathId): SkipRuns {
    let a = this.#skipPool.get(p);
    if (!a) this.#skipPool.set(p, (a = new SkipRuns(this.ids.length + 1)));
    return a;
  }

  /** Position of `host` in the fleet. */
  pos(host: HostId): number {
    return this.#index.get(host)!;
  }

  #isOpen(i: number): boolean {
    return this.pending[i] === 1 && this.recvLeft[i]! > 0;
  }

  /** The record of `i` with its figures as last read, ranked under `tier`. */
  #record(i: number, tier: number): Receiver {
    let rec = this.#recs[i];
    if (!rec) this.#recs[i] = rec = new Receiver(this.ids[i]!, i, this.missing[i]!, this.incoming[i]!);
    rec.missing = this.missing[i]!;
    rec.incoming = this.incoming[i]!;
    rec.left = this.left[i]!;
    const up = this.uplink[i]!;
    rec.rank = up >= tier ? up : 0;
    this.#resetCallFields(rec);
    return rec;
  }

  /** A call's starting values of `rec`'s per-call fields: its receive slots as last read, nothing planned. */
  #resetCallFields(rec: Receiver): void {
    rec.slots = this.recvLeft[rec.pos]!;
    rec.planned = undefined;
    rec.pace = undefined;
  }

  #rebuildOpen(tier: number): void {
    this.#tier = tier;
    this.#rebuild = false;
    this.#inOpen.fill(0);
    const open: Receiver[] = [];
    for (const i of this.#pendingPos) {
      if (!this.#isOpen(i)) continue;
      open.push(this.#record(i, tier));
      this.#inOpen[i] = 1;
    }
    open.sort(before);
    this.#open.assign(open);
    this.#unordered = open.some((r) => Number.isNaN(r.left));
    this.#extremes.stale = true;
  }

  /**
   * Re-places the hosts re-read since the last call: out of the list, then back in by binary search when
   * still open. The order is total (fleet position breaks ties), so this gives the sort's list, unless a
   * key is NaN (0 bytes left over a 0 downlink), which no total order places: then the list is rebuilt and
   * sorted as before.
   */
  #updateOpen(): void {
    const tier = this.#tier;
    const inOpen = this.#inOpen;
    const open = this.#open;
    let gone = 0;
    for (const i of this.#dirty) if (inOpen[i] === 1) gone++;
    // A few leave per call: each is found by binary search on its key (unchanged since it was placed),
    // instead of a pass over every position (10,000 hosts: ~4,500 open receivers a call).
    const fewLeave = gone <= 8;
    for (const i of this.#dirty) {
      if (inOpen[i] === 1) {
        inOpen[i] = 0;
        const rec = this.#recs[i]!;
        this.#extremes.drop(rec.left, this.downlink[i]!);
        if (fewLeave) open.remove(rec);
      }
    }
    if (gone > 0 && !fewLeave) open.retain((pos) => inOpen[pos] === 1);
    for (const i of this.#dirty) {
      if (!this.#isOpen(i)) continue;
      const rec = this.#record(i, tier);
      if (Number.isNaN(rec.left)) {
        this.#rebuildOpen(tier);
        return;
      }
      open.insert(rec);
      inOpen[i] = 1;
      if (!this.#extremes.stale) this.#extremes.add(rec.left, this.downlink[i]!);
    }
  }

  /** One copy of `p` more (`by` 1) or less (-1) in flight to pending hosts; a shared path is re-ranked. */
  #countFlying(p: PathId, by: number): void {
    const b = this.bits.bitOf(p);
    if (b !== undefined) {
      this.flyingShared[b]! += by;
      this.ranking.touch(b);
      return;
    }
    const c = (this.flying.get(p) ?? 0) + by;
    if (c === 0) this.flying.delete(p);
    else this.flying.set(p, c);
  }

  /** Copies of `p` in flight to pending hosts (`b`: its bit when shared). */
  flyingOf(p: PathId, b = this.bits.bitOf(p)): number {
    return b === undefined ? (this.flying.get(p) ?? 0) : this.flyingShared[b]!;
  }

  #read(i: number): void {
    const view = this.view;
    const id = this.ids[i]!;
    const host = view.host(id);
    if (this.pending[i] && (view.isDone(id) || view.isFailed(id))) {
      this.pending[i] = 0;
      this.#dropped = true;
    }
    this.recvLeft[i] = view.canReceive(id) ? host.maxReceives - view.receiving(id) : 0;
    this.canSend[i] = view.canSend(id) ? 1 : 0;
    this.sending[i] = view.sending(id);
    this.holdsAny[i] = view.have(id).size > 0 ? 1 : 0;
    const incoming = view.incoming(id);
    this.incoming[i] = incoming;
    const missing = view.missing(id);
    this.missing[i] = missing;
    // What may have come since the last read: what was then in flight to it (counted while pending), and
    // what the last call proposed to it (its record's `planned`, reset only after this refresh).
    this.bits.read(i, view.have(id), missing, incoming, this.#counted[i], this.#recs[i]?.planned);
    for (const p of this.#counted[i]!) this.#countFlying(p, -1);
    const counted = this.pending[i] && incoming.size > 0 ? [...incoming] : NONE;
    for (const p of counted) this.#countFlying(p, 1);
    const ranking = this.ranking;
    // A failed host stops counting as a holder (`PlanView.holders`) while its store stays as it was.
    if (this.#failed[i] === 0 && view.isFailed(id)) {
      this.#failed[i] = 1;
      this.bits.forEachHold(i, (b) => ranking.touch(b));
    }
    this.#counted[i] = counted;
    this.left[i] = this.pending[i]
      ? this.#missingBytes.of(i, id, this.missing[i].size, this.bits) / host.downlink
      : 0;
    this.free.update(i, this.holdsAny[i] === 1 && this.canSend[i] === 1, this.sending[i]);
    this.bits.settle(i, this.#isOpen(i), this.free.isIdle(i));
  }
}
