import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/core/coordinator.js';
import { ConfigError } from '../../src/core/errors.js';
import { resolveRunLimits } from '../../src/core/runLimits.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { SimExecutor } from '../../src/sim/executor.js';
import { chainClosure, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

const LIMITS = ['maxRounds', 'maxTime', 'maxAttemptsPerHost'] as const;

function accepted(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

describe('run limits', () => {
  it('fills in the defaults', () => {
    expect(resolveRunLimits({})).toEqual({ mode: 'round', maxRounds: 1000, maxTime: Infinity, maxAttemptsPerHost: 5 });
    expect(resolveRunLimits({ maxTime: Infinity }).maxTime).toBe(Infinity);
  });

  it.each([
    ['maxRounds', 0],
    ['maxRounds', 1.5],
    ['maxTime', -1],
    ['maxAttemptsPerHost', Number.NaN],
    ['mode', 'pull'],
  ])('runCascade rejects %s = %s before it starts, naming the field', async (field, value) => {
    const { closure, paths } = chainClosure([3]);
    const fleet = simpleFleet(2, paths);
    const run = runCascade({
      fleet,
      closure,
      topology: flatTopology(fleet.hosts),
      strategy: { name: 'never-called', plan: () => expect.fail('planned despite bad limits') },
      executor: new SimExecutor({ hosts: fleet.hosts, closure, topology: flatTopology(fleet.hosts), network: 'flow' }),
      [field]: value,
    });
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toMatchObject({ where: `run.${field}` });
  });

  it('a scenario file and runCascade accept exactly the same limits (Infinity is no time limit)', () => {
    const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -2, max: 1e6 }), fc.constant(Infinity));
    fc.assert(
      fc.property(fc.constantFrom(...LIMITS), value, (field, v) => {
        const direct = accepted(() => resolveRunLimits({ [field]: v }));
        const fromFile = accepted(() => parseScenario({ topology: { preset: 'flat', hosts: 2 }, limits: { [field]: v } }));
        expect(fromFile).toBe(direct);
      }),
    );
  });
});
