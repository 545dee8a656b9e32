import type { ClosureGraph } from '../../core/closure.js';
import { hostIndex } from '../../core/hostIndex.js';
import type { Fleet, HostId, PathId, PositionalHostMap } from '../../core/types.js';

/**
 * Facts about a fleet that never change during a run (fleet order, seeds, wanters per path, path order),
 * computed once per strategy instance. The expensive parts are lazy so a strategy that does not need
 * them pays nothing at 100,000 hosts.
 */
export class FleetInfo {
  /** Position of every host in fleet order (the fleet's shared index: see {@link hostIndex}). */
  readonly index: ReadonlyMap<HostId, number>;
  /** Hosts holding paths at the start, fleet order. */
  readonly seeds: readonly HostId[];
  #targets: readonly HostId[] | undefined;
  /**
   * Want arrays by fleet position (what `fleet.wants` gives each host): `fleet.wants` itself when it
   * answers by the fleet's positions (no 1,000,000-entry array then), else an array filled here.
   */
  readonly #wantAt: { valueAt(i: number): readonly PathId[] | undefined };
  #topo: Map<PathId, number> | undefined;
  #wantCount: Map<PathId, number> | undefined;
  #hasPrivate: boolean | undefined;

  constructor(
    readonly fleet: Fleet,
    readonly closure: ClosureGraph,
  ) {
    const seeds: HostId[] = [];
    this.index = hostIndex(fleet.hosts);
    const hosts = fleet.hosts;
    const positional = positionalOn(fleet.wants, this.index, hosts.length);
    const wantAt = positional ? undefined : new Array<readonly PathId[] | undefined>(hosts.length);
    for (let i = 0; i < hosts.length; i++) {
      const id = hosts[i]!.id;
      const want = positional ? positional.valueAt(i) : fleet.wants.get(id);
      if (wantAt) wantAt[i] = want;
      if (fleet.initialHave.size > 0 && (fleet.initialHave.get(id)?.length ?? 0) > 0) seeds.push(id);
    }
    this.seeds = seeds;
    this.#wantAt = positional ?? { valueAt: (i) => wantAt![i] };
  }

  /**
   * Hosts that want something, fleet order. Built on first read: most strategies never ask, and at
   * 1,000,000 hosts the list is 8 MB the run would keep.
   */
  get targets(): readonly HostId[] {
    if (this.#targets === undefined) {
      const hosts = this.fleet.hosts;
      const targets: HostId[] = [];
      for (let i = 0; i < hosts.length; i++)
        if ((this.#wantAt.valueAt(i)?.length ?? 0) > 0) targets.push(hosts[i]!.id);
      this.#targets = targets;
    }
    return this.#targets;
  }

  /** Fleet position of `host` (hosts outside the fleet sort last). */
  pos(host: HostId): number {
    return this.index.get(host) ?? Number.MAX_SAFE_INTEGER;
  }

  /** The want array as the fleet gave it; hosts given the same array share the object. */
  wantArray(host: HostId): readonly PathId[] | undefined {
    const i = this.index.get(host);
    // A duplicate id's index names its last host; `fleet.wants` has one entry per id either way.
    return i === undefined ? undefined : this.#wantAt.valueAt(i);
  }

  /** {@link FleetInfo.wantArray} of the host at fleet position `i`. */
  wantArrayAt(i: number): readonly PathId[] | undefined {
    return this.#wantAt.valueAt(i);
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
      // The targets by position, in fleet order (the hosts whose want array is not empty, as the
      // constructor picked them): a walk, where a look-up of each target's id cost 1,000,000 probes of a
      // 1,000,000-entry map (0.6 s) at the first plan call.
      const n = this.fleet.hosts.length;
      for (let i = 0; i < n; i++) {
        const a = this.#wantAt.valueAt(i);
        if (a === undefined || a.length === 0) continue;
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

/**
 * `wants` as a {@link PositionalHostMap} on `index` (the fleet's, of `length` hosts without duplicates),
 * or undefined when it is a plain map or keyed by another index.
 */
function positionalOn(
  wants: Fleet['wants'],
  index: ReadonlyMap<HostId, number>,
  length: number,
): PositionalHostMap<readonly PathId[]> | undefined {
  const w = wants as Partial<PositionalHostMap<readonly PathId[]>>;
  return w.positions === index && index.size === length && typeof w.valueAt === 'function'
    ? (w as PositionalHostMap<readonly PathId[]>)
    : undefined;
}
