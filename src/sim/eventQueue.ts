/**
 * The simulator's future-event list: a binary min-heap ordered by (time, seq), where `seq` is a
 * monotonically increasing insertion counter. Simultaneous events therefore pop in insertion order
 * (FIFO), which makes every run deterministic. Entries are handles that can be removed or rescheduled
 * in O(log n), so network models can move a transfer's completion without leaving stale entries behind.
 */

/**
 * One scheduled event. Treat every field as read-only: `time` and `seq` change only through
 * {@link EventQueue.reschedule}, and `index` belongs to the queue.
 */
export class QueueEntry<T> {
  /**
   * Position in the heap array, or -1 when the entry is not queued.
   * @internal
   */
  index = -1;
  constructor(
    /** When the event fires, in seconds. */
    public time: number,
    /** Insertion counter: ties on `time` pop in `seq` order. */
    public seq: number,
    readonly payload: T,
  ) {}

  /** True while the entry waits in a queue (not popped, not removed). */
  get queued(): boolean {
    return this.index >= 0;
  }
}

/**
 * A min-heap of {@link QueueEntry} ordered by (time, seq). The keys of the heap's slots are also kept in
 * two typed arrays beside it, so sifting compares numbers in compact memory instead of following a
 * pointer per comparison (a 1,000,000-host round queues 500,000 events). (time, seq) is a strict total
 * order, so the pop order is fixed by the keys alone.
 */
export class EventQueue<T> {
  readonly #heap: Array<QueueEntry<T>> = [];
  #times = new Float64Array(64);
  #seqs = new Float64Array(64);
  #seq = 0;

  /** Number of queued events. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Schedules `payload` at `time` and returns its handle.
   * @throws RangeError when `time` is NaN (a NaN would silently corrupt the heap order).
   */
  push(time: number, payload: T): QueueEntry<T> {
    if (Number.isNaN(time)) throw new RangeError('event time is NaN');
    const entry = new QueueEntry(time, this.#seq++, payload);
    this.#append(entry);
    return entry;
  }

  /** The next event without removing it. */
  peek(): QueueEntry<T> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the next event in (time, seq) order. */
  pop(): QueueEntry<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (last !== top) {
      this.#place(last, 0);
      this.#down(0);
    }
    top.index = -1;
    return top;
  }

  /** Removes `entry` if it is still queued here; returns whether it was. */
  remove(entry: QueueEntry<T>): boolean {
    const i = entry.index;
    const heap = this.#heap;
    if (i < 0 || heap[i] !== entry) return false;
    const last = heap.pop()!;
    entry.index = -1;
    if (last !== entry) {
      this.#place(last, i);
      // The moved entry may belong above or below its new slot.
      this.#up(i);
      this.#down(last.index);
    }
    return true;
  }

  /**
   * Moves an event to a new time, in place (the same handle; queued again if it had been popped or
   * removed). It gets a fresh `seq`, since it is a new scheduling decision, so it pops after events
   * already queued for the same time.
   * @throws RangeError when `time` is NaN.
   */
  reschedule(entry: QueueEntry<T>, time: number): QueueEntry<T> {
    if (Number.isNaN(time)) throw new RangeError('event time is NaN');
    const i = entry.index;
    const queued = i >= 0 && this.#heap[i] === entry;
    const later = time > entry.time;
    entry.time = time;
    entry.seq = this.#seq++;
    if (!queued) {
      this.#append(entry);
    } else if (later) {
      this.#place(entry, i);
      this.#down(i);
    } else {
      // Same or earlier time with a larger seq: it may need to move either way.
      this.#place(entry, i);
      this.#down(i);
      this.#up(entry.index);
    }
    return entry;
  }

  /** Drops every event. */
  clear(): void {
    for (const e of this.#heap) e.index = -1;
    this.#heap.length = 0;
  }

  /** Adds `entry` at the end of the heap and sifts it up. */
  #append(entry: QueueEntry<T>): void {
    const i = this.#heap.length;
    if (i === this.#times.length) {
      const times = new Float64Array(i * 2);
      const seqs = new Float64Array(i * 2);
      times.set(this.#times);
      seqs.set(this.#seqs);
      this.#times = times;
      this.#seqs = seqs;
    }
    this.#heap.push(entry);
    this.#place(entry, i);
    this.#up(i);
  }

  /** Puts `entry` in slot `i` (its keys too). */
  #place(entry: QueueEntry<T>, i: number): void {
    this.#heap[i] = entry;
    this.#times[i] = entry.time;
    this.#seqs[i] = entry.seq;
    entry.index = i;
  }

  /** Whether slot `a` pops before slot `b`. */
  #before(a: number, b: number): boolean {
    const ta = this.#times[a]!;
    const tb = this.#times[b]!;
    return ta < tb || (ta === tb && this.#seqs[a]! < this.#seqs[b]!);
  }

  #up(i: number): void {
    const heap = this.#heap;
    const times = this.#times;
    const seqs = this.#seqs;
    const item = heap[i]!;
    const t = times[i]!;
    const q = seqs[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const tp = times[parent]!;
      if (!(t < tp || (t === tp && q < seqs[parent]!))) break;
      const p = heap[parent]!;
      heap[i] = p;
      times[i] = tp;
      seqs[i] = seqs[parent]!;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    times[i] = t;
    seqs[i] = q;
    item.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const times = this.#times;
    const seqs = this.#seqs;
    const n = heap.length;
    const item = heap[i]!;
    const t = times[i]!;
    const q = seqs[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#before(r, l) ? r : l;
      const tc = times[c]!;
      if (!(tc < t || (tc === t && seqs[c]! < q))) break;
      const child = heap[c]!;
      heap[i] = child;
      times[i] = tc;
      seqs[i] = seqs[c]!;
      child.index = i;
      i = c;
    }
    heap[i] = item;
    times[i] = t;
    seqs[i] = q;
    item.index = i;
  }
}
