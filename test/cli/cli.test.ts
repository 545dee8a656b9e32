import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli.js';
import { strategyNames } from '../../src/strategies/registry.js';
import { readTraceFile } from '../../src/trace/jsonl.js';


const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-cli-'));
afterEach(() => vi.restoreAllMocks());

describe('nix-cascade simulate', () => {
  it('prints exactly one JSON object with the documented fields', async () => {
    const r = await cli('simulate', '--hosts', '15', '--closure-mb', '100', '--json');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const k of [
      'strategy',
      'hosts',
      'hostsDone',
      'hostsFailed',
      'rounds',
      'makespanSeconds',
      'lowerBoundSeconds',
      'ratioToLowerBound',
      'bytesTransferred',
      'traceSha256',
    ]) {
      expect(j).toHaveProperty(k);
    }
    expect(j['hosts']).toBe(15);
    expect(j['hostsDone']).toBe(15);
    expect(j['traceSha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(j['makespanSeconds'] as number).toBeGreaterThanOrEqual(j['lowerBoundSeconds'] as number);
  });

  it('--setup-seconds adds a fixed cost per transfer: log2-fanout on 15 hosts pays it once per round', async () => {
    const run = async (...extra: string[]): Promise<Record<string, number>> => {
      const r = await cli('simulate', '--hosts', '15', '--closure-mb', '100', '--json', ...extra);
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as Record<string, number>;
    };
    const ideal = await run();
    const paid = await run('--setup-seconds', '3');
    expect(paid['rounds']).toBe(ideal['rounds']);
    expect(paid['makespanSeconds']! - ideal['makespanSeconds']!).toBeCloseTo(3 * ideal['rounds']!, 6);
  });

  it('writes a trace whose sha256 is the one it reports', async () => {
    const trace = join(dir, 'run.jsonl');
    const r = await cli(
      'simulate',
      '--hosts',
      '6',
      '--strategy',
      'push-parallel',
      '--strategy-option',
      'k=2',
      '--trace',
      trace,
      '--json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { traceSha256: string; strategy: string };
    const { traceSha256 } = await import('../../src/trace/jsonl.js');
    expect(traceSha256(readTraceFile(trace))).toBe(j.traceSha256);
    expect(j.strategy).toBe('push-parallel');
  });

  it('gives the same trace for the same scenario and seed, another for another seed', async () => {
    const a = JSON.parse(
      (await cli('simulate', '--hosts', '10', '--roles', '3', '--seed', '4', '--json')).out,
    ) as { traceSha256: string };
    const b = JSON.parse(
      (await cli('simulate', '--hosts', '10', '--roles', '3', '--seed', '4', '--json')).out,
    ) as { traceSha256: string };
    const c = JSON.parse(
      (await cli('simulate', '--hosts', '10', '--roles', '3', '--seed', '5', '--json')).out,
    ) as { traceSha256: string };
    expect(a.traceSha256).toBe(b.traceSha256);
    expect(c.traceSha256).not.toBe(a.traceSha256);
  });

  it('prints a readable summary without --json', async () => {
    const r = await cli('simulate', '--hosts', '4');
    expect(r.code).toBe(0);
    expect(r.out).toContain('makespan');
    expect(r.out).toContain('lower bound');
  });

  it('reads a scenario file and lets flags override it', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(
      file,
      JSON.stringify({
        seed: 2,
        topology: { preset: 'racks', hosts: 40 },
        network: 'round',
        strategy: 'topology-aware',
      }),
    );
    const r = await cli('simulate', '--scenario', file, '--hosts', '20', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j).toMatchObject({ hosts: 20, strategy: 'topology-aware', topology: 'racks', network: 'round' });
  });
});

describe('bad input exits 2 with a message naming what is wrong', () => {
  const bad: Array<[string, string[], RegExp]> = [
    ['unknown strategy', ['simulate', '--strategy', 'nope'], /nope.*log2-fanout/s],
    ['non-positive host count', ['simulate', '--hosts', '0'], /--hosts/],
    ['unknown topology', ['simulate', '--topology', 'mesh'], /topology/],
    ['unknown network model', ['simulate', '--network', 'fluid'], /network/],
    ['failure rate above 1', ['simulate', '--failure-rate', '2'], /--failure-rate/],
    ['unknown flag', ['simulate', '--hostz', '3'], /hostz/],
    ['negative setup cost', ['simulate', '--setup-seconds', '-1'], /--setup-seconds/],
    ['negative failure rate', ['simulate', '--failure-rate', '-0.5'], /--failure-rate/],
    ['too many hosts', ['simulate', '--hosts', '2000000'], /--hosts/],
    ['fractional path count', ['simulate', '--paths', '1.5'], /--paths/],
    ['zero closure size', ['simulate', '--closure-mb', '0'], /--closure-mb/],
    ['unreadable uplink', ['simulate', '--uplink', '5furlongs'], /--uplink/],
    ['zero sends', ['compare', '--max-sends', '0'], /--max-sends/],
    ['seed fraction above 1', ['compare', '--seed-fraction', '2'], /--seed-fraction/],
    [
      'unknown strategy option',
      ['simulate', '--strategy', 'push-parallel', '--strategy-option', 'kk=3'],
      /kk/,
    ],
    ['missing scenario file', ['simulate', '--scenario', '/nonexistent/x.json'], /x\.json/],
  ];
  for (const [what, argv, message] of bad) {
    it(what, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    });
  }

  it('a malformed scenario file names the file', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "topology": { "preset": "flat", ');
    const r = await cli('simulate', '--scenario', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(file);
  });

  it('a bad field in a scenario file names the file and the field', async () => {
    const file = join(dir, 'badfield.json');
    writeFileSync(file, JSON.stringify({ topology: { preset: 'flat', hosts: -3 } }));
    const r = await cli('simulate', '--scenario', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}.topology.hosts`);
  });
});

describe('nix-cascade strategies / compare', () => {
  it('lists every registered strategy with a description', async () => {
    const r = await cli('strategies');
    expect(r.code).toBe(0);
    for (const name of strategyNames()) expect(r.out).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
  });

  it('compares named strategies and writes a report', async () => {
    const report = join(dir, 'report');
    const r = await cli(
      'compare',
      '--hosts',
      '8',
      '--closure-mb',
      '50',
      '--strategies',
      'log2-fanout',
      'push-parallel',
      '--report',
      report,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/log2-fanout/);
    expect(r.out).toMatch(/push-parallel/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(report, 'index.html'))).toBe(true);
    expect(existsSync(join(report, 'summary.json'))).toBe(true);
  });

  it('takes a comma-separated strategy list too, and rejects an unknown name in it with exit 2', async () => {
    const r = await cli(
      'compare',
      '--hosts',
      '6',
      '--closure-mb',
      '20',
      '--mode',
      'round',
      '--json',
      '--strategies',
      'log2-fanout,swarm',
    );
    expect(r.code).toBe(0);
    const { results } = JSON.parse(r.out) as { results: { strategy: string }[] };
    expect(results.map((row) => row.strategy)).toEqual(['log2-fanout', 'swarm']);
    const bad = await cli('compare', '--hosts', '6', '--strategies', 'swarm,nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('nope');
  });

  it('runs each strategy in both modes by default, in one mode when --mode or the scenario file names it', async () => {
    const modesOf = async (...extra: string[]): Promise<string[]> => {
      const r = await cli(
        'compare',
        '--hosts',
        '6',
        '--closure-mb',
        '20',
        '--json',
        '--strategies',
        'swarm',
        ...extra,
      );
      expect(r.code).toBe(0);
      const { results } = JSON.parse(r.out) as { results: { strategy: string; mode: string }[] };
      return results.map((row) => `${row.strategy} ${row.mode}`);
    };
    expect(await modesOf()).toEqual(['swarm round', 'swarm eager']);
    expect(await modesOf('--mode', 'both')).toEqual(['swarm round', 'swarm eager']);
    expect(await modesOf('--mode', 'eager')).toEqual(['swarm eager']);
    const file = join(dir, 'eager-scenario.json');
    writeFileSync(file, JSON.stringify({ topology: { preset: 'flat', hosts: 6 }, mode: 'eager' }));
    expect(await modesOf('--scenario', file)).toEqual(['swarm eager']);
    const table = await cli('compare', '--hosts', '6', '--closure-mb', '20', '--strategies', 'log2-fanout');
    expect(table.out).toMatch(/^[* ]\s+log2-fanout\s+round\s/m);
    expect(table.out).toMatch(/^[* ]\s+log2-fanout\s+eager\s/m);
  });

  it('each run of compare --mode both traces exactly as the same run of simulate', async () => {
    const flags = ['--hosts', '12', '--topology', 'heavy-tailed', '--closure-mb', '50', '--json'];
    const r = await cli('compare', ...flags, '--strategies', 'swarm');
    const { results } = JSON.parse(r.out) as { results: { mode: string; traceSha256: string }[] };
    for (const row of results) {
      const one = await cli('simulate', ...flags, '--strategy', 'swarm', '--mode', row.mode);
      expect(JSON.parse(one.out)).toEqual(row); // the same object, trace hash included
    }
    expect(results).toHaveLength(2);
  });

  it('an empty strategy list exits 2 naming --strategies instead of printing an empty table', async () => {
    for (const list of [[','], []]) {
      const r = await cli('compare', '--hosts', '4', '--strategies', ...list);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--strategies');
      expect(r.out).toBe('');
    }
  });
});

describe('nix-cascade trace', () => {
  it('replays a trace as the cascade tree rooted at the deployer', async () => {
    const trace = join(dir, 'tree.jsonl');
    expect((await cli('simulate', '--hosts', '6', '--network', 'round', '--trace', trace)).code).toBe(0);
    const r = await cli('trace', trace);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('deployer (seed)');
    expect(r.out.match(/host-\d/g)).toHaveLength(6);
    const dot = await cli('trace', trace, '--format', 'dot');
    expect(dot.out).toMatch(/^digraph cascade \{/);
  });

  it('a missing or malformed trace file exits 2 naming it', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"type":"nope"}\n');
    for (const f of [join(dir, 'missing.jsonl'), bad]) {
      const r = await cli('trace', f);
      expect(r.code).toBe(2);
      expect(r.err).toContain(f);
    }
  });
});

describe('bad input found by a new user', () => {
  const file = (name: string, json: unknown): string => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(json));
    return f;
  };

  it("--strategy-option applies to the scenario's strategy without --strategy", async () => {
    expect((await cli('simulate', '--hosts', '5', '--strategy-option', 'bogus=1')).code).toBe(2);
    const f = file('pp2.json', {
      topology: { preset: 'flat', hosts: 20 },
      strategy: 'push-parallel',
      strategyOptions: { k: 2 },
    });
    const rounds = async (...extra: string[]) =>
      (JSON.parse((await cli('simulate', '--scenario', f, '--json', ...extra)).out) as { rounds: number })
        .rounds;
    expect(await rounds('--strategy-option', 'k=10')).not.toBe(await rounds());
  });

  it("compare runs the scenario's strategy with the scenario's options, as simulate does", async () => {
    const f = file('pp2c.json', {
      topology: { preset: 'flat', hosts: 20 },
      strategy: 'push-parallel',
      strategyOptions: { k: 2 },
      mode: 'round',
    });
    const sim = JSON.parse((await cli('simulate', '--scenario', f, '--json')).out) as { traceSha256: string };
    const cmp = JSON.parse(
      (await cli('compare', '--scenario', f, '--strategies', 'push-parallel', '--json')).out,
    ) as { results: { traceSha256: string }[] };
    expect(cmp.results[0]!.traceSha256).toBe(sim.traceSha256);
  });

  it('refuses unwritable outputs before running: --perfetto, --report under a file or in /proc', async () => {
    expect(
      (await cli('simulate', '--hosts', '5', '--perfetto', join(dir, 'no-such-dir', 'x.json'))).code,
    ).toBe(2);
    const plain = file('plain.txt', 1);
    expect(
      (await cli('compare', '--hosts', '5', '--strategies', 'push-parallel', '--report', plain)).code,
    ).toBe(2);
    expect(
      (await cli('compare', '--hosts', '5', '--strategies', 'push-parallel', '--report', join(plain, 'sub')))
        .code,
    ).toBe(2);
    expect(
      (
        await cli(
          'compare',
          '--hosts',
          '5',
          '--strategies',
          'push-parallel',
          '--report',
          '/proc/nix-cascade-nope',
        )
      ).code,
    ).toBe(2);
  });

  it('names the flag for a bad --uplink and a --hosts beyond the limit', async () => {
    const up = await cli('simulate', '--uplink', '12furlongs');
    expect(up.code).toBe(2);
    expect(up.err).toContain('--uplink');
    const hosts = await cli('simulate', '--hosts', '2000000');
    expect(hosts.code).toBe(2);
    expect(hosts.err).toContain('--hosts');
  });

  it('a scenario failure naming a host the resized fleet lacks names the file and the field as written', async () => {
    const f = file('kill.json', {
      topology: { preset: 'flat', hosts: 100 },
      failures: [{ kind: 'kill-host', host: 'host-017', atRound: 1 }],
    });
    expect((await cli('simulate', '--scenario', f)).code).not.toBe(2); // 1: the killed host failed
    const r = await cli('simulate', '--scenario', f, '--hosts', '40');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}.failures[0].host`);
  });

  it("--topology replaces the file's preset with its own fields dropped", async () => {
    const f = file('racks.json', { topology: { preset: 'racks', hosts: 20, oversubscription: 2 } });
    expect((await cli('simulate', '--scenario', f, '--topology', 'flat')).code).toBe(0);
  });

  it('trace: an empty file is bad input; a truncated one replays with a warning', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect((await cli('trace', empty)).code).toBe(2);
    const full = join(dir, 'full.jsonl');
    expect((await cli('simulate', '--hosts', '6', '--trace', full)).code).toBe(0);
    const lines = readFileSync(full, 'utf8').trim().split('\n');
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${lines.slice(0, -1).join('\n')}\n`);
    const r = await cli('trace', cut);
    expect(r.code).toBe(0);
    expect(r.err).toContain('run-finished');
    expect((await cli('trace', full)).err).toBe('');
    // Cut mid-line (no final newline): the events before the cut replay, with the same warning.
    const text = readFileSync(full, 'utf8');
    const midLine = join(dir, 'mid.jsonl');
    writeFileSync(midLine, text.slice(0, text.lastIndexOf('\n', text.length - 2) + 20));
    const m = await cli('trace', midLine);
    expect(m.code).toBe(0);
    expect(m.err).toContain('run-finished');
  });
});
