import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScenario, loadScenarioFile } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';

// The example scenarios the README points to must stay valid as the schema evolves.
describe('examples/*.json', () => {
  const files = readdirSync('examples').filter((f) => f.endsWith('.json'));
  it('has examples', () => expect(files.length).toBeGreaterThanOrEqual(3));
  for (const f of files) {
    it(`${f} parses, builds and names a registered strategy`, () => {
      const spec = loadScenarioFile(`examples/${f}`);
      expect(() => getStrategy(spec.strategy, spec.strategyOptions)).not.toThrow();
      // Closure files are relative to the scenario file.
      const s = buildScenario(spec, `examples/${f}`, { baseDir: 'examples' });
      const targets = s.fleet.hosts.filter((h) => h.role === 'target').length;
      expect(targets).toBe(typeof spec.topology.hosts === 'number' ? spec.topology.hosts : spec.topology.hosts.length - 1);
      expect(s.fleet.hosts.length).toBeGreaterThan(targets);
      expect(s.lowerBound.seconds).toBeGreaterThan(0);
    });
  }
});
