import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ExecutorError } from '../core/errors.js';
import type { HostId, PathId } from '../core/types.js';
import { parseFleetFile } from '../fleet/fleetFile.js';
import type { RealFleet } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { mapLimit, runCommand } from '../remote/process.js';
import { validateStorePath } from '../remote/validate.js';
import { nixErrorLines } from './nixOutput.js';

/**
 * Reading a fleet from a flake with `nix eval --json` (never parsing Nix ourselves): one evaluator call
 * for the whole fleet's deployment settings, and one per chunk of hosts for their toplevels. A call that
 * fails is split in halves until the hosts whose evaluation fails are alone, each then reported with
 * Nix's own error lines while the others go on: k broken hosts among n cost O(k log n) calls, not n.
 */

/** The constant Nix expression the evaluator runs (its inputs travel in the environment). */
export const EVAL_NIX = fileURLToPath(new URL('../../nix/eval.nix', import.meta.url));

/** Flags every flake evaluation gets: the new CLI and flakes, without touching the machine's nix.conf. */
const FLAKE_FLAGS = ['--extra-experimental-features', 'nix-command flakes'];

/**
 * A flake reference as the evaluator passes it to `builtins.getFlake`: a local directory becomes its
 * absolute path (so `.` means the caller's directory, and a git checkout is read as Nix reads it);
 * anything with a scheme (`github:`, `git+https:`, `path:`) is passed as written.
 * @throws ConfigError for a local directory without flake.nix.
 */
export function resolveFlakeRef(ref: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) return ref;
  const dir = isAbsolute(ref) ? ref : resolve(cwd, ref);
  if (!existsSync(`${dir}/flake.nix`)) throw new ConfigError(`no flake.nix in ${dir}`, '--flake');
  return dir;
}

/** One evaluator call's end: the JSON it printed, or Nix's error lines. */
type Evaluated =
  { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly error: string };

async function evaluate(
  flake: string,
  what: 'fleet' | 'toplevels',
  names: readonly HostId[] | null,
  ctx: RemoteContext,
): Promise<Evaluated> {
  const run = ctx.run(ctx.timeouts.evaluation);
  const end = await runCommand(
    {
      file: 'nix',
      args: [...FLAKE_FLAGS, 'eval', '--json', '--impure', '--file', EVAL_NIX],
      env: { NC_FLAKE: flake, NC_WHAT: what, NC_NAMES: JSON.stringify(names) },
    },
    run,
  );
  if (end.spawnError)
    throw new ExecutorError(`cannot run nix (see scripts/install-system-deps.sh): ${end.spawnError}`);
  if (end.cancelled) return { ok: false, error: 'cancelled' };
  if (end.timedOut) return { ok: false, error: `evaluation timed out after ${ctx.timeouts.evaluation} s` };
  // On an error Nix has already printed part of the JSON: only a clean exit is read.
  if (!end.ok) return { ok: false, error: nixErrorLines(end.stderr, 'nix eval failed without a message') };
  try {
    return { ok: true, json: JSON.parse(end.stdout) as unknown };
  } catch (e) {
    throw new ExecutorError(`nix eval printed something that is not JSON: ${(e as Error).message}`);
  }
}

/**
 * Evaluates `names` (all at once), splitting a failed call in halves until every failing host is alone.
 * @returns per host: its JSON value, or its evaluation error.
 */
async function evaluateEach(
  flake: string,
  what: 'fleet' | 'toplevels',
  names: readonly HostId[],
  ctx: RemoteContext,
  out: Map<HostId, Evaluated>,
): Promise<void> {
  if (names.length === 0) return;
  const r = await evaluate(flake, what, names, ctx);
  if (r.ok) {
    const byName = (what === 'fleet' ? (r.json as { nodes: unknown }).nodes : r.json) as Record<
      string,
      unknown
    >;
    for (const n of names) out.set(n, { ok: true, json: byName[n] });
    return;
  }
  if (names.length === 1 || r.error === 'cancelled') {
    for (const n of names) out.set(n, r);
    return;
  }
  const half = Math.ceil(names.length / 2);
  await evaluateEach(flake, what, names.slice(0, half), ctx, out);
  await evaluateEach(flake, what, names.slice(half), ctx, out);
}

/** A fleet read from a flake: the hosts that evaluated, and the ones whose settings did not. */
export interface FlakeFleet {
  readonly fleet: RealFleet;
  /** Hosts whose `config.deployment` could not be evaluated, with Nix's error lines. */
  readonly broken: ReadonlyMap<HostId, string>;
}

/**
 * Reads every host of the flake (`nixosConfigurations` and `darwinConfigurations`) with its deployment
 * settings, in one evaluator call when nothing is broken, and validates them as a fleet file (errors name
 * the host and the field: `flake /x: nodes.web-01.targetPort`).
 * @throws ConfigError for a flake with no hosts or invalid settings; ExecutorError when nix cannot run.
 */
export async function evaluateFleet(flake: string, ctx: RemoteContext): Promise<FlakeFleet> {
  const listed = await evaluate(flake, 'fleet', null, ctx);
  let json: { nodes: Record<string, unknown>; flakeUri?: string; meta?: unknown };
  const broken = new Map<HostId, string>();
  if (listed.ok) {
    json = listed.json as typeof json;
  } else {
    // Some host's settings do not evaluate: find which, by name (listing the names needs no settings).
    const names = await hostNames(flake, ctx);
    const each = new Map<HostId, Evaluated>();
    await evaluateEach(flake, 'fleet', names, ctx, each);
    json = { nodes: {}, flakeUri: flake };
    for (const [n, r] of each) {
      if (r.ok) json.nodes[n] = r.json;
      else broken.set(n, r.error);
    }
    if (Object.keys(json.nodes).length === 0 && broken.size === 0)
      throw new ConfigError(listed.error, `flake ${flake}`);
  }
  if (Object.keys(json.nodes).length === 0 && broken.size === 0) {
    throw new ConfigError('has no nixosConfigurations or darwinConfigurations', `flake ${flake}`);
  }
  const fleet =
    Object.keys(json.nodes).length === 0
      ? emptyFleet(flake)
      : parseFleetFile(JSON.stringify(json), `flake ${flake}`);
  return { fleet, broken };
}

function emptyFleet(flake: string): RealFleet {
  return { deployer: { id: 'deployer' }, hosts: [], flakeUri: flake, builders: [], allowApplyAll: true };
}

/** The host names of a flake, read without evaluating any host. */
async function hostNames(flake: string, ctx: RemoteContext): Promise<HostId[]> {
  const end = await runCommand(
    {
      file: 'nix',
      args: [
        ...FLAKE_FLAGS,
        'eval',
        '--json',
        '--impure',
        '--expr',
        // A constant expression; the flake reference travels in the environment.
        'let f = builtins.getFlake (builtins.getEnv "NC_FLAKE"); in builtins.attrNames ((f.nixosConfigurations or {}) // (f.darwinConfigurations or {}))',
      ],
      env: { NC_FLAKE: flake },
    },
    ctx.run(ctx.timeouts.evaluation),
  );
  if (!end.ok)
    throw new ConfigError(
      `cannot be read: ${nixErrorLines(end.stderr, 'nix eval failed without a message')}`,
      `flake ${flake}`,
    );
  return JSON.parse(end.stdout) as HostId[];
}

/** A host's evaluated toplevel. */
export interface Toplevel {
  readonly drvPath: PathId;
  readonly outPath: PathId;
}

/** Options of {@link evaluateToplevels}. */
export interface EvaluateToplevelsOptions {
  /**
   * Evaluator processes at once; the hosts are cut into that many chunks (one call each when nothing
   * fails). @defaultValue `1`: the whole selection in one call
   */
  readonly jobs?: number;
}

/**
 * Evaluates each host's `config.system.build.toplevel` (`drvPath` and `outPath`; reading `drvPath`
 * writes the derivation into the local store, ready to build).
 * @returns per host, in `names` order: its toplevel, or Nix's error lines.
 */
export async function evaluateToplevels(
  flake: string,
  names: readonly HostId[],
  ctx: RemoteContext,
  options: EvaluateToplevelsOptions = {},
): Promise<
  Map<
    HostId,
    { readonly ok: true; readonly toplevel: Toplevel } | { readonly ok: false; readonly error: string }
  >
> {
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, names.length));
  const size = Math.ceil(names.length / jobs);
  const chunks = Array.from({ length: jobs }, (_, i) => names.slice(i * size, (i + 1) * size)).filter(
    (c) => c.length > 0,
  );
  const each = new Map<HostId, Evaluated>();
  await mapLimit(chunks, jobs, (chunk) => evaluateEach(flake, 'toplevels', chunk, ctx, each));
  const out = new Map<
    HostId,
    { readonly ok: true; readonly toplevel: Toplevel } | { readonly ok: false; readonly error: string }
  >();
  for (const n of names) {
    const r = each.get(n)!;
    if (!r.ok) {
      out.set(n, r);
      continue;
    }
    const t = r.json as { drv?: unknown; out?: unknown } | undefined;
    try {
      out.set(n, {
        ok: true,
        toplevel: {
          drvPath: validateStorePath(String(t?.drv), `${n}.drvPath`),
          outPath: validateStorePath(String(t?.out), `${n}.outPath`),
        },
      });
    } catch (e) {
      out.set(n, {
        ok: false,
        error: `config.system.build.toplevel is not a derivation: ${(e as Error).message}`,
      });
    }
  }
  return out;
}
