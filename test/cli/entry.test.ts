/**
 * bin/nix-cascade.js runs the compiled CLI only when it is newer than every source file, and the
 * compiled CLI prints what the sources print.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { freshBuild } from '../../bin/entry.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A package tree with one source file and one built file, with the given modification times (s). */
function tree(sourceTime: number, builtTime: number | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'nix-cascade-entry-'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), '');
  utimesSync(join(root, 'src', 'cli', 'main.ts'), sourceTime, sourceTime);
  if (builtTime !== undefined) {
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), '');
    utimesSync(join(root, 'dist', 'cli', 'main.js'), builtTime, builtTime);
  }
  return root;
}

describe('freshBuild', () => {
  it('chooses the build when it is newer than every source', () => {
    const root = tree(1_000, 2_000);
    expect(freshBuild(root, {})).toBe(join(root, 'dist', 'cli', 'main.js'));
  });

  it('chooses the sources when one is newer than the build, or there is no build', () => {
    expect(freshBuild(tree(3_000, 2_000), {})).toBeUndefined();
    expect(freshBuild(tree(1_000, undefined), {})).toBeUndefined();
  });

  it('chooses the sources when NIX_CASCADE_FROM_SOURCE=1', () => {
    expect(freshBuild(tree(1_000, 2_000), { NIX_CASCADE_FROM_SOURCE: '1' })).toBeUndefined();
  });
});

describe('the compiled CLI', () => {
  it('is built and fresh in this checkout (scripts/setup.sh builds it; else run `npm run build`)', () => {
    expect(freshBuild(ROOT, {})).toBe(join(ROOT, 'dist', 'cli', 'main.js'));
  });

  it('prints the same bytes as the sources', async () => {
    const args = [
      'bin/nix-cascade.js',
      'simulate',
      '--hosts',
      '30',
      '--failure-rate',
      '0.1',
      '--seed',
      '4',
      '--json',
    ];
    const built = await execa('node', args, { cwd: ROOT });
    const sources = await execa('node', args, { cwd: ROOT, env: { NIX_CASCADE_FROM_SOURCE: '1' } });
    expect(built.stdout).toBe(sources.stdout);
    expect(JSON.parse(built.stdout)).toHaveProperty('traceSha256');
  });

  it('stops quietly when its reader closes the pipe early (`| head -1`)', async () => {
    const child = execa('node', ['bin/nix-cascade.js', 'strategies'], { cwd: ROOT, reject: false });
    // Closed before the CLI has loaded and written anything: its first write meets EPIPE.
    child.stdout.destroy();
    const r = await child;
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});
