import type { HostId } from '../../core/types.js';
import { SOURCE_WINDOW, type PlanContext } from './context.js';

/** A position in a source list that only moves forward within one `plan` call. */
export interface Cursor {
  i: number;
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
  cursor: Cursor = { i: 0 },
): HostId | undefined {
  while (cursor.i < list.length && !available(list[cursor.i]!)) cursor.i++;
  const retry = ctx.view.failedAttempts(to) > 0;
  let best: HostId | undefined;
  let bestAttempts = Infinity;
  let looked = 0;
  for (let k = cursor.i; k < list.length; k++) {
    const h = list[k]!;
    if (!available(h) || !ctx.edgeOk(h, to)) continue;
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
  cursor: Cursor = { i: 0 },
  size = SOURCE_WINDOW,
  fits: (h: HostId) => boolean = () => true,
): HostId[] {
  while (cursor.i < list.length && !available(list[cursor.i]!)) cursor.i++;
  const out: HostId[] = [];
  for (let k = cursor.i; k < list.length && out.length < size; k++) {
    const h = list[k]!;
    if (available(h) && ctx.edgeOk(h, to) && fits(h)) out.push(h);
  }
  return out;
}

/** A per-call map from a receiver's source list to its cursor. */
export class Cursors {
  readonly #map = new Map<readonly HostId[], Cursor>();
  of(list: readonly HostId[]): Cursor {
    let c = this.#map.get(list);
    if (!c) this.#map.set(list, (c = { i: 0 }));
    return c;
  }
}
