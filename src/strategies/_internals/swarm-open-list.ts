import { before, type OpenReceiver, type Receiver } from './swarm-receiver.js';

/** `SwarmHosts`' open receivers in `before` order, as a plan call reads them. */
export interface OpenReceivers {
  readonly length: number;
  /** The record at index `k` (0 ≤ k < length). */
  at(k: number): OpenReceiver;
  /**
   * Fleet position of the record at each index (entries past `length` mean nothing): a scan of the list
   * for a path's takers tests positions here against the path's row of `SharedBits.takersByPath` without
   * reading each record.
   */
  readonly positions: Int32Array;
}

/**
 * The kept list of open receivers as fleet positions into the records by position. A call re-places a few
 * receivers in a list of thousands (10,000 hosts: ~4,500 open): moving positions in a typed array is a
 * plain memory move, where splicing an array of records was 9 % of a 10,000 × 500 eager run.
 */
export class OpenList implements OpenReceivers {
  length = 0;
  readonly positions: Int32Array;
  readonly #recs: readonly (Receiver | undefined)[];

  /** @param recs - the records by fleet position (shared with the owner, which fills them). */
  constructor(recs: readonly (Receiver | undefined)[]) {
    this.#recs = recs;
    this.positions = new Int32Array(recs.length);
  }

  at(k: number): Receiver {
    return this.#recs[this.positions[k]!]!;
  }

  /** Makes the list `sorted`'s records, in that order. */
  assign(sorted: readonly Receiver[]): void {
    sorted.forEach((r, k) => (this.positions[k] = r.pos));
    this.length = sorted.length;
  }

  /** Index of the first record that does not go before `rec` (the list is in `before` order). */
  placeOf(rec: OpenReceiver): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.at(mid), rec) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Puts `rec` at its place in the order. */
  insert(rec: OpenReceiver): void {
    const k = this.placeOf(rec);
    this.positions.copyWithin(k + 1, k, this.length);
    this.positions[k] = rec.pos;
    this.length++;
  }

  /** Takes out `rec`, which is in the list with the key it was placed with. */
  remove(rec: OpenReceiver): void {
    const k = this.placeOf(rec);
    this.positions.copyWithin(k, k + 1, this.length);
    this.length--;
  }

  /** Keeps only the positions `keep` says, in order (one pass, for many removals at once). */
  retain(keep: (pos: number) => boolean): void {
    const positions = this.positions;
    let k = 0;
    for (let j = 0; j < this.length; j++) if (keep(positions[j]!)) positions[k++] = positions[j]!;
    this.length = k;
  }
}
