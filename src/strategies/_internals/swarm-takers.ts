import type { PathId } from '../../core/types.js';
import type { SkipRuns } from './swarm-call-state.js';
import type { OpenReceiver, OpenReceivers, SwarmHosts } from './swarm-hosts.js';

/**
 * Which open receivers may take a path in one `SwarmPlan` call: the call-permanent test (`mayTake`), each
 * path's cursor into the open receivers, the runs of receivers already found unable to take it, and the
 * count of those that still can (`SharedBits.openTakers`, less what this call's proposals used up), so a
 * path nobody can take costs no scan at all.
 */
export class SwarmTakers {
  readonly #hosts: SwarmHosts;
  readonly #open: OpenReceivers;
  /** Per path: receivers before this index in `#open` cannot take it in this call. */
  readonly #cursor = new Map<PathId, number>();
  /** Per path: receivers at `#open` indices i … j−1 cannot take it in this call (see `SkipRuns`). */
  readonly #skip = new Map<PathId, SkipRuns>();
  /** This call's stamp on the skips it writes. */
  readonly #call: number;
  /**
   * Per shared path (by bit): receivers counted in `SharedBits.openTakers` that can no longer take it in
   * this call (out of slots, or it is planned for them), as a negative count.
   */
  readonly #delta: Int32Array;

  /** @param shared - the shared paths, by bit (`SwarmRun.shared`). */
  constructor(hosts: SwarmHosts, open: OpenReceivers, shared: readonly PathId[]) {
    this.#hosts = hosts;
    this.#open = open;
    this.#delta = new Int32Array(shared.length);
    this.#call = hosts.newCall();
  }

  /** The index in the open receivers before which none can take `p` in this call. */
  cursor(p: PathId): number {
    return this.#cursor.get(p) ?? 0;
  }

  /** Moves `p`'s cursor to `i` (no receiver before it may take `p`, or it is one kept for a later pop). */
  setCursor(p: PathId, i: number): void {
    this.#cursor.set(p, i);
  }

  /**
   * Cheap, call-permanent test: `to` has a receive slot, misses `p`, and nothing brings `p` yet (`b`: the
   * bit of a shared `p`, read from the kept bit sets; the sets themselves for the others).
   */
  mayTake(to: OpenReceiver, p: PathId, b = this.#hosts.bitOf(p)): boolean {
    if (to.slots <= 0) return false;
    if (b === undefined ? !to.missing.has(p) || to.incoming.has(p) : !this.#hosts.takes(to.pos, b))
      return false;
    return !(to.planned?.has(p) ?? false);
  }

  /**
   * The first index from `i` in the open receivers whose receiver passes `mayTake` for `p` (their count
   * when none). A failed `mayTake` stays failed for the rest of the call, so the runs of receivers that
   * failed it are remembered per path and jumped over by later scans of the path: most open receivers
   * already hold most paths, and each pop of a path used to rescan them (1,000 hosts, eager: 59 million
   * tests). Callers charge the scan budget by index distance, as if every receiver had been tested.
   */
  next(p: PathId, i: number): number {
    const open = this.#open;
    const n = open.length;
    const hosts = this.#hosts;
    const b = hosts.bitOf(p);
    // Nobody open can take it: the scan would test every receiver left and find none.
    if (b !== undefined && hosts.bits.openTakers(b) + this.#delta[b]! === 0) return n;
    let runs = this.#skip.get(p);
    if (!runs) this.#skip.set(p, (runs = hosts.skipRuns(p)));
    const skip = runs.to;
    const stamp = runs.stamp;
    const call = this.#call;
    // A shared path: its takes bits by fleet position, tested before the record is read (`mayTake` tests
    // the same bit; most receivers fail there).
    const row = b === undefined ? -1 : b * hosts.bits.rankWords;
    const byPath = hosts.bits.takersByPath;
    const pos = open.positions;
    let run = -1;
    while (i < n) {
      const j = stamp[i] === call ? skip[i]! : 0;
      if (j > i) {
        if (run < 0) run = i;
        i = j;
        continue;
      }
      const q = pos[i]!;
      if ((row < 0 || (byPath[row + (q >>> 5)]! & (1 << (q & 31))) !== 0) && this.mayTake(open.at(i), p, b))
        break;
      if (run < 0) run = i;
      i++;
    }
    if (run >= 0) {
      skip[run] = i;
      stamp[run] = call;
    }
    return i;
  }

  /**
   * `paths` were proposed to `rec` (`planned`: every path planned for it in this call, these included),
   * before its slots were counted down: keeps the per-path counts of receivers that may take them.
   */
  proposed(rec: OpenReceiver, paths: readonly PathId[], planned: ReadonlySet<PathId>): void {
    const hosts = this.#hosts;
    const delta = this.#delta;
    for (const p of paths) {
      const b = hosts.bitOf(p);
      if (b !== undefined && hosts.takes(rec.pos, b)) delta[b]!--;
    }
    if (rec.slots > 1) return;
    // Its last slot: it takes nothing more in this call. Every path it takes counts down, except the planned
    // ones, counted down above (a set look-up per taken path was 4 % of a 10,000 × 500 eager run).
    hosts.bits.forEachTake(rec.pos, (b) => delta[b]!--);
    for (const p of planned) {
      const b = hosts.bitOf(p);
      if (b !== undefined && hosts.takes(rec.pos, b)) delta[b]!++;
    }
  }
}
