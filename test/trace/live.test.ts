import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/index.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { LiveCascadeView } from '../../src/trace/live.js';

async function events(input: object): Promise<CascadeEvent[]> {
  const out: CascadeEvent[] = [];
  const spec = parseScenario(input);
  await runScenario(buildScenario(spec), getStrategy(spec.strategy), { onEvent: (e) => out.push(e) });
  return out;
}

const big = { rows: Infinity, columns: Infinity, color: false };

describe('LiveCascadeView', () => {
  it('is due once per round in round mode and once per finished or failed host in eager mode', async () => {
    for (const mode of ['round', 'eager'] as const) {
      const run = await events({ topology: { preset: 'flat', hosts: 10 }, mode });
      const view = new LiveCascadeView();
      const due = run.filter((e) => view.push(e)).map((e) => e.type);
      const expected = run.filter((e) =>
        mode === 'round' ? e.type === 'round-finished' : e.type === 'host-done' || e.type === 'host-failed',
      ).length;
      expect(due.slice(0, -1)).toHaveLength(expected);
      expect(due.at(-1)).toBe('run-finished');
    }
  });

  it('colours hosts done since the last frame green and failed hosts red, then forgets the fresh ones', async () => {
    const run = await events({
      topology: { preset: 'flat', hosts: 8 },
      failures: { kind: 'kill-host', host: 'host-3', atRound: 0 },
    });
    const view = new LiveCascadeView();
    for (const e of run) view.push(e);
    const first = view.frame({ ...big, color: true });
    const line = (host: string): string => first.split('\n').find((l) => l.includes(`${host} `))!;
    expect(line('host-3').startsWith('\x1b[31m')).toBe(true);
    expect(line('host-3')).toContain('failed');
    expect(line('host-1').startsWith('\x1b[32m')).toBe(true);
    expect(view.frame({ ...big, color: true })).not.toContain('\x1b[32m');
  });

  it('fits the terminal: lines cut to the width, the tree cut to the height with a count of what is left', async () => {
    const run = await events({ topology: { preset: 'flat', hosts: 40 } });
    const view = new LiveCascadeView();
    for (const e of run) view.push(e);
    const lines = view.frame({ rows: 10, columns: 30, color: false }).trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.every((l) => [...l].length <= 30)).toBe(true);
    expect(lines.at(-1)).toMatch(/^… \d+ more/);
  });
});
