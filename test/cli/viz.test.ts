import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';


const SCENARIO = ['--hosts', '12', '--strategy', 'log2-fanout', '--closure-mb', '100'];

describe('nix-cascade viz', () => {
  it('live without a terminal prints the last frame: the whole tree, every host done', async () => {
    const { code, out } = await cli('viz', 'live', ...SCENARIO);
    expect(code).toBe(0);
    expect(out).toContain('done 12/12');
    expect(out).toContain('finished: complete');
    for (let i = 1; i <= 12; i++) expect(out).toContain(`host-${String(i).padStart(2, '0')} (r`);
    expect(out).not.toContain('\x1b['); // no escape codes off a terminal
  });

  it('replay of simulate --trace draws exactly what live drew: the pacing does not change the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viz-'));
    const trace = join(dir, 'run.jsonl');
    for (const mode of ['round', 'eager']) {
      expect((await cli('simulate', ...SCENARIO, '--mode', mode, '--trace', trace)).code).toBe(0);
      const live = await cli('viz', 'live', ...SCENARIO, '--mode', mode);
      const replay = await cli('viz', 'replay', trace);
      expect(replay.code).toBe(0);
      expect(replay.out).toBe(live.out);
    }
  });

  it('--max-depth keeps the first levels and says how many hosts it left out', async () => {
    const { out } = await cli('viz', 'live', ...SCENARIO, '-L', '1');
    expect(out).toMatch(/… \d+ more/);
    expect(out).not.toMatch(/^│ {3}│/m); // nothing at depth 2
  });

  it.each([
    ['--delay', '-5'],
    ['--max-depth', '1.5'],
  ])('rejects %s %s with exit 2', async (flag, value) => {
    expect((await cli('viz', 'live', ...SCENARIO, flag, value)).code).toBe(2);
  });

  it('bare viz names its subcommands', async () => {
    expect((await cli('viz')).code).toBe(2);
  });
});

/** A tmux server of this test's own (its own socket), so nothing else's sessions are touched. */
const socket = `nix-cascade-viz-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });

describe('nix-cascade viz live in a terminal', () => {
  afterEach(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  });

  it.each(['live', 'replay'])('%s redraws the growing tree in place, round by round', async (sub) => {
    if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('tmux is missing: run scripts/install-system-deps.sh');
    const trace = join(mkdtempSync(join(tmpdir(), 'viz-')), 'run.jsonl');
    if (sub === 'replay') expect((await cli('simulate', ...SCENARIO, '--trace', trace)).code).toBe(0);
    const source = sub === 'live' ? ['live', ...SCENARIO] : ['replay', trace];
    const cmd = ['npx', 'tsx', 'src/cli/main.ts', 'viz', ...source, '--delay', '700'];
    // The shell keeps the pane alive after the run: a dead pane's "Pane is dead" line (remain-on-exit)
    // scrolls the last frame's header off the screen if it comes before the next capture.
    tmux('new-session', '-d', '-s', 'viz', '-x', '100', '-y', '40', '-c', process.cwd(), `${cmd.join(' ')}; sleep 60`);
    const screens: string[] = [];
    for (let i = 0; i < 200; i++) {
      const screen = tmux('capture-pane', '-p', '-t', 'viz');
      if (screens.at(-1) !== screen) screens.push(screen);
      if (screen.includes('finished:')) break;
      await sleep(100);
    }
    const done = screens.map((s) => Number(/done (\d+)\/12/.exec(s)?.[1] ?? NaN)).filter((n) => !Number.isNaN(n));
    // Several partial frames were on the screen before the last one, each with more hosts done.
    expect(done.length).toBeGreaterThanOrEqual(3);
    expect(done.at(-1)).toBe(12);
    expect(done.some((n) => n > 0 && n < 12)).toBe(true);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    const last = screens.at(-1)!;
    expect(last).toContain('deployer (seed)');
    // Redrawn in place: one header on the screen, not a scroll of frames.
    expect(last.match(/nix-cascade ·/g)).toHaveLength(1);
  }, 60_000);
});
