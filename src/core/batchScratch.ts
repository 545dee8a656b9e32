import type { Host, PathId } from './types.js';

/**
 * Per-host counts of one batch by fleet position: a strategy's plan call (its `PlanContext`) or the
 * validation of the proposals it returned. An entry counts only while its stamp is the batch's own, so
 * nothing is cleared between batches, and every batch takes a fresh stamp from the shared counter, which
 * retires the entries of the one before. One batch at a time uses it: plan calls and validations never
 * overlap (both are synchronous), so the planner's and the validator's arrays can be the same ones.
 */
export interface BatchScratch {
  /** The last stamp handed out; a batch takes `++stamp`. */
  stamp: number;
  readonly sendStamp: Int32Array;
  readonly sends: Int32Array;
  readonly receiveStamp: Int32Array;
  readonly receives: Int32Array;
  /**
   * Paths proposed to the host in this batch (valid with its receive stamp): the first list as is, and
   * whatever the batch's owner keeps from a second proposal on (the validator: a set of them).
   */
  readonly lists: (readonly PathId[] | Set<PathId> | undefined)[];
}

const scratches = new WeakMap<readonly Host[], BatchScratch>();

/**
 * The batch scratch of a fleet, by its hosts array (the one the run's state and every plan view share):
 * one set of arrays per fleet however many strategies and batches use it. A 1,000,000-host run kept two,
 * 24 MB each.
 */
export function batchScratch(hosts: readonly Host[]): BatchScratch {
  let b = scratches.get(hosts);
  if (b === undefined || b.sends.length !== hosts.length) {
    const n = hosts.length;
    b = {
      stamp: 0,
      sendStamp: new Int32Array(n),
      sends: new Int32Array(n),
      receiveStamp: new Int32Array(n),
      receives: new Int32Array(n),
      lists: new Array<undefined>(n).fill(undefined),
    };
    scratches.set(hosts, b);
  }
  return b;
}
