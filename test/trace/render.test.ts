import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { comparisonSpec } from '../../src/trace/charts.js';
import { escapeHtml, renderHtml, renderPng, renderSvg, scriptJson } from '../../src/trace/render.js';
import { ConfigError } from '../../src/core/errors.js';

const tiny = comparisonSpec(
  [
    { strategy: 'a', ratio: 1.2 },
    { strategy: 'b', ratio: 2 },
  ],
  { width: 120 },
);

describe('render', () => {
  it('renders SVG, byte-identical across calls', async () => {
    const a = await renderSvg(tiny);
    const b = await renderSvg(tiny);
    expect(a.startsWith('<svg')).toBe(true);
    expect(a).toBe(b);
  });

  it('renders PNG bytes from SVG', async () => {
    const png = renderPng(await renderSvg(tiny), { width: 200 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(200); // IHDR width
    expect(() => renderPng('<svg/>', { width: 0 })).toThrow(ConfigError);
  });

  it('escapes text for HTML and JSON inside scripts', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    const s = scriptJson({ t: '</script><!--' });
    expect(s).not.toContain('<');
    expect(JSON.parse(s)).toEqual({ t: '</script><!--' });
  });

  it('writes one self-contained page with embedded charts and escaped tables', () => {
    const html = renderHtml('Report <1>', [
      { heading: 'Chart & co', text: 'first\n\nsecond', chart: tiny },
      { heading: 'Table', table: { columns: ['name', 'n'], rows: [['<b>evil</b>', 3]] }, pre: 'a < b' },
      { heading: 'Links', links: [{ label: 'trace "x"', href: 'trace-x.jsonl' }] },
    ]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/src\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
    expect(html).toContain('<title>Report &lt;1&gt;</title>');
    expect(html).toContain('<td>&lt;b&gt;evil&lt;/b&gt;</td>');
    expect(html).toContain('<td class="num">3</td>');
    expect(html).toContain('<pre>a &lt; b</pre>');
    expect(html).toContain('<p>first</p>\n<p>second</p>');
    expect(html).toContain('vegaEmbed("#chart-0"');
    expect(html).toContain('/* vega-embed */');
    // Every inline script is valid JavaScript (the page cannot be opened in a browser here).
    for (const m of html.matchAll(/<script>([\s\S]*?)<\/script>/g))
      expect(() => new Script(m[1]!)).not.toThrow();
    // Exactly the three inlined library scripts plus the one that embeds the charts.
    expect(html.match(/<script>/g)).toHaveLength(4);
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    expect(renderHtml('Report <1>', [{ heading: 'x', chart: tiny }])).toBe(
      renderHtml('Report <1>', [{ heading: 'x', chart: tiny }]),
    );
  });
});
