/**
 * `swarm`'s free senders, kept across plan calls as a bit set over send ranks (positions in
 * `SwarmRun.sendOrderPos`: fastest uplink first, then fleet order). A host that holds something and may
 * send is idle (not sending) or busy; the idle ones are free at every call, a busy one only while its
 * uplink split once more still covers the call's slowest open receiver. So a call tests the busy senders
 * only, instead of walking the whole fleet (1,000 hosts, eager: a tenth of the run), and `SwarmPlan` reads
 * the call's free senders from {@link FreeSenders.mask} in rank order.
 */
export class FreeSenders {
  /** 32-bit words in each bit set over send ranks. */
  readonly words: number;
  /** Send rank of each fleet position. */
  readonly #rankOf: Int32Array;
  /** Idle senders (hold something, may send, send nothing), by rank. */
  readonly #idle: Uint32Array;
  #idleCount = 0;
  /** Busy senders' fleet positions (any order) and each one's index there (-1: not busy). */
  readonly #busy: number[] = [];
  readonly #busyAt: Int32Array;
  /** 1 when the host is counted idle. */
  readonly #isIdle: Uint8Array;
  /** The free senders of the current call, by rank (see {@link FreeSenders.collect}). */
  readonly mask: Uint32Array;
  /**
   * The words of `mask` with a free sender, in order: the first `liveCount` entries. A free holder search
   * ANDs a path's holders with `mask` over these only (10,000 hosts, eager: most of the 313 words are 0,
   * and walking them was most of the search).
   */
  readonly liveWords: Int32Array;
  liveCount = 0;
  /** Fleet positions of the busy senders in the current call's `mask` (set by `collect`). */
  readonly busyFree: number[] = [];
  #count = 0;
  /** Free senders in the words before each word of `mask`; valid while `#prefixValid`. */
  readonly #prefix: Int32Array;
  #prefixValid = false;

  /** @param sendOrderPos - fleet positions by send rank (`SwarmRun.sendOrderPos`). */
  constructor(sendOrderPos: Int32Array) {
    const n = sendOrderPos.length;
    this.words = (n + 31) >>> 5;
    this.#rankOf = new Int32Array(n);
    sendOrderPos.forEach((i, r) => (this.#rankOf[i] = r));
    this.#idle = new Uint32Array(this.words);
    this.#busyAt = new Int32Array(n).fill(-1);
    this.#isIdle = new Uint8Array(n);
    this.mask = new Uint32Array(this.words);
    this.liveWords = new Int32Array(this.words);
    this.#prefix = new Int32Array(this.words);
  }

  /**
   * Host `i` as just re-read: `sender` when it holds something and may send, `sending` its sends running.
   */
  update(i: number, sender: boolean, sending: number): void {
    const idle = sender && sending === 0;
    const busy = sender && sending > 0;
    if (idle !== (this.#isIdle[i] === 1)) {
      const r = this.#rankOf[i]!;
      this.#idle[r >>> 5]! ^= 1 << (r & 31);
      this.#isIdle[i] = idle ? 1 : 0;
      this.#idleCount += idle ? 1 : -1;
    }
    const at = this.#busyAt[i]!;
    if (busy && at < 0) {
      this.#busyAt[i] = this.#busy.length;
      this.#busy.push(i);
    } else if (!busy && at >= 0) {
      const last = this.#busy.pop()!;
      if (last !== i) {
        this.#busy[at] = last;
        this.#busyAt[last] = at;
      }
      this.#busyAt[i] = -1;
    }
  }

  /**
   * The call's free senders into {@link FreeSenders.mask}: the idle ones, and the busy ones whose uplink
   * ÷ (sends + 1) is at least `minDown`. Returns their count.
   */
  collect(minDown: number, uplink: Float64Array, sending: Int32Array): number {
    const mask = this.mask;
    mask.set(this.#idle);
    let count = this.#idleCount;
    const busyFree = this.busyFree;
    busyFree.length = 0;
    for (const i of this.#busy) {
      if (uplink[i]! / (sending[i]! + 1) >= minDown) {
        busyFree.push(i);
        const r = this.#rankOf[i]!;
        mask[r >>> 5]! |= 1 << (r & 31);
        count++;
      }
    }
    this.#collected(count);
    return count;
  }

  /** The call's free senders into {@link FreeSenders.mask}: the ranks for which `free` holds. Returns their count. */
  collectWhere(free: (rank: number) => boolean): number {
    const mask = this.mask;
    mask.fill(0);
    let count = 0;
    for (let r = 0; r < this.#rankOf.length; r++) {
      if (!free(r)) continue;
      mask[r >>> 5]! |= 1 << (r & 31);
      count++;
    }
    this.#collected(count);
    return count;
  }

  /** After a collect: `count` free senders in `mask`. */
  #collected(count: number): void {
    this.#count = count;
    this.#prefixValid = false;
    let k = 0;
    for (let w = 0; w < this.words; w++) if (this.mask[w] !== 0) this.liveWords[k++] = w;
    this.liveCount = k;
  }

  /** Whether host `i` is an idle sender (holds something, may send, sends nothing) as last updated. */
  isIdle(i: number): boolean {
    return this.#isIdle[i] === 1;
  }

  /** Free senders of the current call. */
  get count(): number {
    return this.#count;
  }

  /** Whether the host of send rank `r` is a free sender of the current call. */
  isFree(r: number): boolean {
    return (this.mask[r >>> 5]! & (1 << (r & 31))) !== 0;
  }

  /** How many free senders of the current call come before send rank `r` (its index in their list). */
  indexOf(r: number): number {
    const mask = this.mask;
    const prefix = this.#prefix;
    if (!this.#prefixValid) {
      let sum = 0;
      for (let w = 0; w < this.words; w++) {
        prefix[w] = sum;
        sum += popcount(mask[w]!);
      }
      this.#prefixValid = true;
    }
    const w = r >>> 5;
    const below = (r & 31) === 0 ? 0 : mask[w]! & (0xffffffff >>> (32 - (r & 31)));
    return prefix[w]! + popcount(below);
  }
}

/** Set bits of a 32-bit word. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
