import { describe, expect, it } from 'vitest';
import { adoptHostIndex, hostIds, hostIndex } from '../../src/core/hostIndex.js';
import { host } from '../helpers/fleets.js';

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
