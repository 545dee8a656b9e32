import { ConfigError, ExecutorError } from '../core/errors.js';
import type { HostId, PathId, StorePath } from '../core/types.js';
import { tailLines } from './classify.js';
import { type RemoteContext, defaultRemoteContext } from './context.js';
import { pathChunks, pathInfoCommand, validFromOutput, validityCommand } from './commands.js';
import { parsePathInfo } from './pathInfo.js';
import { type RunCommandOptions, type RunResult, mapLimit, runCommand } from './process.js';
import type { RemoteHosts, SshTarget } from './ssh.js';
import { validateStorePath } from './validate.js';

/** Options of {@link discoverHave}. */
export interface HaveDiscoveryOptions {
  /** Hosts asked at once. @defaultValue `16` */
  readonly concurrency?: number;
  /** Also ask the deployer's local store. @defaultValue `true` */
  readonly includeDeployer?: boolean;
}

/** What {@link discoverHave} found: the held paths per host, and the hosts that could not be asked. */
export interface HaveDiscovery {
  /** Per target (and the deployer), the wanted paths it already holds, in the order of `paths`. */
  readonly have: Map<HostId, PathId[]>;
  /** Hosts whose store could not be queried, with the tail of the error. */
  readonly errors: Map<HostId, string>;
}

/**
 * Asks every host of the fleet (and the deployer's local store) which of `paths` it already holds: one
 * `nix-store --store ssh-ng://HOST --check-validity --print-invalid …` per host, at most `concurrency` at once. A host that cannot
 * be asked holds nothing as far as planning goes; it is listed in `errors`.
 *
 * @throws ConfigError when a path is not a valid store path.
 */
export async function discoverHave(
  fleet: RemoteHosts,
  paths: readonly PathId[],
  ctx: RemoteContext = defaultRemoteContext(),
  options: HaveDiscoveryOptions = {},
): Promise<HaveDiscovery> {
  paths.forEach((p, i) => validateStorePath(p, `paths[${i}]`));
  const stores = [
    ...(options.includeDeployer === false ? [] : [{ id: fleet.deployer.id, store: 'local' as const }]),
    ...fleet.hosts.map((h) => ({ id: h.id, store: h })),
  ];
  ctx.mux?.activate();
  const have = new Map<HostId, PathId[]>();
  const errors = new Map<HostId, string>();
  const results = await mapLimit(stores, options.concurrency ?? 16, async ({ store }) =>
    paths.length === 0 ? undefined : queryValidity(store, paths, ctx),
  );
  stores.forEach(({ id }, i) => {
    const res = results[i];
    have.set(id, res?.valid ?? []);
    if (res && !res.valid)
      errors.set(id, res.failure.timedOut ? 'store query timed out' : tailLines(res.failure.stderr, 4));
  });
  return { have, errors };
}

/**
 * Which of `paths` `store` holds: {@link validityCommand} once per {@link pathChunks} run (a large closure's
 * paths overflow one command line), stopping at the first failed query. `run` bounds each query
 * (default: the context's query limit and signal).
 */
export async function queryValidity(
  store: SshTarget | 'local',
  paths: readonly PathId[],
  ctx: RemoteContext,
  run: RunCommandOptions = ctx.run(ctx.timeouts.query),
): Promise<{ valid: PathId[]; failure?: undefined } | { valid?: undefined; failure: RunResult }> {
  const valid: PathId[] = [];
  for (const chunk of pathChunks(paths)) {
    const res = await runCommand(validityCommand(store, chunk, ctx.strictHostKeyChecking, ctx.mux), run);
    if (!res.ok) return { failure: res };
    valid.push(...validFromOutput(chunk, res.stdout));
  }
  return { valid };
}

/**
 * The full closure of `paths` in the deployer's local store, read with `nix path-info --json --recursive`:
 * every path with its NAR size and references (minus itself), ready for a ClosureGraph.
 *
 * @throws ConfigError when a path is malformed or not in the local store (build it first).
 * @throws ExecutorError when nix cannot be run.
 */
export async function closureInfo(
  paths: readonly PathId[],
  ctx: RemoteContext = defaultRemoteContext(),
): Promise<StorePath[]> {
  if (paths.length === 0) throw new ConfigError('no store paths given', 'paths');
  paths.forEach((p, i) => validateStorePath(p, `paths[${i}]`));
  const res = await runCommand(pathInfoCommand('local', paths, true, true), ctx.run(ctx.timeouts.local));
  if (!res.ok) {
    if (res.spawnError)
      throw new ExecutorError(
        `cannot run nix (is it installed? see scripts/install-system-deps.sh): ${res.spawnError}`,
      );
    if (/is not valid|does not exist|don't know how to build/.test(res.stderr)) {
      throw new ConfigError(
        `a store path is not in the local store; build or fetch it first: ${tailLines(res.stderr, 3)}`,
        'paths',
      );
    }
    throw new ExecutorError(`nix path-info failed: ${tailLines(res.stderr, 4)}`);
  }
  const entries = parsePathInfo(res.stdout);
  const missing = entries.filter((e) => !e.valid).map((e) => e.path);
  if (missing.length > 0) {
    throw new ConfigError(`not in the local store (build or fetch it first): ${missing.join(', ')}`, 'paths');
  }
  // path-info lists in its own order; keep it, drop self-references (Nix records them, the core forbids them).
  return entries.map((e) => ({
    id: e.path,
    narSize: e.narSize,
    references: e.references.filter((r) => r !== e.path),
  }));
}
