/** Running `nix eval` offline for the test/nix tests: constant expressions, inputs in the environment. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OFFLINE_NIX_CONFIG } from '../../src/remote/nixEnv.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** nix/lib, nix/module.nix, the test-only lib shim and the fixture fleet. */
export const NIX_LIB = here('../../nix/lib');
export const MODULE_NIX = here('../../nix/module.nix');
export const LIB_SHIM = here('./lib-shim.nix');
export const HOSTS_NIX = here('./fixtures/hosts.nix');

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

/**
 * A flake directory (outside any git repository, so nothing needs `git add`) whose outputs are the
 * fixture fleet, its modules evaluated with the lib shim. `remove` deletes it.
 */
export function fixtureFlake(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nc-nixlib-'));
  copyFileSync(HOSTS_NIX, join(dir, 'hosts.nix'));
  copyFileSync(MODULE_NIX, join(dir, 'module.nix'));
  copyFileSync(LIB_SHIM, join(dir, 'lib-shim.nix'));
  writeFileSync(
    join(dir, 'flake.nix'),
    '{ outputs = { self }: import ./hosts.nix { lib = import ./lib-shim.nix; module = ./module.nix; }; }\n',
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
