import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import type { SwarmAdmission } from './swarm-admission.js';
import type { FreeSenders } from './swarm-free.js';
import type { SwarmHosts } from './swarm-hosts.js';
import type { SwarmRun } from './swarm-run.js';

/**
 * The free holders of a path in one `SwarmPlan` call (the call's free senders that hold it and are still
 * usable), found by whichever scan is cheaper, with the work each search did for the call's scan budget.
 */
export class SwarmSources {
  /** The work the last {@link SwarmSources.of} did, which the caller charges to the scan budget. */
  cost = 0;
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  readonly #admission: SwarmAdmission;
  readonly #hosts: SwarmHosts;
  readonly #free: FreeSenders;
  readonly #freeTotal: number;
  readonly #window: number;
  /**
   * Without groups: the shared paths (one bit each) no free sender of the call holds — no idle holder
   * (`SharedBits.idleHeld`) and none among the busy free senders — for {@link SwarmSources.noFreeHolder}
   * and `SwarmUrgency.skipBits`.
   */
  readonly noFreeHolderBits: Uint32Array | undefined;

  /**
   * @param freeTotal - the call's free senders (`free.mask`, collected).
   * @param window - most holders returned.
   * @param groups - whether the plan has topology groups (then `free.mask` came from `collectWhere`).
   */
  constructor(
    view: PlanView,
    run: SwarmRun,
    admission: SwarmAdmission,
    hosts: SwarmHosts,
    freeTotal: number,
    window: number,
    groups: boolean,
  ) {
    this.#view = view;
    this.#run = run;
    this.#admission = admission;
    this.#hosts = hosts;
    this.#free = hosts.free;
    this.#freeTotal = freeTotal;
    this.#window = window;
    if (!groups) {
      const busyHeld = new Uint32Array((run.shared.length + 31) >>> 5);
      for (const i of hosts.free.busyFree) hosts.bits.orHolds(i, busyHeld);
      // (Bits past the last shared path come out set; no path has them.)
      const none = (this.noFreeHolderBits = new Uint32Array(busyHeld.length));
      const idleHeld = hosts.bits.idleHeld;
      for (let w = 0; w < none.length; w++) none[w] = ~(busyHeld[w]! | idleHeld[w]!);
    }
  }

  /**
   * Without groups: whether no free sender of the call holds the shared path of bit `b` (false for -1, not
   * a shared path, and with groups, whose free senders are not the idle ones and `busyFree`). `SwarmPlan`
   * skips such a pop: it can propose nothing, and no proposal of the call carries the path (only free
   * senders send), so it is never re-ranked and popped again; skipping it changes nothing but the scan
   * budget, which is no longer charged for the receiver scan and source search it spared. In eager mode's steady state nearly every pop was
   * such a path (2,000 hosts × 500 paths: 25 of 27 million pops, about 260 a call for one proposal).
   */
  noFreeHolder(b: number): boolean {
    const none = this.noFreeHolderBits;
    return none !== undefined && b >= 0 && (none[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  /** Free holders of `p` (at most `window`), fastest uplink first; sets {@link SwarmSources.cost}. */
  of(p: PathId): HostId[] {
    const view = this.#view;
    const run = this.#run;
    const admission = this.#admission;
    const hosts = this.#hosts;
    const holders = view.holders(p);
    const b = hosts.bitOf(p);
    const free = this.#free;
    const freeTotal = this.#freeTotal;
    const out: HostId[] = [];
    let cost = 0;
    // Scanning the holders costs H and a sort; scanning the free senders (fastest first, as the sort) for
    // the first `window` holders costs about window × F ÷ H. Sorting every holder of a path 2,000 hosts
    // hold made round mode quadratic (2,000 hosts: 22 s; 4,000: 92 s). The budget is charged for the scan
    // this rule picks. Both give the same list (the free senders are the hosts usable at the call's start,
    // in the sort's order, and a host only stops being usable during a call), so with a shared path's bits
    // at hand the free senders are scanned anyway unless the holders are very few: a bit test is far
    // cheaper than a holder's look-ups (1,000 hosts, eager: a tenth of the run).
    const byHolders = holders.size * holders.size <= this.#window * freeTotal;
    if (byHolders) cost += holders.size;
    if (byHolders && (b === undefined || holders.size * 32 < freeTotal)) {
      for (const h of holders) if (admission.usable(h)) out.push(h);
      out.sort((a, b) => view.host(b).uplink - view.host(a).uplink || run.pos(a) - run.pos(b));
      if (out.length > this.#window) out.length = this.#window;
      this.cost = cost;
      return out;
    }
    const mask = free.mask;
    const order = run.sendOrderPos;
    if (b === undefined) {
      // The free senders in order, until `window` of them hold `p` (`k`: how many were tested).
      let k = 0;
      outer: for (let j = 0; j < free.liveCount; j++) {
        const w = free.liveWords[j]!;
        let x = mask[w]!;
        while (x !== 0) {
          if (out.length >= this.#window) break outer;
          const low = x & -x;
          x ^= low;
          const i = order[(w << 5) + 31 - Math.clz32(low)]!;
          const h = hosts.ids[i]!;
          k++;
          if (view.has(h, p) && admission.usableAt(i, h)) out.push(h);
        }
      }
      if (!byHolders) cost += k;
      this.cost = cost;
      return out;
    }
    // The free holders in send order: the free senders' bits AND the path's holders' bits, word by word.
    const words = hosts.bits.rankWords;
    const ranks = hosts.bits.holderRanks;
    let scanned = freeTotal;
    const live = free.liveWords;
    const base = b * words;
    outer: for (let j = 0; j < free.liveCount; j++) {
      const w = live[j]!;
      let x = ranks[base + w]! & mask[w]!;
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const r = (w << 5) + 31 - Math.clz32(low);
        const i = order[r]!;
        if (!admission.usableAt(i, hosts.ids[i]!)) continue;
        out.push(hosts.ids[i]!);
        if (out.length >= this.#window) {
          // The scan of the free senders would have stopped here.
          scanned = free.indexOf(r) + 1;
          break outer;
        }
      }
    }
    if (!byHolders) cost += scanned;
    this.cost = cost;
    return out;
  }
}
