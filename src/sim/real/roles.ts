import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { ClosureGraph } from '../../core/closure.js';
import { ConfigError } from '../../core/errors.js';
import { deriveRng } from '../../core/random.js';
import type { HostId, PathId, StorePath } from '../../core/types.js';
import { seededShuffle } from '../synth/distributions.js';
import { loadClosureFile } from './closureFile.js';

/**
 * A scenario closure made of real closure graphs, one per role:
 *
 * ```json
 * "closure": { "file": "web.json" }
 * "closure": { "roles": [ { "file": "web.json", "hosts": 0.7 },
 *                         { "name": "db", "storePath": "/nix/store/…-nixos-system-db", "hosts": ["host-1"] },
 *                         { "file": "worker.json" } ],
 *              "assignment": "round-robin" }
 * ```
 *
 * A role's closure is a file (see `closureFile.ts`; a relative path is relative to the scenario file) or a
 * store path whose closure is read from the deployer's store before the scenario is built (the CLI does it
 * with `nix path-info --json --recursive`). Every path of a role's closure is in its hosts' want sets.
 *
 * Which targets get which role, in this order:
 * 1. `hosts: [ids]` gives the role exactly those targets;
 * 2. the other targets are shared out: `hosts: f` (0 < f ≤ 1) gives a role the share f of them, roles
 *    without `hosts` split what is left equally (shares of roles that all have one must sum to 1); counts
 *    are rounded by largest remainder, ties to the earlier role;
 * 3. `assignment: "round-robin"` (default) deals those targets out in fleet order, role by role, skipping
 *    a role once it has its count (equal shares: target i gets role i mod R, as synthetic closures do);
 *    `"random"` shuffles them with the seeded stream `closure/roles` and gives each role a block.
 *
 * Roles share store paths by id: a path that two roles hold is one path of the graph, and must have the
 * same size and references in both (else a ConfigError naming the path and both roles).
 */

/** zod schema of one real role. */
const realRoleSchema = z
  .strictObject({
    /** The role's name in reports; default: the file's name without `.json`, or the store path's name. */
    name: z.string().min(1).optional(),
    /** A closure file (path-info JSON or a plain list). */
    file: z.string().min(1).optional(),
    /** A store path whose closure the deployer's store holds. */
    storePath: z
      .string()
      .regex(/^\/\S+$/, 'a store path is absolute, e.g. /nix/store/…-toplevel')
      .optional(),
    /** Explicit targets of the role, or the share (0 < f ≤ 1) of the targets left after explicit lists. */
    hosts: z.union([z.number().gt(0).max(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .refine((r) => (r.file === undefined) !== (r.storePath === undefined), {
    message: 'a role needs exactly one of "file" or "storePath"',
  });

/** zod schema of {@link RealClosureSpec}: `{ file }` (one role, every target) or `{ roles, assignment }`. */
export const realClosureSpecSchema = z
  .strictObject({
    file: z.string().min(1).optional(),
    roles: z.array(realRoleSchema).min(1).optional(),
    assignment: z.enum(['round-robin', 'random']).default('round-robin'),
  })
  .refine((s) => (s.file === undefined) !== (s.roles === undefined), {
    message: 'a real closure needs "file" or "roles" (not both)',
  })
  .transform((s) => ({
    kind: 'real' as const,
    roles: s.roles ?? [{ file: s.file! }],
    assignment: s.assignment,
  }));

/** A validated real closure spec: always a list of roles. */
export type RealClosureSpec = z.output<typeof realClosureSpecSchema>;
/** One role of a {@link RealClosureSpec}. */
export type RealRole = RealClosureSpec['roles'][number];

/** The store paths whose closures a spec reads from the deployer's store. */
export function storePathRoots(spec: RealClosureSpec): string[] {
  return spec.roles.flatMap((r) => (r.storePath === undefined ? [] : [r.storePath]));
}

/** Where a real closure is read from, and the closures of its store paths (read beforehand). */
export interface RealClosureSources {
  /** Directory relative `file`s are resolved against (the scenario file's); default the working directory. */
  readonly baseDir?: string;
  /** Closure of each `storePath` role, e.g. from `closureInfo` of `src/remote`. */
  readonly storeClosures?: ReadonlyMap<string, readonly StorePath[]>;
}

/** The want sets of a fleet with real closures, as the synthetic generator returns them. */
export interface RealFleetClosures {
  readonly closure: ClosureGraph;
  readonly wants: Map<HostId, PathId[]>;
  readonly roleOf: Map<HostId, string>;
  readonly toplevelOf: Map<HostId, PathId>;
}

function roleName(role: RealRole): string {
  if (role.name !== undefined) return role.name;
  if (role.file !== undefined) return basename(role.file).replace(/\.json$/, '');
  return basename(role.storePath!).replace(/^[0-9a-z]{32}-/, '');
}

function readRole(role: RealRole, sources: RealClosureSources, where: string): readonly StorePath[] {
  if (role.file !== undefined) return loadClosureFile(resolve(sources.baseDir ?? '.', role.file));
  const paths = sources.storeClosures?.get(role.storePath!);
  if (paths === undefined) {
    throw new ConfigError(
      `the closure of "${role.storePath!}" was not read from the store (use the CLI, or pass storeClosures)`,
      `${where}.storePath`,
    );
  }
  if (!paths.some((p) => p.id === role.storePath)) {
    throw new ConfigError(`the closure read for "${role.storePath!}" does not hold it`, `${where}.storePath`);
  }
  return paths;
}

function sameRefs(a: readonly PathId[], b: readonly PathId[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((r) => set.has(r));
}

/** How many of `count` targets each role without an explicit list gets (largest remainder). */
function roleCounts(roles: readonly RealRole[], count: number, where: string): number[] {
  const shares = roles.map((r) => (typeof r.hosts === 'number' ? r.hosts : undefined));
  const fixed = shares.reduce<number>((s, x) => s + (x ?? 0), 0);
  const free = roles.filter((r, i) => r.hosts === undefined && shares[i] === undefined).length;
  if (fixed > 1 + 1e-9) throw new ConfigError(`the roles' host shares sum to ${fixed}, more than 1`, where);
  if (free === 0 && shares.some((s) => s !== undefined) && fixed < 1 - 1e-9) {
    throw new ConfigError(`the roles' host shares sum to ${fixed}; they must sum to 1`, where);
  }
  const weights = roles.map((r, i) =>
    Array.isArray(r.hosts) ? 0 : (shares[i] ?? (free > 0 ? (1 - fixed) / free : 0)),
  );
  const total = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total > 0 ? (count * w) / total : 0));
  const out = exact.map(Math.floor);
  let left = count - out.reduce((s, x) => s + x, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]! += 1;
  return out;
}

/** Each target's role index (see the module comment). */
function assignRoles(
  spec: RealClosureSpec,
  targets: readonly HostId[],
  seed: number | string,
  where: string,
): Map<HostId, number> {
  const known = new Set(targets);
  const roleOf = new Map<HostId, number>();
  spec.roles.forEach((r, i) => {
    if (!Array.isArray(r.hosts)) return;
    r.hosts.forEach((h, k) => {
      const at = `${where}.roles[${i}].hosts[${k}]`;
      if (!known.has(h)) throw new ConfigError(`"${h}" is not a target host of the fleet`, at);
      if (roleOf.has(h)) throw new ConfigError(`host "${h}" is given two roles`, at);
      roleOf.set(h, i);
    });
  });
  let rest = targets.filter((h) => !roleOf.has(h));
  if (rest.length > 0 && spec.roles.every((r) => Array.isArray(r.hosts))) {
    throw new ConfigError(`target "${rest[0]!}" has no role: every role lists its hosts`, `${where}.roles`);
  }
  const counts = roleCounts(spec.roles, rest.length, `${where}.roles`);
  if (spec.assignment === 'random') {
    rest = seededShuffle(rest, deriveRng(seed, 'closure/roles'));
    let next = 0;
    counts.forEach((c, i) => {
      for (let k = 0; k < c; k++) roleOf.set(rest[next++]!, i);
    });
  } else {
    const given = counts.map(() => 0);
    let i = 0;
    for (const h of rest) {
      while (given[i]! >= counts[i]!) i = (i + 1) % counts.length;
      roleOf.set(h, i);
      given[i]! += 1;
      i = (i + 1) % counts.length;
    }
  }
  return roleOf;
}

/**
 * Reads every role's closure, merges them into one graph and gives each target its role's want set.
 * @param where - the spec's location for errors, e.g. `scenario.json.closure`.
 * @throws ConfigError for a bad closure file, a conflicting shared path, duplicate role names, or a role
 *   assignment that names an unknown host, gives a host two roles or has shares that do not add up.
 */
export function buildRealClosures(
  spec: RealClosureSpec,
  targets: readonly HostId[],
  seed: number | string,
  sources: RealClosureSources = {},
  where = 'closure',
): RealFleetClosures {
  const names = spec.roles.map(roleName);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) {
      throw new ConfigError(`role name "${n}" is used twice (set "name" on one)`, `${where}.roles[${i}]`);
    }
  });
  const merged = new Map<PathId, { path: StorePath; role: number }>();
  const roleIds: PathId[][] = [];
  const tops: PathId[] = [];
  spec.roles.forEach((role, i) => {
    const at = `${where}.roles[${i}]`;
    const paths = readRole(role, sources, at);
    for (const p of paths) {
      const seen = merged.get(p.id);
      if (seen === undefined) merged.set(p.id, { path: p, role: i });
      else if (seen.path.narSize !== p.narSize || !sameRefs(seen.path.references, p.references)) {
        const what =
          seen.path.narSize !== p.narSize ? `narSize ${seen.path.narSize} vs ${p.narSize}` : 'references';
        throw new ConfigError(
          `store path "${p.id}" differs between roles "${names[seen.role]!}" and "${names[i]!}" (${what})`,
          at,
        );
      }
    }
    roleIds.push(paths.map((p) => p.id));
    const referenced = new Set(paths.flatMap((p) => p.references));
    tops.push(role.storePath ?? paths.find((p) => !referenced.has(p.id))!.id);
  });
  const closure = new ClosureGraph([...merged.values()].map((m) => m.path));
  const roleWants = roleIds.map((ids) => closure.sortTopologically(ids));
  const index = assignRoles(spec, targets, seed, where);
  const wants = new Map<HostId, PathId[]>();
  const roleOf = new Map<HostId, string>();
  const toplevelOf = new Map<HostId, PathId>();
  for (const h of targets) {
    const i = index.get(h)!;
    wants.set(h, roleWants[i]!);
    roleOf.set(h, names[i]!);
    toplevelOf.set(h, tops[i]!);
  }
  return { closure, wants, roleOf, toplevelOf };
}
