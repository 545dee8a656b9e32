import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { UrgencyHeap } from './swarm-heap.js';
import type { SwarmRun } from './swarm-run.js';

/**
 * Path urgency ranking for one `SwarmPlan` call: the copies of each path running or proposed, the urgency
 * of each path, a lazy max-heap of paths by urgency (a proposal re-ranks only the paths it carries), the
 * call's initial urgency order (bundles fill in it) and the order a seed sends its paths in.
 */
export class SwarmUrgency {
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  /** Copies of each path running or proposed in this call. */
  readonly #flying = new Map<PathId, number>();
  readonly #version = new Map<PathId, number>();
  readonly #heap = new UrgencyHeap();
  /** Position of each ranked path in this call's initial urgency order (bundles fill in this order). */
  readonly #rank = new Map<PathId, number>();
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
  }

  /** Counts the copies already on their way to pending receivers (per path) as flying. */
  countFlying(flying: ReadonlyMap<PathId, number>): void {
    for (const [p, c] of flying) this.#flying.set(p, c);
  }

  /**
   * Ranks `candidates`: each with an urgency above 0 goes onto the heap and into the call's initial order
   * (most urgent first, topological order on ties), which is returned.
   */
  rankAll(candidates: readonly PathId[]): PathId[] {
    const run = this.#run;
    const ranked: { p: PathId; u: number }[] = [];
    for (const p of candidates) {
      const u = this.urgency(p);
      if (u <= 0) continue;
      ranked.push({ p, u });
      this.#heap.push({ path: p, urgency: u, tie: run.topo.get(p)!, version: 0 });
    }
    ranked.sort((a, b) => b.u - a.u || run.topo.get(a.p)! - run.topo.get(b.p)!);
    ranked.forEach((r, i) => this.#rank.set(r.p, i));
    return ranked.map((r) => r.p);
  }

  /** Position of `q` in the call's initial urgency order; Infinity when it was not ranked. */
  rankOf(q: PathId): number {
    return this.#rank.get(q) ?? Infinity;
  }

  /** The most urgent path on the heap (stale entries skipped), or undefined when none is left. */
  next(): PathId | undefined {
    for (;;) {
      const e = this.#heap.pop();
      if (!e) return undefined;
      if (e.version === (this.#version.get(e.path) ?? 0)) return e.path;
    }
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
    return this.#view.holders(p).size - (this.#run.outside.get(p) ?? 0) + (this.#flying.get(p) ?? 0);
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
    const view = this.#view;
    const holders = view.holders(p).size;
    if (holders === 0) return 0;
    const flying = this.#flying.get(p) ?? 0;
    const owners = holders - (this.#run.outside.get(p) ?? 0);
    const left = (this.#run.wanters.get(p) ?? 0) - owners - flying;
    if (left <= 0) return 0;
    const copies = holders + flying;
    // At least one byte: an empty path (a zero-size store path) is still wanted and must rank above 0.
    const bytes = Math.max(1, view.closure.narSize(p) + (this.#chainBehind?.get(p) ?? 0));
    return (bytes * Math.log2(1 + left / copies)) / Math.sqrt(copies);
  }

  /** A proposed transfer carries `paths`: one more copy of each in flight, each re-ranked. */
  carried(paths: readonly PathId[]): void {
    for (const p of paths) {
      this.#flying.set(p, (this.#flying.get(p) ?? 0) + 1);
      const version = (this.#version.get(p) ?? 0) + 1;
      this.#version.set(p, version);
      const u = this.urgency(p);
      if (u > 0) this.#heap.push({ path: p, urgency: u, tie: this.#run.topo.get(p)!, version });
    }
  }
}
