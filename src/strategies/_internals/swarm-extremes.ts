import type { OpenReceivers } from './swarm-open-list.js';

/**
 * The most receive time left and the slowest downlink among `SwarmHosts`' open receivers (folded as
 * `SwarmAdmission` folds them: from 0 and from Infinity), each with how many receivers have it, kept as
 * the list changes: a plan call used to fold them over every open receiver (10,000 hosts × 500 paths,
 * eager: ~4,500 a call). Stale when the last receiver with either leaves; the owner then folds afresh.
 */
export class OpenExtremes {
  maxLeft = 0;
  minDown = Infinity;
  #maxLeftCount = 0;
  #minDownCount = 0;
  /** Set by the owner when the list was rebuilt, and here when the last receiver with an extreme left. */
  stale = true;

  /** Folds `open` afresh (`downlink` by fleet position). */
  fold(open: OpenReceivers, downlink: Float64Array): void {
    let maxLeft = 0;
    let minDown = Infinity;
    for (let k = 0; k < open.length; k++) {
      const r = open.at(k);
      maxLeft = Math.max(maxLeft, r.left);
      minDown = Math.min(minDown, downlink[r.pos]!);
    }
    this.maxLeft = maxLeft;
    this.minDown = minDown;
    this.#maxLeftCount = 0;
    this.#minDownCount = 0;
    for (let k = 0; k < open.length; k++) {
      const r = open.at(k);
      if (r.left === maxLeft) this.#maxLeftCount++;
      if (downlink[r.pos] === minDown) this.#minDownCount++;
    }
    this.stale = false;
  }

  /** A receiver with these figures joins the list. */
  add(left: number, down: number): void {
    if (left > this.maxLeft) {
      this.maxLeft = left;
      this.#maxLeftCount = 1;
    } else if (left === this.maxLeft) this.#maxLeftCount++;
    if (down < this.minDown) {
      this.minDown = down;
      this.#minDownCount = 1;
    } else if (down === this.minDown) this.#minDownCount++;
  }

  /** A receiver with these figures (as they were when it joined) leaves the list. */
  drop(left: number, down: number): void {
    if (left === this.maxLeft && --this.#maxLeftCount === 0) this.stale = true;
    if (down === this.minDown && --this.#minDownCount === 0) this.stale = true;
  }
}
