// Long file: RunState is one class, the live view and the mutations that keep its per-host records consistent.
import type { ClosureGraph } from './closure.js';
import { ConfigError } from './errors.js';
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

/** Everything the run knows about one host, in one record so a lookup is one map access. */
interface HostRecord {
  readonly host: Host;
  readonly want: WantClass | undefined;
  /**
   * What the host holds. Shares `want.paths` (read-only) while the host holds exactly its want set and got
   * it in one delivery; copied on the next addition.
   */
  have: Set<PathId> | ReadonlySet<PathId>;
  haveShared: boolean;
  /** want − have; `want.paths` itself while the host holds nothing of it (copy-on-write), EMPTY when done. */
  missing: Set<PathId> | ReadonlySet<PathId>;
  missingShared: boolean;
  sending: number;
  receiving: number;
  /** Running transfers into this host, and the lazily built union of their paths. */
  readonly into: Transfer[];
  incoming: Set<PathId> | undefined;
  failedAttempts: number;
  /** Failed transfers since the last one that delivered anything: what the retry bound counts. */
  failuresWithoutProgress: number;
  /** Transient failures blamed on this host as a sender since it last delivered anything. */
  sendFailuresWithoutProgress: number;
  /** No longer used as a source: its sends kept failing by its own fault (it may still receive). */
  retired: boolean;
  done: boolean;
  failed: boolean;
  /** Fleet position (-1 until the constructor has seen every host). */
  index: number;
}

/**
 * The coordinator's live state of a run, exposed read-only to strategies as a {@link PlanView}.
 * Only the coordinator calls the mutating methods (`startTransfer`, `deliverAll`, `endTransfer`,
 * `markFailed`, `recordFailedAttempt`, `recordSendFailure`, `retireSource`).
 *
 * Built for 100,000-host fleets: want sets are shared between hosts given the same array; a host that
 * receives its whole want set in one transfer shares that set as its have set; and the per-path holder
 * index takes such hosts in lazily, only when a strategy asks `holders(path)`.
 */
export class RunState implements PlanView {
  now = 0;
  round = 0;
  readonly hosts: readonly Host[];
  /** Hosts that want something, fleet order. */
  readonly targets: readonly HostId[];
  readonly #rec = new Map<HostId, HostRecord>();
  readonly #holders = new Map<PathId, Set<HostId>>();
  /** Per path and want class: how many of the class's `completed` hosts were folded into `#holders`. */
  readonly #folded = new Map<PathId, Map<WantClass, number>>();
  readonly #classesOfPath = new Map<PathId, WantClass[]>();
  readonly #attempts = new Map<string, number>();
  #doneCount = 0;
  /**
   * Pending targets as fleet positions and as ids, fleet order. `#gone[i]` is 1 once host i is done or
   * failed, so dropping them walks two compact arrays instead of looking every host up.
   */
  #pendingIdx: number[];
  #pending: HostId[];
  readonly #gone: Uint8Array;
  #pendingDirty = false;
  /**
   * The last two records looked up: strategies ask several questions about one host in a row, or about a
   * receiver and each candidate source in turn.
   */
  #lastId: HostId | undefined;
  #lastRec: HostRecord | undefined;
  #prevId: HostId | undefined;
  #prevRec: HostRecord | undefined;
  /** Running transfers by id (ids are small non-negative integers in a run), with their hosts' records. */
  readonly #running: (Transfer | undefined)[] = [];
  readonly #runningFrom: (HostRecord | undefined)[] = [];
  readonly #runningTo: (HostRecord | undefined)[] = [];
  /** Every record, fleet order. */
  readonly #recs: HostRecord[] = [];
  #retiredCount = 0;
  /** A frozen path list last found equal to a want set (deliveries of one whole closure repeat it). */
  #wholeList: readonly PathId[] | undefined;
  #wholeWant: WantClass | undefined;

  constructor(
    readonly fleet: Fleet,
    readonly closure: ClosureGraph,
    readonly topology: Topology,
    readonly mode: RunMode,
    readonly rng: Rng,
  ) {
    this.hosts = fleet.hosts;
    const classes = new Map<readonly PathId[], WantClass>();
    const targets: HostId[] = [];
    for (const h of fleet.hosts) {
      if (this.#rec.has(h.id)) throw new ConfigError(`duplicate host "${h.id}"`, 'fleet.hosts');
      const list = fleet.wants.get(h.id);
      let want: WantClass | undefined;
      if (list !== undefined && list.length > 0) {
        want = classes.get(list);
        if (want === undefined) {
          for (const p of list) closure.get(p);
          const paths = new Set(list);
          if (!closure.isClosed(paths)) {
            throw new ConfigError(`want set of "${h.id}" is not closed under references`, 'fleet.wants');
          }
          want = { paths, completed: [] };
          classes.set(list, want);
          for (const p of paths) {
            let cs = this.#classesOfPath.get(p);
            if (!cs) this.#classesOfPath.set(p, (cs = []));
            cs.push(want);
          }
        }
        targets.push(h.id);
      }
      this.#rec.set(h.id, {
        host: h,
        want,
        have: EMPTY,
        haveShared: false,
        missing: want ? want.paths : EMPTY,
        missingShared: want !== undefined,
        sending: 0,
        receiving: 0,
        into: [],
        incoming: undefined,
        failedAttempts: 0,
        failuresWithoutProgress: 0,
        sendFailuresWithoutProgress: 0,
        retired: false,
        done: false,
        failed: false,
        index: -1,
      });
    }
    for (const id of [...fleet.wants.keys(), ...fleet.initialHave.keys()]) {
      if (!this.#rec.has(id)) throw new ConfigError(`unknown host "${id}"`, 'fleet');
    }
    this.targets = targets;
    for (const [host, paths] of fleet.initialHave) {
      if (!closure.isClosed(new Set(paths))) {
        throw new ConfigError(`initial store of "${host}" is not closed under references`, 'fleet.initialHave');
      }
      for (const p of closure.sortTopologically(paths)) this.deliver(host, p);
    }
    for (const id of targets) this.#checkDone(this.#rec.get(id)!);
    this.#gone = new Uint8Array(fleet.hosts.length);
    this.#pendingIdx = [];
    fleet.hosts.forEach((h, i) => {
      const r = this.#rec.get(h.id)!;
      r.index = i;
      this.#recs.push(r);
      if (r.want !== undefined && !r.done) this.#pendingIdx.push(i);
    });
    this.#pending = this.#pendingIdx.map((i) => this.hosts[i]!.id);
  }

  #get(id: HostId): HostRecord {
    if (id === this.#lastId) return this.#lastRec!;
    if (id === this.#prevId) {
      const r = this.#prevRec!;
      this.#prevId = this.#lastId;
      this.#prevRec = this.#lastRec;
      this.#lastId = id;
      this.#lastRec = r;
      return r;
    }
    const r = this.#rec.get(id);
    if (!r) throw new ConfigError(`unknown host "${id}"`);
    this.#prevId = this.#lastId;
    this.#prevRec = this.#lastRec;
    this.#lastId = id;
    this.#lastRec = r;
    return r;
  }

  // ---- PlanView ------------------------------------------------------------------------------------

  host(id: HostId): Host {
    return this.#get(id).host;
  }

  hasHost(id: HostId): boolean {
    return this.#rec.has(id);
  }

  pending(): readonly HostId[] {
    if (this.#pendingDirty) {
      const gone = this.#gone;
      const idx: number[] = [];
      const ids: HostId[] = [];
      const before = this.#pending;
      this.#pendingIdx.forEach((i, k) => {
        if (gone[i] === 0) {
          idx.push(i);
          ids.push(before[k]!);
        }
      });
      this.#pendingIdx = idx;
      this.#pending = ids;
      this.#pendingDirty = false;
    }
    return this.#pending;
  }

  isDone(host: HostId): boolean {
    const r = this.#get(host);
    return r.done || r.want === undefined;
  }

  isFailed(host: HostId): boolean {
    return this.#get(host).failed;
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
        for (let i = from; i < c.completed.length; i++) {
          const h = c.completed[i]!;
          if (!this.#rec.get(h)!.failed) set.add(h);
        }
        if (!cursors) this.#folded.set(path, (cursors = new Map<WantClass, number>()));
        cursors.set(c, c.completed.length);
      }
    }
    return set ?? EMPTY;
  }

  has(host: HostId, path: PathId): boolean {
    return this.#get(host).have.has(path);
  }

  holdsAll(host: HostId, paths: Iterable<PathId>): boolean {
    const have = this.#get(host).have;
    if (have === paths) return true;
    for (const p of paths) if (!have.has(p)) return false;
    return true;
  }

  have(host: HostId): ReadonlySet<PathId> {
    return this.#get(host).have;
  }

  want(host: HostId): ReadonlySet<PathId> {
    return this.#get(host).want?.paths ?? EMPTY;
  }

  missing(host: HostId): ReadonlySet<PathId> {
    return this.#get(host).missing;
  }

  incoming(host: HostId): ReadonlySet<PathId> {
    const r = this.#get(host);
    if (r.into.length === 0) return EMPTY;
    if (!r.incoming) {
      r.incoming = new Set();
      for (const t of r.into) for (const p of t.paths) r.incoming.add(p);
    }
    return r.incoming;
  }

  sending(host: HostId): number {
    return this.#get(host).sending;
  }

  receiving(host: HostId): number {
    return this.#get(host).receiving;
  }

  canSend(host: HostId): boolean {
    const r = this.#get(host);
    return !r.failed && !r.retired && r.sending < r.host.maxSends;
  }

  /** Whether the host was retired as a source (see {@link RunState.recordSendFailure}). */
  isRetired(host: HostId): boolean {
    return this.#get(host).retired;
  }

  /** Hosts retired as sources, fleet order. */
  retiredSources(): HostId[] {
    if (this.#retiredCount === 0) return [];
    return this.#recs.filter((r) => r.retired).map((r) => r.host.id);
  }

  /**
   * Targets that are done and, with `live`, not failed, fleet order (a walk over the records, no look-ups:
   * the coordinator asks at the start and the end of a run).
   */
  doneTargets(live: boolean): HostId[] {
    const out: HostId[] = [];
    for (const r of this.#recs) if (r.want !== undefined && r.done && !(live && r.failed)) out.push(r.host.id);
    return out;
  }

  canReceive(host: HostId): boolean {
    const r = this.#get(host);
    return !r.failed && r.receiving < r.host.maxReceives;
  }

  attempts(from: HostId, to: HostId): number {
    return this.#attempts.get(edgeKey(from, to)) ?? 0;
  }

  failedAttempts(host: HostId): number {
    return this.#get(host).failedAttempts;
  }

  route(from: HostId, to: HostId): Route | null {
    return this.topology.route(from, to);
  }

  linkRate(from: HostId, to: HostId): number {
    const r = this.topology.route(from, to);
    if (r === null) return 0;
    return Math.min(this.#get(from).host.uplink, this.#get(to).host.downlink, r.bottleneck);
  }

  // ---- mutations (coordinator only) ----------------------------------------------------------------

  /** Records a transfer as running: counts it against both hosts' limits and marks its paths incoming. */
  startTransfer(t: Transfer): void {
    const from = this.#get(t.from);
    from.sending++;
    const to = this.#get(t.to);
    to.receiving++;
    to.into.push(t);
    to.incoming = undefined;
    if (denseId(t.id)) {
      this.#running[t.id] = t;
      this.#runningFrom[t.id] = from;
      this.#runningTo[t.id] = to;
    }
  }

  /** Releases a transfer's slots and incoming marks (whether it finished or failed). */
  endTransfer(t: Transfer): void {
    // The records of a running transfer were kept by its id: outcomes arrive in no host order, and two
    // look-ups in a 1,000,000-entry map per outcome cost more than the rest of the bookkeeping.
    const known = denseId(t.id) && this.#running[t.id] === t;
    const from = known ? this.#runningFrom[t.id]! : this.#get(t.from);
    const to = known ? this.#runningTo[t.id]! : this.#get(t.to);
    if (known) {
      this.#running[t.id] = undefined;
      this.#runningFrom[t.id] = undefined;
      this.#runningTo[t.id] = undefined;
    }
    from.sending--;
    to.receiving--;
    const i = to.into.indexOf(t);
    if (i >= 0) to.into.splice(i, 1);
    to.incoming = undefined;
  }

  /**
   * Adds `paths` (topologically ordered, closed together with what `host` holds) to `host`'s store.
   * @returns true when this made a target done.
   */
  deliverAll(host: HostId, paths: readonly PathId[]): boolean {
    const r = this.#get(host);
    if (paths.length > 0) r.failuresWithoutProgress = 0;
    const want = r.want;
    // Whole-closure fast path: a host holding nothing receives exactly its want set; share the set.
    if (want && r.have.size === 0 && this.#isWholeWant(paths, want)) {
      r.have = want.paths;
      r.haveShared = true;
      r.missing = EMPTY;
      r.missingShared = false;
      if (!r.failed) want.completed.push(host);
      return this.#checkDone(r);
    }
    for (const p of paths) this.#deliver(r, p);
    return this.#checkDone(r);
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
    this.#deliver(this.#get(host), path);
  }

  #deliver(r: HostRecord, path: PathId): void {
    if (r.have.has(path)) return;
    if (r.have === EMPTY || r.haveShared) {
      const wasShared = r.haveShared;
      r.have = new Set(r.have);
      r.haveShared = false;
      // It left its class's whole-set holder list; index its paths explicitly from now on.
      if (wasShared) this.#indexExplicitly(r);
    }
    (r.have as Set<PathId>).add(path);
    if (!r.failed) {
      let holders = this.#holders.get(path);
      if (!holders) this.#holders.set(path, (holders = new Set()));
      holders.add(r.host.id);
    }
    if (r.want?.paths.has(path)) {
      if (r.missingShared) {
        r.missing = new Set(r.want.paths);
        r.missingShared = false;
      }
      (r.missing as Set<PathId>).delete(path);
      if (r.missing.size === 0) r.missing = EMPTY;
    }
  }

  /** Makes sure `holders` lists `r` for every path it holds, before it stops sharing its class's set. */
  #indexExplicitly(r: HostRecord): void {
    if (r.failed) return;
    for (const p of r.have) {
      let holders = this.#holders.get(p);
      if (!holders) this.#holders.set(p, (holders = new Set()));
      holders.add(r.host.id);
    }
  }

  /**
   * Records a failed attempt on the edge. Returns how many transfers to the receiver failed since one last
   * delivered anything, so a path-level strategy making many small transfers is not given up early while
   * it makes progress.
   */
  recordFailedAttempt(from: HostId, to: HostId): number {
    this.#countEdgeFailure(from, to);
    return ++this.#get(to).failuresWithoutProgress;
  }

  /**
   * Records a transient failure blamed on the sender (its own ssh or store broke, not the receiver's):
   * the edge's attempts count it, the receiver's retry bound does not. Returns the sender's failed sends
   * since one last delivered anything; the coordinator retires it as a source at its bound.
   */
  recordSendFailure(from: HostId, to: HostId): number {
    this.#countEdgeFailure(from, to);
    return ++this.#get(from).sendFailuresWithoutProgress;
  }

  /** A send from `from` delivered something: its failures so far were not a pattern. */
  recordSendProgress(from: HostId): void {
    this.#get(from).sendFailuresWithoutProgress = 0;
  }

  /** Stops offering the host as a source (`canSend` is false from now on); what it holds stays its own. */
  retireSource(host: HostId): void {
    const r = this.#get(host);
    if (!r.retired) this.#retiredCount++;
    r.retired = true;
  }

  #countEdgeFailure(from: HostId, to: HostId): void {
    const key = edgeKey(from, to);
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
    this.#get(to).failedAttempts++;
  }

  /** Takes a host out of the run; what it holds no longer counts as a source. */
  markFailed(host: HostId): void {
    const r = this.#get(host);
    if (r.failed) return;
    r.failed = true;
    this.#gone[r.index] = 1;
    this.#pendingDirty = true;
    for (const p of r.have) this.#holders.get(p)?.delete(host);
  }

  #checkDone(r: HostRecord): boolean {
    if (r.done || r.want === undefined || r.missing.size > 0) return false;
    r.done = true;
    if (r.index >= 0) this.#gone[r.index] = 1;
    this.#doneCount++;
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

/** Transfer ids the running table is indexed by. */
function denseId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < 2 ** 30;
}
