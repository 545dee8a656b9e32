import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT } from '../../src/cli/main.js';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-edges-'));

describe('what a new user tries first', () => {
  it('--version prints the package version; completion prints a shell script', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(pkg.version);
    const c = await cli('completion');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/complete .*nix-cascade|compdef/);
  });

  it('--help states the unit convention', async () => {
    const h = await cli('--help');
    expect(h.out).toMatch(/10\^6 bytes/);
    expect(h.out).toMatch(/MiB/);
  });

  it('a negative value is an error about that value, not a list of unknown short flags', async () => {
    const r = await cli('simulate', '--uplink', '-1gbit');
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain('--uplink');
    expect(r.err).toContain('-1gbit');
    expect(r.err).not.toMatch(/Unknown arguments/);
  });

  it('compare --strategy points to --strategies', async () => {
    const r = await cli('compare', '--strategy', 'swarm');
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain('--strategies');
  });

  it('a bare lab lists its subcommands; a bare trace says it wants a file', async () => {
    const lab = await cli('lab');
    expect(lab.code).toBe(EXIT_BAD_INPUT);
    for (const sub of ['up', 'closure', 'status', 'down']) expect(lab.err).toContain(sub);
    const trace = await cli('trace');
    expect(trace.code).toBe(EXIT_BAD_INPUT);
    expect(trace.err).toMatch(/trace FILE/);
    expect(trace.err).not.toMatch(/non-option/);
  });
});

describe('accepted silently before, refused now (exit 2, naming what)', () => {
  it('more roles than hosts', async () => {
    const r = await cli('simulate', '--roles', '200', '--hosts', '10');
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain('--roles');
    expect((await cli('simulate', '--roles', '10', '--hosts', '10', '--closure-mb', '10')).code).toBe(0);
  });

  it('health --required-bytes -5, before reading the fleet', async () => {
    const r = await cli('health', '--fleet', join(dir, 'missing.json'), '--required-bytes', '-5');
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain('--required-bytes');
  });

  it('lab closure --size-mb -3, before touching Nix', async () => {
    const r = await cli('lab', 'closure', '--size-mb', '-3');
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain('--size-mb');
  });

  it('a trace without run-started', async () => {
    const trace = join(dir, 'run.jsonl');
    expect((await cli('simulate', '--hosts', '4', '--closure-mb', '10', '--trace', trace)).code).toBe(0);
    const headless = join(dir, 'headless.jsonl');
    writeFileSync(headless, readFileSync(trace, 'utf8').split('\n').slice(1).join('\n'));
    const r = await cli('trace', headless);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toContain(headless);
    expect((await cli('trace', trace)).code).toBe(0);
  });
});

describe('one unit convention, and no ratio for a run that did not finish', () => {
  it('simulate and compare print the same bytes the same way', async () => {
    const flags = ['--hosts', '30', '--closure-mb', '100'];
    const sim = await cli('simulate', ...flags);
    const cmp = await cli(
      'compare',
      ...flags,
      '--strategies',
      'log2-fanout,swarm',
      '--jobs',
      '1',
      '--no-progress',
    );
    expect(sim.out).toMatch(/^bytes moved\s+3GB /m);
    expect(cmp.out).toMatch(/bytes 3GB/);
    expect(sim.out + cmp.out).not.toMatch(/GiB/);
  });

  it('a run where every transfer fails prints no ratio, in text and JSON', async () => {
    const flags = ['--hosts', '4', '--closure-mb', '10', '--failure-rate', '1'];
    const text = await cli('simulate', ...flags);
    expect(text.out).toMatch(/no ratio/);
    expect(text.out).not.toMatch(/ratio \d/);
    const json = JSON.parse((await cli('simulate', ...flags, '--json')).out) as Record<string, unknown>;
    expect(json['success']).toBe(false);
    expect(json['ratioToLowerBound']).toBeNull();
    const cmp = await cli('compare', ...flags, '--strategies', 'swarm', '--jobs', '1', '--no-progress');
    expect(cmp.out).toMatch(/no strategy finished/);
  });
});

describe('rounds mean the same in the summary, the tree and trace --round, in both modes', () => {
  for (const mode of ['round', 'eager']) {
    it(`${mode} mode: the tree's labels run r0…r(R-1) for a summary of R rounds`, async () => {
      const trace = join(dir, `rounds-${mode}.jsonl`);
      const sim = await cli(
        'simulate',
        '--hosts',
        '12',
        '--closure-mb',
        '20',
        '--strategy',
        'swarm',
        '--mode',
        mode,
        '--trace',
        trace,
        '--json',
      );
      const rounds = (JSON.parse(sim.out) as { rounds: number }).rounds;
      const tree = await cli('trace', trace);
      const labels = [...tree.out.matchAll(/\br(\d+)\)/g)].map((m) => Number(m[1]));
      expect(Math.max(...labels)).toBeLessThanOrEqual(rounds - 1);
      const last = await cli('trace', trace, '--round', String(rounds - 1));
      expect(last.out).toBe(tree.out);
      const first = await cli('trace', trace, '--round', '0');
      expect(first.out).not.toBe(tree.out);
      expect((await cli('trace', trace, '--round', String(rounds))).code).toBe(EXIT_BAD_INPUT);
    });
  }
});
