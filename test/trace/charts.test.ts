import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { bytesSpec, comparisonSpec, completionSpec, timelineSpec } from '../../src/trace/charts.js';
import { bytesPerLink, completionCurve, transferSpans } from '../../src/trace/derive.js';
import { smallCascade } from './fixture.js';

describe('charts', () => {
  const spans = transferSpans(smallCascade());

  it('timeline: one bar per transfer on the receiver, compiles with vega-lite', () => {
    for (const colorBy of ['sender', 'round'] as const) {
      const spec = timelineSpec(spans, {
        colorBy,
        hostOrder: ['host-001', 'host-002', 'host-003', 'host-004'],
      });
      expect(() => compile(spec)).not.toThrow();
      expect((spec.data as { values: unknown[] }).values).toHaveLength(5);
      const enc = (spec as { encoding: Record<string, { field?: string; sort?: unknown }> }).encoding;
      expect(enc['y']).toMatchObject({ field: 'to', sort: ['host-001', 'host-002', 'host-003', 'host-004'] });
      expect(enc['color']!.field).toBe(colorBy === 'sender' ? 'from' : 'round');
    }
  });

  it('completion: one line per strategy', () => {
    const rows = ['a', 'b'].flatMap((strategy) =>
      completionCurve(smallCascade()).map((p) => ({ strategy, ...p })),
    );
    const spec = completionSpec(rows, { title: 'done' });
    expect(() => compile(spec)).not.toThrow();
    expect(spec.title).toBe('done');
  });

  it('comparison: bars plus a rule at 1.0; non-finite ratios become null', () => {
    const spec = comparisonSpec([
      { strategy: 'log2-fanout', ratio: 1.4 },
      { strategy: 'push-parallel', ratio: Infinity },
    ]);
    expect(() => compile(spec)).not.toThrow();
    const layers = (spec as { layer: { mark: { type: string }; encoding: { x: unknown } }[] }).layer;
    expect(layers.map((l) => l.mark.type)).toEqual(['bar', 'rule']);
    expect(layers[1]!.encoding.x).toEqual({ datum: 1 });
    expect((spec.data as { values: { ratio: unknown }[] }).values[1]!.ratio).toBeNull();
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('bytes per link compiles', () => {
    expect(() => compile(bytesSpec(bytesPerLink(smallCascade())))).not.toThrow();
  });
});
