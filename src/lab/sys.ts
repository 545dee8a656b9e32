import { accessSync, constants } from 'node:fs';
import { ExecutorError } from '../core/errors.js';
import { tailLines } from '../remote/classify.js';
import { runCommand } from '../remote/process.js';

/**
 * Runs a system tool (ip, tc, ssh-keygen, …) with an argument array.
 * @throws ExecutorError with the tool's stderr when it fails.
 */
export async function sys(file: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const r = await runCommand({ file, args, env: {} }, { timeoutMs });
  if (!r.ok)
    throw new ExecutorError(`${file} ${args.join(' ')} failed: ${r.spawnError ?? tailLines(r.stderr, 4)}`);
  return r.stdout;
}

/** Like {@link sys} but reports failure as `false` (for teardown steps that may find nothing to do). */
export async function trySys(file: string, args: readonly string[]): Promise<boolean> {
  const r = await runCommand({ file, args, env: {} }, { timeoutMs: 30_000 });
  return r.ok;
}

/** Where a program lives on PATH (or an absolute path), or undefined. */
export function which(program: string): string | undefined {
  if (program.startsWith('/')) return isExecutable(program) ? program : undefined;
  for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/sbin'])) {
    const p = `${dir}/${program}`;
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails loudly naming every missing capability: root, and each program the lab needs.
 * @throws ExecutorError listing what is missing and how to get it.
 */
export function requireLabCapabilities(programs: readonly string[]): Record<string, string> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('the lab must run as root (network namespaces, mounts, sshd)');
  const found: Record<string, string> = {};
  for (const p of programs) {
    const at = which(p);
    if (at === undefined) problems.push(`program "${p}" not found`);
    else found[p] = at;
  }
  if (problems.length > 0) {
    throw new ExecutorError(
      `lab prerequisites missing: ${problems.join('; ')} (run scripts/install-system-deps.sh as root)`,
    );
  }
  return found;
}
