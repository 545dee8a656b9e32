/** writeLabFlake: the lab's NixOS-shaped flake is the constant nix/lab/flake.nix plus a validated lab.json. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { LAB_FLAKE_NIX, type LabFlakeSpec, writeLabFlake } from '../../src/lab/flake.js';

const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nc-labflake-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const spec: LabFlakeSpec = {
  salt: 's',
  generation: 'g1',
  roles: { web: { paths: 3, sizeBytes: '1.5MB' } },
  hosts: [{ name: 'web-01', role: 'web' }],
};

describe('writeLabFlake', () => {
  it('writes the constant flake.nix and lab.json with defaults and sizes in bytes', () => {
    const d = fresh();
    writeLabFlake(d, spec);
    expect(readFileSync(join(d, 'flake.nix'), 'utf8')).toBe(readFileSync(LAB_FLAKE_NIX, 'utf8'));
    const lab = JSON.parse(readFileSync(join(d, 'lab.json'), 'utf8')) as Record<string, unknown>;
    expect(lab).toMatchObject({
      system: 'x86_64-linux',
      fill: 'random',
      roles: { web: { paths: 3, sizeBytes: 1_500_000 } },
      hosts: [{ name: 'web-01', profileType: 'nixos', brokenEval: false, activationExit: 0, deployment: {} }],
    });
  });

  it('refuses an unknown role, a duplicate host, a bad name or generation, writing nothing', () => {
    const bad: LabFlakeSpec[] = [
      { ...spec, hosts: [{ name: 'a', role: 'db' }] },
      {
        ...spec,
        hosts: [
          { name: 'a', role: 'web' },
          { name: 'a', role: 'web' },
        ],
      },
      { ...spec, hosts: [{ name: 'a b', role: 'web' }] },
      { ...spec, generation: 'g 1' },
      { ...spec, hosts: [] },
    ];
    for (const b of bad) {
      const d = fresh();
      expect(() => writeLabFlake(d, b)).toThrow(ConfigError);
      expect(() => readFileSync(join(d, 'lab.json'))).toThrow();
    }
  });
});
