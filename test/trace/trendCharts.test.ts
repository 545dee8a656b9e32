import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/trace/render.js';
import { scalingSpec, uplinkSpec } from '../../src/trace/trendCharts.js';

type Layer = { mark: { type: string }; encoding: Record<string, Record<string, unknown>> };
const layers = (spec: object): Layer[] => (spec as { layer: Layer[] }).layer;

describe('uplinkSpec', () => {
  const rows = [
    { strategy: 'push', t: 0, rate: 125e6 },
    { strategy: 'push', t: 1, rate: 62.5e6 },
    { strategy: 'swarm', t: 0, rate: 125e6 },
  ];

  it('utilisation in percent with a capacity rule, throughput without', () => {
    const withCap = uplinkSpec(rows, { capacity: 125e6, ranking: ['swarm', 'push'] });
    expect(() => compile(withCap)).not.toThrow();
    const v = (withCap as unknown as { data: { values: { y: number }[] } }).data.values;
    expect(v.map((x) => x.y)).toEqual([100, 50, 100]);
    const inner = (s: object) => (s as { spec: object }).spec;
    expect(layers(inner(withCap))[1]!.encoding['y']).toEqual({ datum: 100 });
    // One panel per strategy, best first, each with its own time axis.
    expect((withCap as unknown as { facet: { row: { sort: string[] } } }).facet.row.sort).toEqual([
      'swarm',
      'push',
    ]);
    expect((withCap as unknown as { resolve: unknown }).resolve).toEqual({ scale: { x: 'independent' } });
    const raw = uplinkSpec(rows);
    expect(layers(inner(raw))).toHaveLength(1);
    expect(layers(inner(raw))[0]!.encoding['y']!['title']).toBe('B/s');
  });
});

describe('scalingSpec', () => {
  const points = ['push', 'tree', 'swarm'].flatMap((strategy, k) =>
    [10, 100, 1000].map((hosts) => ({
      strategy,
      hosts,
      ratio: 1 + (k === 0 ? hosts / 10 : k === 1 ? Math.log2(hosts) / 4 : 0.1),
    })),
  );

  it('ranks by the ratio at the largest fleet, log axes, the bound at 1', async () => {
    const spec = scalingSpec(points, { highlight: 2, title: 'ratio vs fleet size' });
    expect(() => compile(spec)).not.toThrow();
    const [lines, rule] = layers(spec);
    expect(lines!.encoding['color']!['scale']).toEqual({
      domain: ['swarm', 'tree', 'others (1)'],
      range: expect.any(Array) as unknown,
    });
    expect(lines!.encoding['x']!['scale']).toEqual({ type: 'log', nice: false });
    expect(rule!.encoding['y']).toEqual({ datum: 1 });
    const svg = await renderSvg(spec);
    expect(await renderSvg(uplinkSpec([{ strategy: 'a', t: 0, rate: 1 }], { capacity: 2 }))).toContain(
      '<svg',
    );
    expect(svg).toBe(await renderSvg(scalingSpec(points, { highlight: 2, title: 'ratio vs fleet size' })));
    expect(svg).toContain('lower bound');
  });
});
