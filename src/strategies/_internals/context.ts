// Long file: the strategies' shared memory across calls (StrategyMemory) and the bookkeeping of one call (PlanContext),
// whose helpers all read the same per-call counts; the full-holder pool lives in full-holders.ts.
import { batchScratch, type BatchScratch } from '../../core/batchScratch.js';
import type { PlanView, Proposal } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { FleetInfo } from './fleet-info.js';
import { FullHolders } from './full-holders.js';

/** How many candidate sources a strategy scores per receiver; keeps planning linear at 100,000 hosts. */
export const SOURCE_WINDOW = 64;

/**
 * The one place receivers whose transfers failed before are put last: `receivers` in their order, except
 * that those with failed attempts come after all the others, fewest failures first (stable: the given
 * order among equals). A receiver whose copies kept failing took, first in fleet order, the only free source
 * every round: host-001 cut off from the deployer (failing at once, 1,000 attempts allowed) used up the
 * 1,000 rounds of a 100-host fleet and nobody was reached.
 *
 * Lazy: receivers that never failed are yielded as the walk reaches them, so a caller that stops early
 * (every source busy) does not walk 100,000 pending hosts; the failed ones are sorted only if it gets there.
 */
export function* failedLast(view: PlanView, receivers: Iterable<HostId>): Generator<HostId, void, undefined> {
  if (view.anyFailedAttempts?.() === false) {
    // Nobody failed yet: the order is the given one, and no receiver needs a look-up.
    yield* receivers;
    return;
  }
  const retrying: HostId[] = [];
  for (const t of receivers) {
    if (view.failedAttempts(t) > 0) retrying.push(t);
    else yield t;
  }
  if (retrying.length > 0) yield* retrying.sort((a, b) => view.failedAttempts(a) - view.failedAttempts(b));
}

/**
 * Whether the edge may be used at all: distinct hosts and a route with bandwidth. A failing edge stays
 * usable: strategies prefer edges with fewer failures (another source first), and the coordinator gives a
 * receiver up after its per-host bound of failures in a row. An edge ban (after 8 failures) used to leave a
 * host whose only source is the deployer (its own toplevel) unreached although nothing cut it off: its
 * other paths kept arriving from peers in between, so the per-host bound never fired.
 */
export function edgeOk(view: PlanView, from: HostId, to: HostId): boolean {
  return from !== to && view.route(from, to) !== null && view.linkRate(from, to) > 0;
}

/**
 * What a strategy instance remembers across `plan` calls: fleet facts and which hosts were already
 * verified to hold a receiver's missing set. A host's missing set only ever shrinks and a holder's store
 * only grows, so "h holds all of S" stays true for the same set object; this keeps whole-closure
 * strategies from re-checking every holder every round (O(N·|closure|) per round otherwise).
 */
export class StrategyMemory {
  #info: FleetInfo | undefined;
  readonly #verified = new WeakMap<ReadonlySet<PathId>, Set<HostId>>();
  readonly #verifiedParts = new WeakMap<ReadonlySet<PathId>, Map<number, Set<HostId>>>();
  /** One core object per content (see {@link StrategyMemory.core}). */
  readonly #interned = new Map<string, ReadonlySet<PathId>>();
  /** Core of a missing set, with the set's size when computed (a live missing set shrinks in place). */
  readonly #cores = new WeakMap<ReadonlySet<PathId>, { size: number; core: ReadonlySet<PathId> }>();
  readonly #contentKeys = new WeakMap<ReadonlySet<PathId>, { size: number; key: string }>();
  /** Hosts known to hold their whole want set (see {@link StrategyMemory.fullHolders}). */
  readonly #full = new FullHolders();

  info(view: PlanView): FleetInfo {
    if (!this.#info || this.#info.fleet !== view.fleet) this.#info = new FleetInfo(view.fleet, view.closure);
    return this.#info;
  }

  /** Notes a proposal to `to` (see {@link PlanContext.propose}): what it holds may change. */
  noteProposed(to: HostId, position?: number): void {
    this.#full.noteProposed(position ?? this.#info?.index.get(to));
  }

  /** True when `host` holds every path of `set` (cached per set object). */
  holdsAll(view: PlanView, host: HostId, set: ReadonlySet<PathId>): boolean {
    let ok = this.#verified.get(set);
    if (ok?.has(host)) return true;
    if (!view.holdsAll(host, set)) return false;
    if (!ok) this.#verified.set(set, (ok = new Set()));
    ok.add(host);
    return true;
  }

  /**
   * The part of a missing set a peer can forward: its paths some other target wants too. A host's own
   * paths (its toplevel, its configuration: wanted by it alone) can only come from a seed, so a
   * whole-closure cascade passes the shared part on peer to peer and the seed adds the private rest. The
   * set itself when nothing or everything in it is private; cached per set object and size.
   */
  core(view: PlanView, missing: ReadonlySet<PathId>): ReadonlySet<PathId> {
    const cached = this.#cores.get(missing);
    if (cached?.size === missing.size) return cached.core;
    const info = this.info(view);
    let shared: Set<PathId> | undefined;
    let privateCount = 0;
    for (const p of missing) {
      if (info.isPrivate(p)) privateCount++;
      else (shared ??= new Set()).add(p);
    }
    let core: ReadonlySet<PathId> = missing;
    if (privateCount > 0 && shared) {
      // Hosts of one role miss the same shared part while their private paths differ: one object per
      // content lets per-set caches (sources, verified holders) serve the whole role at once.
      const key = [...shared].sort().join('\n');
      core = this.#interned.get(key) ?? shared;
      this.#interned.set(key, core);
    }
    this.#cores.set(missing, { size: missing.size, core });
    return core;
  }

  /**
   * A key naming the content of `set` (equal for sets with the same paths), cached per set object and size
   * (a live missing set only shrinks, so its size tells whether it changed).
   */
  contentKey(set: ReadonlySet<PathId>): string {
    const cached = this.#contentKeys.get(set);
    if (cached?.size === set.size) return cached.key;
    const key = [...set].sort().join('\n');
    this.#contentKeys.set(set, { size: set.size, key });
    return key;
  }

  /**
   * Hosts known to hold their whole want set (or all of it but their private paths) or to have held paths
   * from the start, fleet order (a done target stays listed; failed ones are skipped by the callers'
   * checks). Updated incrementally, O(hosts sent to since the last call) per call, so whole-closure strategies need not
   * ask `view.holders(path)` (expensive at 100,000 hosts).
   */
  fullHolders(view: PlanView): readonly HostId[] {
    return this.#full.update(view, this.info(view), (t) => this.holdsShared(view, t));
  }

  /** The fleet positions of `pool` when it is the list {@link StrategyMemory.fullHolders} last returned. */
  fullHolderPositions(pool: readonly HostId[]): readonly number[] | undefined {
    return this.#full.positionsOf(pool);
  }

  /**
   * True when live `t` misses only its own private paths: it holds every path it wants that another
   * target wants too, so it can serve as a whole-closure source.
   */
  holdsShared(view: PlanView, t: HostId): boolean {
    if (view.isFailed(t)) return false;
    const info = this.info(view);
    for (const p of view.missing(t)) if (!info.isPrivate(p)) return false;
    return true;
  }

  /**
   * True when `host` holds every path of `part`, a subset of `set` selected by the fixed tag `tag` (e.g. a
   * tier of paths); cached per (set object, tag) like {@link StrategyMemory.holdsAll}.
   */
  holdsPart(
    view: PlanView,
    host: HostId,
    set: ReadonlySet<PathId>,
    tag: number,
    part: Iterable<PathId>,
  ): boolean {
    let byTag = this.#verifiedParts.get(set);
    if (byTag?.get(tag)?.has(host)) return true;
    if (!view.holdsAll(host, part)) return false;
    if (!byTag) this.#verifiedParts.set(set, (byTag = new Map<number, Set<HostId>>()));
    let ok = byTag.get(tag);
    if (!ok) byTag.set(tag, (ok = new Set()));
    ok.add(host);
    return true;
  }
}

/** Source orders a strategy may ask for. */
export type SourceOrder = 'fleet' | 'uplink';

/**
 * The bookkeeping of one `plan` call: the proposals made so far and the send/receive slots they use, so
 * a strategy never exceeds a limit within its own batch (the view only changes after the batch starts).
 */
export class PlanContext {
  readonly proposals: Proposal[] = [];
  readonly info: FleetInfo;
  /**
   * Sends and receives proposed per host in this batch and the first path list proposed to each, by fleet
   * position in the fleet's batch scratch, shared with every other plan call and the validator (an entry
   * counts when its stamp is this call's), so a round proposing to 500,000 receivers builds no per-host
   * map. Hosts outside the fleet
   * (a strategy bug the validator reports) are counted in `#others`.
   */
  readonly #scratch: BatchScratch;
  readonly #stamp: number;
  #others: Map<HostId, { sends: number; receives: number }> | undefined;
  /** Further path lists proposed to a host in this batch (after its first), and the set form when asked. */
  readonly #moreLists = new Map<HostId, (readonly PathId[])[]>();
  readonly #plannedSets = new Map<HostId, Set<PathId>>();
  readonly #sources = new Map<ReadonlySet<PathId>, Map<SourceOrder, readonly HostId[]>>();
  readonly #wholeLists = new Map<ReadonlySet<PathId>, readonly PathId[]>();
  readonly #poolSources = new Map<ReadonlySet<PathId>, readonly HostId[]>();
  readonly #poolSourcesByContent = new Map<string, readonly HostId[]>();

  constructor(
    readonly view: PlanView,
    readonly memory: StrategyMemory,
  ) {
    this.info = memory.info(view);
    this.#scratch = batchScratch(view.fleet.hosts);
    this.#stamp = ++this.#scratch.stamp;
  }

  /** The fleet position of `host` (through the view's look-up cache when it has one), or undefined. */
  #pos(host: HostId): number | undefined {
    const view = this.view;
    if (view.positionOf === undefined) return this.info.index.get(host);
    const i = view.positionOf(host);
    return i < 0 ? undefined : i;
  }

  /** Sends proposed from `host` in this batch. */
  #sent(host: HostId): number {
    const i = this.#pos(host);
    if (i === undefined) return this.#others?.get(host)?.sends ?? 0;
    const b = this.#scratch;
    return b.sendStamp[i] === this.#stamp ? b.sends[i]! : 0;
  }

  /** Receives proposed to `host` in this batch. */
  #received(host: HostId): number {
    const i = this.#pos(host);
    if (i === undefined) return this.#others?.get(host)?.receives ?? 0;
    const b = this.#scratch;
    return b.receiveStamp[i] === this.#stamp ? b.receives[i]! : 0;
  }

  /** The first path list proposed to `host` in this batch, if any. */
  #firstList(host: HostId): readonly PathId[] | undefined {
    const i = this.#pos(host);
    if (i === undefined) return this.#moreLists.get(host)?.[0];
    const b = this.#scratch;
    // Under this call's stamp only `propose` wrote the entry: a path list, never the validator's set.
    return b.receiveStamp[i] === this.#stamp ? (b.lists[i] as readonly PathId[] | undefined) : undefined;
  }

  /** Sends `host` may still start in this batch. */
  sendLeft(host: HostId): number {
    if (!this.view.canSend(host)) return 0;
    return this.view.host(host).maxSends - this.view.sending(host) - this.#sent(host);
  }

  /** Receives `host` may still start in this batch. */
  recvLeft(host: HostId): number {
    if (!this.view.canReceive(host)) return 0;
    return this.view.host(host).maxReceives - this.view.receiving(host) - this.#received(host);
  }

  /**
   * Whether `host` may start one more send now under the cascade rule "a holder serves `perHolder`
   * receivers at a time": counts the sends it is running (eager mode: sends from earlier plan calls that
   * have not ended) plus those proposed in this batch, and respects its `maxSends`. With the default of
   * 1, a holder never splits its uplink, so eager mode keeps the binomial tree of round mode.
   */
  idleSender(host: HostId, perHolder = 1): boolean {
    return this.view.sending(host) + this.#sent(host) < perHolder && this.sendLeft(host) > 0;
  }

  /** {@link PlanContext.idleSender} for the host at fleet position `i` (no look-up when the view allows). */
  idleSenderAt(i: number, perHolder = 1): boolean {
    const view = this.view;
    if (view.sendingAt === undefined || view.canSendAt === undefined) {
      return this.idleSender(view.fleet.hosts[i]!.id, perHolder);
    }
    const b = this.#scratch;
    const sent = b.sendStamp[i] === this.#stamp ? b.sends[i]! : 0;
    const sending = view.sendingAt(i);
    if (sending + sent >= perHolder || !view.canSendAt(i)) return false;
    return view.fleet.hosts[i]!.maxSends - sending - sent > 0;
  }

  /** Sends proposed from `host` in this batch. */
  sentNow(host: HostId): number {
    return this.#sent(host);
  }

  /** Paths proposed to `host` in this batch. */
  planned(host: HostId): ReadonlySet<PathId> | undefined {
    const first = this.#firstList(host);
    if (first === undefined) return undefined;
    let set = this.#plannedSets.get(host);
    if (!set) {
      set = new Set(first);
      const more = this.#moreLists.get(host);
      if (more)
        for (let k = more[0] === first ? 1 : 0; k < more.length; k++) for (const p of more[k]!) set.add(p);
      this.#plannedSets.set(host, set);
    }
    return set;
  }

  /** True when something was proposed to `host` in this batch. */
  hasPlanned(host: HostId): boolean {
    return this.#firstList(host) !== undefined;
  }

  /** Records a proposal and the slots it uses. */
  propose(from: HostId, to: HostId, paths: readonly PathId[]): void {
    this.proposals.push({ from, to, paths });
    const b = this.#scratch;
    const stamp = this.#stamp;
    const fi = this.#pos(from);
    if (fi === undefined) this.#other(from).sends++;
    else {
      b.sends[fi] = (b.sendStamp[fi] === stamp ? b.sends[fi]! : 0) + 1;
      b.sendStamp[fi] = stamp;
    }
    const ti = this.#pos(to);
    this.memory.noteProposed(to, ti);
    const first = this.#firstList(to);
    if (ti === undefined) {
      this.#other(to).receives++;
      const lists = this.#moreLists.get(to);
      if (lists) lists.push(paths);
      else this.#moreLists.set(to, [paths]);
    } else {
      if (first === undefined) {
        b.receives[ti] = 1;
        b.lists[ti] = paths;
      } else {
        b.receives[ti]!++;
        const lists = this.#moreLists.get(to);
        if (lists) lists.push(paths);
        else this.#moreLists.set(to, [paths]);
      }
      b.receiveStamp[ti] = stamp;
    }
    const set = this.#plannedSets.get(to);
    if (set) for (const p of paths) set.add(p);
  }

  #other(host: HostId): { sends: number; receives: number } {
    this.#others ??= new Map();
    let o = this.#others.get(host);
    if (!o) this.#others.set(host, (o = { sends: 0, receives: 0 }));
    return o;
  }

  /** {@link edgeOk} on this call's view. */
  edgeOk(from: HostId, to: HostId): boolean {
    return edgeOk(this.view, from, to);
  }

  /**
   * Receivers a whole-closure transfer can go to now: pending, a free receive slot, nothing in flight to
   * them (so everything they miss can come in one closed transfer) and nothing proposed yet. Fleet order,
   * with receivers whose transfers failed before last ({@link failedLast}).
   */
  wholeReceivers(): HostId[] {
    const whole = this.view.pending().filter((t) => this.isWholeReceiver(t));
    return [...failedLast(this.view, whole)];
  }

  /** Whether `t` can take a whole-closure transfer now (see {@link PlanContext.wholeReceivers}). */
  isWholeReceiver(t: HostId): boolean {
    return (
      this.view.incoming(t).size === 0 &&
      !this.hasPlanned(t) &&
      this.view.missing(t).size > 0 &&
      this.recvLeft(t) > 0
    );
  }

  /**
   * What `from` sends `to` in one whole-closure transfer: everything `to` misses that `from` holds — all of
   * it from a seed, the shared part ({@link StrategyMemory.core}) from a peer. Closed under references: a
   * holder holds the closure of its paths and `to`'s want set is closed. Lists are shared between
   * receivers with the same missing set.
   */
  wholePaths(from: HostId, to: HostId): readonly PathId[] {
    const set = this.view.missing(to);
    const core = this.memory.core(this.view, set);
    let list = this.#wholeLists.get(set);
    if (!list) this.#wholeLists.set(set, (list = Array.from(set)));
    if (core === set || this.memory.holdsAll(this.view, from, set)) return list;
    return list.filter((p) => this.view.has(from, p));
  }

  /**
   * True when `host` may serve `to` a whole-closure transfer: it holds everything `to` misses, or at least
   * its shared part (see {@link PlanContext.wholePaths}).
   */
  canServeWhole(host: HostId, to: HostId): boolean {
    return this.#canServeWhole(host, to, this.view.missing(to), this.info.wantArray(to));
  }

  /** {@link PlanContext.canServeWhole} with `to`'s missing set and want array looked up by the caller. */
  #canServeWhole(
    host: HostId,
    to: HostId,
    missing: ReadonlySet<PathId>,
    toWant: readonly PathId[] | undefined,
  ): boolean {
    if (host === to || this.view.isFailed(host)) return false;
    if (missing.size === 0) return false;
    // A done target with the very same want array holds everything `to` can miss.
    const want = this.info.wantArray(host);
    if (want !== undefined && want === toWant && this.view.isDone(host)) return true;
    return this.memory.holdsAll(this.view, host, this.memory.core(this.view, missing));
  }

  /**
   * Every live host that holds all that `to` misses (busy ones included), in the requested order (fleet
   * order, or uplink descending with fleet order breaking ties). Computed once per distinct missing set
   * per call, from the holders of its rarest path, so it costs O(holders), not O(hosts · closure).
   */
  sourcesFor(to: HostId, order: SourceOrder = 'fleet'): readonly HostId[] {
    const missing = this.view.missing(to);
    // Sources depend only on the core (see canServeWhole): receivers sharing it share the list.
    const key = this.memory.core(this.view, missing);
    let byOrder = this.#sources.get(key);
    if (!byOrder) this.#sources.set(key, (byOrder = new Map<SourceOrder, readonly HostId[]>()));
    let list = byOrder.get(order);
    if (list) return list;
    const base = byOrder.get('fleet') ?? this.#computeSources(to, missing);
    byOrder.set('fleet', base);
    if (order === 'fleet') return base;
    // `base` is in fleet order, so its index breaks uplink ties; each uplink is looked up once.
    const up = base.map((h) => this.view.host(h).uplink);
    const byUplink = base.map((_, k) => k).sort((x, y) => up[y]! - up[x]! || x - y);
    list = byUplink.map((k) => base[k]!);
    byOrder.set(order, list);
    return list;
  }

  /**
   * Like {@link PlanContext.sourcesFor} (in `pool` order) but drawn from `pool`, e.g.
   * {@link StrategyMemory.fullHolders}: cached per missing set per call; O(pool) with O(1) checks for done
   * targets of the same want set.
   */
  sourcesAmong(to: HostId, pool: readonly HostId[]): readonly HostId[] {
    const key = this.memory.core(this.view, this.view.missing(to));
    let list = this.#poolSources.get(key);
    if (list) return list;
    // Receivers whose transfers broke part-way each have a missing set of their own, but few distinct
    // contents (prefixes of one closure): share the list by content, or this is O(pool) per such receiver.
    const content = this.memory.contentKey(key);
    list = this.#poolSourcesByContent.get(content);
    if (!list) {
      const out: HostId[] = [];
      const missing = this.view.missing(to);
      const toWant = this.info.wantArray(to);
      const at = this.memory.fullHolderPositions(pool);
      if (at !== undefined && this.view.isFailedAt !== undefined && this.view.isDoneAt !== undefined) {
        for (let k = 0; k < pool.length; k++) {
          const h = pool[k]!;
          if (this.#canServeWholeAt(at[k]!, h, to, missing, toWant)) out.push(h);
        }
      } else for (const h of pool) if (this.#canServeWhole(h, to, missing, toWant)) out.push(h);
      this.#poolSourcesByContent.set(content, (list = out));
    }
    this.#poolSources.set(key, list);
    return list;
  }

  /** {@link PlanContext.#canServeWhole} for `host` at fleet position `i`, asking the view by position. */
  #canServeWholeAt(
    i: number,
    host: HostId,
    to: HostId,
    missing: ReadonlySet<PathId>,
    toWant: readonly PathId[] | undefined,
  ): boolean {
    if (host === to || this.view.isFailedAt!(i)) return false;
    if (missing.size === 0) return false;
    const want = this.info.wantArrayAt(i);
    if (want !== undefined && want === toWant && this.view.isDoneAt!(i)) return true;
    return this.memory.holdsAll(this.view, host, this.memory.core(this.view, missing));
  }

  #computeSources(to: HostId, missing: ReadonlySet<PathId>): readonly HostId[] {
    let rarest: PathId | undefined;
    let fewest = Infinity;
    for (const p of this.memory.core(this.view, missing)) {
      const n = this.view.holders(p).size;
      if (n < fewest) {
        fewest = n;
        rarest = p;
        if (n <= 1) break;
      }
    }
    if (rarest === undefined || fewest === 0) return [];
    // Sorted as fleet positions (one look-up per source, a numeric sort), not by a comparator that looks
    // both hosts up at every comparison: in eager mode this runs once per outcome over every holder.
    const at: number[] = [];
    for (const h of this.view.holders(rarest)) if (this.canServeWhole(h, to)) at.push(this.info.pos(h));
    const hosts = this.view.fleet.hosts;
    // Hosts outside the fleet (position MAX_SAFE_INTEGER) cannot be among a run's holders.
    return Array.from(Float64Array.from(at).sort(), (i) => hosts[i]!.id);
  }
}
