import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBytes } from '../../src/units/units.js';
import { holdsAll, replay, runRecorded, RUNS_PER_PAIR, scenarioArb, STRATEGIES, targetsOf } from './helpers/scenarios.js';

/** The round network model in eager mode may beat the bound (see convergence.test.ts); everything else may not. */
function boundApplies(input: { network?: string | undefined; mode?: string | undefined }): boolean {
  return input.network !== 'round' || input.mode === 'round';
}

describe('a TCP window over generated scenarios and every strategy', () => {
  it.each(STRATEGIES)('every run converges, no copy beats latency + bytes ÷ (window ÷ RTT), the bound holds (%s)', async (name) => {
    const windows = ['16KiB', '256KiB', '4MiB'];
    await fc.assert(
      fc.asyncProperty(scenarioArb({ strategy: name }), fc.constantFrom(...windows), async ({ input, strategy }, tcpWindow) => {
        const { scenario, result, events } = await runRecorded({ ...input, tcpWindow }, strategy);
        expect(result.success).toBe(true);
        const r = replay(scenario.fleet, events);
        for (const t of targetsOf(scenario.fleet)) expect(holdsAll(r.have.get(t), scenario.fleet.wants.get(t)!)).toBe(true);
        if (boundApplies(input)) expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds * (1 - 1e-9));
        const window = parseBytes(tcpWindow);
        const started = new Map<number, number>();
        for (const e of events) {
          if (e.type === 'transfer-started') started.set(e.id, e.t);
          if (e.type !== 'transfer-finished') continue;
          const latency = scenario.topology.route(e.from, e.to)!.latency;
          const least = latency + (latency > 0 ? (e.bytes * 2 * latency) / window : 0);
          expect(e.t - started.get(e.id)!).toBeGreaterThanOrEqual(least * (1 - 1e-9));
        }
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });
});
