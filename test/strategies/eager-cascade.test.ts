import { describe, expect, it } from 'vitest';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';

/** A homogeneous flat fleet with the round network model (rates fixed at start, no sharing effects). */
function flat(hosts: number, mode: 'round' | 'eager') {
  return buildScenario(
    parseScenario({
      seed: 3,
      topology: { preset: 'flat', hosts },
      closure: { totalMB: 100, paths: 12, roles: 1, perHost: false },
      network: 'round',
      mode,
    }),
  );
}

describe('whole-closure cascades in eager mode', () => {
  it('log2-fanout keeps the binomial tree: ⌈log₂(N+1)⌉ × single-copy time', async () => {
    const single = (await runScenario(flat(1, 'eager'), getStrategy('log2-fanout'))).makespanSeconds;
    expect(single).toBeGreaterThan(0);
    for (const n of [7, 20, 63, 100]) {
      const r = await runScenario(flat(n, 'eager'), getStrategy('log2-fanout'));
      expect(r.success).toBe(true);
      expect(r.makespanSeconds).toBeCloseTo(Math.ceil(Math.log2(n + 1)) * single, 3);
    }
  });

  it('no holder splits its uplink: eager is never slower than round mode for the cascade strategies', async () => {
    for (const name of ['log2-fanout', 'max-bottleneck-spanning', 'topology-aware', 'multi-target', 'cost-aware', 'fastest-first']) {
      const round = await runScenario(flat(40, 'round'), getStrategy(name));
      const eager = await runScenario(flat(40, 'eager'), getStrategy(name));
      expect(eager.success).toBe(true);
      expect(eager.makespanSeconds).toBeLessThanOrEqual(round.makespanSeconds + 1e-6);
    }
  });

  it('perHolder > 1 lets a holder split its uplink again (slower on this fleet)', async () => {
    const one = await runScenario(flat(40, 'eager'), getStrategy('log2-fanout'));
    const many = await runScenario(flat(40, 'eager'), getStrategy('log2-fanout', { perHolder: 64 }));
    expect(many.success).toBe(true);
    expect(many.makespanSeconds).toBeGreaterThan(one.makespanSeconds);
  });
});
