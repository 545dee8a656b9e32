import { z } from 'zod';
import { ClosureGraph } from '../core/closure.js';
import { customTopologySchema, buildCustomTopology } from './customTopology.js';
import { generateNetwork, networkSpecSchema } from './presets.js';
import { buildRealClosures, realClosureSpecSchema, type RealClosureSources } from './real/roles.js';
import { closureSpecSchema, generateFleetClosures } from './synth/closure.js';
import { generateSyntheticFleet, type SyntheticFleet } from './synth/fleet.js';
import { fleetPositions } from './synth/hostValueMap.js';
import { applySeeds, withSeedCache, type SeedSpec } from './synth/seeds.js';

/**
 * A scenario's fleet: a preset network or an explicit topology (`customTopology.ts`), and a synthetic
 * closure or real closure graphs (`real/`), then the seeds. A preset with a synthetic closure is exactly the
 * synthetic fleet generator's (same traces as before real closures existed).
 */

/** A scenario's `topology`: one of the five presets, or `"preset": "custom"` with switches, links and hosts. */
export const scenarioTopologySchema = z.discriminatedUnion('preset', [
  ...networkSpecSchema.options,
  customTopologySchema,
]);

/** A scenario's `closure`: real graphs (`{ file }` or `{ roles: [...] }`) or the synthetic generator's spec. */
export const scenarioClosureSchema = z.union([closureSpecSchema, realClosureSpecSchema]);

/** The parts of a validated scenario its fleet comes from. */
export interface ScenarioFleetSpec {
  readonly topology: z.output<typeof scenarioTopologySchema>;
  readonly closure: z.output<typeof scenarioClosureSchema>;
  readonly seeds: SeedSpec;
}

/** Where a scenario's real closures come from (see {@link RealClosureSources}). */
export type ScenarioSources = RealClosureSources;

/**
 * Builds the hosts, topology, closure graph, want and have sets of a scenario. Deterministic.
 * Errors name the field relative to the scenario (`topology.links[1].to`), or the closure file.
 * @throws ConfigError for a bad explicit topology, real closure or seed spec.
 */
export function buildScenarioFleet(
  spec: ScenarioFleetSpec,
  seed: number | string,
  sources: ScenarioSources = {},
): SyntheticFleet {
  const { topology: net, closure: closureSpec, seeds } = spec;
  if (net.preset !== 'custom' && !('kind' in closureSpec)) {
    return generateSyntheticFleet({ network: net, closure: closureSpec, seeds }, seed);
  }
  const { hosts, topology } =
    net.preset === 'custom'
      ? buildCustomTopology(net, 'topology')
      : generateNetwork(withSeedCache(net, seeds), seed);
  const targets = hosts.filter((h) => h.role === 'target').map((h) => h.id);
  let closures: Pick<SyntheticFleet, 'closure' | 'roleOf' | 'toplevelOf'> & {
    wants: ReadonlyMap<string, readonly string[]>;
  };
  if ('kind' in closureSpec) {
    closures = buildRealClosures(closureSpec, targets, seed, sources, 'closure');
  } else {
    const generated = generateFleetClosures(closureSpec, targets, seed, fleetPositions(hosts));
    closures = { ...generated, closure: new ClosureGraph(generated.paths) };
  }
  const initialHave = applySeeds(seeds, hosts, closures.wants, closures.closure, seed);
  return {
    fleet: { hosts, initialHave, wants: closures.wants },
    topology,
    closure: closures.closure,
    roleOf: closures.roleOf,
    toplevelOf: closures.toplevelOf,
  };
}
