/**
 * Concurrency limits (issue 3): replaying transfer-started / -finished / -failed per host, no host ever
 * sends or receives more transfers at once than its `maxSends` / `maxReceives`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay, runRecorded, RUNS_PER_PAIR, scenarioArb, STRATEGY_MODES } from './helpers/scenarios.js';

describe('concurrency limits', () => {
  it.each(STRATEGY_MODES)('hold at every instant, with target maxSends 1–3 (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, maxSends: [1, 3], maxReceives: [1, 3], strategy: name, mode }), fc.integer({ min: 1, max: 4 }), async ({ input, strategy }, deployerSends) => {
        const topology = { ...input.topology, deployer: { maxSends: deployerSends } };
        const { scenario, events } = await runRecorded({ ...input, topology }, strategy);
        const r = replay(scenario.fleet, events);
        expect(r.overLimit).toEqual([]);
        expect(r.orphanOutcomes).toEqual([]);
        // The limits were really in play: the generated fleet carries the generated maxSends.
        expect(scenario.fleet.hosts.find((h) => h.id === 'deployer')?.maxSends).toBe(deployerSends);
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it('the replay does flag a breach (guards against a vacuous check)', () => {
    const fleet = {
      hosts: [
        { id: 'a', role: 'deployer' as const, uplink: 1, downlink: 1, maxSends: 1, maxReceives: 1, tags: [] },
        { id: 'b', role: 'target' as const, uplink: 1, downlink: 1, maxSends: 1, maxReceives: 1, tags: [] },
        { id: 'c', role: 'target' as const, uplink: 1, downlink: 1, maxSends: 1, maxReceives: 1, tags: [] },
      ],
      initialHave: new Map([['a', ['p']]]),
      wants: new Map([['b', ['p']], ['c', ['p']]]),
    };
    const r = replay(fleet, [
      { type: 'transfer-started', t: 0, round: 0, id: 0, from: 'a', to: 'b', bytes: 1, paths: ['p'] },
      { type: 'transfer-started', t: 0, round: 0, id: 1, from: 'a', to: 'c', bytes: 1, paths: ['p'] },
    ]);
    expect(r.overLimit).toMatchObject([{ host: 'a', dir: 'send', count: 2, limit: 1 }]);
    expect(r.neverEnded).toEqual([0, 1]);
  });
});
