import type { HostId, PathId } from '../../core/types.js';
import type { PlanContext } from './context.js';

/**
 * Topology groups (racks, regions; `topology.groupOf`) as whole-closure strategies see them in one plan
 * call: which holders sit inside a receiver's group, and how many copies are already crossing into it.
 * Hosts without a group (flat networks, a deployer outside every rack) share the group `''`.
 */
export class GroupView {
  readonly #inside = new Map<ReadonlySet<PathId>, Map<string, readonly HostId[]>>();
  #inflight: Map<ReadonlySet<PathId>, Map<string, number>> | undefined;

  constructor(readonly ctx: PlanContext) {}

  /** The group of `host`, `''` when it has none. */
  group(host: HostId): string {
    return this.ctx.view.topology.groupOf(host) ?? '';
  }

  /** Live holders of everything `to` misses that sit in `to`'s group, fleet order (busy ones included). */
  inside(to: HostId): readonly HostId[] {
    const set = this.#core(to);
    const g = this.group(to);
    let byGroup = this.#inside.get(set);
    if (!byGroup) this.#inside.set(set, (byGroup = new Map<string, readonly HostId[]>()));
    let list = byGroup.get(g);
    if (!list) {
      list = this.ctx.sourcesFor(to).filter((h) => this.group(h) === g);
      byGroup.set(g, list);
    }
    return list;
  }

  /**
   * Whole-closure copies of `to`'s missing set (its shared core) now crossing into `to`'s group: hosts of the group with the
   * same missing set that are receiving while no holder inside could be serving them.
   */
  crossingsInFlight(to: HostId): number {
    if (!this.#inflight) {
      this.#inflight = new Map();
      const { view } = this.ctx;
      for (const h of view.pending()) {
        if (view.receiving(h) === 0) continue;
        const set = this.#core(h);
        let byGroup = this.#inflight.get(set);
        if (!byGroup) this.#inflight.set(set, (byGroup = new Map<string, number>()));
        const g = this.group(h);
        byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
      }
    }
    if (this.inside(to).length > 0) return 0;
    return this.#inflight.get(this.#core(to))?.get(this.group(to)) ?? 0;
  }

  /** The shared core of what `h` misses: hosts of one role share it while their private paths differ. */
  #core(h: HostId): ReadonlySet<PathId> {
    return this.ctx.memory.core(this.ctx.view, this.ctx.view.missing(h));
  }
}
