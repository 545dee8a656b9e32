import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { CascadeEvent } from '../../src/core/events.js';
import { toPerfetto, toPerfettoJson, type PerfettoEvent } from '../../src/trace/perfetto.js';
import { smallCascade } from './fixture.js';

const threadNames = (evs: readonly PerfettoEvent[]): Map<number, string> =>
  new Map(
    evs.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.['name'])]),
  );

describe('toPerfetto', () => {
  it('is valid JSON with the trace-event envelope, deterministic', () => {
    const text = toPerfettoJson(smallCascade());
    const parsed = JSON.parse(text) as { traceEvents: PerfettoEvent[]; displayTimeUnit: string };
    expect(parsed.displayTimeUnit).toBe('ms');
    expect(parsed.traceEvents).toEqual(toPerfetto(smallCascade()).traceEvents);
    expect(toPerfettoJson(smallCascade())).toBe(text);
  });

  it('has one track per host in fleet order plus a rounds track', () => {
    const { traceEvents } = toPerfetto(smallCascade());
    const names = threadNames(traceEvents);
    expect([...names.values()].sort()).toEqual([
      'deployer',
      'host-001',
      'host-002',
      'host-003',
      'host-004',
      'rounds',
    ]);
    const sortIndex = new Map(
      traceEvents
        .filter((e) => e.name === 'thread_sort_index')
        .map((e) => [names.get(e.tid), Number(e.args?.['sort_index'])]),
    );
    const fleet = ['rounds', 'deployer', 'host-001', 'host-002', 'host-003', 'host-004'];
    const sorted = [...sortIndex.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
    expect(sorted).toEqual(fleet);
  });

  it('draws each transfer as an X slice on the receiver track with integer microseconds', () => {
    const { traceEvents } = toPerfetto(smallCascade());
    const names = threadNames(traceEvents);
    const slices = traceEvents.filter((e) => e.ph === 'X' && e.cat?.startsWith('transfer'));
    expect(slices).toHaveLength(5);
    for (const s of slices) {
      expect(Number.isInteger(s.ts)).toBe(true);
      expect(Number.isInteger(s.dur)).toBe(true);
      expect(s.name).toBe(`${String(s.args?.['from'])} → ${String(s.args?.['to'])}`);
      expect(names.get(s.tid)).toBe(s.args?.['to']);
    }
    const second = slices.find((s) => s.args?.['id'] === 2)!;
    expect([second.ts, second.dur]).toEqual([1_000_000, 1_500_000]);
    expect(second.args).toMatchObject({ bytes: 100, paths: 2, round: 1, outcome: 'ok' });
    const rounds = traceEvents.filter((e) => e.ph === 'X' && e.cat === 'round');
    expect(rounds.map((r) => r.name)).toEqual(['round 0', 'round 1', 'round 2', 'round 3']);
  });

  it('marks failures and host-done as instant events with the cause', () => {
    const { traceEvents } = toPerfetto(smallCascade());
    const names = threadNames(traceEvents);
    const instants = traceEvents.filter((e) => e.ph === 'i');
    const failed = instants.filter((e) => e.cat === 'failure');
    expect(failed.map((e) => e.name)).toEqual([
      'failed: copy-failed',
      'failed: unreachable',
      'host failed: unreachable',
    ]);
    expect(failed.every((e) => names.get(e.tid) === 'host-004')).toBe(true);
    expect(String(failed[2]!.args?.['message'])).toContain('No route to host');
    const done = instants.filter((e) => e.name === 'done').map((e) => names.get(e.tid));
    expect(done).toEqual(['host-001', 'host-002', 'host-003']);
  });

  it('puts overlapping receives on a second lane of the same host', () => {
    const paths = ['/nix/store/x'];
    const events: CascadeEvent[] = [
      {
        type: 'run-started',
        t: 0,
        strategy: 's',
        mode: 'eager',
        hosts: ['a', 'b', 'c'],
        targets: ['c'],
        seeds: ['a', 'b'],
        alreadyDone: [],
        bytesWanted: 2,
      },
      { type: 'transfer-started', t: 0, round: 0, id: 0, from: 'a', to: 'c', bytes: 1, paths },
      { type: 'transfer-started', t: 0.5, round: 1, id: 1, from: 'b', to: 'c', bytes: 1, paths },
      { type: 'transfer-finished', t: 1, id: 0, from: 'a', to: 'c', bytes: 1 },
      { type: 'transfer-finished', t: 2, id: 1, from: 'b', to: 'c', bytes: 1 },
      { type: 'host-done', t: 2, host: 'c' },
      {
        type: 'run-finished',
        t: 2,
        reason: 'complete',
        hostsDone: 1,
        hostsFailed: 0,
        hostsUnreached: 0,
        rounds: 2,
        bytesTransferred: 2,
      },
    ];
    const { traceEvents } = toPerfetto(events);
    const names = threadNames(traceEvents);
    const slices = traceEvents.filter((e) => e.ph === 'X');
    expect(slices.map((s) => names.get(s.tid))).toEqual(['c', 'c #2']);
  });

  it('rejects a bad option', () => {
    expect(() => toPerfetto(smallCascade(), { maxPathsInArgs: -1 })).toThrow(ConfigError);
  });

  it('caps listed path names but keeps the count', () => {
    const { traceEvents } = toPerfetto(smallCascade(), { maxPathsInArgs: 1 });
    const s = traceEvents.find((e) => e.ph === 'X' && e.cat === 'transfer')!;
    expect(s.args?.['paths']).toBe(2);
    expect(s.args?.['pathNames']).toEqual(['/nix/store/aaa-base', '… 1 more']);
  });
});
