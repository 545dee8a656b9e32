import { describe, expect, it } from 'vitest';
import { HostPathCache } from '../../src/strategies/_internals/swarm-cache.js';

describe('HostPathCache', () => {
  it('returns what was stored under the same version, undefined before', () => {
    const c = new HostPathCache(3, 4);
    expect(c.get(1, 2, 0)).toBeUndefined();
    c.set(1, 2, 0, 42);
    c.set(1, 3, 0, 0);
    expect(c.get(1, 2, 0)).toBe(42);
    expect(c.get(1, 3, 0)).toBe(0);
    expect(c.get(1, 1, 0)).toBeUndefined();
    // Other hosts are separate rows.
    expect(c.get(0, 2, 0)).toBeUndefined();
    expect(c.get(2, 2, 0)).toBeUndefined();
  });

  it('forgets a host’s values when its version changes, and only that host’s', () => {
    const c = new HostPathCache(2, 2);
    c.set(0, 0, 5, 1);
    c.set(0, 1, 5, 2);
    c.set(1, 0, 5, 3);
    expect(c.get(0, 0, 6)).toBeUndefined();
    c.set(0, 1, 6, 7);
    expect(c.get(0, 1, 6)).toBe(7);
    expect(c.get(0, 0, 6)).toBeUndefined();
    expect(c.get(0, 1, 5)).toBeUndefined();
    expect(c.get(1, 0, 5)).toBe(3);
  });

  it('rejects a bad size', () => {
    expect(() => new HostPathCache(-1, 2)).toThrow(RangeError);
    expect(() => new HostPathCache(2, 1.5)).toThrow(RangeError);
  });
});
