import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HostId, PathId } from '../core/types.js';
import type { RealHost } from '../fleet/realFleet.js';
import { classifyFailure } from '../remote/classify.js';
import { NIX_FLAGS, copyCommand } from '../remote/commands.js';
import type { RemoteContext } from '../remote/context.js';
import { onHost } from '../remote/onHost.js';
import { runCommand } from '../remote/process.js';
import { nixErrorLines } from './nixOutput.js';

/**
 * The build stage: a host's toplevel derivation realised on the deployer (`nix build`, its result kept as
 * a GC root under the state directory, so `nix-collect-garbage` cannot pull a closure out from under a
 * running deploy, and the deployer keeps knowing the system it last gave each host), or on the target
 * itself (`buildOnTarget`: the derivation closure is copied there and realised by the host's own Nix).
 */

/** How one build ended: the output path, or Nix's error lines. */
export type BuildResult =
  { readonly ok: true; readonly outPath: PathId } | { readonly ok: false; readonly error: string };

/**
 * Where the deployer keeps its state: `$XDG_STATE_HOME/nix-cascade`, else `~/.local/state/nix-cascade`.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'nix-cascade');
}

/**
 * The GC root of a host's latest build: `STATE/gcroots/HOST` (host names are DNS-like, but anything
 * outside `[A-Za-z0-9._-]` is replaced so a name can never leave the directory).
 */
export function gcRootOf(stateDir: string, host: HostId): string {
  const safe = host.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return join(stateDir, 'gcroots', safe);
}

/**
 * Builds `drvPath` on the deployer with `nix build --out-link ROOT`: the out-link is an indirect GC root,
 * replaced by the host's next build. `builders` (a machines-file path) hands the work to remote builders.
 */
export async function buildLocally(
  host: HostId,
  drvPath: PathId,
  outPath: PathId,
  ctx: RemoteContext,
  options: { readonly stateDir: string; readonly machinesFile?: string | undefined },
): Promise<BuildResult> {
  const root = gcRootOf(options.stateDir, host);
  mkdirSync(join(options.stateDir, 'gcroots'), { recursive: true });
  const builders = options.machinesFile ? ['--builders', `@${options.machinesFile}`] : [];
  const end = await runCommand(
    { file: 'nix', args: [...NIX_FLAGS, 'build', ...builders, '--out-link', root, drvPath], env: {} },
    ctx.run(ctx.timeouts.build ?? ctx.timeouts.local),
  );
  if (end.ok) return { ok: true, outPath };
  return { ok: false, error: failureText(end, 'nix build', ctx.timeouts.build ?? ctx.timeouts.local) };
}

/**
 * `buildOnTarget`: copies the derivation closure to the host (`nix copy --derivation`), then realises it
 * there with the host's own `nix-store --realise`, behind its privilege-escalation command.
 */
export async function buildOnTarget(
  host: RealHost,
  drvPath: PathId,
  outPath: PathId,
  ctx: RemoteContext,
  options: { readonly checkSigs: boolean },
): Promise<BuildResult> {
  ctx.mux?.activate();
  const copy = copyCommand(
    'local',
    host,
    [drvPath],
    {
      checkSigs: options.checkSigs,
      substituteOnDestination: false,
      strictHostKeyChecking: ctx.strictHostKeyChecking,
      mode: 'push',
    },
    ctx.mux ?? undefined,
  );
  const sent = await runCommand(
    { ...copy, args: withDerivationFlag(copy.args) },
    ctx.run(ctx.timeouts.transfer),
  );
  if (!sent.ok) {
    return {
      ok: false,
      error: `copying the derivation: ${remoteFailure(sent, host, ctx.timeouts.transfer)}`,
    };
  }
  const realise = [...host.privilegeEscalationCommand, 'nix-store', '--realise', drvPath];
  const built = await runCommand(
    onHost(host, ctx, realise),
    ctx.run(ctx.timeouts.build ?? ctx.timeouts.transfer),
  );
  if (built.ok) return { ok: true, outPath };
  return { ok: false, error: remoteFailure(built, host, ctx.timeouts.build ?? ctx.timeouts.transfer) };
}

/** `nix copy --derivation`: the `.drv` closure itself, not its outputs. */
function withDerivationFlag(args: readonly string[]): string[] {
  const i = args.indexOf('copy');
  return [...args.slice(0, i + 1), '--derivation', ...args.slice(i + 1)];
}

type Ended = Parameters<typeof classifyFailure>[0];

function failureText(end: Ended, what: string, timeoutSeconds: number): string {
  if (end.spawnError) return `cannot run ${what}: ${end.spawnError}`;
  if (end.timedOut) return `${what} timed out after ${timeoutSeconds} s`;
  if (end.cancelled) return 'cancelled';
  return nixErrorLines(end.stderr, `${what} failed (exit ${end.exitCode ?? '?'})`);
}

function remoteFailure(end: Ended, host: RealHost, timeoutSeconds: number): string {
  const cause = classifyFailure(end, { from: 'deployer', to: host.id, timeoutSeconds });
  if (cause.code === 'unreachable' || cause.code === 'ssh-handshake')
    return `${cause.code}: ${cause.message}`;
  return failureText(end, 'the remote build', timeoutSeconds);
}
