import type { ClosureGraph } from '../../core/closure.js';
import type { Fleet, HostId, PathId } from '../../core/types.js';

/**
 * Facts about a fleet that never change during a run (fleet order, seeds, wanters per path, path order),
 * computed once per strategy instance. The expensive parts are lazy so a strategy that does not need
 * them pays nothing at 100,000 hosts.
 */
export class FleetInfo {
  /** Position of every host in fleet order. */
  readonly index = new Map<HostId, number>();
  /** Hosts holding paths at the start, fleet order. */
  readonly seeds: readonly HostId[];
  /** Hosts that want something, fleet order. */
  readonly targets: readonly HostId[];
  #topo: Map<PathId, number> | undefined;
  #wantCount: Map<PathId, number> | undefined;
  #hasPrivate: boolean | undefined;

  constructor(
    readonly fleet: Fleet,
    readonly closure: ClosureGraph,
  ) {
    const seeds: HostId[] = [];
    const targets: HostId[] = [];
    fleet.hosts.forEach((h, i) => {
      this.index.set(h.id, i);
      if ((fleet.initialHave.get(h.id)?.length ?? 0) > 0) seeds.push(h.id);
      if ((fleet.wants.get(h.id)?.length ?? 0) > 0) targets.push(h.id);
    });
    this.seeds = seeds;
    this.targets = targets;
  }

  /** Fleet position of `host` (hosts outside the fleet sort last). */
  pos(host: HostId): number {
    return this.index.get(host) ?? Number.MAX_SAFE_INTEGER;
  }

  /** The want array as the fleet gave it; hosts given the same array share the object. */
  wantArray(host: HostId): readonly PathId[] | undefined {
    return this.fleet.wants.get(host);
  }

  /** Position of each path in the closure's topological order (references first). */
  topoIndex(): ReadonlyMap<PathId, number> {
    if (!this.#topo) {
      this.#topo = new Map();
      let i = 0;
      for (const p of this.closure.paths()) this.#topo.set(p.id, i++);
    }
    return this.#topo;
  }

  /** How many targets want each path (role-specific paths have small counts, the shared base large). */
  wantCount(): ReadonlyMap<PathId, number> {
    if (!this.#wantCount) {
      const perArray = new Map<readonly PathId[], number>();
      for (const t of this.targets) {
        const a = this.wantArray(t)!;
        perArray.set(a, (perArray.get(a) ?? 0) + 1);
      }
      const counts = new Map<PathId, number>();
      for (const [a, n] of perArray) for (const p of a) counts.set(p, (counts.get(p) ?? 0) + n);
      this.#wantCount = counts;
    }
    return this.#wantCount;
  }

  /** True when some wanted path is private (see {@link FleetInfo.isPrivate}): per-host closures. */
  hasPrivate(): boolean {
    this.#hasPrivate ??= [...this.wantCount().values()].some((n) => n <= 1);
    return this.#hasPrivate;
  }

  /** True when at most one target wants `path` (a per-host path: only seeds can ever send it). */
  isPrivate(path: PathId): boolean {
    return (this.wantCount().get(path) ?? 0) <= 1;
  }
}
