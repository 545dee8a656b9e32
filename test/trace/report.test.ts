import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseJsonLines, traceSha256 } from '../../src/trace/jsonl.js';
import {
  bestRow,
  fileSafe,
  formatTable,
  writeComparisonReport,
  type ComparisonRow,
} from '../../src/trace/report.js';
import { smallCascade } from './fixture.js';

const row = (strategy: string, ratio: number, over: Partial<ComparisonRow> = {}): ComparisonRow => ({
  strategy,
  hosts: 4,
  hostsDone: 3,
  hostsFailed: 1,
  hostsUnreached: 0,
  rounds: 4,
  makespanSeconds: 3 * ratio,
  lowerBoundSeconds: 3,
  ratioToLowerBound: ratio,
  bytesTransferred: 300,
  traceSha256: traceSha256(smallCascade()),
  ...over,
});

describe('formatTable', () => {
  it('aligns columns with a header and a rule, no trailing spaces', () => {
    const text = formatTable([
      row('log2-fanout', 1.25, { hostsFailed: 0, hostsDone: 4 }),
      row('push-parallel', 4, { hostsFailed: 0, hostsDone: 4, bytesTransferred: 3 * 1024 ** 2 }),
    ]);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    expect(lines[0]!.startsWith('strategy       hosts')).toBe(true);
    expect(lines[1]).toMatch(/^-+( {2}-+)+$/);
    expect(lines[2]).toContain('1.250');
    expect(lines[3]).toContain('3.1MB');
    expect(lines[2]!.indexOf('1.250') + 5).toBe(lines[3]!.indexOf('4.000') + 5);
    for (const l of lines) expect(l).toBe(l.trimEnd());
  });

  it('prints no ratio for a run that left hosts behind (0.000 would read like a perfect score)', () => {
    const line = formatTable([row('dead', 0)]).split('\n')[2]!;
    expect(line).toMatch(/\s-\s/);
    expect(line).not.toMatch(/\s0\.000\s+\d+ B/);
  });
});

describe('bestRow', () => {
  it('prefers fewer hosts left behind, then the lower ratio', () => {
    expect(bestRow([row('a', 1.1, { hostsFailed: 2 }), row('b', 2), row('c', 1.5)])?.strategy).toBe('c');
    expect(bestRow([row('a', NaN), row('b', 9)])?.strategy).toBe('b');
    expect(bestRow([])).toBeUndefined();
  });
});

describe('writeComparisonReport', () => {
  it('writes every file, a self-contained index and a summary', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-report-'));
    const rows = [row('log2-fanout', 1.25), row('push/parallel', 2.5)];
    const traces = new Map([
      ['log2-fanout', smallCascade()],
      ['push/parallel', smallCascade()],
    ]);
    const files = await writeComparisonReport(dir, {
      title: 'Compare <4 hosts>',
      scenario: { preset: 'flat', hosts: 4, seed: 7, note: 'a "quoted" <value>' },
      rows,
      traces,
    });
    const names = files.map((f) => basename(f));
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(readdirSync(dir).sort());
    for (const s of ['log2-fanout', 'push_parallel']) {
      for (const f of [
        `trace-${s}.jsonl`,
        `trace-${s}.perfetto.json`,
        `transfers-${s}.csv`,
        `hosts-${s}.csv`,
      ]) {
        expect(names).toContain(f);
      }
    }
    for (const f of [
      'index.html',
      'summary.json',
      'comparison.svg',
      'comparison.png',
      'completion.svg',
      'completion.png',
      'uplink.svg',
      'bytes-log2-fanout.svg',
    ]) {
      expect(names).toContain(f);
    }
    expect(names).toContain('timeline-log2-fanout.svg');
    expect(names).not.toContain('timeline-push_parallel.svg');
    expect(names).toContain('tree-log2-fanout.dot');

    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/src\s*=\s*["']?https?:/i);
    expect(html).toContain('Compare &lt;4 hosts&gt;');
    expect(html).toContain('a &quot;quoted&quot; &lt;value&gt;');
    expect(html).toContain('<pre>deployer (seed)');

    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      best: string;
      rows: ComparisonRow[];
    };
    expect(summary.best).toBe('log2-fanout');
    expect(summary.rows).toEqual(rows);
    const trace = parseJsonLines(readFileSync(join(dir, 'trace-log2-fanout.jsonl'), 'utf8'), 'trace');
    expect(traceSha256(trace)).toBe(rows[0]!.traceSha256);
    expect(readFileSync(join(dir, 'comparison.svg'), 'utf8').startsWith('<svg')).toBe(true);
    expect(
      () => JSON.parse(readFileSync(join(dir, 'trace-log2-fanout.perfetto.json'), 'utf8')) as unknown,
    ).not.toThrow();
  });

  it('rejects strategy names that collide as file names, and bad options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-report-'));
    const input = { title: 't', scenario: {}, rows: [row('a/b', 1), row('a_b', 2)], traces: new Map() };
    await expect(writeComparisonReport(dir, input)).rejects.toThrow(ConfigError);
    const ok = { ...input, rows: [row('a', 1)] };
    await expect(writeComparisonReport(dir, ok, { timelineMaxHosts: 0 })).rejects.toThrow(ConfigError);
    await expect(writeComparisonReport(dir, ok, { highlight: 10 })).rejects.toThrow(ConfigError);
    await expect(
      writeComparisonReport(dir, ok, { timelineColour: 'round' as unknown as 'kind' }),
    ).rejects.toThrow(ConfigError);
    expect(fileSafe('..')).toBe('_..');
    expect(fileSafe('swarm (eager)')).toBe('swarm_eager');
    expect(fileSafe('()')).toBe('_');
  });
});
