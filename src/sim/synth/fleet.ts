import { z } from 'zod';
import { ClosureGraph } from '../../core/closure.js';
import type { Fleet, HostId, PathId } from '../../core/types.js';
import { generateNetwork, networkSpecSchema } from '../presets.js';
import type { GraphTopology } from '../../topology/index.js';
import { closureSpecSchema, generateFleetClosures } from './closure.js';
import { parseSpec } from '../../core/parseSpec.js';
import { fleetPositions } from './hostValueMap.js';
import { applySeeds, seedSpecSchema, withSeedCache } from './seeds.js';

/**
 * A whole synthetic fleet from three specs and one seed: network preset → hosts and topology, closure
 * generator → want sets, seed spec → initial have sets.
 */

/** zod schema of {@link SyntheticFleetSpec}. */
export const syntheticFleetSpecSchema = z.strictObject({
  network: networkSpecSchema,
  closure: closureSpecSchema.prefault({}),
  seeds: seedSpecSchema.default({ kind: 'deployer' }),
});

/** A validated synthetic fleet spec. */
export type SyntheticFleetSpec = z.output<typeof syntheticFleetSpecSchema>;
/** What a scenario may write. */
export type SyntheticFleetSpecInput = z.input<typeof syntheticFleetSpecSchema>;

/**
 * Validates a synthetic fleet spec and fills in defaults.
 * @throws ConfigError naming the bad field, e.g. `fleet.network.hosts`.
 */
export function parseSyntheticFleetSpec(input: unknown, where = 'fleet'): SyntheticFleetSpec {
  return parseSpec(syntheticFleetSpecSchema, input, where);
}

/** Everything a simulated run needs about its fleet. */
export interface SyntheticFleet {
  readonly fleet: Fleet;
  readonly topology: GraphTopology;
  readonly closure: ClosureGraph;
  readonly roleOf: ReadonlyMap<HostId, string>;
  readonly toplevelOf: ReadonlyMap<HostId, PathId>;
}

/**
 * Generates a fleet. A `cache` seed spec adds the cache host to the network when it has none.
 * Same spec + seed ⇒ identical fleet, topology and closure.
 */
export function generateSyntheticFleet(spec: SyntheticFleetSpec, seed: number | string): SyntheticFleet {
  const { hosts, topology } = generateNetwork(withSeedCache(spec.network, spec.seeds), seed);
  const targets = hosts.filter((h) => h.role === 'target').map((h) => h.id);
  // Keyed by the fleet's own host index: the want, role and toplevel maps add no hash table each.
  const closures = generateFleetClosures(spec.closure, targets, seed, fleetPositions(hosts));
  const closure = new ClosureGraph(closures.paths);
  const initialHave = applySeeds(spec.seeds, hosts, closures.wants, closure, seed);
  return {
    fleet: { hosts, initialHave, wants: closures.wants },
    topology,
    closure,
    roleOf: closures.roleOf,
    toplevelOf: closures.toplevelOf,
  };
}
