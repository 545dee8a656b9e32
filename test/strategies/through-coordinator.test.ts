import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/core/coordinator.js';
import type { RunMode } from '../../src/core/strategy.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { compileFailureSchedule } from '../../src/sim/failures.js';
import { getStrategy, strategyNames } from '../../src/strategies/registry.js';
import { randomWorld } from './helpers/random-world.js';
import { flatWorld, type World } from './helpers/world.js';

async function run(name: string, world: World, mode: RunMode, failures?: unknown, network: 'round' | 'flow' = 'round') {
  const executor = new SimExecutor({
    hosts: world.fleet.hosts,
    topology: world.topology,
    closure: world.closure,
    network,
    ...(failures === undefined ? {} : { failures: compileFailureSchedule(failures, { hosts: world.fleet.hosts }) }),
  });
  return runCascade({ ...world, strategy: getStrategy(name), executor, mode, seed: 1 });
}

describe('strategies through the real coordinator and the simulator', () => {
  it.each([1, 5, 16, 33])('log2-fanout: %i targets in ⌈log₂(N+1)⌉ rounds', async (n) => {
    const r = await run('log2-fanout', flatWorld({ targets: n }), 'round');
    expect(r.success).toBe(true);
    expect(r.rounds).toBe(Math.ceil(Math.log2(n + 1)));
  });

  it('level-tree: 15 targets, fanout 2, maxSends 2 → 4 rounds (14 → 3)', async () => {
    expect((await run('level-tree', flatWorld({ targets: 15, maxSends: 2 }), 'round')).rounds).toBe(4);
    expect((await run('level-tree', flatWorld({ targets: 14, maxSends: 2 }), 'round')).rounds).toBe(3);
  });

  it('steiner-greedy: one round when the seed may serve everyone', async () => {
    const r = await run('steiner-greedy', flatWorld({ targets: 15, deployerMaxSends: 15 }), 'round');
    expect(r.success).toBe(true);
    expect(r.rounds).toBe(1);
  });

  for (const name of strategyNames()) {
    it(`${name}: a host killed at round 0 leaves exactly the others converged`, async () => {
      const w = flatWorld({ targets: 32, maxSends: 2, maxReceives: 2 });
      const r = await run(name, w, 'round', { kind: 'kill-host', host: 't15', atRound: 0 });
      expect(r.hostsDone).toBe(31);
      expect(r.failed.map((f) => f.host)).toEqual(['t15']);
    });

    it(`${name}: converges on random fleets in both modes, with and without random failures`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 100_000 }),
          fc.constantFrom<RunMode>('round', 'eager'),
          fc.constantFrom('round' as const, 'flow' as const),
          fc.boolean(),
          async (seed, mode, network, failing) => {
            const world = randomWorld({
              seed,
              targets: 8,
              paths: 15,
              roles: 2,
              perHostExtras: seed % 2 === 0,
              maxSends: 2,
              maxReceives: 2,
              groups: 2,
              cache: seed % 3 === 0,
              partialTarget: seed % 5 === 0,
              noRouteFraction: 0,
            });
            const r = await run(name, world, mode, failing ? { kind: 'random', probability: 0.1 } : undefined, network);
            if (!failing) expect(r.success).toBe(true);
            expect(r.hostsDone + r.hostsFailed + r.hostsUnreached).toBe(8);
          },
        ),
        { numRuns: 15 },
      );
    });
  }
});
