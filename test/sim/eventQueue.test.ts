import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/eventQueue.js';

function drain<T>(q: EventQueue<T>): Array<[number, T]> {
  const out: Array<[number, T]> = [];
  for (let e = q.pop(); e !== undefined; e = q.pop()) out.push([e.time, e.payload]);
  return out;
}

describe('EventQueue', () => {
  it('pops by time', () => {
    const q = new EventQueue<string>();
    q.push(3, 'c');
    q.push(1, 'a');
    q.push(2, 'b');
    expect(q.peek()?.payload).toBe('a');
    expect(drain(q)).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(q.size).toBe(0);
  });

  it('pops simultaneous events in insertion order (FIFO)', () => {
    const q = new EventQueue<number>();
    for (let i = 0; i < 20; i++) q.push(i % 2 === 0 ? 5 : 1, i);
    const order = drain(q).map(([, p]) => p);
    expect(order).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('removes and reschedules entries; a rescheduled entry goes behind its new time peers', () => {
    const q = new EventQueue<string>();
    const a = q.push(1, 'a');
    q.push(2, 'b');
    const c = q.push(3, 'c');
    q.push(2, 'd');
    expect(q.remove(a)).toBe(true);
    expect(q.remove(a)).toBe(false);
    expect(a.queued).toBe(false);
    expect(q.reschedule(c, 2)).toBe(c);
    expect(c.queued).toBe(true);
    expect(c.time).toBe(2);
    expect(drain(q).map(([, p]) => p)).toEqual(['b', 'd', 'c']);
    // A popped entry can be queued again.
    expect(c.queued).toBe(false);
    q.push(4, 'e');
    q.reschedule(c, 4);
    expect(drain(q).map(([, p]) => p)).toEqual(['e', 'c']);
  });

  it('rejects NaN times', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(RangeError);
  });

  it('matches a (time, seq)-sorted reference under random pushes, pops, removals and moves', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('push' as const), time: fc.integer({ min: 0, max: 8 }) }),
      fc.record({ op: fc.constant('pop' as const) }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('move' as const), pick: fc.nat(), time: fc.integer({ min: 0, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const q = new EventQueue<number>();
        const handles: Array<ReturnType<typeof q.push>> = [];
        // Reference: a list of live (time, seq) kept sorted by (time, seq).
        let ref: Array<{ time: number; seq: number; id: number }> = [];
        let seq = 0;
        let id = 0;
        for (const o of ops) {
          if (o.op === 'push') {
            handles.push(q.push(o.time, id));
            ref.push({ time: o.time, seq: seq++, id: id++ });
          } else if (o.op === 'pop') {
            const got = q.pop();
            const want = ref.shift();
            expect(got?.payload).toBe(want?.id);
          } else if (handles.length > 0) {
            const h = handles[o.pick % handles.length]!;
            const wasLive = ref.some((r) => r.id === h.payload);
            ref = ref.filter((r) => r.id !== h.payload);
            if (o.op === 'remove') {
              expect(q.remove(h)).toBe(wasLive);
            } else {
              q.reschedule(h, o.time);
              ref.push({ time: o.time, seq: seq++, id: h.payload });
            }
          }
          ref.sort((x, y) => x.time - y.time || x.seq - y.seq);
          expect(q.size).toBe(ref.length);
        }
        expect(drain(q).map(([, p]) => p)).toEqual(ref.map((r) => r.id));
      }),
    );
  });
});
