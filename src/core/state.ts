// Long file: RunState is one class, the live view and the mutations that keep its per-host records consistent.
import type { ClosureGraph } from './closure.js';
import { ConfigError } from './errors.js';
import { firstDuplicate, hostIndex } from './hostIndex.js';
import type { Rng } from './random.js';
import type { PlanView, RunMode } from './strategy.js';
import type { Route, Topology } from './topology.js';
import type { Fleet, Host, HostId, PathId, Transfer } from './types.js';

const EMPTY: ReadonlySet<never> = new Set<never>();

/** Hosts that were given the same want array share one want set and one list of whole-set holders. */
interface WantClass {
  readonly paths: ReadonlySet<PathId>;
  /** Hosts that received this whole set in one delivery (their have set *is* `paths`), in order. */
  readonly completed: HostId[];
}

/** Per-host failure counters of {@link RunState}, by fleet position. */
interface FailureCounts {
  /** Failed transfers into the host. */
  readonly attempts: Int32Array;
  /** Failed transfers since the last one that delivered anything: what the retry bound counts. */
  readonly withoutProgress: Int32Array;
  /** Transient failures blamed on the host as a sender since it last delivered anything. */
  readonly sendWithoutProgress: Int32Array;
}

/** Per-host flag bits in {@link RunState}'s `#flags`. */
const HAVE_SHARED = 1;
const MISSING_SHARED = 2;
const RETIRED = 4;
const DONE = 8;
const FAILED = 16;

/**
 * The coordinator's live state of a run, exposed read-only to strategies as a {@link PlanView}.
 * Only the coordinator calls the mutating methods (`startTransfer`, `deliverAll`, `endTransfer`,
 * `markFailed`, `recordFailedAttempt`, `recordSendFailure`, `retireSource`).
 *
 * Built for 1,000,000-host fleets: per-host state is a struct of arrays indexed by the host's fleet
 * position (counters and flags in typed arrays, sets in plain arrays), so a question about a host is one
 * id → position look-up and no per-host record is allocated. Want sets are shared between hosts given the
 * same array; a host that receives its whole want set in one transfer shares that set as its have set;
 * and the per-path holder index takes such hosts in lazily, only when a strategy asks `holders(path)`.
 */
export class RunState implements PlanView {
  now = 0;
  round = 0;
  readonly hosts: readonly Host[];
  /** Hosts that want something, fleet order. */
  readonly targets: readonly HostId[];
  /**
   * Host id → fleet position: the one map look-up a question about a host costs (shared with the other
   * users of this fleet's hosts array: see {@link hostIndex}).
   */
  readonly #index: ReadonlyMap<HostId, number>;
  // ---- per host, by fleet position ----
  readonly #want: (WantClass | undefined)[];
  /**
   * What the host holds. Shares `want.paths` (read-only, flag HAVE_SHARED) while the host holds exactly
   * its want set and got it in one delivery; copied on the next addition.
   */
  readonly #have: (Set<PathId> | ReadonlySet<PathId>)[];
  /** want − have; `want.paths` itself (MISSING_SHARED) while the host holds nothing of it, EMPTY when done. */
  readonly #missing: (Set<PathId> | ReadonlySet<PathId>)[];
  /**
   * Running transfers into the host: undefined (none), the one transfer itself, or an array of two or more.
   * A receiver of one transfer at a time (every whole-closure round) gets no array: a 1,000,000-host run
   * made 1,000,000 one-element arrays that lived a round each.
   */
  readonly #into: (Transfer | Transfer[] | undefined)[];
  /**
   * The union of the paths running into a host, by position: built when asked, dropped when the host's
   * transfers change. A map: few hosts have one at a time (none in a round-mode run, whose plan calls see
   * no transfer running), where an array by position was 8 MB at 1,000,000 hosts.
   */
  readonly #incoming = new Map<number, Set<PathId>>();
  readonly #sending: Int32Array;
  readonly #receiving: Int32Array;
  /**
   * Failure counters, allocated at the first failure (a run without failures, the usual 1,000,000-host
   * bench, keeps three 4 MB arrays of zeros otherwise).
   */
  #failureCounts: FailureCounts | undefined;
  /** HAVE_SHARED | MISSING_SHARED | RETIRED | DONE | FAILED. */
  readonly #flags: Uint8Array;
  // ---- the rest ----
  readonly #holders = new Map<PathId, Set<HostId>>();
  /** Per path and want class: how many of the class's `completed` hosts were folded into `#holders`. */
  readonly #folded = new Map<PathId, Map<WantClass, number>>();
  readonly #classesOfPath = new Map<PathId, WantClass[]>();
  readonly #attempts = new Map<string, number>();
  #doneCount = 0;
  /** Pending targets as fleet positions and as ids, fleet order; done or failed ones dropped lazily. */
  /** `#pendingCount` positions (a typed array: 4 MB at 1,000,000 targets where a number array took 8). */
  readonly #pendingIdx: Int32Array;
  #pendingCount: number;
  #pending: HostId[];
  #pendingDirty = false;
  /**
   * The last three hosts looked up, most recent first: strategies ask several questions about one host in
   * a row, or about a receiver and each candidate source in turn (log2-fanout: the receiver, the source
   * that just became busy, the next one, then the receiver again).
   */
  #lastId: HostId | undefined;
  #lastIdx = -1;
  #prevId: HostId | undefined;
  #prevIdx = -1;
  #oldId: HostId | undefined;
  #oldIdx = -1;
  /** Running transfers by id (ids are small non-negative integers in a run), with their hosts' positions. */
  readonly #running: (Transfer | undefined)[] = [];
  #runningFrom: Int32Array = new Int32Array(1024);
  #runningTo: Int32Array = new Int32Array(1024);
  #retiredCount = 0;
  #anyFailedAttempt = false;
  /** A frozen path list last found equal to a want set (deliveries of one whole closure repeat it). */
  #wholeList: readonly PathId[] | undefined;
  #wholeWant: WantClass | undefined;
  /** Positions of the hosts changed since stamp `#logBase` (see `changedSince`); undefined until asked. */
  #log: number[] | undefined;
  #logBase = 0;

  constructor(
    readonly fleet: Fleet,
    readonly closure: ClosureGraph,
    readonly topology: Topology,
    readonly mode: RunMode,
    readonly rng: Rng,
  ) {
    const hosts = fleet.hosts;
    const n = hosts.length;
    this.hosts = hosts;
    this.#index = hostIndex(hosts);
    const duplicate = firstDuplicate(hosts, this.#index);
    this.#want = new Array<WantClass | undefined>(n).fill(undefined);
    this.#have = new Array<ReadonlySet<PathId>>(n).fill(EMPTY);
    this.#missing = new Array<ReadonlySet<PathId>>(n).fill(EMPTY);
    this.#into = new Array<Transfer | Transfer[] | undefined>(n).fill(undefined);
    this.#sending = new Int32Array(n);
    this.#receiving = new Int32Array(n);
    this.#flags = new Uint8Array(n);
    const classes = new Map<readonly PathId[], WantClass>();
    // Target positions in a typed array, the id lists sized once they are counted: pushing 1,000,000
    // entries into growing arrays left twice their size behind as old-generation garbage, per list.
    const targetIdx = new Int32Array(n);
    let targetCount = 0;
    let wantsSeen = 0;
    // The wants map is read in its own order alongside the fleet: built in fleet order (as scenarios
    // build it), its next entry is the host's, and 1,000,000 map probes become one walk.
    const entries = fleet.wants.entries();
    let entry = entries.next();
    for (let i = 0; i < n; i++) {
      const id = hosts[i]!.id;
      if (i === duplicate) throw new ConfigError(`duplicate host "${id}"`, 'fleet.hosts');
      let list: readonly PathId[] | undefined;
      if (!entry.done && entry.value[0] === id) {
        list = entry.value[1];
        entry = entries.next();
      } else list = fleet.wants.get(id);
      if (list !== undefined) wantsSeen++;
      if (list === undefined || list.length === 0) continue;
      let want = classes.get(list);
      if (want === undefined) {
        for (const p of list) closure.get(p);
        const paths = new Set(list);
        if (!closure.isClosed(paths)) {
          throw new ConfigError(`want set of "${id}" is not closed under references`, 'fleet.wants');
        }
        want = { paths, completed: [] };
        classes.set(list, want);
        for (const p of paths) {
          let cs = this.#classesOfPath.get(p);
          if (!cs) this.#classesOfPath.set(p, (cs = []));
          cs.push(want);
        }
      }
      this.#want[i] = want;
      this.#missing[i] = want.paths;
      this.#flags[i] = MISSING_SHARED;
      targetIdx[targetCount++] = i;
    }
    // Every host's want list was found (ids are unique): no key of `wants` can be unknown then.
    const unknownIn = wantsSeen === fleet.wants.size ? [] : fleet.wants.keys();
    for (const id of [...unknownIn, ...fleet.initialHave.keys()]) {
      if (!this.#index.has(id)) throw new ConfigError(`unknown host "${id}"`, 'fleet');
    }
    const targets = new Array<HostId>(targetCount);
    for (let k = 0; k < targetCount; k++) targets[k] = hosts[targetIdx[k]!]!.id;
    this.targets = targets;
    for (const [host, paths] of fleet.initialHave) {
      if (!closure.isClosed(new Set(paths))) {
        throw new ConfigError(
          `initial store of "${host}" is not closed under references`,
          'fleet.initialHave',
        );
      }
      for (const p of closure.sortTopologically(paths)) this.deliver(host, p);
    }
    this.#pendingIdx = targetIdx;
    let pending = 0;
    for (let k = 0; k < targetCount; k++) {
      const i = targetIdx[k]!;
      this.#checkDone(i);
      if ((this.#flags[i]! & DONE) === 0) targetIdx[pending++] = i;
    }
    this.#pendingCount = pending;
    // Its own array, not `targets` (pending() compacts a copy; a strategy may hold either).
    if (pending === targetCount) this.#pending = targets.slice();
    else {
      this.#pending = new Array<HostId>(pending);
      for (let k = 0; k < pending; k++) this.#pending[k] = hosts[targetIdx[k]!]!.id;
    }
    this.#pendingDirty = false;
  }

  /** The fleet position of `id` (three-entry cache, the neighbours of its entries, then the map). */
  #get(id: HostId): number {
    const i = this.#find(id);
    if (i < 0) throw new ConfigError(`unknown host "${id}"`);
    return i;
  }

  /** The fleet position of `id`, or -1 for a host outside the fleet (same cache as `#get`). */
  #find(id: HostId): number {
    if (id === this.#lastId) return this.#lastIdx;
    let i: number | undefined;
    if (id === this.#prevId) {
      i = this.#prevIdx;
    } else {
      if (id === this.#oldId) i = this.#oldIdx;
      else {
        i = this.#next(id) ?? this.#index.get(id);
        if (i === undefined) return -1;
      }
      this.#oldId = this.#prevId;
      this.#oldIdx = this.#prevIdx;
    }
    this.#prevId = this.#lastId;
    this.#prevIdx = this.#lastIdx;
    this.#lastId = id;
    this.#lastIdx = i;
    return i;
  }

  /**
   * The position after one of the last two looked up, when `id` is the host there. Strategies walk
   * receivers and sources in fleet order (pending hosts, the pool of full holders), so the next host asked
   * about is usually the neighbour of one just asked about: an id comparison (the fleet's own string, or
   * one whose cached hash differs) instead of a probe into a 1,000,000-entry map that misses the CPU cache.
   */
  #next(id: HostId): number | undefined {
    const hosts = this.hosts;
    const a = this.#lastIdx + 1;
    if (a > 0 && a < hosts.length && hosts[a]!.id === id) return a;
    const b = this.#prevIdx + 1;
    if (b > 0 && b < hosts.length && hosts[b]!.id === id) return b;
    return undefined;
  }

  // ---- PlanView ------------------------------------------------------------------------------------

  /**
   * The host's fleet position (index into `fleet.hosts`), or -1 for a host outside the fleet: strategies
   * that keep per-host scratch in arrays by position use it (it shares the view's look-up cache).
   */
  positionOf(id: HostId): number {
    return this.#find(id);
  }

  host(id: HostId): Host {
    return this.hosts[this.#get(id)]!;
  }

  hasHost(id: HostId): boolean {
    return this.#find(id) >= 0;
  }

  // ---- by fleet position (PlanView's optional fast paths, and callers in core: the proposal validator) --

  hostAt(i: number): Host {
    return this.hosts[i]!;
  }

  isFailedAt(i: number): boolean {
    return (this.#flags[i]! & FAILED) !== 0;
  }

  isRetiredAt(i: number): boolean {
    return (this.#flags[i]! & RETIRED) !== 0;
  }

  canSendAt(i: number): boolean {
    return (this.#flags[i]! & (FAILED | RETIRED)) === 0 && this.#sending[i]! < this.hosts[i]!.maxSends;
  }

  sendingAt(i: number): number {
    return this.#sending[i]!;
  }

  receivingAt(i: number): number {
    return this.#receiving[i]!;
  }

  haveAt(i: number): ReadonlySet<PathId> {
    return this.#have[i]!;
  }

  wantAt(i: number): ReadonlySet<PathId> {
    return this.#want[i]?.paths ?? EMPTY;
  }

  /**
   * The host's fleet position (index into `hosts`), for callers in core that keep per-host scratch in
   * arrays (the proposal validator).
   * @throws ConfigError for an unknown host.
   */
  position(id: HostId): number {
    return this.#get(id);
  }

  pending(): readonly HostId[] {
    if (this.#pendingDirty) {
      // Positions compacted in place; the ids in a new array (a strategy may keep the one it was given),
      // sized first: pushing 1,000,000 ids into a growing array cost more than the walk.
      const flags = this.#flags;
      const idx = this.#pendingIdx;
      const before = this.#pending;
      let count = 0;
      const n = this.#pendingCount;
      for (let k = 0; k < n; k++) if ((flags[idx[k]!]! & (DONE | FAILED)) === 0) count++;
      const ids = new Array<HostId>(count);
      let j = 0;
      for (let k = 0; k < n; k++) {
        const i = idx[k]!;
        if ((flags[i]! & (DONE | FAILED)) === 0) {
          idx[j] = i;
          ids[j++] = before[k]!;
        }
      }
      this.#pendingCount = j;
      this.#pending = ids;
      this.#pendingDirty = false;
    }
    return this.#pending;
  }

  isDone(host: HostId): boolean {
    return this.isDoneAt(this.#get(host));
  }

  isDoneAt(i: number): boolean {
    return (this.#flags[i]! & DONE) !== 0 || this.#want[i] === undefined;
  }

  isFailed(host: HostId): boolean {
    return (this.#flags[this.#get(host)]! & FAILED) !== 0;
  }

  holders(path: PathId): ReadonlySet<HostId> {
    const classes = this.#classesOfPath.get(path);
    let set = this.#holders.get(path);
    if (classes) {
      let cursors = this.#folded.get(path);
      for (const c of classes) {
        const from = cursors?.get(c) ?? 0;
        if (from === c.completed.length) continue;
        if (!set) this.#holders.set(path, (set = new Set()));
        for (let k = from; k < c.completed.length; k++) {
          const h = c.completed[k]!;
          if ((this.#flags[this.#index.get(h)!]! & FAILED) === 0) set.add(h);
        }
        if (!cursors) this.#folded.set(path, (cursors = new Map<WantClass, number>()));
        cursors.set(c, c.completed.length);
      }
    }
    return set ?? EMPTY;
  }

  has(host: HostId, path: PathId): boolean {
    return this.#have[this.#get(host)]!.has(path);
  }

  holdsAll(host: HostId, paths: Iterable<PathId>): boolean {
    const have = this.#have[this.#get(host)]!;
    if (have === paths) return true;
    for (const p of paths) if (!have.has(p)) return false;
    return true;
  }

  have(host: HostId): ReadonlySet<PathId> {
    return this.#have[this.#get(host)]!;
  }

  want(host: HostId): ReadonlySet<PathId> {
    return this.#want[this.#get(host)]?.paths ?? EMPTY;
  }

  missing(host: HostId): ReadonlySet<PathId> {
    return this.#missing[this.#get(host)]!;
  }

  incoming(host: HostId): ReadonlySet<PathId> {
    return this.incomingAt(this.#get(host));
  }

  incomingAt(i: number): ReadonlySet<PathId> {
    const into = this.#into[i];
    if (into === undefined) return EMPTY;
    let set = this.#incoming.get(i);
    if (!set) {
      this.#incoming.set(i, (set = new Set()));
      if (Array.isArray(into)) for (const t of into) for (const p of t.paths) set.add(p);
      else for (const p of into.paths) set.add(p);
    }
    return set;
  }

  sending(host: HostId): number {
    return this.#sending[this.#get(host)]!;
  }

  receiving(host: HostId): number {
    return this.#receiving[this.#get(host)]!;
  }

  canSend(host: HostId): boolean {
    const i = this.#get(host);
    return (this.#flags[i]! & (FAILED | RETIRED)) === 0 && this.#sending[i]! < this.hosts[i]!.maxSends;
  }

  /** Whether the host was retired as a source (see {@link RunState.recordSendFailure}). */
  isRetired(host: HostId): boolean {
    return (this.#flags[this.#get(host)]! & RETIRED) !== 0;
  }

  /** Hosts retired as sources, fleet order. */
  retiredSources(): HostId[] {
    return this.#idsWhere((i) => (this.#flags[i]! & RETIRED) !== 0, this.#retiredCount > 0);
  }

  /**
   * Targets that are done and, with `live`, not failed, fleet order (a walk over the flags, no look-ups:
   * the coordinator asks at the start and the end of a run).
   */
  doneTargets(live: boolean): HostId[] {
    const skip = live ? FAILED : 0;
    return this.#idsWhere(
      (i) => this.#want[i] !== undefined && (this.#flags[i]! & (DONE | skip)) === DONE,
      this.#doneCount > 0,
    );
  }

  #idsWhere(keep: (i: number) => boolean, any: boolean): HostId[] {
    const out: HostId[] = [];
    if (!any) return out;
    for (let i = 0; i < this.hosts.length; i++) if (keep(i)) out.push(this.hosts[i]!.id);
    return out;
  }

  canReceive(host: HostId): boolean {
    const i = this.#get(host);
    return (this.#flags[i]! & FAILED) === 0 && this.#receiving[i]! < this.hosts[i]!.maxReceives;
  }

  attempts(from: HostId, to: HostId): number {
    if (this.#attempts.size === 0) return 0;
    return this.#attempts.get(edgeKey(from, to)) ?? 0;
  }

  anyFailedAttempts(): boolean {
    return this.#anyFailedAttempt;
  }

  failedAttempts(host: HostId): number {
    const i = this.#get(host);
    return this.#failureCounts?.attempts[i] ?? 0;
  }

  route(from: HostId, to: HostId): Route | null {
    // A topology indexing its hosts with the fleet's own map answers by position (no look-ups of its own).
    const topology = this.topology;
    if (topology.routeAt !== undefined && topology.hostIndex === this.#index && from !== to) {
      const a = this.#find(from);
      const b = this.#find(to);
      if (a >= 0 && b >= 0) return topology.routeAt(a, b);
    }
    return topology.route(from, to);
  }

  linkRate(from: HostId, to: HostId): number {
    const r = this.route(from, to);
    if (r === null) return 0;
    return Math.min(this.host(from).uplink, this.host(to).downlink, r.bottleneck);
  }

  changeStamp(): number {
    this.#log ??= [];
    return this.#logBase + this.#log.length;
  }

  changedSince(stamp: number): readonly HostId[] | undefined {
    const log = this.#log;
    if (log === undefined || stamp < this.#logBase || stamp > this.#logBase + log.length) return undefined;
    // Nobody asks for older stamps than this one any more: forget what came before it.
    log.splice(0, stamp - this.#logBase);
    this.#logBase = stamp;
    const ids = new Array<HostId>(log.length);
    for (let k = 0; k < log.length; k++) ids[k] = this.hosts[log[k]!]!.id;
    return ids;
  }

  /** Notes a change of the host at position `i` in the change log (when a strategy turned it on). */
  #changed(i: number): void {
    this.#log?.push(i);
  }

  // ---- mutations (coordinator only) ----------------------------------------------------------------

  /**
   * Remembers the fleet positions of a transfer about to start (the validator has just looked them up), so
   * `startTransfer` does not look them up again. Checked against the transfer's hosts when it starts.
   */
  notePositions(id: number, from: number, to: number): void {
    if (!denseId(id) || this.#running[id] !== undefined) return;
    this.#holdPositions(id);
    this.#runningFrom[id] = from;
    this.#runningTo[id] = to;
  }

  /** Records a transfer as running: counts it against both hosts' limits and marks its paths incoming. */
  startTransfer(t: Transfer): void {
    const dense = denseId(t.id);
    const noted = dense && this.#running[t.id] === undefined;
    // Typed arrays read 0 where nothing was noted: every noted position is checked against the id anyway.
    const nf = noted ? this.#runningFrom[t.id] : undefined;
    const nt = noted ? this.#runningTo[t.id] : undefined;
    const from = nf !== undefined && this.hosts[nf]?.id === t.from ? nf : this.#get(t.from);
    this.#sending[from]!++;
    const to = nt !== undefined && this.hosts[nt]?.id === t.to ? nt : this.#get(t.to);
    this.#receiving[to]!++;
    const into = this.#into[to];
    if (into === undefined) this.#into[to] = t;
    else if (Array.isArray(into)) into.push(t);
    else this.#into[to] = [into, t];
    if (this.#incoming.size > 0) this.#incoming.delete(to);
    this.#changed(from);
    this.#changed(to);
    if (dense) {
      this.#holdPositions(t.id);
      this.#running[t.id] = t;
      this.#runningFrom[t.id] = from;
      this.#runningTo[t.id] = to;
    }
  }

  /**
   * Grows the position arrays to hold transfer `id` (by doubling: a 1,000,000-host run's ids reach
   * 1,000,000, 4 MB per array, where plain arrays of numbers took twice that and garbage as they grew).
   */
  #holdPositions(id: number): void {
    const n = this.#runningFrom.length;
    if (id < n) return;
    const size = Math.max(id + 1, 2 * n);
    const from = new Int32Array(size);
    from.set(this.#runningFrom);
    this.#runningFrom = from;
    const to = new Int32Array(size);
    to.set(this.#runningTo);
    this.#runningTo = to;
  }

  /**
   * The fleet positions of a running transfer's sender and receiver into `out[2k]`, `out[2k + 1]`
   * (-1 when unknown: a transfer not started through {@link RunState.startTransfer}).
   */
  runningPositions(t: Transfer, out: Int32Array, k: number): void {
    const known = denseId(t.id) && this.#running[t.id] === t;
    out[2 * k] = known ? this.#runningFrom[t.id]! : -1;
    out[2 * k + 1] = known ? this.#runningTo[t.id]! : -1;
  }

  /** Releases a transfer's slots and incoming marks (whether it finished or failed). */
  endTransfer(t: Transfer): void {
    // The hosts of a running transfer were kept by its id: outcomes arrive in no host order, and two
    // look-ups in a 1,000,000-entry map per outcome cost more than the rest of the bookkeeping.
    const known = denseId(t.id) && this.#running[t.id] === t;
    const from = known ? this.#runningFrom[t.id]! : this.#get(t.from);
    const to = known ? this.#runningTo[t.id]! : this.#get(t.to);
    if (known) {
      this.#running[t.id] = undefined;
      // What the coordinator does next is about these two hosts (delivery, tallies): start the look-up
      // cache with them.
      this.#prevId = t.from;
      this.#prevIdx = from;
      this.#lastId = t.to;
      this.#lastIdx = to;
    }
    this.#sending[from]!--;
    this.#receiving[to]!--;
    this.#changed(from);
    this.#changed(to);
    const into = this.#into[to];
    if (into === t) this.#into[to] = undefined;
    else if (Array.isArray(into)) {
      const k = into.indexOf(t);
      if (k >= 0) into.splice(k, 1);
      // Back to no array once one transfer or none is left.
      if (into.length <= 1) this.#into[to] = into[0];
    }
    if (this.#incoming.size > 0) this.#incoming.delete(to);
  }

  /**
   * Adds `paths` (topologically ordered, closed together with what `host` holds) to `host`'s store.
   * @returns true when this made a target done.
   */
  deliverAll(host: HostId, paths: readonly PathId[]): boolean {
    const i = this.#get(host);
    if (paths.length > 0 && this.#failureCounts !== undefined) this.#failureCounts.withoutProgress[i] = 0;
    const want = this.#want[i];
    // Whole-closure fast path: a host holding nothing receives exactly its want set; share the set.
    if (paths.length > 0) this.#changed(i);
    if (want && this.#have[i]!.size === 0 && this.#isWholeWant(paths, want)) {
      this.#have[i] = want.paths;
      this.#missing[i] = EMPTY;
      const f = (this.#flags[i]! | HAVE_SHARED) & ~MISSING_SHARED;
      this.#flags[i] = f;
      if ((f & FAILED) === 0) want.completed.push(host);
      return this.#checkDone(i);
    }
    for (const p of paths) this.#deliver(i, p);
    return this.#checkDone(i);
  }

  /** Whether `paths` (no duplicates) is exactly the class's want set; remembered for a frozen list. */
  #isWholeWant(paths: readonly PathId[], want: WantClass): boolean {
    if (paths === this.#wholeList && want === this.#wholeWant) return true;
    if (paths.length !== want.paths.size || !paths.every((p) => want.paths.has(p))) return false;
    if (Object.isFrozen(paths)) {
      this.#wholeList = paths;
      this.#wholeWant = want;
    }
    return true;
  }

  /** Adds one path to `host`'s store (no-op when already held). Does not mark the host done. */
  deliver(host: HostId, path: PathId): void {
    const i = this.#get(host);
    this.#changed(i);
    this.#deliver(i, path);
  }

  #deliver(i: number, path: PathId): void {
    const before = this.#have[i]!;
    if (before.has(path)) return;
    const id = this.hosts[i]!.id;
    const flags = this.#flags[i]!;
    let have: Set<PathId>;
    if (before === EMPTY || (flags & HAVE_SHARED) !== 0) {
      this.#have[i] = have = new Set(before);
      this.#flags[i] = flags & ~HAVE_SHARED;
      // It left its class's whole-set holder list; index its paths explicitly from now on.
      if ((flags & (HAVE_SHARED | FAILED)) === HAVE_SHARED) for (const p of have) this.#addHolder(p, id);
    } else have = before as Set<PathId>;
    have.add(path);
    if ((flags & FAILED) === 0) this.#addHolder(path, id);
    const want = this.#want[i];
    if (want?.paths.has(path)) {
      let missing = this.#missing[i] as Set<PathId>;
      if ((this.#flags[i]! & MISSING_SHARED) !== 0) {
        missing = new Set(want.paths);
        this.#flags[i]! &= ~MISSING_SHARED;
      }
      missing.delete(path);
      this.#missing[i] = missing.size === 0 ? EMPTY : missing;
    }
  }

  #addHolder(path: PathId, id: HostId): void {
    let holders = this.#holders.get(path);
    if (!holders) this.#holders.set(path, (holders = new Set()));
    holders.add(id);
  }

  /**
   * Records a failed attempt on the edge. Returns how many transfers to the receiver failed since one last
   * delivered anything, so a path-level strategy making many small transfers is not given up early while
   * it makes progress.
   */
  recordFailedAttempt(from: HostId, to: HostId): number {
    this.#countEdgeFailure(from, to);
    return ++this.#failures().withoutProgress[this.#get(to)]!;
  }

  /**
   * Records a transient failure blamed on the sender (its own ssh or store broke, not the receiver's):
   * the edge's attempts count it, the receiver's retry bound does not. Returns the sender's failed sends
   * since one last delivered anything; the coordinator retires it as a source at its bound.
   */
  recordSendFailure(from: HostId, to: HostId): number {
    this.#countEdgeFailure(from, to);
    return ++this.#failures().sendWithoutProgress[this.#get(from)]!;
  }

  /** A send from `from` delivered something: its failures so far were not a pattern. */
  recordSendProgress(from: HostId): void {
    const i = this.#get(from);
    if (this.#failureCounts !== undefined) this.#failureCounts.sendWithoutProgress[i] = 0;
  }

  /** Stops offering the host as a source (`canSend` is false from now on); what it holds stays its own. */
  retireSource(host: HostId): void {
    const i = this.#get(host);
    if ((this.#flags[i]! & RETIRED) === 0) this.#retiredCount++;
    this.#changed(i);
    this.#flags[i]! |= RETIRED;
  }

  /** The failure counters, allocated on first use. */
  #failures(): FailureCounts {
    if (this.#failureCounts === undefined) {
      const n = this.hosts.length;
      this.#failureCounts = {
        attempts: new Int32Array(n),
        withoutProgress: new Int32Array(n),
        sendWithoutProgress: new Int32Array(n),
      };
    }
    return this.#failureCounts;
  }

  #countEdgeFailure(from: HostId, to: HostId): void {
    const key = edgeKey(from, to);
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
    const i = this.#get(to);
    this.#failures().attempts[i]!++;
    this.#anyFailedAttempt = true;
    this.#changed(i);
    this.#changed(this.#get(from));
  }

  /** Takes a host out of the run; what it holds no longer counts as a source. */
  markFailed(host: HostId): void {
    const i = this.#get(host);
    if ((this.#flags[i]! & FAILED) !== 0) return;
    this.#flags[i]! |= FAILED;
    this.#pendingDirty = true;
    this.#changed(i);
    for (const p of this.#have[i]!) this.#holders.get(p)?.delete(host);
  }

  #checkDone(i: number): boolean {
    const f = this.#flags[i]!;
    if ((f & DONE) !== 0 || this.#want[i] === undefined || this.#missing[i]!.size > 0) return false;
    this.#flags[i] = f | DONE;
    this.#doneCount++;
    this.#changed(i);
    this.#pendingDirty = true;
    return true;
  }

  /** Number of targets done. */
  get doneCount(): number {
    return this.#doneCount;
  }
}

function edgeKey(from: HostId, to: HostId): string {
  return `${from}\u0000${to}`;
}

/**
 * Transfer ids the running table is indexed by (any others take the id look-ups): below 2^26, so the
 * position arrays stay within 256 MB whatever ids a caller makes up.
 */
function denseId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < 2 ** 26;
}
