import { describe, expect, it } from 'vitest';
import { fleetPositions, HostValueMap, idPositions } from '../../../src/sim/synth/hostValueMap.js';
import { host } from '../../helpers/fleets.js';

describe('HostValueMap', () => {
  it('reads like a Map filled in position order, and stores shared values once', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const shared = ['p1', 'p2'];
    const m = new HostValueMap<readonly string[]>(idPositions(ids));
    const ref = new Map<string, readonly string[]>();
    for (const [k, v] of [
      ['b', shared],
      ['d', shared],
      ['a', ['p3']],
    ] as const) {
      m.set(k, v);
    }
    for (const id of ['a', 'b', 'd']) ref.set(id, id === 'a' ? ['p3'] : shared);
    m.seal();
    expect(m.size).toBe(3);
    expect(m.get('b')).toBe(shared);
    expect(m.get('d')).toBe(shared);
    expect(m.get('c')).toBeUndefined();
    expect(m.get('zz')).toBeUndefined();
    expect(m.has('a')).toBe(true);
    expect(m.has('c')).toBe(false);
    expect([...m.keys()]).toEqual(['a', 'b', 'd']);
    expect([...m]).toEqual([...ref]);
    expect([...m.values()]).toEqual([...ref.values()]);
    expect(m.distinctValues()).toHaveLength(2);
    const seen: string[] = [];
    m.forEach((_, k, map) => {
      expect(map).toBe(m);
      seen.push(k);
    });
    expect(seen).toEqual(['a', 'b', 'd']);
  });

  it('overwrites a value without counting the host twice', () => {
    const m = new HostValueMap<string>(idPositions(['a', 'b']));
    m.set('a', 'x').set('a', 'y');
    expect(m.size).toBe(1);
    expect(m.get('a')).toBe('y');
  });

  it('widens its slots past 255 and 65,535 distinct values', () => {
    const ids = Array.from({ length: 70_000 }, (_, i) => `h${i}`);
    const m = new HostValueMap<number>(idPositions(ids));
    ids.forEach((id, i) => m.set(id, i));
    expect(m.get('h0')).toBe(0);
    expect(m.get('h300')).toBe(300);
    expect(m.get('h69999')).toBe(69_999);
    expect(m.size).toBe(70_000);
  });

  it('uses the fleet index for a fleet', () => {
    const hosts = [host('deployer'), host('x'), host('y')];
    const m = new HostValueMap<string>(fleetPositions(hosts));
    m.set('y', 'web');
    expect([...m]).toEqual([['y', 'web']]);
  });

  it('rejects hosts outside the index, and sets after sealing', () => {
    const m = new HostValueMap<string>(idPositions(['a']));
    expect(() => m.set('b', 'x')).toThrow(RangeError);
    m.seal();
    expect(() => m.set('a', 'x')).toThrow(TypeError);
  });
});

describe('HostValueMap by position', () => {
  it('answers by position on the index it was given', () => {
    const hosts = [host('deployer'), host('x'), host('y')];
    const positions = fleetPositions(hosts);
    const m = new HostValueMap<string>(positions).set('y', 'web').seal();
    expect(m.positions).toBe(positions.index);
    expect(m.valueAt(2)).toBe('web');
    expect(m.valueAt(1)).toBeUndefined();
    expect(m.valueAt(7)).toBeUndefined();
  });
});
