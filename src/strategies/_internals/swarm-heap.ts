/**
 * A binary max-heap of store paths keyed by urgency, for `swarm`. Entries are never updated in place:
 * a path whose urgency changed is pushed again with a new version and the old entry is skipped when it
 * surfaces (lazy deletion), so a plan call costs O(log P) per change instead of re-sorting every path.
 */

/** One heap entry: a path, its urgency when pushed, and the version it was pushed under. */
export interface UrgencyEntry {
  readonly path: string;
  readonly urgency: number;
  /** Deterministic tie-break: lower first (the path's topological position). */
  readonly tie: number;
  readonly version: number;
  /** The path's bit when it is a shared path (`SharedBits`), else -1. */
  readonly bit: number;
}

/** Max-heap on (urgency desc, tie asc). */
export class UrgencyHeap {
  readonly #items: UrgencyEntry[] = [];

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** The most urgent entry, left in place; undefined when empty. */
  peek(): UrgencyEntry | undefined {
    return this.#items[0];
  }

  /** Adds an entry. */
  push(e: UrgencyEntry): void {
    const a = this.#items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(a[i]!, a[up]!)) break;
      swap(a, i, up);
      i = up;
    }
  }

  /** Removes and returns the most urgent entry, or undefined when empty. */
  pop(): UrgencyEntry | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      swap(a, i, m);
      i = m;
    }
    return top;
  }
}

/** Swaps two entries (a destructuring swap allocated an array per step: most of the heap's garbage). */
function swap(a: UrgencyEntry[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function before(x: UrgencyEntry, y: UrgencyEntry): boolean {
  return x.urgency > y.urgency || (x.urgency === y.urgency && x.tie < y.tie);
}
