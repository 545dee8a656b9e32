/**
 * Determinism (issue 3): the same scenario and seed give a byte-identical trace, for every strategy and
 * generated scenario. Across separate CLI processes: test/sim/determinism.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { traceSha256 } from '../../src/trace/jsonl.js';
import { runRecorded, scenarioArb } from './helpers/scenarios.js';

describe('determinism', () => {
  it('same scenario and seed ⇒ identical traceSha256 (every strategy, with failures)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, maxSends: [1, 3] }), async ({ input, strategy }) => {
        const a = await runRecorded(input, strategy);
        const b = await runRecorded(structuredClone(input), strategy);
        expect(b.events.length).toBe(a.events.length);
        expect(traceSha256(b.events)).toBe(traceSha256(a.events));
      }),
      { numRuns: Math.min(30, Number(process.env['FC_NUM_RUNS'] ?? 50)) },
    );
  });
});
