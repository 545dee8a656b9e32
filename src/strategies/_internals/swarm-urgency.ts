import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { UrgencyHeap } from './swarm-heap.js';
import type { SwarmHosts } from './swarm-hosts.js';
import type { KeptRanking } from './swarm-ranking.js';
import type { SwarmRun } from './swarm-run.js';

/**
 * Path urgency ranking for one `SwarmPlan` call: the copies of each path running or proposed, the urgency
 * of each path, the call's initial urgency order (bundles fill in it; with no private paths it is kept
 * across calls, {@link SwarmHosts.ranking}), a lazy max-heap of the paths a proposal re-ranked, and the
 * order a seed sends its paths in.
 */
export class SwarmUrgency {
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  /** Copies in flight to pending receivers at the call's start, per path not shared (`SwarmHosts.flying`). */
  #flyingBefore: ReadonlyMap<PathId, number> = new Map();
  /** Copies of each path not shared proposed in this call. */
  readonly #proposed = new Map<PathId, number>();
  /** The same two per shared path (by bit), once the hosts are known (`SwarmHosts.flyingShared`, `callCarried`). */
  #flyingShared: Int32Array | undefined;
  #carried: Int32Array | undefined;
  /** Per shared path (by bit), the bytes its urgency weighs (`SwarmRun.sharedBytesEager`, `…Round`). */
  readonly #bytes: Float64Array;
  /** How often each path not shared was re-ranked in this call (absent: never, so its initial rank holds). */
  readonly #version = new Map<PathId, number>();
  /** The same per shared path (by bit; 0: never), once the hosts are known (`SwarmHosts.callVersions`). */
  #versions: Int32Array | undefined;
  /** The paths re-ranked by this call's proposals (the initial order holds the others). */
  readonly #heap = new UrgencyHeap();
  /**
   * This call's initial urgency order (most urgent first, topological order on ties) and the urgencies:
   * from `rankAll` as arrays; from `rankShared` as the kept ranking's order of bits (`#order`), read in
   * place, the array of paths only made when asked for ({@link SwarmUrgency.initialOrder}), as an eager call
   * pops a few of its 500 paths and two 500-entry arrays a call were much of the run's garbage.
   */
  #initial: readonly PathId[] | undefined = [];
  #initialUrgency: readonly number[] = [];
  #order: Int32Array | undefined;
  /** Next entry of `#initial` that `next` has not returned. */
  #cursor = 0;
  /** Shared paths (one bit each) that `next` passes over in the kept order ({@link SwarmUrgency.skipBits}). */
  #skip: Uint32Array | undefined;
  /** The bit of the path `next` returned last (`SharedBits`), or -1 when it is not a shared path. */
  lastBit = -1;
  /** Position of each ranked path in `#initial`, when ranked by `rankAll` (else `#kept` knows). */
  readonly #rank = new Map<PathId, number>();
  /** The kept ranking `#initial` came from (`rankShared`), with the kept figures it reads bits from. */
  #kept: KeptRanking | undefined;
  #hosts: SwarmHosts | undefined;
  /**
   * Eager mode only: the chain of paths behind each path (added to its urgency) and the path seeds send
   * twice (see `seedOrder`). Both made every measured round-mode fleet slower (heavy-tailed, 1,000 hosts:
   * 637 s → 926 s; one closure, three seeds: 564–646 s → 587–708 s), so round mode plans without them.
   */
  readonly #chainBehind: ReadonlyMap<PathId, number> | undefined;
  readonly #seedTwice: PathId | undefined;

  constructor(view: PlanView, run: SwarmRun) {
    this.#view = view;
    this.#run = run;
    const eager = view.mode !== 'round';
    this.#chainBehind = eager ? run.chainBehind : undefined;
    this.#seedTwice = eager ? run.seedTwice : undefined;
    this.#bytes = eager ? run.sharedBytesEager : run.sharedBytesRound;
  }

  /** Reads the copies already on their way to pending receivers (per path) from the call's kept figures. */
  useHosts(hosts: SwarmHosts): void {
    this.#hosts = hosts;
    this.#flyingBefore = hosts.flying;
    this.#flyingShared = hosts.flyingShared;
    this.#carried = hosts.callCarried.start();
    this.#versions = hosts.callVersions.start();
  }

  /**
   * Ranks `candidates`: those with an urgency above 0 make the call's initial order (most urgent first,
   * topological order on ties).
   */
  rankAll(candidates: readonly PathId[]): void {
    const run = this.#run;
    const ranked: { p: PathId; u: number }[] = [];
    for (const p of candidates) {
      const u = this.urgency(p);
      if (u > 0) ranked.push({ p, u });
    }
    ranked.sort((a, b) => b.u - a.u || run.topo.get(a.p)! - run.topo.get(b.p)!);
    ranked.forEach((r, i) => this.#rank.set(r.p, i));
    this.#initial = ranked.map((r) => r.p);
    this.#initialUrgency = ranked.map((r) => r.u);
    this.#order = undefined;
  }

  /**
   * `rankAll` of every shared path, from the ranking kept across calls (`SwarmHosts.ranking`): only the
   * paths whose holders or copies in flight changed since the last call are re-ranked (their urgency
   * depends on nothing else). Gives `rankAll`'s order; only for fleets with no private path, where the
   * shared paths are every candidate.
   */
  rankShared(): void {
    const hosts = this.#hosts!;
    const kept = hosts.ranking;
    const shared = this.#run.shared;
    kept.update((b) => this.#urgencyOfBit(shared[b]!, b));
    this.#kept = kept;
    this.#order = kept.order;
    this.#initial = undefined;
  }

  /** The call's initial urgency order (see `rankAll`, `rankShared`). */
  initialOrder(): readonly PathId[] {
    const shared = this.#run.shared;
    return (this.#initial ??= Array.from(this.#order!, (b) => shared[b]!));
  }

  /** Entry `k` of the initial order. */
  #pathAt(k: number): PathId {
    const order = this.#order;
    return order === undefined ? this.#initial![k]! : this.#run.shared[order[k]!]!;
  }

  /** Position of `q` in the call's initial urgency order; Infinity when it was not ranked. */
  rankOf(q: PathId): number {
    const kept = this.#kept;
    if (kept === undefined) return this.#rank.get(q) ?? Infinity;
    const b = this.#hosts!.bitOf(q);
    const r = b === undefined ? -1 : kept.rankOf(b);
    return r < 0 ? Infinity : r;
  }

  /**
   * The most urgent path not yet returned, at its current urgency: the next of the initial order unless a
   * re-ranked path on the heap beats it (stale entries skipped on both). Each path has one current entry
   * and the order is total, so this is the order one heap of every ranked path gives. Sets
   * {@link SwarmUrgency.lastBit}.
   */
  next(): PathId | undefined {
    const order = this.#order;
    const length = order?.length ?? this.#initial!.length;
    const heap = this.#heap;
    while (this.#cursor < length && this.#passesOver(this.#cursor)) this.#cursor++;
    let e = heap.peek();
    while (e !== undefined && e.version !== this.#versionOf(e.path, e.bit)) {
      heap.pop();
      e = heap.peek();
    }
    if (this.#cursor < length) {
      const k = this.#cursor;
      const p = this.#pathAt(k);
      const u = order === undefined ? this.#initialUrgency[k]! : this.#kept!.keyOf(order[k]!);
      const tie = order === undefined ? this.#run.topo.get(p)! : this.#run.sharedTopo[order[k]!]!;
      if (e === undefined || u > e.urgency || (u === e.urgency && tie < e.tie)) {
        this.lastBit = order?.[k] ?? this.#hosts!.bitOf(p) ?? -1;
        this.#cursor++;
        return p;
      }
    }
    const top = heap.pop();
    this.lastBit = top?.bit ?? -1;
    return top?.path;
  }

  /**
   * From now on, `next` passes over the entries of the kept order (`rankShared`) whose bit is set in
   * `bits`: `SwarmPlan` gives the shared paths no free sender holds, which it would pop only to skip (at
   * 10,000 × 500, eager: 480 of a call's 496 pops, each a full `next`). Such a path is never carried by a
   * proposal of the call, so never re-ranked, and passing over it here changes no other pop.
   */
  skipBits(bits: Uint32Array | undefined): void {
    this.#skip = bits;
  }

  /**
   * Whether `next` passes over entry `k` of the initial order: it was re-ranked in this call (its heap
   * entry stands for it), or its bit is one to skip.
   */
  #passesOver(k: number): boolean {
    const order = this.#order;
    if (order !== undefined) {
      const b = order[k]!;
      const skip = this.#skip;
      return this.#versions![b] !== 0 || (skip !== undefined && (skip[b >>> 5]! & (1 << (b & 31))) !== 0);
    }
    const p = this.#initial![k]!;
    return this.#versionOf(p, this.#bitOf(p) ?? -1) !== 0;
  }

  /** How often `p` (`b`: its bit, -1 when not shared) was re-ranked in this call. */
  #versionOf(p: PathId, b: number): number {
    return b >= 0 && this.#versions !== undefined ? this.#versions[b]! : (this.#version.get(p) ?? 0);
  }

  /**
   * The paths of `ranked` that seed `s` holds, fewest peer copies first (`c`: the copies counted), for
   * super-seeding (see `SwarmPlan`).
   */
  seedOrder(s: HostId, ranked: readonly PathId[]): { p: PathId; c: number }[] {
    const view = this.#view;
    const order: { p: PathId; c: number }[] = [];
    // `#seedTwice` (the largest path) counts one copy less: its second seed copy ranks with the other
    // paths' first ones (stable sort: equal counts keep the urgency order, where it usually leads). Its
    // doubling sets the cascade's length; a second lineage one copy time behind the first gives that
    // doubling a step of slack, which its holders spend on the paths that reference it (kernel → modules
    // → system).
    for (const p of ranked)
      if (view.has(s, p)) order.push({ p, c: this.#peerCopies(p) - (p === this.#seedTwice ? 1 : 0) });
    order.sort((a, b) => a.c - b.c);
    return order;
  }

  /** Copies of `p` held by or on their way to hosts that want it. */
  #peerCopies(p: PathId): number {
    return this.#view.holders(p).size - (this.#run.outside.get(p) ?? 0) + this.#flying(p, this.#bitOf(p));
  }

  /** Copies of `p` (`b`: its bit when shared) on their way to pending receivers or proposed in this call. */
  #flying(p: PathId, b: number | undefined): number {
    if (b !== undefined) return this.#flyingShared![b]! + this.#carried![b]!;
    return (this.#flyingBefore.get(p) ?? 0) + (this.#proposed.get(p) ?? 0);
  }

  /** Bit of `p` when it is shared and the hosts' bit-indexed figures are known. */
  #bitOf(p: PathId): number | undefined {
    return this.#hosts?.bitOf(p);
  }

  /**
   * Urgency of `p`: its remaining spread time in byte-generations, bytes × log₂(1 + wanters still missing it
   * (copies in flight count as delivered) ÷ copies), divided by √copies (copies = holders + copies in
   * flight). In eager mode the bytes are its own plus the longest chain of paths that reference it, which
   * can follow it to a host only one after another (see `#chainBehind`). The first factor is rarest-first
   * weighted by size (a large path held by few starts doubling early instead of becoming the tail); the
   * damping lets a path many hold yield to a rare one when a sender holds both, since the many holders keep
   * doubling it anyway. 0 when nobody holds or needs it.
   */
  urgency(p: PathId): number {
    const b = this.#bitOf(p);
    if (b !== undefined) return this.#urgencyOfBit(p, b);
    const run = this.#run;
    // At least one byte: an empty path (a zero-size store path) is still wanted and must rank above 0.
    const bytes = Math.max(1, this.#view.closure.narSize(p) + (this.#chainBehind?.get(p) ?? 0));
    return this.#spread(
      p,
      run.outside.get(p) ?? 0,
      run.wanters.get(p) ?? 0,
      this.#flying(p, undefined),
      bytes,
    );
  }

  /**
   * {@link SwarmUrgency.urgency} of the shared path `p` of bit `b`, from the figures kept by bit (without a
   * map look-up per figure: ranking was 8 % of a 10,000 × 500 eager run).
   */
  #urgencyOfBit(p: PathId, b: number): number {
    const run = this.#run;
    return this.#spread(p, run.sharedOutside[b]!, run.sharedWanters[b]!, this.#flying(p, b), this.#bytes[b]!);
  }

  /** The urgency formula (see {@link SwarmUrgency.urgency}) from `p`'s holders and the figures given. */
  #spread(p: PathId, outside: number, wanters: number, flying: number, bytes: number): number {
    const holders = this.#view.holders(p).size;
    if (holders === 0) return 0;
    const left = wanters - (holders - outside) - flying;
    if (left <= 0) return 0;
    const copies = holders + flying;
    return (bytes * Math.log2(1 + left / copies)) / Math.sqrt(copies);
  }

  /** A proposed transfer carries `paths`: one more copy of each in flight, each re-ranked. */
  carried(paths: readonly PathId[]): void {
    for (const p of paths) {
      const b = this.#bitOf(p);
      if (b !== undefined) this.#hosts!.callCarried.add(b);
      else this.#proposed.set(p, (this.#proposed.get(p) ?? 0) + 1);
      let version: number;
      if (b !== undefined) {
        this.#hosts!.callVersions.add(b);
        version = this.#versions![b]!;
      } else this.#version.set(p, (version = (this.#version.get(p) ?? 0) + 1));
      const u = this.urgency(p);
      const tie = this.#run.topo.get(p)!;
      if (u > 0) this.#heap.push({ path: p, urgency: u, tie, version, bit: b ?? -1 });
    }
  }
}
