import { describe, expect, it } from 'vitest';
import type { CompareRunResult } from '../../src/cli/compareRuns.js';
import {
  aggregateRuns,
  formatCompareTable,
  medianMember,
  spread,
  wrapList,
} from '../../src/cli/compareTable.js';

/** A fake run result: only the fields the aggregation reads. */
function run(
  index: number,
  strategy: string,
  makespan: number,
  over: Record<string, unknown> = {},
): CompareRunResult {
  const json = {
    strategy,
    mode: 'round',
    hosts: 10,
    hostsFailed: 0,
    hostsUnreached: 0,
    rounds: 4,
    makespanSeconds: makespan,
    lowerBoundSeconds: 1,
    ratioToLowerBound: makespan,
    bytesTransferred: 1e9,
    seed: index,
    ...over,
  };
  const finished = json.hostsFailed === 0 && json.hostsUnreached === 0;
  return { index, json, finished, row: {} as CompareRunResult['row'] };
}

const one = () => 'flat';

describe('spread', () => {
  it('takes the lower median, so it is always one of the values', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2, min: 1, max: 4 });
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('aggregateRuns', () => {
  it('groups seeds per strategy and mode, sorts by median makespan, unfinished groups last', () => {
    const results = [
      run(0, 'slow', 9),
      run(1, 'fast', 3),
      run(2, 'dead', 0.5, { hostsUnreached: 10 }),
      run(3, 'slow', 7),
      run(4, 'fast', 5),
      run(5, 'dead', 0.5, { hostsUnreached: 10 }),
      run(6, 'slow', 8),
      run(7, 'fast', 4),
      run(8, 'dead', 0.5, { hostsUnreached: 10 }),
    ];
    const groups = aggregateRuns(results, one);
    expect(groups.map((g) => g.strategy)).toEqual(['fast', 'slow', 'dead']);
    expect(groups[0]!.makespanSeconds).toEqual({ median: 4, min: 3, max: 5 });
    expect(groups[0]!.members).toEqual([1, 4, 7]);
    expect(groups[2]!.finished).toBe(0);
    expect(groups[2]!.ratioToLowerBound).toBeNull();
    expect(medianMember(groups[1]!, results)).toBe(6);
  });
});

describe('formatCompareTable', () => {
  const names = [
    'push-sequential',
    'push-parallel',
    'log2-fanout',
    'max-bottleneck-spanning',
    'steiner-greedy',
    'level-tree',
    'fastest-first',
    'topology-aware',
    'swarm',
    'multi-target',
    'cost-aware',
  ];

  it('marks the best, drops constant columns into one line, and fits 100 columns even with seeds', () => {
    const results = names.flatMap((n, i) =>
      [0, 1, 2].map((s) => run(i * 3 + s, n, 10 + i + s * 1.5, { rounds: i + s })),
    );
    const groups = aggregateRuns(results, one);
    const text = formatCompareTable(groups, { wide: false, seeds: true });
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/^same for every row: .*bytes 1GB/m);
    expect(text).not.toMatch(/\bhosts\b/);
    expect(text).toMatch(/^\*\s+push-sequential\s/m);
    expect(text).toMatch(/^\* best: push-sequential \(round\)/m);
    const wide = formatCompareTable(groups, { wide: true, seeds: true });
    expect(wide).toMatch(/\bhosts\b/);
    expect(wide).not.toMatch(/same for every row/);
  });

  it('prints no makespan or ratio for a strategy that never finished, and no best when none did', () => {
    const dead = aggregateRuns([run(0, 'dead', 2, { hostsFailed: 3 }), run(1, 'ok', 5)], one);
    const text = formatCompareTable(dead, { wide: false, seeds: false });
    const line = text.split('\n').find((l) => /\bdead\b/.test(l))!;
    expect(line).not.toMatch(/0\.000|2\.000/);
    expect(line.trimEnd()).toMatch(/-\s+-$/);
    expect(text).toMatch(/best: ok/);
    const none = formatCompareTable(aggregateRuns([run(0, 'dead', 2, { hostsFailed: 3 })], one), {
      wide: false,
      seeds: false,
    });
    expect(none).toMatch(/no strategy finished/);
    expect(none).not.toMatch(/^\*/m);
  });
});

describe('wrapList', () => {
  it('wraps at the width, continuation lines under the first item', () => {
    const items = Array.from({ length: 12 }, (_, i) => `item number ${i}`);
    const text = wrapList('head: ', items, 40);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines[1]!.startsWith('      item')).toBe(true);
    expect(text.replace(/\n\s+/g, ' ')).toBe(`head: ${items.join(', ')}`);
  });
});
