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

/** (time, seq) order: negative when `a` pops before `b`. */
function before<T>(a: QueueEntry<T>, b: QueueEntry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** A min-heap of {@link QueueEntry} ordered by (time, seq). */
export class EventQueue<T> {
  readonly #heap: Array<QueueEntry<T>> = [];
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
    entry.index = this.#heap.length;
    this.#heap.push(entry);
    this.#up(entry.index);
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
      heap[0] = last;
      last.index = 0;
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
      heap[i] = last;
      last.index = i;
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
      entry.index = this.#heap.length;
      this.#heap.push(entry);
      this.#up(entry.index);
    } else if (later) {
      this.#down(i);
    } else {
      // Same or earlier time with a larger seq: it may need to move either way.
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

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = item;
    item.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r]!, heap[l]!)) c = r;
      const child = heap[c]!;
      if (!before(child, item)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }
}
