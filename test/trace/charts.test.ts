import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { bytesSpec, comparisonSpec, completionSpec, timelineSpec } from '../../src/trace/charts.js';
import { GREY, PALETTE } from '../../src/trace/chartStyle.js';
import { bytesPerLink, completionCurve, transferSpans } from '../../src/trace/derive.js';
import { smallCascade } from './fixture.js';

type Layer = {
  mark: { type: string };
  encoding: Record<string, Record<string, unknown>>;
  transform?: unknown;
};
const layers = (spec: object): Layer[] => (spec as { layer: Layer[] }).layer;
const values = <T = Record<string, unknown>>(spec: object): T[] =>
  (spec as { data: { values: T[] } }).data.values;

describe('timelineSpec', () => {
  const spans = transferSpans(smallCascade());

  it('one bar per transfer on the receiver, coloured by the sender category, never by round', () => {
    const spec = timelineSpec(spans, {
      categoryOf: (h) => (h === 'deployer' ? 'deployer' : 'peer'),
      hostOrder: ['host-003', 'host-001', 'host-002', 'host-004'],
      lowerBoundSeconds: 2,
    });
    expect(() => compile(spec)).not.toThrow();
    expect(values(spec)).toHaveLength(5);
    const [bars, rule] = layers(spec);
    expect(bars!.encoding['y']).toMatchObject({
      field: 'to',
      sort: ['host-003', 'host-001', 'host-002', 'host-004'],
    });
    expect(bars!.encoding['color']).toMatchObject({
      field: 'category',
      scale: { domain: ['deployer', 'peer'] },
    });
    expect(JSON.stringify(spec)).not.toContain('"field":"round","type":"ordinal","title":"round"');
    expect(rule!.encoding['x']).toEqual({ datum: 2 });
  });

  it('keeps at most nine named categories plus a grey "other"', () => {
    const many = spans.flatMap((s, i) =>
      Array.from({ length: 4 }, (_, k) => ({ ...s, from: `g${i * 4 + k}`, bytes: 100 + i * 4 + k })),
    );
    const spec = timelineSpec(many, { categoryOf: (h) => h });
    const color = layers(spec)[0]!.encoding['color']!['scale'] as { domain: string[]; range: string[] };
    expect(color.domain).toHaveLength(10);
    expect(color.domain).toContain('other');
    expect(color.range[color.domain.indexOf('other')]).toBe(GREY);
    expect(new Set(values<{ category: string }>(spec).map((v) => v.category)).size).toBe(10);
    // The biggest senders keep their names.
    expect(color.domain).toContain('g19');
    expect(color.domain).not.toContain('g0');
  });

  it('hides host names once bars get too thin to label', () => {
    const order = Array.from({ length: 100 }, (_, i) => `h${i}`);
    const spec = timelineSpec([], { hostOrder: order });
    expect(layers(spec)[0]!.encoding['y']!['axis']).toMatchObject({ labels: false });
    expect(() => compile(spec)).not.toThrow();
  });
});

describe('completionSpec', () => {
  const curve = completionCurve(smallCascade());
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const rows = names.flatMap((s) =>
    (['round', 'eager'] as const).flatMap((mode) =>
      curve.map((p) => ({ strategy: `${s} (${mode})`, mode, ...p })),
    ),
  );

  it('colours the best few strategies, greys the rest, dashes round mode, draws the bound', () => {
    const spec = completionSpec(rows, {
      ranking: ['h (eager)', 'g (round)', 'h (round)', 'f (eager)'],
      highlight: 3,
      lowerBoundSeconds: 1.5,
    });
    expect(() => compile(spec)).not.toThrow();
    const [grey, top, rule] = layers(spec);
    const color = top!.encoding['color']!['scale'] as { domain: string[]; range: string[] };
    expect(color.domain).toEqual(['h', 'g', 'f', 'others (5)']);
    expect(color.range).toEqual([PALETTE[0], PALETTE[1], PALETTE[2], GREY]);
    expect(grey!.encoding['color']).toEqual(top!.encoding['color']);
    expect(top!.encoding['strokeDash']).toMatchObject({
      field: 'mode',
      scale: { domain: ['eager', 'round'] },
    });
    expect(rule!.encoding['x']).toEqual({ datum: 1.5 });
    const v = values<{ colour: string; series: string; top: boolean }>(spec);
    expect(new Set(v.map((x) => x.series)).size).toBe(16);
    expect(v.filter((x) => x.top).every((x) => ['h', 'g', 'f'].includes(x.colour))).toBe(true);
  });

  it('cuts the time axis soon after the coloured curves end when grey ones run much longer', () => {
    const ends = (strategy: string, end: number) => [
      { strategy, t: 0, done: 0 },
      { strategy, t: end, done: 4 },
    ];
    const spec = completionSpec([...ends('fast', 10), ...ends('slow', 100)], { highlight: 1 });
    const x = layers(spec)[1]!.encoding['x']!;
    expect(x['scale']).toEqual({ domain: [0, 11], nice: false });
    expect(String(x['title'])).toMatch(/cut/);
    const uncut = completionSpec([...ends('fast', 10), ...ends('slow', 100)], {
      highlight: 1,
      cutTime: false,
    });
    expect(layers(uncut)[1]!.encoding['x']!['scale']).toBeUndefined();
    const close = completionSpec([...ends('fast', 90), ...ends('slow', 100)], { highlight: 1 });
    expect(layers(close)[1]!.encoding['x']!['scale']).toBeUndefined();
  });

  it('one mode: no dash; no bound: no rule', () => {
    const spec = completionSpec(names.map((s) => ({ strategy: s, t: 0, done: 0 })));
    expect(layers(spec)).toHaveLength(2);
    expect(layers(spec)[1]!.encoding['strokeDash']).toBeUndefined();
    const color = layers(spec)[1]!.encoding['color']!['scale'] as { domain: string[] };
    expect(color.domain).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'others (2)']);
  });
});

describe('comparisonSpec', () => {
  it('bars plus a rule at 1.0; non-finite ratios become null; modes share a colour', () => {
    const spec = comparisonSpec([
      { strategy: 'log2-fanout (eager)', ratio: 1.4 },
      { strategy: 'push-parallel (eager)', ratio: Infinity },
      { strategy: 'log2-fanout (round)', ratio: 1.6 },
    ]);
    expect(() => compile(spec)).not.toThrow();
    expect(layers(spec).map((l) => l.mark.type)).toEqual(['bar', 'rule', 'text']);
    expect(layers(spec)[1]!.encoding['x']).toEqual({ datum: 1 });
    const v = values<{ ratio: unknown; colour: string }>(spec);
    expect(v[1]!.ratio).toBeNull();
    expect(v[0]!.colour).toBe(v[2]!.colour);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });
});

describe('bytesSpec', () => {
  it('a heat map in SI bytes that compiles', () => {
    const spec = bytesSpec(bytesPerLink(smallCascade()), { unit: 'rack', title: 't' });
    expect(() => compile(spec)).not.toThrow();
    const enc = (spec as unknown as Layer).encoding;
    expect(enc['x']!['title']).toBe('receiving rack');
    expect(enc['color']).toMatchObject({ field: 'bytes', title: 'bytes (B)' });
  });
});
