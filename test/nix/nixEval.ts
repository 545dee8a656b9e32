/** Running `nix eval` offline for the test/nix tests: constant expressions, inputs in the environment. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OFFLINE_NIX_CONFIG } from '../../src/remote/nixEnv.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** nix/module.nix and the test-only lib shim. */
export const MODULE_NIX = here('../../nix/module.nix');
export const LIB_SHIM = here('./lib-shim.nix');

/**
 * `nix eval --json --impure` of `expr` (or of `--file`), with the offline settings and flakes on; `env`
 * carries the inputs (the expressions read them with builtins.getEnv, so no value is spliced into Nix).
 * @throws the child-process error when nix fails (its stderr in the message).
 */
export function nixEval(
  source: { expr: string } | { file: string },
  env: Record<string, string> = {},
): unknown {
  const args = [
    '--extra-experimental-features',
    'nix-command flakes',
    'eval',
    '--json',
    '--impure',
    ...('expr' in source ? ['--expr', source.expr] : ['--file', source.file]),
  ];
  const out = execFileSync('nix', args, {
    encoding: 'utf8',
    env: { ...process.env, NIX_CONFIG: OFFLINE_NIX_CONFIG, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as unknown;
}
