import type { HostId } from '../../core/types.js';
import { SOURCE_WINDOW, type PlanContext } from './context.js';

/**
 * Where a scan of one source list may still find an available source, within one `plan` call. Within a
 * call availability only ends (sends get proposed, nothing frees up), so a source found unavailable is
 * skipped for good: matching N receivers against one list then costs O(N · window + list), not
 * O(N · list) when the few free sources sit far down a list of busy ones (eager mode at scale).
 */
export class Cursor {
  /** `#next[k]`: a position ≥ k that has not been found unavailable (compressed as it is followed). */
  #next: Int32Array | undefined;

  /** The first position ≥ `k` not found unavailable. */
  at(k: number): number {
    const next = this.#next;
    if (next === undefined || k >= next.length) return k;
    let r = k;
    while (next[r] !== r) r = next[r]!;
    while (next[k] !== r) {
      const up = next[k]!;
      next[k] = r;
      k = up;
    }
    return r;
  }

  /** Records that the source at position `k` of a list of `length` is unavailable for this call. */
  drop(k: number, length: number): void {
    let next = this.#next;
    if (next === undefined) {
      next = this.#next = new Int32Array(length + 1);
      for (let j = 0; j <= length; j++) next[j] = j;
    }
    next[k] = k + 1;
  }
}

/**
 * The first source in `list` (from `cursor`) that is `available` and may send to `to`. Sources that are no
 * longer available to anyone are skipped for good by advancing the cursor, so matching N receivers against
 * one list costs O(N + list), and a source unusable for one receiver stays available to the next (unlike
 * the reference's log2-fanout, which lost it for the round). When `to` has failed before, up to
 * {@link SOURCE_WINDOW} candidates are compared and the one with the fewest failed attempts on its edge wins.
 */
export function pickSource(
  ctx: PlanContext,
  list: readonly HostId[],
  to: HostId,
  available: (h: HostId) => boolean,
  cursor: Cursor = new Cursor(),
): HostId | undefined {
  const retry = ctx.view.failedAttempts(to) > 0;
  let best: HostId | undefined;
  let bestAttempts = Infinity;
  let looked = 0;
  for (let k = cursor.at(0); k < list.length; k = cursor.at(k + 1)) {
    const h = list[k]!;
    if (!available(h)) {
      cursor.drop(k, list.length);
      continue;
    }
    if (!ctx.edgeOk(h, to)) continue;
    if (!retry) return h;
    const a = ctx.view.attempts(h, to);
    if (a < bestAttempts) {
      best = h;
      bestAttempts = a;
      if (a === 0) break;
    }
    if (++looked >= SOURCE_WINDOW) break;
  }
  return best;
}

/**
 * Up to `size` sources from `list` (from `cursor`) that are `available` and may send to `to`, for
 * strategies that score several candidates per receiver. `available` must not depend on the receiver (the
 * cursor skips unavailable sources for good); receiver-specific conditions go in `fits` (asked only where a route exists).
 */
export function sourceWindow(
  ctx: PlanContext,
  list: readonly HostId[],
  to: HostId,
  available: (h: HostId) => boolean,
  cursor: Cursor = new Cursor(),
  size = SOURCE_WINDOW,
  fits: (h: HostId) => boolean = () => true,
): HostId[] {
  const out: HostId[] = [];
  for (let k = cursor.at(0); k < list.length && out.length < size; k = cursor.at(k + 1)) {
    const h = list[k]!;
    if (!available(h)) cursor.drop(k, list.length);
    else if (ctx.edgeOk(h, to) && fits(h)) out.push(h);
  }
  return out;
}

/** A per-call map from a receiver's source list to its cursor. */
export class Cursors {
  readonly #map = new Map<readonly HostId[], Cursor>();
  of(list: readonly HostId[]): Cursor {
    let c = this.#map.get(list);
    if (!c) this.#map.set(list, (c = new Cursor()));
    return c;
  }
}
