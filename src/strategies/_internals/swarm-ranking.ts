/**
 * Items 0 … n−1 (the shared paths' bits, `SharedBits`) kept in order of a key across `swarm`'s plan calls:
 * largest key first, lower item first on equal keys; only items whose key is above 0 are in the order. The
 * owner marks the items whose key may have changed ({@link KeptRanking.touch}) and {@link KeptRanking.update}
 * re-keys only those, so a call costs a merge of the few re-keyed items into the kept order instead of an
 * urgency and a sort of every shared path (500 paths, eager mode: a quarter of the run). The order is
 * total, so it is exactly the order a full sort of the items with a key above 0 gives.
 */
export class KeptRanking {
  /** Key of each item as last computed (0 before its first). */
  readonly #key: Float64Array;
  /** Index of each item in `#order`; -1 when it is not in it. */
  readonly #rank: Int32Array;
  /** Items with a key above 0, in order: the first `#length` entries. */
  #order: Int32Array;
  #length = 0;
  /**
   * The order before the last update, written over by the next one (a new 500-entry order per eager call
   * was a sixth of the run's allocation), and the re-keyed items of an update.
   */
  #spare: Int32Array;
  readonly #moved: number[] = [];
  /** Items touched since the last update, each once (`#touched`). */
  readonly #dirty: number[] = [];
  readonly #touched: Uint8Array;
  /** Every item is re-keyed at the next update (before the first one, or after {@link KeptRanking.touchAll}). */
  #all = true;

  /** @throws RangeError when `n` is negative or not an integer. */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`KeptRanking: bad size ${n}`);
    this.#key = new Float64Array(n);
    this.#rank = new Int32Array(n).fill(-1);
    this.#touched = new Uint8Array(n);
    this.#order = new Int32Array(n);
    this.#spare = new Int32Array(n);
  }

  /** Number of items. */
  get size(): number {
    return this.#key.length;
  }

  /** Marks item `b`'s key as possibly changed: the next update re-keys it. */
  touch(b: number): void {
    if (this.#touched[b] === 1 || this.#all) return;
    this.#touched[b] = 1;
    this.#dirty.push(b);
  }

  /** Marks every item: the next update re-keys them all. */
  touchAll(): void {
    this.#all = true;
  }

  /**
   * Re-keys the touched items with `key` (never NaN: NaN orders with nothing) and brings the order up to
   * date; the items not touched keep their keys.
   */
  update(key: (b: number) => number): void {
    const keys = this.#key;
    const rank = this.#rank;
    if (this.#all) {
      this.#all = false;
      for (const b of this.#dirty) this.#touched[b] = 0;
      this.#dirty.length = 0;
      rank.fill(-1);
      const order: number[] = [];
      for (let b = 0; b < keys.length; b++) {
        keys[b] = key(b);
        if (keys[b]! > 0) order.push(b);
      }
      order.sort(this.#before);
      this.#order.set(order);
      this.#length = order.length;
      order.forEach((b, k) => (rank[b] = k));
      return;
    }
    const dirty = this.#dirty;
    if (dirty.length === 0) return;
    const touched = this.#touched;
    const moved = this.#moved;
    moved.length = 0;
    for (const b of dirty) {
      keys[b] = key(b);
      if (keys[b] > 0) moved.push(b);
      else rank[b] = -1;
    }
    // An insertion sort: the re-keyed items are few (17 a call at 10,000 × 500), and `Array.prototype.sort`
    // through the comparator allocated a work array and a boxed number per comparison. The order is total,
    // so any sort gives this one.
    for (let j = 1; j < moved.length; j++) {
      const x = moved[j]!;
      let k = j;
      for (; k > 0; k--) {
        const a = moved[k - 1]!;
        if (!this.#precedes(x, a)) break;
        moved[k] = a;
      }
      moved[k] = x;
    }
    // The untouched items keep their relative order: merge the re-keyed ones into them, ranking each as it
    // is placed (`#precedes`, not the `#before` closure, which was most of the merge).
    const old = this.#order;
    const order = this.#spare;
    let k = 0;
    let m = 0;
    for (let j = 0; j < this.#length; j++) {
      const b = old[j]!;
      if (touched[b] === 1) continue;
      while (m < moved.length) {
        const x = moved[m]!;
        if (!this.#precedes(x, b)) break;
        order[k] = x;
        rank[x] = k++;
        m++;
      }
      order[k] = b;
      rank[b] = k++;
    }
    while (m < moved.length) {
      const x = moved[m++]!;
      order[k] = x;
      rank[x] = k++;
    }
    this.#spare = old;
    this.#order = order;
    this.#length = k;
    for (const b of dirty) touched[b] = 0;
    dirty.length = 0;
  }

  /**
   * The items with a key above 0, largest key first (lower item on ties), as of the last update; the
   * array's entries are written over by the update after the next one.
   */
  get order(): Int32Array {
    return this.#order.subarray(0, this.#length);
  }

  /** Key of item `b` as of the last update. */
  keyOf(b: number): number {
    return this.#key[b]!;
  }

  /** Index of item `b` in {@link KeptRanking.order}; -1 when it is not in it. */
  rankOf(b: number): number {
    return this.#rank[b]!;
  }

  /** Largest key first, then the lower item. */
  readonly #before = (a: number, b: number): number => (a === b ? 0 : this.#precedes(a, b) ? -1 : 1);

  /** Whether item `a` goes before item `b`: a larger key, or the same key and a lower item. */
  #precedes(a: number, b: number): boolean {
    const ka = this.#key[a]!;
    const kb = this.#key[b]!;
    return ka > kb || (ka === kb && a < b);
  }
}
