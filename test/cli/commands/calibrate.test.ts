import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStrategyRuns } from '../../../src/cli/commands/calibrate.js';
import { cli } from '../../helpers/cli.js';
import { configError } from '../../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nc-calibrate-cli-'));
// A fleet at an address nobody uses: every case below must fail before contacting it.
const fleet = join(dir, 'fleet.json');
writeFileSync(fleet, JSON.stringify({ nodes: { h1: { targetHost: '192.0.2.1' } } }));

describe('calibrate --strategies', () => {
  it('reads names with an optional mode', () => {
    expect(parseStrategyRuns('push-parallel, swarm:eager,level-tree:round')).toEqual([
      { name: 'push-parallel', options: {}, mode: 'round' },
      { name: 'swarm', options: {}, mode: 'eager' },
      { name: 'level-tree', options: {}, mode: 'round' },
    ]);
  });

  it('refuses an unknown strategy or mode, naming the flag', () => {
    for (const bad of ['nope', 'swarm:fast', 'swarm:eager:x']) {
      expect(configError(() => parseStrategyRuns(bad)).where).toBe('--strategies');
    }
  });
});

describe('calibrate: bad input fails before any host is contacted', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown strategy', ['--strategies', 'push-parallel,nope'], /--strategies/],
    ['a bad closure size', ['--closure-size', 'lots'], /--closure-size/],
    ['a bad probe size', ['--probe-size', '-1MB'], /--probe-size/],
    ['a closure of one path', ['--closure-paths', '1'], /--closure-paths/],
    ['no samples', ['--samples', '0'], /--samples/],
    ['a closure that is not a store path', ['--closure-from', '/tmp/x'], /--closure-from/],
    [
      'an output under a file, where no directory can be made',
      ['--out', join(fleet, 'sub', 'x.json')],
      /--out/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const out = argv.includes('--out') ? [] : ['--out', join(dir, 'c.json')];
      const r = await cli('calibrate', '--fleet', fleet, ...out, ...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    });
  }

  it('a missing fleet file names it', async () => {
    const r = await cli('calibrate', '--fleet', join(dir, 'none.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('none.json');
  });
});
