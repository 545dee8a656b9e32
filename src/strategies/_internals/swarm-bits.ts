import type { PathId } from '../../core/types.js';
import { popcount } from './swarm-free.js';

/**
 * Per-host bit sets over the shared paths (paths several targets want), by fleet position, for `swarm`:
 * what each host holds and what it may take (misses, nothing brings it yet), and two per-path figures
 * kept from them as hosts are re-read — the open receivers that may take each path, and each path's
 * holders by send rank. `SwarmHosts` reads the hosts; this keeps the bits.
 */
export class SharedBits {
  /** Bit of each shared path (a path several targets want) in the per-host bit sets below. */
  readonly #bit: ReadonlyMap<PathId, number>;
  /** 32-bit words per host in each bit set. */
  readonly #words: number;
  /** Per host, the shared paths it holds (`PlanView.has`). */
  readonly #holds: Uint32Array;
  /** Per host, the shared paths it misses and nothing brings yet (missing, not incoming). */
  readonly #takes: Uint32Array;
  /** Per host, the shared paths it missed when last read. */
  readonly #misses: Uint32Array;
  /** Per host, the sizes of its have and missing sets when last read (-1: never read). */
  readonly #haveSize: Int32Array;
  readonly #missSize: Int32Array;
  readonly #scratch: Uint32Array;
  /** The shared paths the host of the last `read` stopped missing in it. */
  readonly #gone: Uint32Array;
  /** How many bits `#gone` has. */
  #goneCount = 0;
  /**
   * Per shared path (by bit), the open receivers whose `#takes` has it: the receivers `SwarmPlan` may offer
   * it to at a call's start. Kept up to date as hosts are re-read, so a path nobody open can take costs no
   * scan of the open receivers (1,000 hosts, eager: 56 million failed tests in a run).
   */
  readonly #takers: Int32Array;
  /** 1 when the host's `#takes` bits are counted in `#takers` (it was open when last read). */
  readonly #inTakers: Uint8Array;
  /**
   * Per shared path (by bit), the idle senders that hold it (`FreeSenders`: hold something, may send, send
   * nothing), as hosts are re-read. Every idle sender is free at a call's start, so a path with none here
   * and none among the call's busy free senders has no free holder in that call (see `SwarmPlan`).
   */
  readonly #idleHolders: Int32Array;
  /** The shared paths (one bit each) with some idle holder (`#idleHolders` above 0), kept with it. */
  readonly idleHeld: Uint32Array;
  /** 1 when the host's `#holds` bits are counted in `#idleHolders`. */
  readonly #inIdle: Uint8Array;
  /** 32-bit words per path in {@link SharedBits.holderRanks}. */
  readonly rankWords: number;
  /**
   * Per shared path (by bit, `rankWords` words each), its holders as a bit set over send ranks (positions
   * in `sendOrderPos`: fastest uplink first): `SwarmPlan` finds a path's free holders in that order by
   * a word-wise AND with the call's free senders instead of testing each free sender.
   */
  readonly holderRanks: Uint32Array;
  /**
   * Per shared path (by bit, `rankWords` words each), the hosts whose `#takes` has it, as a bit set over
   * fleet positions: `SwarmTakers` tests a path's row (1.25 KB at 10,000 hosts) while it scans the open
   * receivers for one that may take it, instead of each receiver's own row scattered over the fleet's.
   */
  readonly takersByPath: Uint32Array;
  /** Send rank of each fleet position (the inverse of `sendOrderPos`). */
  readonly #rankOf: Int32Array;
  readonly #oldHolds: Uint32Array;
  /** Host `i`'s `#takes` bits before the last `read` (for `settle`). */
  readonly #oldTakes: Uint32Array;
  /** Told each shared path (by bit) whose holds bit changed for some host. */
  readonly #holdsChanged: (b: number) => void;

  /**
   * @param n - fleet size.
   * @param shared - the shared paths; a path's bit is its index.
   * @param sendOrderPos - fleet positions, fastest uplink first (`SwarmRun.sendOrderPos`), the order of
   *   {@link SharedBits.holderRanks}.
   * @param holdsChanged - told each bit whose holds bit changed for a host being read (its holders changed).
   */
  constructor(
    n: number,
    shared: readonly PathId[],
    sendOrderPos: Int32Array,
    holdsChanged: (b: number) => void = () => {},
  ) {
    this.#holdsChanged = holdsChanged;
    const bit = new Map<PathId, number>();
    shared.forEach((p, k) => bit.set(p, k));
    this.#bit = bit;
    const words = (this.#words = (shared.length + 31) >>> 5);
    this.#holds = new Uint32Array(n * words);
    this.#takes = new Uint32Array(n * words);
    this.#misses = new Uint32Array(n * words);
    this.#haveSize = new Int32Array(n).fill(-1);
    this.#missSize = new Int32Array(n);
    this.#scratch = new Uint32Array(words);
    this.#gone = new Uint32Array(words);
    this.#oldHolds = new Uint32Array(words);
    this.#oldTakes = new Uint32Array(words);
    this.rankWords = (n + 31) >>> 5;
    this.holderRanks = new Uint32Array(shared.length * this.rankWords);
    this.takersByPath = new Uint32Array(shared.length * this.rankWords);
    this.#rankOf = new Int32Array(n);
    sendOrderPos.forEach((i, r) => (this.#rankOf[i] = r));
    this.#takers = new Int32Array(shared.length);
    this.#inTakers = new Uint8Array(n);
    this.#idleHolders = new Int32Array(shared.length);
    this.idleHeld = new Uint32Array(words);
    this.#inIdle = new Uint8Array(n);
  }

  /**
   * Brings host `i`'s bit sets up to date (its have, missing and incoming sets as just read). A host's
   * missing set only shrinks, by delivery, and what it holds only grows, by delivery of paths it wants:
   * when the two sizes moved by the same amount, the shared paths it gained are exactly those it no longer
   * misses, so its have set is not walked (the deployer's, which changes at every call, is large and never
   * grows). `sent` and `planned`: paths that may have been delivered to it since its last read (those then
   * in flight to it, those proposed to it since); when they account for all it stopped missing, its
   * missing set is not walked either.
   */
  read(
    i: number,
    have: ReadonlySet<PathId>,
    missing: ReadonlySet<PathId>,
    incoming: ReadonlySet<PathId>,
    sent: readonly PathId[] = [],
    planned?: ReadonlySet<PathId>,
  ): void {
    const words = this.#words;
    const base = i * words;
    const bit = this.#bit;
    const miss = this.#scratch;
    const holds = this.#holds;
    const misses = this.#misses;
    const known = this.#haveSize[i]!;
    // The missing set only shrinks, so an unchanged size is an unchanged set: most hosts re-read (a
    // sender, a receiver whose transfer just started) missed the same paths, and walking a missing set
    // of 500 paths per re-read was 5 % of a 500-path eager run.
    if (known >= 0 && missing.size === this.#missSize[i]) copyRow(misses, base, miss, words);
    else if (known < 0 || !this.#dropDelivered(i, missing, sent, planned)) {
      miss.fill(0);
      for (const p of missing) {
        const b = bit.get(p);
        if (b !== undefined) miss[b >>> 5]! |= 1 << (b & 31);
      }
    }
    const old = this.#oldHolds;
    copyRow(holds, base, old, words);
    if (known >= 0 && have.size - known === this.#missSize[i]! - missing.size) {
      for (let w = 0; w < words; w++) holds[base + w]! |= misses[base + w]! & ~miss[w]!;
    } else {
      holds.fill(0, base, base + words);
      for (const p of have) {
        const b = bit.get(p);
        if (b !== undefined) holds[base + (b >>> 5)]! |= 1 << (b & 31);
      }
    }
    this.#moveRanks(i, old);
    let gone = 0;
    for (let w = 0; w < words; w++) {
      const x = (this.#gone[w] = misses[base + w]! & ~miss[w]!);
      if (x !== 0) gone += popcount(x);
    }
    this.#goneCount = gone;
    this.#haveSize[i] = have.size;
    this.#missSize[i] = missing.size;
    misses.set(miss, base);
    const takes = this.#takes;
    copyRow(takes, base, this.#oldTakes, words);
    takes.set(miss, base);
    for (const p of incoming) {
      const b = bit.get(p);
      if (b !== undefined) takes[base + (b >>> 5)]! &= ~(1 << (b & 31));
    }
    // Host i's bit in each path's row of `takersByPath`, where its takes bit changed.
    const byPath = this.takersByPath;
    const oldTakes = this.#oldTakes;
    const rw = this.rankWords;
    const word = i >>> 5;
    const mask = 1 << (i & 31);
    for (let w = 0; w < words; w++) {
      let x = oldTakes[w]! ^ takes[base + w]!;
      while (x !== 0) {
        const low = x & -x;
        byPath[((w << 5) + 31 - Math.clz32(low)) * rw + word]! ^= mask;
        x ^= low;
      }
    }
  }

  /**
   * Host `i`'s misses of its last read without the paths of `sent` and `planned` it no longer misses, into
   * the scratch row; true when those are as many as its missing set shrank by (then they are all it lost,
   * the missing set only shrinking), false when some other path went too (a private one, one that came
   * another way): then the caller walks the missing set.
   */
  #dropDelivered(
    i: number,
    missing: ReadonlySet<PathId>,
    sent: readonly PathId[],
    planned: ReadonlySet<PathId> | undefined,
  ): boolean {
    const words = this.#words;
    const miss = this.#scratch;
    copyRow(this.#misses, i * words, miss, words);
    let dropped = 0;
    const drop = (p: PathId): void => {
      const b = this.#bit.get(p);
      if (b === undefined || (miss[b >>> 5]! & (1 << (b & 31))) === 0 || missing.has(p)) return;
      miss[b >>> 5]! &= ~(1 << (b & 31));
      dropped++;
    };
    for (const p of sent) drop(p);
    if (planned) for (const p of planned) drop(p);
    return dropped === this.#missSize[i]! - missing.size;
  }

  /**
   * The bytes (`bytesOf`: NAR size by bit) of the shared paths the host of the last `read` stopped missing
   * in it, and how many they are ({@link SharedBits.goneCount}).
   */
  goneBytes(bytesOf: Float64Array): number {
    let bytes = 0;
    forEachBit(this.#gone, 0, this.#words, (b) => (bytes += bytesOf[b]!));
    return bytes;
  }

  /** How many shared paths the host of the last `read` stopped missing in it. */
  get goneCount(): number {
    return this.#goneCount;
  }

  /** Brings `holderRanks` up to date with host `i`'s holds bits (`old`: what they were). */
  #moveRanks(i: number, old: Uint32Array): void {
    const words = this.#words;
    const holds = this.#holds;
    const ranks = this.holderRanks;
    const rw = this.rankWords;
    const r = this.#rankOf[i]!;
    const word = r >>> 5;
    const mask = 1 << (r & 31);
    for (let w = 0; w < words; w++) {
      let x = old[w]! ^ holds[i * words + w]!;
      while (x !== 0) {
        const low = x & -x;
        const b = (w << 5) + 31 - Math.clz32(low);
        ranks[b * rw + word]! ^= mask;
        this.#holdsChanged(b);
        x ^= low;
      }
    }
  }

  /** Bit of shared path `p` in {@link SharedBits.holds} and {@link SharedBits.takes}; undefined for others. */
  bitOf(p: PathId): number | undefined {
    return this.#bit.get(p);
  }

  /** Whether host `i` holds the shared path of bit `b` (`PlanView.has`). */
  holds(i: number, b: number): boolean {
    return (this.#holds[i * this.#words + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }

  /** Calls `f` with each bit `b` for which {@link SharedBits.holds}(i, b) holds, in bit order. */
  forEachHold(i: number, f: (b: number) => void): void {
    forEachBit(this.#holds, i * this.#words, this.#words, f);
  }

  /** Open receivers (as of the last refresh) that miss the shared path of bit `b` and nothing brings it yet. */
  openTakers(b: number): number {
    return this.#takers[b]!;
  }

  /** Calls `f` with each bit `b` for which {@link SharedBits.takes}(i, b) holds, in bit order. */
  forEachTake(i: number, f: (b: number) => void): void {
    forEachBit(this.#takes, i * this.#words, this.#words, f);
  }

  /** Idle senders (as of the last refresh) that hold the shared path of bit `b`. */
  idleHolders(b: number): number {
    return this.#idleHolders[b]!;
  }

  /**
   * After `read(i, …)`: counts host `i`'s bits in the per-path figures as it is now — its `#takes` bits in
   * `#takers` when it is an `open` receiver, its `#holds` bits in `#idleHolders` when it is an `idle`
   * sender. A host counted before and after has only the bits that changed in the read re-counted: a host
   * re-read after a transfer changes a few of its 500 bits, and taking all of them out and back in was
   * 6 % of a 10,000 × 500 eager run.
   */
  settle(i: number, open: boolean, idle: boolean): void {
    const words = this.#words;
    const base = i * words;
    const was = this.#inTakers[i] === 1;
    if (was || open) settleRow(this.#takers, this.#oldTakes, this.#takes, base, words, was, open);
    this.#inTakers[i] = open ? 1 : 0;
    const wasIdle = this.#inIdle[i] === 1;
    if (wasIdle || idle)
      settleRow(this.#idleHolders, this.#oldHolds, this.#holds, base, words, wasIdle, idle, this.idleHeld);
    this.#inIdle[i] = idle ? 1 : 0;
  }

  /**
   * Bytes of the shared paths host `i` missed when last read (`bytesOf`: NAR size by bit); `count`: how
   * many there are, which the caller compares with its missing set's size.
   */
  missedBytes(i: number, bytesOf: Float64Array): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    forEachBit(this.#misses, i * this.#words, this.#words, (b) => {
      count++;
      bytes += bytesOf[b]!;
    });
    return { count, bytes };
  }

  /** ORs host `i`'s `#holds` bits into `out` (one bit per shared path). */
  orHolds(i: number, out: Uint32Array): void {
    const words = this.#words;
    const holds = this.#holds;
    for (let w = 0, base = i * words; w < words; w++) out[w]! |= holds[base + w]!;
  }

  /**
   * Writes into `out` each bit that host `to` takes and host `from` holds, in bit order, and returns how
   * many: the shared paths `from` could send `to` now, found word by word instead of path by path.
   */
  takenHeld(to: number, from: number, out: Int32Array): number {
    const words = this.#words;
    const takes = this.#takes;
    const holds = this.#holds;
    let n = 0;
    for (let w = 0; w < words; w++) {
      let x = takes[to * words + w]! & holds[from * words + w]!;
      while (x !== 0) {
        const low = x & -x;
        out[n++] = (w << 5) + 31 - Math.clz32(low);
        x ^= low;
      }
    }
    return n;
  }

  /** Whether host `i` misses the shared path of bit `b` and nothing brings it yet. */
  takes(i: number, b: number): boolean {
    return (this.#takes[i * this.#words + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }
}

/**
 * Moves a host's row of bits from `old` (counted in `counts` when `was`) to `now`'s row at `base` (counted
 * when `is`): with both, only the bits that differ. `nonZero`, when given, keeps a bit per count: set while
 * it is above 0.
 */
function settleRow(
  counts: Int32Array,
  old: Uint32Array,
  now: Uint32Array,
  base: number,
  words: number,
  was: boolean,
  is: boolean,
  nonZero?: Uint32Array,
): void {
  for (let w = 0; w < words; w++) {
    const o = was ? old[w]! : 0;
    const n = is ? now[base + w]! : 0;
    let x = o ^ n;
    while (x !== 0) {
      const low = x & -x;
      const b = (w << 5) + 31 - Math.clz32(low);
      const c = (counts[b]! += (n & low) !== 0 ? 1 : -1);
      if (nonZero) {
        if (c === 0) nonZero[w]! &= ~low;
        else nonZero[w]! |= low;
      }
      x ^= low;
    }
  }
}

/**
 * Copies `words` words of `from` at `base` into `to` (a loop: `to.set(from.subarray(…))` makes a view
 * object per copy, four per host re-read).
 */
function copyRow(from: Uint32Array, base: number, to: Uint32Array, words: number): void {
  for (let w = 0; w < words; w++) to[w] = from[base + w]!;
}

/** Calls `f` with the index of each set bit of `words` words of `a` from `base`, in order. */
function forEachBit(a: Uint32Array, base: number, words: number, f: (b: number) => void): void {
  for (let w = 0; w < words; w++) {
    let x = a[base + w]!;
    while (x !== 0) {
      const low = x & -x;
      f((w << 5) + 31 - Math.clz32(low));
      x ^= low;
    }
  }
}
