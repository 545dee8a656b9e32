/** `CallCounts`: counts per position for one call, zero again at the next call's start. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallCounts } from '../../src/strategies/_internals/swarm-call-state.js';

describe('CallCounts', () => {
  it('counts each call from zero, as a fresh array per call would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.array(fc.nat(), { maxLength: 20 }), { maxLength: 10 }),
        (n, calls) => {
          const c = new CallCounts(n);
          for (const adds of calls) {
            const counts = c.start();
            const fresh = new Int32Array(n);
            for (const a of adds) {
              c.add(a % n);
              fresh[a % n]!++;
            }
            expect([...counts]).toEqual([...fresh]);
          }
        },
      ),
    );
  });
});
