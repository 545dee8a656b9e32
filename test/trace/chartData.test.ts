import { describe, expect, it } from 'vitest';
import { heatMapData, senderKind, timelineData, uplinkSeries } from '../../src/trace/chartData.js';
import { transferSpans } from '../../src/trace/derive.js';
import { smallCascade } from './fixture.js';
import { doublingHosts, doublingTrace, hostName } from './syntheticTrace.js';

describe('senderKind', () => {
  it('uses the fleet role when known, else the trace', () => {
    const targets = new Set(['web-1']);
    expect(senderKind('web-1', targets)).toBe('peer');
    expect(senderKind('cache', targets)).toBe('cache');
    expect(senderKind('laptop', targets)).toBe('deployer');
    const info = new Map([['laptop', { role: 'cache' as const }]]);
    expect(senderKind('laptop', targets, info)).toBe('cache');
  });
});

describe('timelineData', () => {
  it('sorts receivers by finish time, hosts never done last', () => {
    const d = timelineData(smallCascade(), 100);
    expect(d.hostOrder).toEqual(['host-001', 'host-002', 'host-003', 'host-004']);
    expect(d.note).toBe('');
    expect(d.rows).toHaveLength(5);
  });

  it('samples big fleets evenly in finish order, keeping the first and last, and says so', () => {
    const events = doublingTrace(1000);
    const d = timelineData(events, 50);
    expect(d.hostOrder).toHaveLength(50);
    expect(d.receivers).toBe(1000);
    expect(d.note).toMatch(/50 of 1000/);
    const finish = new Map(events.flatMap((e) => (e.type === 'host-done' ? [[e.host, e.t] as const] : [])));
    const times = d.hostOrder.map((h) => finish.get(h)!);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[0]).toBe(Math.min(...finish.values()));
    expect(times[times.length - 1]).toBe(Math.max(...finish.values()));
    expect(new Set(d.rows.map((r) => r.to))).toEqual(new Set(d.hostOrder));
  });
});

describe('heatMapData', () => {
  it('per host for small fleets, per group when groups are known, per block past the cell limit', () => {
    expect(heatMapData(smallCascade(), 32).unit).toBe('host');
    const events = doublingTrace(200);
    const racks = heatMapData(events, 32, doublingHosts(200));
    expect(racks.unit).toBe('group');
    expect(new Set(racks.rows.map((r) => r.to)).size).toBe(7);
    // A deployer inside a rack keeps its own row.
    const inRack = doublingHosts(200).set('deployer', { role: 'deployer', group: 'rack-001' });
    expect(new Set(heatMapData(events, 32, inRack).rows.map((r) => r.from))).toContain('deployer (rack-001)');
    const blocks = heatMapData(events, 10);
    expect(blocks.unit).toBe('host block');
    expect(blocks.note).toMatch(/blocks of 20/);
    expect(new Set(blocks.rows.map((r) => r.to)).size).toBe(10);
    // Aggregation keeps every byte.
    const total = transferSpans(events).reduce((a, s) => a + s.deliveredBytes, 0);
    for (const d of [racks, blocks]) expect(d.rows.reduce((a, r) => a + r.bytes, 0)).toBe(total);
    // Too many groups: blocks, with the reason.
    const many = heatMapData(events, 5, doublingHosts(200));
    expect(many.unit).toBe('host block');
    expect(many.note).toMatch(/groups/);
  });
});

describe('uplinkSeries', () => {
  it('spreads each transfer over its duration and keeps every byte the senders delivered', () => {
    const events = doublingTrace(64);
    const senders = new Set(['deployer']);
    const series = uplinkSeries(events, senders, 40);
    expect(series).toHaveLength(41);
    const width = series[1]!.t - series[0]!.t;
    const sent = series.slice(0, -1).reduce((a, p) => a + p.rate * width, 0);
    const expected = transferSpans(events)
      .filter((s) => s.from === 'deployer')
      .reduce((a, s) => a + s.deliveredBytes, 0);
    expect(sent).toBeCloseTo(expected, -2);
    // One copy of 1 GB per second at most from the deployer.
    expect(Math.max(...series.map((p) => p.rate))).toBeLessThanOrEqual(1e9 * 1.0001);
    expect(uplinkSeries(doublingTrace(0), senders, 10)).toEqual([]);
    expect(uplinkSeries(events, new Set([hostName(0, 64)]), 10).some((p) => p.rate > 0)).toBe(true);
  });
});
