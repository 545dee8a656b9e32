/** How far a prediction is from the measurement: pure arithmetic, tested on its own. */

/** Ranks 1..n of `xs`, ties sharing their average rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation of two equally long lists (Pearson's correlation of their ranks, ties
 * averaged): 1 when they order the items alike, −1 when exactly reversed. Undefined with fewer than
 * three items or when either list has a single value (every host finishing together): no order to match.
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number | undefined {
  if (xs.length !== ys.length) throw new RangeError(`lists of ${xs.length} and ${ys.length} items`);
  if (xs.length < 3) return undefined;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (xs.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}

/** Predicted minus measured, in seconds and as a share of the measured value (undefined for 0). */
export function predictionError(
  measured: number,
  predicted: number,
): { readonly seconds: number; readonly percent: number | undefined } {
  const seconds = predicted - measured;
  return { seconds, percent: measured > 0 ? (100 * seconds) / measured : undefined };
}

/**
 * Whether two lists of scores put their items in the same order (ties in `measured` may go either way):
 * the simulator ranks the strategies as the real runs do.
 */
export function sameOrder(measured: readonly number[], predicted: readonly number[]): boolean {
  for (let i = 0; i < measured.length; i++) {
    for (let j = 0; j < measured.length; j++) {
      if (measured[i]! < measured[j]! && !(predicted[i]! <= predicted[j]!)) return false;
    }
  }
  return true;
}
