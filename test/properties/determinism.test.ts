/**
 * Determinism (issue 3): the same scenario and seed give a byte-identical trace, for every strategy and
 * generated scenario. Across separate CLI processes: test/sim/determinism.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { traceSha256 } from '../../src/trace/jsonl.js';
import { runRecorded, RUNS_PER_PAIR, scenarioArb, STRATEGY_MODES } from './helpers/scenarios.js';

describe('determinism', () => {
  it.each(STRATEGY_MODES)('same scenario and seed ⇒ identical traceSha256, with failures (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, maxSends: [1, 3], strategy: name, mode }), async ({ input, strategy }) => {
        const a = await runRecorded(input, strategy);
        const b = await runRecorded(structuredClone(input), strategy);
        expect(b.events.length).toBe(a.events.length);
        expect(traceSha256(b.events)).toBe(traceSha256(a.events));
      }),
      { numRuns: Math.ceil(RUNS_PER_PAIR / 2) },
    );
  });
});
