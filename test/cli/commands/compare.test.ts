import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { optionsForStrategies } from '../../../src/cli/commands/compare.js';
import { seedList } from '../../../src/cli/compareOutput.js';
import { ConfigError } from '../../../src/core/errors.js';
import { cli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-compare-'));
const small = ['--hosts', '8', '--closure-mb', '20', '--no-progress'];

interface CompareJson {
  scenarios: { name: string }[];
  seeds: number;
  results: { scenario?: string; strategy: string; mode: string; seed: number; traceSha256: string }[];
  aggregates: {
    scenario: string;
    strategy: string;
    mode: string;
    runs: number;
    makespanSeconds: { median: number; min: number; max: number };
  }[];
}

describe('compare --scenarios --seeds', () => {
  it('runs every strategy × mode × scenario × seed and aggregates per strategy, mode and scenario', async () => {
    const file = join(dir, 'racks8.json');
    writeFileSync(file, JSON.stringify({ topology: { preset: 'racks', hosts: 8 }, seed: 5 }));
    const r = await cli(
      'compare',
      ...small,
      '--scenarios',
      `flat,${file}`,
      '--seeds',
      '3',
      '--strategies',
      'log2-fanout,swarm',
      '--json',
      '--jobs',
      '1',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as CompareJson;
    expect(j.scenarios.map((s) => s.name)).toEqual(['flat', 'racks8']);
    expect(j.results).toHaveLength(2 * 3 * 2 * 2);
    expect(new Set(j.results.filter((x) => x.scenario === 'racks8').map((x) => x.seed))).toEqual(
      new Set([5, 6, 7]),
    );
    expect(j.aggregates).toHaveLength(2 * 2 * 2);
    for (const a of j.aggregates) {
      expect(a.runs).toBe(3);
      const ms = j.results
        .filter((x) => x.scenario === a.scenario && x.strategy === a.strategy && x.mode === a.mode)
        .map((x) => (x as unknown as { makespanSeconds: number }).makespanSeconds);
      expect(a.makespanSeconds.min).toBe(Math.min(...ms));
      expect(a.makespanSeconds.max).toBe(Math.max(...ms));
    }
  });

  it('prints the same JSON with --jobs 1 (in process) and --jobs 2 (worker threads)', async () => {
    const args = [
      'compare',
      ...small,
      '--seeds',
      '2',
      '--strategies',
      'log2-fanout,swarm,push-parallel',
      '--json',
    ];
    const serial = await cli(...args, '--jobs', '1');
    const parallel = await cli(...args, '--jobs', '2');
    expect(serial.code).toBe(0);
    expect(parallel.code).toBe(0);
    expect(parallel.out).toBe(serial.out);
    expect((JSON.parse(serial.out) as CompareJson).results).toHaveLength(12);
  });

  it.each([
    ['the compiled CLI and its compiled workers (a fresh build)', {}],
    ['the sources, with tsx registered in each worker', { NIX_CASCADE_FROM_SOURCE: '1' }],
  ])('bin/nix-cascade.js under plain node runs %s', async (_what, env) => {
    const argv = ['bin/nix-cascade.js', 'compare', ...small, '--strategies', 'swarm,log2-fanout', '--json'];
    const serial = await execa('node', [...argv, '--jobs', '1'], { env });
    const parallel = await execa('node', [...argv, '--jobs', '2'], { env });
    expect(parallel.stdout).toBe(serial.stdout);
    expect((JSON.parse(parallel.stdout) as CompareJson).results).toHaveLength(4);
  });

  it('a scenario that fails to build inside a worker is still bad input (exit 2) naming the file', async () => {
    const file = join(dir, 'kills-missing.json');
    writeFileSync(
      file,
      JSON.stringify({
        topology: { preset: 'flat', hosts: 4 },
        failures: [{ kind: 'kill-host', host: 'host-9', atRound: 1 }],
      }),
    );
    const r = await cli(
      'compare',
      '--no-progress',
      '--scenario',
      file,
      '--strategies',
      'swarm',
      '--jobs',
      '2',
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(file);
  });

  it('prints progress lines on stderr when not on a terminal, and none with --no-progress', async () => {
    const r = await cli(
      'compare',
      '--hosts',
      '6',
      '--closure-mb',
      '20',
      '--strategies',
      'swarm',
      '--jobs',
      '1',
      '--json',
    );
    expect(r.err).toMatch(/^compare \(1 at once\): 1\/2 runs$/m);
    expect(r.err).toMatch(/^compare \(1 at once\): 2\/2 runs$/m);
    JSON.parse(r.out); // stdout stays one JSON object
    const quiet = await cli('compare', ...small, '--strategies', 'swarm', '--jobs', '1');
    expect(quiet.err).toBe('');
  });

  it('the report shows the spread over seeds', async () => {
    const report = join(dir, 'report');
    const r = await cli(
      'compare',
      ...small,
      '--seeds',
      '2',
      '--strategies',
      'swarm',
      '--jobs',
      '1',
      '--report',
      report,
    );
    expect(r.code).toBe(0);
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toContain('Spread over seeds');
  });

  it('refuses bad --seeds / --jobs and --scenario with --scenarios, exit 2 naming the flag', async () => {
    for (const [args, flag] of [
      [['--seeds', '0'], '--seeds'],
      [['--jobs', '1.5'], '--jobs'],
      [['--scenario', 'a.json', '--scenarios', 'flat'], '--scenarios'],
      [['--topology', 'racks', '--scenarios', 'flat'], '--scenarios'],
    ] as const) {
      const r = await cli('compare', ...small, ...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(flag);
    }
  });
});

describe('compare --strategy-option', () => {
  it('goes to the compared strategies that have the option, or to the one named before a dot', () => {
    const m = optionsForStrategies(['push-parallel', 'log2-fanout', 'level-tree'], {
      k: 3,
      'level-tree.fanout': 4,
    });
    expect(m.get('push-parallel')).toEqual({ k: 3 });
    expect(m.get('log2-fanout')).toEqual({});
    expect(m.get('level-tree')).toEqual({ fanout: 4 });
    expect(() => optionsForStrategies(['log2-fanout'], { k: 3 })).toThrow(ConfigError);
    expect(() => optionsForStrategies(['log2-fanout'], { 'swarm.pieces': 3 })).toThrow(ConfigError);
  });

  it('changes the run on the command line; a bad value is exit 2', async () => {
    const rounds = async (...extra: string[]) => {
      const r = await cli(
        'compare',
        ...small,
        '--strategies',
        'push-parallel',
        '--mode',
        'round',
        '--json',
        '--jobs',
        '1',
        ...extra,
      );
      expect(r.code).toBe(0);
      return (JSON.parse(r.out) as { results: { rounds: number }[] }).results[0]!.rounds;
    };
    expect(await rounds('--strategy-option', 'k=1')).toBe(8);
    expect(await rounds('--strategy-option', 'k=8')).toBe(1);
    expect(
      (await cli('compare', ...small, '--strategies', 'push-parallel', '--strategy-option', 'k=0')).code,
    ).toBe(2);
  });
});

describe('seedList', () => {
  it('counts up from a numeric seed and suffixes a text seed', () => {
    expect(seedList(7, 3)).toEqual([7, 8, 9]);
    expect(seedList('abc', 3)).toEqual(['abc', 'abc.1', 'abc.2']);
  });
});

describe('compare output width', () => {
  it('every line fits a 100-column terminal: all strategies, two seeds, failures, two scenarios', async () => {
    const r = await cli(
      'compare',
      ...small,
      '--seeds',
      '2',
      '--failure-rate',
      '0.2',
      '--scenarios',
      'heavy-tailed,examples/regions.json',
      '--jobs',
      '1',
    );
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.length).toBeGreaterThan(40);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(r.out).not.toMatch(/[0-9a-f]{12}/); // no trace hashes without --wide
  });
});
