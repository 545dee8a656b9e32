import { z } from 'zod';
import type { ClosureGraph } from '../../core/closure.js';
import { ConfigError } from '../../core/errors.js';
import { deriveRng } from '../../core/random.js';
import type { Host, HostId, PathId } from '../../core/types.js';
import { seededShuffle } from './distributions.js';
import { parseSpec } from '../../core/parseSpec.js';
import { rateSchema } from '../../units/units.js';

/**
 * Seed sets: who holds which paths when a run starts. In every kind but `explicit` with `deployer: false`,
 * the deployer holds every wanted path.
 */

/** Also seed the deployer with every wanted path (default true). */
const deployerFlag = z.boolean().default(true);

/** zod schema of {@link SeedSpec}. */
export const seedSpecSchema = z.discriminatedUnion('kind', [
  /** Only the deployer holds the paths (the default). */
  z.strictObject({ kind: z.literal('deployer') }),
  /** round(fraction × targets) targets, picked by a seeded shuffle, already hold their wants. */
  z.strictObject({ kind: z.literal('fraction'), fraction: z.number().min(0).max(1), deployer: deployerFlag }),
  /** `count` targets, picked by a seeded shuffle, already hold their wants. */
  z.strictObject({ kind: z.literal('count'), count: z.int().min(0), deployer: deployerFlag }),
  /** These hosts hold their wants (a host that wants nothing holds every wanted path). */
  z.strictObject({ kind: z.literal('explicit'), hosts: z.array(z.string().min(1)), deployer: deployerFlag }),
  /**
   * The fleet's `cache` host (a binary cache) holds a seeded `holdsFraction` of the paths, closed under
   * references; the deployer holds everything. `uplink` is the cache's uplink: {@link withSeedCache} adds
   * the cache host to a network spec that has none.
   */
  z.strictObject({
    kind: z.literal('cache'),
    holdsFraction: z.number().min(0).max(1),
    uplink: rateSchema.optional(),
  }),
]);

/** A validated seed spec (output of {@link seedSpecSchema}). */
export type SeedSpec = z.output<typeof seedSpecSchema>;
/** What a scenario may write (input of {@link seedSpecSchema}). */
export type SeedSpecInput = z.input<typeof seedSpecSchema>;

/**
 * Validates a seed spec and fills in defaults.
 * @throws ConfigError naming the bad field, e.g. `seeds.fraction`.
 */
export function parseSeedSpec(input: unknown, where = 'seeds'): SeedSpec {
  return parseSpec(seedSpecSchema, input, where);
}

/** The minimal shape of a network spec's optional cache host, as {@link withSeedCache} fills it. */
interface WithCache {
  readonly cache?:
    | {
        readonly uplink: number;
        readonly downlink: number;
        readonly maxSends: number;
        readonly maxReceives: number;
      }
    | undefined;
}

/**
 * `network` with a cache host added when `seeds` is of kind `cache` (uplink from the seed spec, the
 * rest 1 Gbit/s, 64 sends at once); unchanged otherwise. An existing cache keeps its settings except an
 * uplink the seed spec sets.
 */
export function withSeedCache<N extends WithCache>(network: N, seeds: SeedSpec): N {
  if (seeds.kind !== 'cache') return network;
  const base = network.cache ?? { uplink: 125e6, downlink: 125e6, maxSends: 64, maxReceives: 1 };
  return { ...network, cache: seeds.uplink === undefined ? base : { ...base, uplink: seeds.uplink } };
}

/** Union of all want sets, in topological order. */
function everything(wants: ReadonlyMap<HostId, readonly PathId[]>, closure: ClosureGraph): PathId[] {
  const all = new Set<PathId>();
  const seen = new Set<readonly PathId[]>(); // hosts of one role often share one array
  for (const w of wants.values()) {
    if (seen.has(w)) continue;
    seen.add(w);
    for (const p of w) all.add(p);
  }
  return closure.sortTopologically(all);
}

/**
 * A closed subset of `all` of about `fraction × |all|` paths: seeded candidates are added with their whole
 * missing closure while that fits the budget (a binary cache only ever holds complete closures).
 */
function closedSubset(
  all: readonly PathId[],
  fraction: number,
  closure: ClosureGraph,
  seed: number | string,
): PathId[] {
  const target = Math.round(fraction * all.length);
  const held = new Set<PathId>();
  for (const candidate of seededShuffle(all, deriveRng(seed, 'seeds/cache'))) {
    if (held.size >= target) break;
    if (held.has(candidate)) continue;
    const budget = target - held.size;
    const missing = new Set<PathId>([candidate]);
    const stack = [candidate];
    while (stack.length > 0 && missing.size <= budget) {
      for (const r of closure.get(stack.pop()!).references) {
        if (!held.has(r) && !missing.has(r)) {
          missing.add(r);
          stack.push(r);
        }
      }
    }
    if (missing.size <= budget) for (const p of missing) held.add(p);
  }
  return closure.sortTopologically(held);
}

/**
 * The initial have sets of a fleet under `spec`.
 * @param hosts - the fleet, in fleet order.
 * @param wants - each target's want set (closed under references).
 * @param closure - every path of the run.
 * @returns host → paths held at the start (topological order); hosts holding nothing are absent.
 * @throws ConfigError when the spec names an unknown or duplicate host, asks for more seeds than targets,
 *   or needs a deployer or cache host the fleet lacks.
 */
export function applySeeds(
  spec: SeedSpec,
  hosts: readonly Host[],
  wants: ReadonlyMap<HostId, readonly PathId[]>,
  closure: ClosureGraph,
  seed: number | string,
): Map<HostId, PathId[]> {
  const all = everything(wants, closure);
  const have = new Map<HostId, PathId[]>();
  const wantOf = (h: HostId): PathId[] => {
    const w = wants.get(h);
    return w !== undefined && w.length > 0 ? [...w] : all;
  };
  const deployer = hosts.find((h) => h.role === 'deployer');
  if (spec.kind === 'deployer' || spec.kind === 'cache' || spec.deployer) {
    if (deployer === undefined) throw new ConfigError('the fleet has no deployer host to seed', 'seeds.kind');
    have.set(deployer.id, all);
  }
  const targets = hosts.filter((h) => h.role === 'target').map((h) => h.id);
  const seedTargets = (count: number, where: string): void => {
    if (count > targets.length) {
      throw new ConfigError(`${count} seeds asked for, but the fleet has ${targets.length} targets`, where);
    }
    const chosen = new Set(seededShuffle(targets, deriveRng(seed, 'seeds/shuffle')).slice(0, count));
    // Fleet order, so the map iterates deterministically and readably.
    for (const t of targets)
      if (chosen.has(t) && (wants.get(t)?.length ?? 0) > 0) have.set(t, [...wants.get(t)!]);
  };
  switch (spec.kind) {
    case 'deployer':
      break;
    case 'fraction':
      seedTargets(Math.round(spec.fraction * targets.length), 'seeds.fraction');
      break;
    case 'count':
      seedTargets(spec.count, 'seeds.count');
      break;
    case 'explicit': {
      const known = new Set(hosts.map((h) => h.id));
      const listed = new Set<HostId>();
      spec.hosts.forEach((h, i) => {
        if (!known.has(h)) throw new ConfigError(`unknown host "${h}"`, `seeds.hosts[${i}]`);
        if (listed.has(h)) throw new ConfigError(`host "${h}" listed twice`, `seeds.hosts[${i}]`);
        listed.add(h);
      });
      for (const h of hosts) if (listed.has(h.id)) have.set(h.id, wantOf(h.id));
      break;
    }
    case 'cache': {
      const cache = hosts.find((h) => h.role === 'cache');
      if (cache === undefined) {
        throw new ConfigError(
          'the fleet has no cache host (add network.cache, or use withSeedCache)',
          'seeds.kind',
        );
      }
      const held = closedSubset(all, spec.holdsFraction, closure, seed);
      if (held.length > 0) have.set(cache.id, held);
      break;
    }
  }
  return have;
}
