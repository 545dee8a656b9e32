import type { Transfer, TransferId } from './types.js';

/** Front slots freed before the window is shifted down (amortises the copy over as many deletes). */
const SHIFT_AFTER = 4096;
/** A gap in ids wider than this (on top of the window's length) is not padded with empty slots. */
const MAX_GAP = 1 << 16;

/**
 * The coordinator's running transfers by id, iterated in the order they were added (as a `Map` would).
 *
 * The coordinator numbers its transfers 0, 1, 2, … in the order it starts them, so while ids only grow,
 * insertion order is id order and the table is an array window over the ids still running: `base` is
 * the id in slot 0, a finished transfer leaves an empty slot, and the window restarts empty whenever
 * nothing runs (every round end in round mode) or shifts down once its front has emptied. A
 * 1,000,000-host round of 500,000 transfers then costs one array slot each instead of a `Map` entry
 * (hashing, rehash growth, a 500,000-entry table the garbage collector walks). Ids that do not fit (not
 * an integer, smaller than one already added, or far beyond the window) move the table to a `Map` for
 * good, copied in order, so the behaviour is a `Map`'s whatever the ids.
 */
export class RunningTransfers implements Iterable<[TransferId, Transfer]> {
  #base = 0;
  /** Slot k holds the transfer with id `#base + k`, or undefined once it ended. */
  #slots: (Transfer | undefined)[] = [];
  /** Slots before this one are all empty. */
  #head = 0;
  #size = 0;
  #map: Map<TransferId, Transfer> | undefined;

  /** Number of running transfers. */
  get size(): number {
    return this.#map?.size ?? this.#size;
  }

  /** The running transfer with this id, or undefined. */
  get(id: TransferId): Transfer | undefined {
    if (this.#map !== undefined) return this.#map.get(id);
    const k = id - this.#base;
    return Number.isInteger(k) && k >= this.#head && k < this.#slots.length ? this.#slots[k] : undefined;
  }

  /** Whether a transfer with this id is running. */
  has(id: TransferId): boolean {
    return this.get(id) !== undefined;
  }

  /** Records `t` as running under its id (replacing a transfer of the same id, keeping its place). */
  add(t: Transfer): void {
    const id = t.id;
    if (this.#map === undefined) {
      if (this.#size === 0 && Number.isInteger(id)) {
        this.#base = id;
        this.#slots.length = 0;
        this.#head = 0;
      }
      const k = id - this.#base;
      const len = this.#slots.length;
      if (Number.isInteger(k) && k >= len && k - len <= MAX_GAP) {
        while (this.#slots.length < k) this.#slots.push(undefined);
        this.#slots.push(t);
        this.#size++;
        return;
      }
      this.#toMap();
    }
    this.#map!.set(id, t);
  }

  /** Forgets a transfer; returns whether it was running. */
  delete(id: TransferId): boolean {
    if (this.#map !== undefined) return this.#map.delete(id);
    if (this.get(id) === undefined) return false;
    const slots = this.#slots;
    slots[id - this.#base] = undefined;
    if (--this.#size === 0) {
      slots.length = 0;
      this.#head = 0;
      return true;
    }
    while (slots[this.#head] === undefined) this.#head++;
    if (this.#head >= SHIFT_AFTER && 2 * this.#head >= slots.length) {
      slots.splice(0, this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
    return true;
  }

  /** Ids of the running transfers, in the order they were added. */
  *keys(): IterableIterator<TransferId> {
    for (const [id] of this) yield id;
  }

  /**
   * [id, transfer] of the running transfers, in the order they were added. As with a `Map`, a transfer
   * deleted during the walk before it is reached is not visited, and one added during it is.
   */
  *[Symbol.iterator](): IterableIterator<[TransferId, Transfer]> {
    if (this.#map !== undefined) {
      yield* this.#map;
      return;
    }
    // Walked by id, not by slot, so a window that shifts or restarts during the walk is followed.
    let id = this.#base + this.#head;
    while (this.#map === undefined) {
      const k = id - this.#base;
      if (k >= this.#slots.length) return;
      if (k < this.#head) {
        id = this.#base + this.#head;
        continue;
      }
      const t = this.#slots[k];
      if (t !== undefined) yield [id, t];
      id++;
    }
    // Moved to a map during the walk (an unusual id was added): the rest of the walk is the map's entries
    // past the walk's position (the window's ids grew with its order).
    for (const entry of this.#mapOrEmpty()) if (entry[0] >= id) yield entry;
  }

  /** The map once moved to one (read through a call: the walk above changes it behind the compiler's back). */
  #mapOrEmpty(): ReadonlyMap<TransferId, Transfer> {
    return this.#map ?? new Map();
  }

  /** Moves to a map, entries in order. */
  #toMap(): void {
    const map = new Map<TransferId, Transfer>();
    for (const [id, t] of this) map.set(id, t);
    this.#map = map;
    this.#slots = [];
    this.#head = 0;
    this.#size = 0;
  }
}
