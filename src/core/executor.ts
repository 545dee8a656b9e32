import type { Outcome, Transfer, TransferId } from './types.js';

/**
 * The one interface behind which transfers are carried out: the simulator (virtual time, src/sim) and
 * real `nix copy` over SSH (wall time, src/executor). The coordinator cannot tell them apart.
 */
export interface Executor {
  /**
   * Starts a batch of transfers at the current time. A batch is everything one `plan` call decided, so
   * a network model may treat them as starting together. `positions`, when given, holds the fleet
   * positions of each transfer's hosts (`[2k]` sender, `[2k + 1]` receiver of `batch[k]`): a hint an
   * executor may use after checking it against the ids, to skip its own look-ups.
   */
  start(batch: readonly Transfer[], positions?: Int32Array): void;
  /**
   * Resolves with the next transfer to end (finished or failed). Only called while `active > 0`.
   * Failures are outcomes, never rejections; a rejection means the executor itself broke.
   */
  next(): Promise<Outcome>;
  /**
   * Optional synchronous form of {@link Executor.next}, for an executor that never waits for anything real
   * (the simulator): returns the next outcome at once, under the same contract (only called while
   * `active > 0`; failures are outcomes, a throw means the executor broke). When present the coordinator
   * calls it instead of `next`, sparing a promise and an `await` per outcome (1,000,000 of them in a
   * 1,000,000-host run); an executor without it (the real one) is driven through `next` as before.
   */
  nextSync?(): Outcome;
  /** Stops a transfer; its outcome is still reported (as a `cancelled` failure) by `next`. */
  cancel(id: TransferId): void;
  /** Current time in seconds: virtual for the simulator, wall-clock since start for real runs. */
  now(): number;
  /** Number of transfers started and not yet reported by `next`. */
  readonly active: number;
  /** Releases resources (child processes, sockets). Safe to call twice. */
  close?(): Promise<void>;
}
