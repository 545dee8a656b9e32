// Per-call state of `swarm`'s plan calls, kept across calls and reset cheaply (`SwarmHosts` owns them).

/**
 * One path's receiver skips for `SwarmTakers.next`: `to[i] = j` when the open receivers at indices i … j−1
 * cannot take the path, valid only while `stamp[i]` is the call's stamp ({@link SwarmHosts.newCall}).
 */
export class SkipRuns {
  readonly to: Int32Array;
  readonly stamp: Int32Array;

  constructor(n: number) {
    this.to = new Int32Array(n);
    this.stamp = new Int32Array(n);
  }
}

/**
 * A count per index (fleet position, shared path's bit) for one plan call, zeroed at the next call's start by undoing only the
 * entries counted (a new array per call was 3 % of a 1,000-host eager run).
 */
export class CallCounts {
  readonly #counts: Int32Array;
  readonly #counted: number[] = [];

  constructor(n: number) {
    this.#counts = new Int32Array(n);
  }

  /** Zeroes the counts for a new call; returns them (read-only for the caller: count with `add`). */
  start(): Int32Array {
    for (const i of this.#counted) this.#counts[i] = 0;
    this.#counted.length = 0;
    return this.#counts;
  }

  /** Counts one at position `i`. */
  add(i: number): void {
    if (this.#counts[i]!++ === 0) this.#counted.push(i);
  }
}
