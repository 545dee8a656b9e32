import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storePathArg } from '../../src/cli/scenarioFlags.js';
import { readTraceFile } from '../../src/trace/jsonl.js';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-closure-from-'));
const HELLO = 'examples/closures/hello-2.12.1.json';
const TOP = '/nix/store/dbghhbq1x39yxgkv3vkgfwbxrmw9nfzi-hello-2.12.1';

/**
 * A stand-in `nix` first on PATH: prints `stdout` for `nix … path-info --json --recursive TOP` and records
 * its arguments, so the store-path route is tested without a Nix store.
 */
function fakeNix(stdout: string, exit = 0): string {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'out.json'), stdout);
  writeFileSync(
    join(bin, 'nix'),
    `#!/bin/sh\necho "$@" > "${bin}/args"\ncat "${bin}/out.json"\n[ ${exit} -eq 0 ] || echo "error: path '${TOP}' is not valid" >&2\nexit ${exit}\n`,
  );
  chmodSync(join(bin, 'nix'), 0o755);
  return bin;
}
const PATH = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = PATH;
});

describe('--closure-from', () => {
  it('tells store paths (and links into the store) from closure files', () => {
    expect(storePathArg(TOP)).toBe(TOP);
    expect(storePathArg('/nix/store/abc-closure.json')).toBeUndefined();
    expect(storePathArg(HELLO)).toBeUndefined();
    expect(storePathArg(join(dir, 'missing'))).toBeUndefined();
    const link = join(dir, 'result');
    symlinkSync('/nix/store', link);
    expect(storePathArg(link)).toBeUndefined(); // the store directory itself is no store path
    const target = (existsSync('/nix/store') ? readdirSync('/nix/store') : []).find((n) =>
      /^[0-9a-z]{32}-/.test(n),
    );
    if (target !== undefined) {
      symlinkSync(`/nix/store/${target}`, join(dir, 'result-2'));
      expect(storePathArg(join(dir, 'result-2'))).toBe(`/nix/store/${target}`);
    }
  });

  it('simulates a closure file: the trace names its store paths', async () => {
    const trace = join(dir, 'hello.jsonl');
    const r = await cli('simulate', '--hosts', '8', '--closure-from', HELLO, '--trace', trace, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j['success']).toBe(true);
    expect(j['bytesTransferred']).toBe(8 * 32_696_176);
    const started = readTraceFile(trace).filter((e) => e.type === 'transfer-started');
    expect(new Set(started.flatMap((e) => e.paths))).toContain(TOP);
  });

  it('reads a store path from the deployer store with nix path-info --json --recursive', async () => {
    const bin = fakeNix(
      JSON.stringify({
        [TOP]: { narSize: 10, references: [TOP, `${TOP}-lib`] },
        [`${TOP}-lib`]: { narSize: 5, references: [] },
      }),
    );
    process.env['PATH'] = `${bin}:${PATH ?? ''}`;
    const r = await cli('simulate', '--hosts', '3', '--closure-from', TOP, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Record<string, unknown>)['bytesTransferred']).toBe(3 * 15);
    expect(readFileSync(join(bin, 'args'), 'utf8')).toMatch(
      new RegExp(`path-info --json --recursive ${TOP}$`, 'm'),
    );
  });

  it('takes one role per value, and compare describes the real closure', async () => {
    const r = await cli(
      'compare',
      '--hosts',
      '4',
      '--strategies',
      'log2-fanout',
      '--mode',
      'round',
      '--closure-from',
      'examples/closures/lab-web.json',
      '--closure-from',
      'examples/closures/lab-db.json',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/real closure \(lab-web, lab-db\)/);
  });

  it.each<[string, string[], RegExp]>([
    ['a missing closure file', ['--closure-from', join(dir, 'none.json')], /none\.json/],
    ['a closure with a dangling reference', ['--closure-from', 'DANGLING'], /references/],
    ['a synthetic size with a real closure', ['--closure-from', HELLO, '--closure-mb', '5'], /--closure-mb/],
    ['a path count with a real closure', ['--closure-from', HELLO, '--paths', '5'], /--paths/],
  ])('exits 2 for %s', async (_, argv, message) => {
    const dangling = join(dir, 'dangling.json');
    writeFileSync(
      dangling,
      JSON.stringify([{ path: TOP, narSize: 1, references: ['/nix/store/x-missing'] }]),
    );
    const r = await cli('simulate', '--hosts', '2', ...argv.map((a) => (a === 'DANGLING' ? dangling : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('reads a scenario file role given by storePath, and names that field when nix does not know it', async () => {
    const file = join(dir, 'store-role.json');
    writeFileSync(
      file,
      JSON.stringify({
        topology: { preset: 'flat', hosts: 2 },
        closure: { roles: [{ file: resolve(HELLO) }, { storePath: TOP, name: 'again' }] },
      }),
    );
    process.env['PATH'] =
      `${fakeNix(JSON.stringify({ [TOP]: { narSize: 226560, references: [] } }))}:${PATH ?? ''}`;
    // hello's toplevel in both roles, with other references in the file: the two disagree, an error naming both.
    let r = await cli('simulate', '--scenario', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}.closure.roles[1]`);
    process.env['PATH'] = `${fakeNix('', 1)}:${PATH ?? ''}`;
    r = await cli('simulate', '--scenario', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}.closure.roles[1].storePath`);
  });

  it('exits 2 naming --closure-from when the store path is not in the store', async () => {
    process.env['PATH'] = `${fakeNix('', 1)}:${PATH ?? ''}`;
    const r = await cli('simulate', '--hosts', '2', '--closure-from', TOP);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--closure-from/);
  });
});

describe('scenario files with real closures and explicit topologies', () => {
  it('resolves closure files next to the scenario file', async () => {
    const r = await cli('simulate', '--scenario', resolve('examples/explicit-topology.json'), '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Record<string, unknown>)['hosts']).toBe(6);
  });

  it.each([
    ['--hosts', '5'],
    ['--uplink', '1gbit'],
    ['--max-sends', '2'],
  ])('rejects %s on an explicit topology, naming the flag', async (flag, value) => {
    const r = await cli('simulate', '--scenario', 'examples/explicit-topology.json', flag, value);
    expect(r.code).toBe(2);
    expect(r.err).toContain(flag);
  });

  it('--topology replaces an explicit topology with a preset', async () => {
    const r = await cli(
      'simulate',
      '--scenario',
      'examples/explicit-topology.json',
      '--topology',
      'flat',
      '--hosts',
      '5',
      '--json',
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Record<string, unknown>)['hosts']).toBe(5);
  });

  it('a bad link in a scenario file names the file and the field', async () => {
    const file = join(dir, 'badlink.json');
    writeFileSync(
      file,
      JSON.stringify({
        topology: {
          preset: 'custom',
          switches: [{ id: 's' }],
          links: [{ from: 's', to: 'x', bandwidth: '1gbit', latency: 0 }],
          hosts: [
            { host: 'deployer', switch: 's' },
            { host: 'h', switch: 's' },
          ],
        },
        closure: { file: resolve(HELLO) },
      }),
    );
    const r = await cli('simulate', '--scenario', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}.topology.links[0].to`);
  });
});
