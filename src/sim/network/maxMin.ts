/**
 * Max-min fair rate allocation by progressive filling ("water-filling"), bottleneck form: repeatedly
 * find the resource whose remaining capacity split over its unfrozen flows is smallest, freeze those
 * flows at that share, and take their rates off every resource they cross. A lazy min-heap of
 * resources keeps this O((F·d + R) log R) for F flows crossing d resources each: a resource's fair
 * share can only grow as flows are frozen elsewhere, so a stale heap entry is simply re-pushed.
 *
 * The flow model calls this on every start and finish, so {@link MaxMinSolver} keeps its work arrays
 * between calls and takes its input in compressed (CSR) form: no allocation per solve.
 */

/** Reusable max-min solver (not reentrant: each `solve` overwrites the previous result). */
export class MaxMinSolver {
  #rates = new Float64Array(16);
  #frozen = new Uint8Array(16);
  #count = new Int32Array(16);
  #remaining = new Float64Array(16);
  #offset = new Int32Array(17);
  #fill = new Int32Array(16);
  #members = new Int32Array(16);
  #heapShare = new Float64Array(16);
  #heapRes = new Int32Array(16);
  #cap = new Float64Array(16);
  #capShare = new Float64Array(16);
  #capFlow = new Int32Array(16);

  /**
   * Computes max-min fair rates.
   *
   * @param nf - number of flows.
   * @param flowStart - CSR offsets (length ≥ nf + 1): flow f crosses `flowRes[flowStart[f] .. flowStart[f+1])`.
   * @param flowRes - local resource indices (0 ≤ r < nr), no duplicates within a flow.
   * @param nr - number of resources.
   * @param capacity - capacity of each resource (> 0; `Infinity` = never a bottleneck).
   * @param flowCap - optional most rate of each flow on its own (> 0; `Infinity` = none), e.g. a TCP
   *   window's: a flow capped below its fair share gets its cap, and what it leaves goes to the others.
   * @returns rates of flows 0..nf-1 (a view on an internal buffer, valid until the next call);
   *   `Infinity` for a flow that crosses no finite resource and has no cap.
   */
  solve(
    nf: number,
    flowStart: ArrayLike<number>,
    flowRes: ArrayLike<number>,
    nr: number,
    capacity: ArrayLike<number>,
    flowCap?: ArrayLike<number>,
  ): Float64Array {
    this.#ensure(nf, nr, flowStart[nf]!);
    const rates = this.#rates;
    const frozen = this.#frozen;
    const count = this.#count;
    const remaining = this.#remaining;
    const offset = this.#offset;
    const fill = this.#fill;
    const members = this.#members;
    rates.fill(Infinity, 0, nf);
    frozen.fill(0, 0, nf);
    count.fill(0, 0, nr);
    for (let r = 0; r < nr; r++) remaining[r] = capacity[r]!;
    const end = flowStart[nf]!;
    for (let k = flowStart[0]!; k < end; k++) count[flowRes[k]!]!++;
    // CSR resource → flows, filled in flow order so ties resolve deterministically.
    offset[0] = 0;
    for (let r = 0; r < nr; r++) {
      offset[r + 1] = offset[r]! + count[r]!;
      fill[r] = offset[r]!;
    }
    for (let f = 0; f < nf; f++) {
      for (let k = flowStart[f]!; k < flowStart[f + 1]!; k++) members[fill[flowRes[k]!]!++] = f;
    }

    // A resource crossed by a single flow is just a cap on that flow: its share never changes. Caps (those
    // and the flows' own) go to heap B (flows by cap), shared resources to heap A (resources by share,
    // lazily refreshed). Only flows with a binding cap are ever popped from B, so the common case stays
    // O(S log S + F·d).
    const cap = this.#cap;
    if (flowCap === undefined) cap.fill(Infinity, 0, nf);
    else for (let f = 0; f < nf; f++) cap[f] = flowCap[f]!;
    const S = this.#heapShare;
    const H = this.#heapRes;
    let size = 0;
    for (let r = 0; r < nr; r++) {
      const c = count[r]!;
      if (c === 0 || !(remaining[r]! < Infinity)) continue;
      if (c === 1) {
        const f = members[offset[r]!]!;
        if (remaining[r]! < cap[f]!) cap[f] = remaining[r]!;
      } else {
        S[size] = remaining[r]! / c;
        H[size++] = r;
      }
    }
    for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(S, H, size, i, S[i]!, H[i]!);
    // Heap B is built only once some cap could bind (often none does: links are tighter).
    const CS = this.#capShare;
    const CF = this.#capFlow;
    let capSize = 0;
    let capBuilt = false;
    let minCap = Infinity;
    for (let f = 0; f < nf; f++) if (cap[f]! < minCap) minCap = cap[f]!;

    let unfrozen = nf;
    while (unfrozen > 0) {
      // Tightest shared resource (refresh stale tops: shares only grow).
      let share = Infinity;
      let r = -1;
      while (size > 0) {
        const top = H[0]!;
        const n = count[top]!;
        if (n === 0) {
          size = popTop(S, H, size);
          continue;
        }
        const current = (remaining[top]! > 0 ? remaining[top]! : 0) / n;
        if (current > S[0]!) {
          siftDown(S, H, size, 0, current, top);
          continue;
        }
        share = current;
        r = top;
        break;
      }
      // A flow cap below that share binds first (frozen flows' caps are dropped only when on top).
      if (!capBuilt && minCap < share) {
        capBuilt = true;
        for (let f = 0; f < nf; f++) {
          if (cap[f]! < Infinity && frozen[f] === 0) {
            CS[capSize] = cap[f]!;
            CF[capSize++] = f;
          }
        }
        for (let i = (capSize >> 1) - 1; i >= 0; i--) siftDown(CS, CF, capSize, i, CS[i]!, CF[i]!);
      }
      let capped = false;
      while (capSize > 0 && CS[0]! < share) {
        const f = CF[0]!;
        const rate = CS[0]!;
        capSize = popTop(CS, CF, capSize);
        if (frozen[f] === 1) continue;
        this.#freeze(f, rate, flowStart, flowRes);
        unfrozen--;
        capped = true;
        break;
      }
      if (capped) continue;
      if (r < 0) break; // only flows without any finite resource remain (rate Infinity)
      size = popTop(S, H, size);
      // r is the tightest bottleneck left: its unfrozen flows all get `share`.
      for (let k = offset[r]!; k < offset[r + 1]!; k++) {
        const f = members[k]!;
        if (frozen[f] === 1) continue;
        this.#freeze(f, share, flowStart, flowRes);
        unfrozen--;
      }
      remaining[r] = 0;
    }
    return rates.subarray(0, nf);
  }

  #freeze(f: number, rate: number, flowStart: ArrayLike<number>, flowRes: ArrayLike<number>): void {
    this.#frozen[f] = 1;
    this.#rates[f] = rate;
    const remaining = this.#remaining;
    const count = this.#count;
    for (let j = flowStart[f]!; j < flowStart[f + 1]!; j++) {
      const q = flowRes[j]!;
      remaining[q] = remaining[q]! - rate;
      count[q]!--;
    }
  }

  #ensure(nf: number, nr: number, links: number): void {
    if (this.#rates.length < nf) {
      const n = grow(nf);
      this.#rates = new Float64Array(n);
      this.#frozen = new Uint8Array(n);
      this.#cap = new Float64Array(n);
      this.#capShare = new Float64Array(n);
      this.#capFlow = new Int32Array(n);
    }
    if (this.#count.length < nr) {
      const n = grow(nr);
      this.#count = new Int32Array(n);
      this.#remaining = new Float64Array(n);
      this.#offset = new Int32Array(n + 1);
      this.#fill = new Int32Array(n);
      this.#heapShare = new Float64Array(n);
      this.#heapRes = new Int32Array(n);
    }
    if (this.#members.length < links) this.#members = new Int32Array(grow(links));
  }
}

function grow(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/** (share, resource) order; ties pop the lower resource index first. */
function less(s1: number, r1: number, s2: number, r2: number): boolean {
  return s1 < s2 || (s1 === s2 && r1 < r2);
}

/** Places (share, r) at slot i and sifts it down. */
function siftDown(S: Float64Array, H: Int32Array, size: number, i: number, share: number, r: number): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    let c = l;
    const rr = l + 1;
    if (rr < size && less(S[rr]!, H[rr]!, S[l]!, H[l]!)) c = rr;
    if (!less(S[c]!, H[c]!, share, r)) break;
    S[i] = S[c]!;
    H[i] = H[c]!;
    i = c;
  }
  S[i] = share;
  H[i] = r;
}

/** Removes the top; returns the new size. */
function popTop(S: Float64Array, H: Int32Array, size: number): number {
  const n = size - 1;
  if (n > 0) siftDown(S, H, n, 0, S[n]!, H[n]!);
  return n;
}

/**
 * Computes max-min fair rates (convenience form of {@link MaxMinSolver.solve}).
 *
 * @param flowResources - for each flow, the indices (0 ≤ r < capacity.length) of the resources it
 *   crosses; duplicates are not allowed.
 * @param capacity - capacity of each resource (> 0; `Infinity` = never a bottleneck).
 * @param flowCap - optional cap of each flow on its own (see {@link MaxMinSolver.solve}).
 * @returns the rate of each flow; `Infinity` for a flow that crosses no finite resource and has no cap.
 */
export function maxMinFairRates(
  flowResources: ReadonlyArray<ArrayLike<number>>,
  capacity: ArrayLike<number>,
  flowCap?: ArrayLike<number>,
): Float64Array {
  const start = new Int32Array(flowResources.length + 1);
  flowResources.forEach((res, f) => (start[f + 1] = start[f]! + res.length));
  const flat = new Int32Array(start[flowResources.length]!);
  flowResources.forEach((res, f) => flat.set(Array.from(res), start[f]));
  return new MaxMinSolver()
    .solve(flowResources.length, start, flat, capacity.length, capacity, flowCap)
    .slice();
}
