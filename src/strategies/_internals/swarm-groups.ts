import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { edgeOk } from './context.js';

/**
 * Transfers allowed across the boundary into one group at once. One flow can fill a thin link; a few hide
 * the gap between one transfer's end and the next one's start, and many only split the link and hold the
 * deployer's send slots (regions-200: 1 → 201 s, 4 → 186 s, unbounded → 315 s; 186 s is what the WAN
 * allows, 2.32 GB of shared and own paths per region at 12.5 MB/s).
 */
export const CROSSING_FLOWS = 4;

/**
 * Topology groups (racks, regions: `topology.groupOf`) as the path-level `topology-aware` sees them in one
 * plan call. A shared store path enters a group over the thin link at most `crossings` times at once and
 * only while nobody inside holds it; from then on the group's own holders spread it. Per-call state: live
 * holders of a path per group (computed on first use) and the copies on their way into each group.
 */
export class SwarmGroups {
  readonly #view: PlanView;
  readonly #crossings: number;
  readonly #holders = new Map<PathId, Map<string, HostId[]>>();
  readonly #into = new Map<PathId, Map<string, number>>();

  /** Transfers running or planned across the boundary into each group. */
  readonly #flowsInto = new Map<string, number>();

  /**
   * @param running - the transfers still running, as (sender, receiver).
   * @param groupOf - the run's cache of each host's group (the topology does not change during a run).
   */
  constructor(
    view: PlanView,
    crossings: number,
    running: Iterable<readonly [HostId, HostId]>,
    readonly groupOf: Map<HostId, string>,
  ) {
    this.#view = view;
    this.#crossings = crossings;
    for (const t of view.pending()) {
      const incoming = view.incoming(t);
      if (incoming.size === 0) continue;
      const g = this.group(t);
      for (const p of incoming) this.#count(p, g);
    }
    for (const [from, to] of running) {
      if (!this.crosses(from, to)) continue;
      const g = this.group(to);
      this.#flowsInto.set(g, (this.#flowsInto.get(g) ?? 0) + 1);
    }
  }

  /** Whether another transfer may start across the boundary into `to`'s group (see the flow cap). */
  flowRoom(to: HostId): boolean {
    return (this.#flowsInto.get(this.group(to)) ?? 0) < CROSSING_FLOWS;
  }

  /**
   * Whether the network has groups at all: more than one group among the hosts (a flat network has none,
   * and then the rule below is a no-op).
   */
  static present(view: PlanView): boolean {
    let first: string | undefined;
    for (const h of view.fleet.hosts) {
      const g = view.topology.groupOf(h.id) ?? '';
      if (first === undefined) first = g;
      else if (g !== first) return true;
    }
    return false;
  }

  /** The group of `host`, `''` when it has none. */
  group(host: HostId): string {
    let g = this.groupOf.get(host);
    if (g === undefined) this.groupOf.set(host, (g = this.#view.topology.groupOf(host) ?? ''));
    return g;
  }

  /**
   * Whether a copy of shared path `p` may cross into `to`'s group from outside now: nobody inside can
   * serve it, and fewer than `crossings` copies are already on their way in.
   */
  mayCross(p: PathId, to: HostId): boolean {
    const g = this.group(to);
    if ((this.#into.get(p)?.get(g) ?? 0) >= this.#crossings) return false;
    return !this.holdersIn(p, g).some((h) => edgeOk(this.#view, h, to));
  }

  /**
   * The rate a transfer `from → to` can expect: its link rate, and across a boundary its share of the thin
   * link with the other transfers into the group (`extra` more of them: 1 for a transfer not started yet).
   */
  flowRate(from: HostId, to: HostId, extra: number): number {
    const rate = this.#view.linkRate(from, to);
    if (!this.crosses(from, to)) return rate;
    const route = this.#view.route(from, to);
    const flows = (this.#flowsInto.get(this.group(to)) ?? 0) + extra;
    return route ? Math.min(rate, route.bottleneck / Math.max(1, flows)) : 0;
  }

  /** Whether `from → to` crosses a group boundary. */
  crosses(from: HostId, to: HostId): boolean {
    return this.group(from) !== this.group(to);
  }

  /** Records the paths of a planned transfer that cross into `to`'s group. */
  planned(from: HostId, to: HostId, paths: readonly PathId[]): void {
    if (!this.crosses(from, to)) return;
    const g = this.group(to);
    this.#flowsInto.set(g, (this.#flowsInto.get(g) ?? 0) + 1);
    for (const p of paths) this.#count(p, g);
  }

  #count(p: PathId, g: string): void {
    let byGroup = this.#into.get(p);
    if (!byGroup) this.#into.set(p, (byGroup = new Map<string, number>()));
    byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
  }

  /** Live holders of `p` in group `g`, in the view's holder order (computed once per path per call). */
  holdersIn(p: PathId, g: string): readonly HostId[] {
    let byGroup = this.#holders.get(p);
    if (!byGroup) {
      byGroup = new Map<string, HostId[]>();
      // The view's holders exclude failed hosts already.
      for (const h of this.#view.holders(p)) {
        const hg = this.group(h);
        let list = byGroup.get(hg);
        if (!list) byGroup.set(hg, (list = []));
        list.push(h);
      }
      this.#holders.set(p, byGroup);
    }
    return byGroup.get(g) ?? [];
  }
}
