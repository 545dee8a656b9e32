import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveRng } from '../core/random.js';
import { ConfigError, ExecutorError } from '../core/errors.js';
import { tailLines } from '../remote/classify.js';
import { OFFLINE_NIX_CONFIG } from '../remote/nixEnv.js';
import { runCommand } from '../remote/process.js';
import { validateStorePath } from '../remote/validate.js';

/** Options of {@link buildSyntheticClosure}. */
export interface SyntheticClosureOptions {
  /** Total size of the closure in MiB (> 0). */
  readonly sizeMb: number;
  /** Number of store paths in the closure, the top-level included (1..5000). */
  readonly paths: number;
  /** Shapes the DAG and sizes, and is part of every path name, so two seeds never share paths. @defaultValue `0` */
  readonly seed?: number | string;
  /** Where the generated Nix expression is written. @defaultValue `$TMPDIR/nix-cascade-closures` */
  readonly workDir?: string;
  /** `NIX_CONFIG` for the build. @defaultValue the offline settings */
  readonly nixConfig?: string;
}

/** A generated closure: its shape, the expression, and (once built) its top-level path. */
export interface SyntheticClosurePlan {
  /** Paths in build order: name, byte size of its blob, indices of the paths it references. */
  readonly nodes: ReadonlyArray<{
    readonly name: string;
    readonly bytes: number;
    readonly refs: readonly number[];
  }>;
  readonly expression: string;
}

/**
 * The shape of a synthetic NixOS-like closure: a heavy-tailed spread of sizes (a few big paths, many small
 * ones, like glibc/linux vs. config files), each path referencing up to three earlier ones, and a small
 * top-level that references every path nobody else references. Pure: same options, same plan.
 */
export function planSyntheticClosure(
  options: Pick<SyntheticClosureOptions, 'sizeMb' | 'paths' | 'seed'>,
): SyntheticClosurePlan {
  const { sizeMb, paths } = options;
  if (!(sizeMb > 0) || !Number.isFinite(sizeMb))
    throw new ConfigError(`must be a positive number, got ${sizeMb}`, 'sizeMb');
  if (!Number.isInteger(paths) || paths < 1 || paths > 5000)
    throw new ConfigError(`must be an integer in 1..5000, got ${paths}`, 'paths');
  const seed = String(options.seed ?? 0);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(seed))
    throw new ConfigError(`must be 1-32 letters, digits, _ or -, got ${JSON.stringify(seed)}`, 'seed');
  const rng = deriveRng(seed, 'lab-closure');
  const total = Math.round(sizeMb * 1024 * 1024);
  const blobs = paths - 1;
  const topBytes = blobs === 0 ? total : Math.min(4096, Math.floor(total / paths));
  // Pareto(α = 1.2) weights: a handful of paths carry most of the bytes.
  const weights = Array.from({ length: blobs }, () => (1 - rng()) ** (-1 / 1.2));
  const sum = weights.reduce((a, b) => a + b, 0);
  const nodes: Array<{ name: string; bytes: number; refs: number[] }> = [];
  const referenced = new Set<number>();
  for (let i = 0; i < blobs; i++) {
    const refs = new Set<number>();
    const k = Math.min(i, Math.floor(rng() * 4));
    while (refs.size < k) refs.add(Math.floor(rng() * i));
    for (const r of refs) referenced.add(r);
    nodes.push({
      name: `nc-${seed}-p${i}`,
      bytes: Math.max(1024, Math.floor(((total - topBytes) * weights[i]!) / sum)),
      refs: [...refs].sort((a, b) => a - b),
    });
  }
  const roots = nodes.map((_, i) => i).filter((i) => !referenced.has(i));
  nodes.push({ name: `nc-${seed}-toplevel`, bytes: topBytes, refs: roots });
  const lines = [
    'let',
    '  mk = name: size: deps: derivation {',
    '    inherit name;',
    '    system = builtins.currentSystem;',
    '    builder = "/bin/sh";',
    '    args = [ "-c" ("export PATH=/usr/bin:/bin; mkdir -p $out; head -c " + toString size',
    '      + " /dev/urandom > $out/blob; echo " + builtins.concatStringsSep " " (map toString deps) + " > $out/refs") ];',
    '  };',
    ...nodes.map(
      (n, i) => `  p${i} = mk "${n.name}" ${n.bytes} [ ${n.refs.map((r) => `p${r}`).join(' ')} ];`,
    ),
    `in p${nodes.length - 1}`,
    '',
  ];
  return { nodes, expression: lines.join('\n') };
}

/**
 * Builds a synthetic closure offline in the local (deployer's) store with `nix-build` and returns its
 * top-level store path. The blobs are random bytes; the paths' names and shape follow the seed.
 *
 * @throws ConfigError for bad options; ExecutorError when the build fails.
 */
export async function buildSyntheticClosure(
  options: SyntheticClosureOptions,
): Promise<{ toplevel: string; file: string; plan: SyntheticClosurePlan }> {
  const plan = planSyntheticClosure(options);
  const workDir = options.workDir ?? join(tmpdir(), 'nix-cascade-closures');
  mkdirSync(workDir, { recursive: true });
  const file = join(
    workDir,
    `closure-${createHash('sha256').update(plan.expression).digest('hex').slice(0, 16)}.nix`,
  );
  writeFileSync(file, plan.expression);
  const r = await runCommand(
    { file: 'nix-build', args: ['--no-out-link', '--max-jobs', '4', file], env: {} },
    { timeoutMs: 30 * 60_000, env: { NIX_CONFIG: options.nixConfig ?? OFFLINE_NIX_CONFIG } },
  );
  if (!r.ok)
    throw new ExecutorError(
      `nix-build of the synthetic closure failed: ${r.spawnError ?? tailLines(r.stderr, 6)}`,
    );
  const toplevel = r.stdout.trim().split('\n').pop() ?? '';
  validateStorePath(toplevel, 'nix-build output');
  return { toplevel, file, plan };
}
