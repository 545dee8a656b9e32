import { describe, expect, it } from 'vitest';
import { adoptHostIndex, hostIds, hostIndex } from '../../src/core/hostIndex.js';
import type { Host } from '../../src/core/types.js';

const host = (id: string): Host => ({
  id,
  role: 'target',
  uplink: 1,
  downlink: 1,
  maxSends: 1,
  maxReceives: 1,
  tags: [],
});

describe('hostIds', () => {
  it('lists the ids in order, once per hosts array', () => {
    const hosts = [host('a'), host('b')];
    expect(hostIds(hosts)).toEqual(['a', 'b']);
    expect(hostIds(hosts)).toBe(hostIds(hosts));
    expect(hostIds([...hosts])).not.toBe(hostIds(hosts));
  });

  it('is the adopted list when an index is adopted', () => {
    const hosts = [host('a'), host('b')];
    const ids = ['a', 'b'];
    const index = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    expect(adoptHostIndex(hosts, ids, index)).toBe(true);
    expect(hostIndex(hosts)).toBe(index);
    expect(hostIds(hosts)).toBe(ids);
  });
});
