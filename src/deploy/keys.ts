import { readFile } from 'node:fs/promises';
import type { DeploymentKey } from '../fleet/keys.js';
import type { RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { tailLines } from '../remote/classify.js';
import { runCommand } from '../remote/process.js';
import { onHost } from '../remote/onHost.js';

/**
 * Uploads a host's secrets (colmena's `deployment.keys`). The content is read on the deployer only when
 * it is sent (a `keyFile`, a `keyCommand`'s stdout, or the `text`), travels on ssh's stdin, and is written
 * on the host atomically: a temporary file in the destination directory that gets the key's owner and
 * mode before any content, then renamed into place. It never enters either Nix store, an argument list,
 * the environment, the trace, the report or an error message: errors name the key and say what failed.
 */

/**
 * The upload: $1 dir, $2 name, $3 user, $4 group, $5 mode, $6 `strict` (a missing user or group is an
 * error) or `lenient` (pre-activation: the new system may create them; root keeps it meanwhile, as
 * colmena does). Content on stdin.
 */
const UPLOAD = [
  'set -e',
  'd=$1; n=$2',
  '[ -d "$d" ] || mkdir -p -m 0755 "$d"',
  'umask 077',
  't=$(mktemp "$d/.$n.nix-cascade.XXXXXX")',
  'trap \'rm -f "$t"\' EXIT',
  'if ! chown "$3:$4" "$t" 2>/dev/null; then',
  '  if [ "$6" = strict ]; then echo "no user $3 or group $4 on this host" >&2; exit 1; fi',
  '  echo "user $3 or group $4 does not exist yet: owned by root until the next upload" >&2',
  'fi',
  'chmod "$5" "$t"',
  'cat > "$t"',
  'mv -f "$t" "$d/$n"',
  'trap - EXIT',
].join('\n');

/** Which of a host's keys an upload step sends. */
export type KeyPhase = 'pre-activation' | 'post-activation' | 'all';

/** The keys of `host` sent at `phase` (`all`: the `keys` action). */
export function keysAt(host: RealHost, phase: KeyPhase): readonly DeploymentKey[] {
  return phase === 'all' ? host.keys : host.keys.filter((k) => k.uploadAt === phase);
}

/** A key's content, read on the deployer. @returns it, or why it could not be read (no content in it). */
export async function keyContent(
  key: DeploymentKey,
  ctx: RemoteContext,
): Promise<{ ok: true; content: Uint8Array } | { ok: false; error: string }> {
  const s = key.source;
  switch (s.kind) {
    case 'text':
      return { ok: true, content: Buffer.from(s.text, 'utf8') };
    case 'file':
      try {
        return { ok: true, content: await readFile(s.path) };
      } catch (e) {
        return { ok: false, error: `cannot read keyFile ${s.path}: ${(e as NodeJS.ErrnoException).code}` };
      }
    case 'command': {
      const end = await runCommand(
        { file: s.argv[0]!, args: s.argv.slice(1), env: {} },
        ctx.run(ctx.timeouts.probe),
      );
      if (end.ok) return { ok: true, content: Buffer.from(end.stdout, 'utf8') };
      // Its stderr is its own diagnostics; its stdout (the secret, if any) is never shown.
      const why = end.timedOut ? 'timed out' : (end.spawnError ?? `exit ${end.exitCode ?? '?'}`);
      return { ok: false, error: `keyCommand ${s.argv[0]} failed (${why}): ${tailLines(end.stderr, 4)}` };
    }
  }
}

/**
 * Uploads `keys` to `host`, one after another.
 * @returns the names uploaded and any warnings, or the first failure (naming the key).
 */
export async function uploadKeys(
  host: RealHost,
  keys: readonly DeploymentKey[],
  ctx: RemoteContext,
): Promise<{ ok: true; detail: string } | { ok: false; error: string }> {
  const warnings: string[] = [];
  for (const key of keys) {
    const content = await keyContent(key, ctx);
    if (!content.ok) return { ok: false, error: `key ${key.name}: ${content.error}` };
    const args = [
      ...host.privilegeEscalationCommand,
      'sh',
      '-c',
      UPLOAD,
      'upload-key',
      key.destDir,
      key.name,
      key.user,
      key.group,
      key.permissions,
      key.uploadAt === 'post-activation' ? 'strict' : 'lenient',
    ];
    const end = await runCommand(onHost(host, ctx, args), {
      ...ctx.run(ctx.timeouts.probe),
      input: content.content,
    });
    if (!end.ok) {
      const why = end.timedOut ? 'timed out' : end.cancelled ? 'cancelled' : `exit ${end.exitCode ?? '?'}`;
      return { ok: false, error: `key ${key.name} to ${key.destDir}: ${why}: ${tailLines(end.stderr, 4)}` };
    }
    if (end.stderr.trim() !== '') warnings.push(`key ${key.name}: ${tailLines(end.stderr, 2)}`);
  }
  const names = keys.map((k) => k.name).join(', ');
  return {
    ok: true,
    detail: [`${keys.length} key${keys.length === 1 ? '' : 's'} (${names})`, ...warnings].join('; '),
  };
}
