import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import {
  bytesPerGroup,
  bytesPerLink,
  cascadeTree,
  cascadeTreeAscii,
  cascadeTreeDot,
  completionCurve,
  downsampleCurve,
  hostFinishTimes,
  hostSummaries,
  roundSnapshots,
  roundSnapshotsJson,
  transferSpans,
} from '../../src/trace/derive.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { smallCascade } from './fixture.js';

describe('derive', () => {
  it('finds per-host finish times', () => {
    expect([...hostFinishTimes(smallCascade())]).toEqual([
      ['host-001', 1],
      ['host-002', 2],
      ['host-003', 2.5],
    ]);
  });

  it('builds a monotone completion curve from the start to the end of the run', () => {
    const curve = completionCurve(smallCascade());
    expect(curve).toEqual([
      { t: 0, done: 0 },
      { t: 1, done: 1 },
      { t: 2, done: 2 },
      { t: 2.5, done: 3 },
      { t: 3, done: 3 },
    ]);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i]!.t).toBeGreaterThan(curve[i - 1]!.t);
      expect(curve[i]!.done).toBeGreaterThanOrEqual(curve[i - 1]!.done);
    }
  });

  it('thins long curves but keeps the ends and the step shape', () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({ t: i, done: i }));
    const thin = downsampleCurve(long, 50);
    expect(thin.length).toBeLessThanOrEqual(50);
    expect(thin[0]).toEqual(long[0]);
    expect(thin[thin.length - 1]).toEqual(long[999]);
    expect(downsampleCurve(long.slice(0, 10), 50)).toEqual(long.slice(0, 10));
  });

  it('spans every transfer with its outcome', () => {
    const spans = transferSpans(smallCascade());
    expect(spans.map((s) => [s.id, s.start, s.end, s.outcome])).toEqual([
      [0, 0, 1, 'ok'],
      [1, 1, 2, 'ok'],
      [2, 1, 2.5, 'ok'],
      [3, 2.5, 2.75, 'failed'],
      [4, 2.75, 3, 'failed'],
    ]);
    expect(spans[4]!.failure).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'host-004' });
  });

  it('ends a transfer that never ended at the run end', () => {
    const events = smallCascade().filter((e) => !(e.type === 'transfer-failed' && e.id === 4));
    expect(transferSpans(events)[4]).toMatchObject({ end: 3, outcome: 'unfinished', deliveredBytes: 0 });
  });

  it('sums delivered bytes per link and per group', () => {
    expect(bytesPerLink(smallCascade())).toEqual([
      { from: 'deployer', to: 'host-001', bytes: 100, transfers: 1 },
      { from: 'deployer', to: 'host-002', bytes: 100, transfers: 1 },
      { from: 'deployer', to: 'host-004', bytes: 0, transfers: 1 },
      { from: 'host-001', to: 'host-003', bytes: 100, transfers: 1 },
      { from: 'host-002', to: 'host-004', bytes: 0, transfers: 1 },
    ]);
    const rack = (h: string): string => (h === 'deployer' || h === 'host-001' ? 'rack-a' : 'rack-b');
    expect(bytesPerGroup(smallCascade(), rack)).toEqual([
      { from: 'rack-a', to: 'rack-a', bytes: 100, transfers: 1 },
      { from: 'rack-a', to: 'rack-b', bytes: 200, transfers: 3 },
      { from: 'rack-b', to: 'rack-b', bytes: 0, transfers: 1 },
    ]);
  });

  it('draws the cascade tree as box-drawing text', () => {
    expect(cascadeTreeAscii(smallCascade())).toBe(
      [
        'deployer (seed)',
        '├── host-001 (r0)',
        '│   └── host-003 (r1)',
        '└── host-002 (r1)',
        'failed before completing:',
        '  host-004 (failed: unreachable)',
        '',
      ].join('\n'),
    );
    expect(cascadeTreeAscii(smallCascade(), 0)).toBe(['deployer (seed)', '└── host-001 (r0)', ''].join('\n'));
    // An unknown round means the whole run, as in the reference.
    expect(cascadeTreeAscii(smallCascade(), 99)).toBe(cascadeTreeAscii(smallCascade()));
    expect(cascadeTreeAscii([])).toBe('');
  });

  it('takes the sender of the LAST delivering transfer as the parent (path-level strategies)', () => {
    const events: CascadeEvent[] = [
      {
        type: 'run-started',
        t: 0,
        strategy: 'swarm',
        mode: 'eager',
        hosts: ['d', 'a', 'b'],
        targets: ['a', 'b'],
        seeds: ['d'],
        alreadyDone: [],
        bytesWanted: 4,
      },
      { type: 'transfer-started', t: 0, round: 0, id: 0, from: 'd', to: 'a', bytes: 2, paths: ['p1', 'p2'] },
      { type: 'transfer-finished', t: 1, id: 0, from: 'd', to: 'a', bytes: 2 },
      { type: 'host-done', t: 1, host: 'a' },
      { type: 'transfer-started', t: 1, round: 1, id: 1, from: 'a', to: 'b', bytes: 1, paths: ['p1'] },
      { type: 'transfer-started', t: 1, round: 1, id: 2, from: 'd', to: 'b', bytes: 1, paths: ['p2'] },
      { type: 'transfer-finished', t: 1.5, id: 2, from: 'd', to: 'b', bytes: 1 },
      { type: 'transfer-finished', t: 2, id: 1, from: 'a', to: 'b', bytes: 1 },
      { type: 'host-done', t: 2, host: 'b' },
      {
        type: 'run-finished',
        t: 2,
        reason: 'complete',
        hostsDone: 2,
        hostsFailed: 0,
        hostsUnreached: 0,
        rounds: 2,
        bytesTransferred: 4,
      },
    ];
    expect(cascadeTree(events).parent.get('b')).toBe('a');
    expect(cascadeTreeAscii(events)).toBe(['d (seed)', '└── a (r0)', '    └── b (r1)', ''].join('\n'));
  });

  it('writes Graphviz with the seed as a box and the failed host in red', () => {
    const dot = cascadeTreeDot(smallCascade());
    expect(dot.startsWith('digraph cascade {\n  rankdir=TB;\n')).toBe(true);
    expect(dot.endsWith('}\n')).toBe(true);
    expect(dot).toContain('"deployer" [shape=box, label="deployer (seed)"];');
    expect(dot).toMatch(/"host-004" \[[^\]]*color=red/);
    expect(dot).toContain('label="host-004 (failed: unreachable)", color=red'); // the code once
    expect(dot).toContain('"host-001" -> "host-003" [label="r1"];');
    expect(dot).not.toMatch(/"host-001" \[[^\]]*color=red/);
    expect(cascadeTreeDot(smallCascade())).toBe(dot);
    expect(cascadeTreeDot([])).toBe('digraph cascade {\n}\n');
    // Before round 3 host-004 has not failed yet.
    expect(cascadeTreeDot(smallCascade(), 2)).not.toContain('color=red');
  });

  it('snapshots each round like the reference', () => {
    const snaps = roundSnapshots(smallCascade());
    expect(snaps.map((s) => s.round)).toEqual([0, 1, 2, 3]);
    const r1 = snaps[1]!;
    expect(r1.hasBefore).toEqual(['deployer', 'host-001']);
    expect(r1.hasAfter).toEqual(['deployer', 'host-001', 'host-002', 'host-003']);
    expect(r1.plan.map((p) => [p.from, p.to])).toEqual([
      ['deployer', 'host-002'],
      ['host-001', 'host-003'],
    ]);
    expect(r1.outcomes.map((o) => [o.ok, o.duration])).toEqual([
      [true, 1],
      [true, 1.5],
    ]);
    expect(r1.duration).toBe(1.5);
    expect(r1.parentChain).toEqual([
      { host: 'host-001', parent: 'deployer' },
      { host: 'host-002', parent: 'deployer' },
      { host: 'host-003', parent: 'host-001' },
    ]);
    const r3 = snaps[3]!;
    expect(r3.outcomes[0]).toMatchObject({ ok: false, failure: { code: 'unreachable' } });
    expect(r3.hasAfter).toEqual(r3.hasBefore);
  });
});

describe('roundSnapshotsJson', () => {
  it('is deterministic JSON of the snapshots', () => {
    const text = roundSnapshotsJson(smallCascade());
    const doc = JSON.parse(text) as { strategy: string; hosts: number; rounds: { round: number }[] };
    expect(doc.strategy).toBe('test-doubling');
    expect(doc.hosts).toBe(5);
    expect(doc.rounds.map((r) => r.round)).toEqual([0, 1, 2, 3]);
    expect(roundSnapshotsJson(smallCascade())).toBe(text);
  });
});

describe('hostSummaries after a kill', () => {
  it('counts a host that completed and then died as failed, as the run result does', async () => {
    const spec = parseScenario({
      seed: 3,
      topology: { preset: 'flat', hosts: 16 },
      closure: { totalMB: 1000, paths: 20, roles: 1, perHost: false },
      failures: [{ kind: 'kill-host', host: 'host-01', atTime: 25 }],
    });
    const events: CascadeEvent[] = [];
    const result = await runScenario(buildScenario(spec), getStrategy('log2-fanout'), { onEvent: (e) => events.push(e) });
    const statuses = hostSummaries(events).filter((h) => h.target);
    expect(result.hostsFailed).toBe(1);
    expect(statuses.filter((h) => h.status === 'failed')).toHaveLength(result.hostsFailed);
    expect(statuses.filter((h) => h.status === 'done')).toHaveLength(result.hostsDone);
  });
});
