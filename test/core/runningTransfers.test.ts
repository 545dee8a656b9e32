import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunningTransfers } from '../../src/core/runningTransfers.js';
import type { Transfer } from '../../src/core/types.js';

const transfer = (id: number): Transfer => ({ id, from: 'a', to: 'b', paths: [], bytes: 1, round: 0 });

/** The table and a Map given the same operations agree on every question, iteration order included. */
function expectSame(table: RunningTransfers, map: Map<number, Transfer>, probe: readonly number[]): void {
  expect(table.size).toBe(map.size);
  expect([...table]).toEqual([...map]);
  expect([...table.keys()]).toEqual([...map.keys()]);
  for (const id of probe) {
    expect(table.get(id)).toBe(map.get(id));
    expect(table.has(id)).toBe(map.has(id));
  }
}

describe('RunningTransfers', () => {
  it('keeps increasing ids in a window that restarts when empty', () => {
    const table = new RunningTransfers();
    const ts = [0, 1, 2, 3].map(transfer);
    for (const t of ts) table.add(t);
    expect(table.delete(1)).toBe(true);
    expect(table.delete(1)).toBe(false);
    expect([...table.keys()]).toEqual([0, 2, 3]);
    for (const id of [0, 2, 3]) table.delete(id);
    expect(table.size).toBe(0);
    table.add(transfer(10));
    table.add(transfer(12));
    expect([...table.keys()]).toEqual([10, 12]);
    expect(table.get(11)).toBeUndefined();
    expect(table.get(10.5)).toBeUndefined();
    expect(table.get(-1)).toBeUndefined();
  });

  it('shifts a window whose front emptied (eager mode never empties it) and still finds every id', () => {
    const table = new RunningTransfers();
    const map = new Map<number, Transfer>();
    for (let id = 0; id < 20_000; id++) {
      const t = transfer(id);
      table.add(t);
      map.set(id, t);
      if (id >= 3) {
        table.delete(id - 3);
        map.delete(id - 3);
      }
    }
    expectSame(table, map, [0, 19_996, 19_997, 19_998, 19_999, 20_000]);
  });

  it('acts as a Map for any ids: out of order, repeated, fractional, negative, far apart', () => {
    const op = fc.oneof(
      fc.record({ add: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(2.5, 1e6, 2 ** 40)) }),
      fc.record({ del: fc.integer({ min: -3, max: 40 }) }),
      fc.record({ next: fc.constant(true) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const table = new RunningTransfers();
        const map = new Map<number, Transfer>();
        let next = 0;
        for (const o of ops) {
          if ('add' in o || 'next' in o) {
            // Mostly the coordinator's pattern (the next id), sometimes any id.
            const id = 'add' in o ? o.add : next++;
            const t = transfer(id);
            table.add(t);
            map.set(id, t);
          } else {
            expect(table.delete(o.del)).toBe(map.delete(o.del));
          }
        }
        expectSame(table, map, [-1, 0, 1, 2.5, 5, 39, 40, 1e6, 2 ** 40]);
      }),
    );
  });

  it('visits, like a Map, what is added during a walk and not what is deleted before it is reached', () => {
    const table = new RunningTransfers();
    for (let id = 0; id < 5; id++) table.add(transfer(id));
    const seen: number[] = [];
    for (const [id] of table) {
      seen.push(id);
      if (id === 1) table.delete(3);
      if (id === 2) table.add(transfer(5));
    }
    expect(seen).toEqual([0, 1, 2, 4, 5]);
  });
});
