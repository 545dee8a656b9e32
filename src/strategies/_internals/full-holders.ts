import type { PlanView } from '../../core/strategy.js';
import type { HostId } from '../../core/types.js';
import type { FleetInfo } from './fleet-info.js';

/**
 * The pool behind `StrategyMemory.fullHolders`: hosts known to hold their whole want set (or all of it but
 * their private paths) or to have held paths from the start, fleet order, updated incrementally.
 *
 * Targets outside the pool whose state may have changed since the last update are watched, as fleet
 * positions: every target at the first update, then those proposed to (only a transfer makes a host done),
 * kept while something is on its way to them. So an update costs O(hosts that received), not O(targets).
 * Membership is flagged by position in byte arrays (1,000,000-host fleets: no set of ids).
 */
export class FullHolders {
  #pool: HostId[] | undefined;
  /** Fleet positions of `#pool`'s hosts. */
  #poolPos: number[] = [];
  #poolFleet: unknown;
  /**
   * The watched positions, `#watchCount` of them: a typed array of the fleet's size (a position is watched
   * at most once at a time), where a number array of every target was 8 MB at 1,000,000 hosts.
   */
  #watch = new Int32Array(0);
  #watchCount = 0;
  #watching = new Uint8Array(0);
  #inPool = new Uint8Array(0);

  /** Notes a proposal to the host at fleet position `i` (undefined: not in the fleet). */
  noteProposed(i: number | undefined): void {
    if (this.#pool === undefined) return;
    if (i === undefined || this.#inPool[i] !== 0 || this.#watching[i] !== 0) return;
    this.#watching[i] = 1;
    this.#watch[this.#watchCount++] = i;
  }

  /** The positions of `pool` when it is the current pool. */
  positionsOf(pool: readonly HostId[]): readonly number[] | undefined {
    return pool === this.#pool ? this.#poolPos : undefined;
  }

  /** The pool, brought up to date; `holdsShared(t)`: live `t` misses only its own private paths. */
  update(view: PlanView, info: FleetInfo, holdsShared: (t: HostId) => boolean): readonly HostId[] {
    const hosts = view.fleet.hosts;
    if (this.#pool === undefined || this.#poolFleet !== view.fleet) {
      this.#poolFleet = view.fleet;
      this.#pool = [...info.seeds];
      this.#poolPos = info.seeds.map((s) => info.pos(s));
      this.#inPool = new Uint8Array(hosts.length);
      for (const i of this.#poolPos) this.#inPool[i] = 1;
      this.#watching = new Uint8Array(hosts.length);
      this.#watch = new Int32Array(hosts.length);
      this.#watchCount = 0;
      // Every target, by position: the hosts given a non-empty want array (info.targets, without a map
      // probe each: 1,000,000 of them cost more than a round).
      for (let i = 0; i < hosts.length; i++) if ((info.wantArrayAt(i)?.length ?? 0) > 0) this.noteProposed(i);
    }
    const fresh: number[] = [];
    const watch = this.#watch;
    const byPosition =
      view.isDoneAt !== undefined && view.isFailedAt !== undefined && view.incomingAt !== undefined;
    let kept = 0;
    const watched = this.#watchCount;
    for (let k = 0; k < watched; k++) {
      const i = watch[k]!;
      const t = hosts[i]!.id;
      let keep = false;
      if ((info.wantArrayAt(i)?.length ?? 0) === 0) {
        // a relay, not a target
      } else if ((byPosition ? view.isDoneAt!(i) : view.isDone(t)) || holdsShared(t)) {
        fresh.push(i);
        this.#inPool[i] = 1;
      } else if (byPosition) keep = !(view.isFailedAt!(i) || view.incomingAt!(i).size === 0);
      else keep = !(view.isFailed(t) || view.incoming(t).size === 0);
      // Failed, or nothing on its way: unchanged until something is proposed to it again.
      if (keep) watch[kept++] = i;
      else this.#watching[i] = 0;
    }
    this.#watchCount = kept;
    if (fresh.length > 0) this.#merge(fresh, hosts);
    return this.#pool;
  }

  /** Merges `fresh` positions (proposal order) into the pool (fleet order): a sort, then one linear merge. */
  #merge(fresh: number[], hosts: PlanView['fleet']['hosts']): void {
    fresh.sort((a, b) => a - b);
    const pool = this.#pool!;
    const poolPos = this.#poolPos;
    const n = pool.length + fresh.length;
    const merged = new Array<HostId>(n);
    const mergedPos = new Array<number>(n);
    let i = 0;
    let j = 0;
    for (let m = 0; m < n; m++) {
      if (j >= fresh.length || (i < pool.length && poolPos[i]! < fresh[j]!)) {
        merged[m] = pool[i]!;
        mergedPos[m] = poolPos[i++]!;
      } else {
        mergedPos[m] = fresh[j]!;
        merged[m] = hosts[fresh[j++]!]!.id;
      }
    }
    this.#pool = merged;
    this.#poolPos = mergedPos;
  }
}
