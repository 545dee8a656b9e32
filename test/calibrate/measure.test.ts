import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uplinkPhases } from '../../src/calibrate/measure.js';

describe('uplinkPhases', () => {
  it('has no peer to send to with fewer than two hosts', () => {
    expect(uplinkPhases(0)).toEqual([]);
    expect(uplinkPhases(1)).toEqual([]);
  });

  it('pairs two hosts both ways and gives an odd fleet a third phase', () => {
    expect(uplinkPhases(2)).toEqual([[[0, 1]], [[1, 0]]]);
    expect(uplinkPhases(3)).toEqual([[[0, 2]], [[2, 0]], [[1, 2]]]);
  });

  it('every host sends once; in a phase nobody sends and receives, or receives twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), (n) => {
        const phases = uplinkPhases(n);
        expect(phases.length).toBe(n % 2 === 0 ? 2 : 3);
        const sent = phases.flat().map(([from]) => from);
        expect([...sent].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const phase of phases) {
          const senders = new Set(phase.map(([from]) => from));
          const receivers = phase.map(([, to]) => to);
          expect(new Set(receivers).size).toBe(receivers.length);
          for (const [from, to] of phase) {
            expect(to).toBeGreaterThanOrEqual(0);
            expect(to).toBeLessThan(n);
            expect(to).not.toBe(from);
            expect(senders.has(to)).toBe(false);
          }
        }
      }),
    );
  });
});
