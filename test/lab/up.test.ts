import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { labUp } from '../../src/lab/index.js';
import { hostRate } from '../../src/lab/state.js';

describe('per-host lab rates', () => {
  it('one rate goes to every host, a list to h1, h2, … in turn', () => {
    expect([1, 2, 3].map((n) => hostRate('40mbit', n))).toEqual(['40mbit', '40mbit', '40mbit']);
    expect([1, 2, 3, 4, 5].map((n) => hostRate('20mbit, 40mbit,80mbit', n))).toEqual([
      '20mbit',
      '40mbit',
      '80mbit',
      '20mbit',
      '40mbit',
    ]);
    expect(hostRate(['1mbit', '2mbit'], 2)).toBe('2mbit');
    expect(hostRate(undefined, 1)).toBeUndefined();
  });

  // Options are checked before anything is made or any capability is asked for: no root needed here.
  it.each([
    ['uplink', { uplink: '20mbit,fast' }, 'uplink[1]'],
    ['downlink', { downlink: 'slow' }, 'downlink'],
  ])('a bad %s entry is a ConfigError naming it', async (_what, shaping, where) => {
    const err = await labUp({ hosts: 2, dir: '/tmp/nix-cascade-never-made', ...shaping }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where).toBe(where);
  });
});
