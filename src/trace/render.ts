/**
 * Rendering charts: Vega-Lite → SVG (headless vega, deterministic), SVG → PNG (resvg), and one
 * self-contained offline HTML page with vega / vega-lite / vega-embed inlined.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { ConfigError } from '../core/errors.js';

/**
 * vega and vega-lite, loaded on the first chart: they take about a second to load, which every command
 * that imports this module (through the report) would otherwise pay before its first line of output.
 */
let renderers: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadRenderers = (): Promise<[typeof import('vega'), typeof import('vega-lite')]> =>
  (renderers ??= Promise.all([import('vega'), import('vega-lite')]));

/**
 * Renders a Vega-Lite spec to SVG text without a browser. Text widths are estimated (no canvas) and the
 * SVG's def ids restart at every call, which is what makes the output byte-identical across calls, runs
 * and machines.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await loadRenderers();
  // Gradient and clip ids come from process-wide counters: restart them, or the second chart of a run
  // (a heat map's legend gradient) would differ from the same chart rendered first.
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link renderPng}. */
export interface PngOptions {
  /**
   * Output width in pixels (height follows the aspect ratio); default: the SVG's own size.
   */
  readonly width?: number;
}

/**
 * Rasterises SVG text to PNG bytes. Fonts: the system's DejaVu Sans (the only family on the build
 * machines), so sans-serif text does not fall back to a serif face.
 *
 * @throws ConfigError when `width` is not a positive integer.
 */
export function renderPng(svg: string, options: PngOptions = {}): Buffer {
  const width = options.width;
  if (width !== undefined && (!Number.isInteger(width) || width <= 0)) {
    throw new ConfigError(`must be a positive integer, got ${width}`, 'PngOptions.width');
  }
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    ...(width !== undefined ? { fitTo: { mode: 'width' as const, value: width } } : {}),
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside a `<script>` element: `<`, `>`, `&` and the JS line separators are written
 * as `\u` escapes, so no data can close the script or open a comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A table in an HTML section. */
export interface HtmlTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
  /** Columns (by index) to right-align; default: every column whose cells are all numbers. */
  readonly numeric?: readonly number[];
}

/** One section of an HTML report; every field but `heading` is optional and shown in this order. */
export interface HtmlSection {
  readonly heading: string;
  /** Plain text paragraphs (escaped; blank lines separate paragraphs). */
  readonly text?: string;
  /** A chart, embedded live with vega-embed. */
  readonly chart?: TopLevelSpec;
  readonly table?: HtmlTable;
  /** Preformatted text, such as an ASCII cascade tree. */
  readonly pre?: string;
  /** Links to files next to the report: label → relative href. */
  readonly links?: readonly { readonly label: string; readonly href: string }[];
}

/** The package root of an installed dependency (the `exports` maps hide `build/*.min.js`). */
function packageRoot(name: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === name) return dir;
    } catch {
      // no package.json here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package root of ${name}`);
    dir = up;
  }
}

let vendorCache: string | undefined;

/** The three UMD builds, read once per process. Order matters: vega-lite and vega-embed expect `vega`. */
function vendorScripts(): string {
  if (vendorCache === undefined) {
    const files: [string, string][] = [
      ['vega', 'build/vega.min.js'],
      ['vega-lite', 'build/vega-lite.min.js'],
      ['vega-embed', 'build/vega-embed.min.js'],
    ];
    vendorCache = files
      .map(([pkg, file]) => {
        const code = readFileSync(join(packageRoot(pkg), file), 'utf8');
        // Inlined code must not be able to end its own <script> element.
        return `<script>/* ${pkg} */\n${code.replace(/<\/script/gi, '<\\/script')}\n</script>`;
      })
      .join('\n');
  }
  return vendorCache;
}

const STYLE = `
body{font-family:"DejaVu Sans",system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .6rem}th{background:#f3f3f3;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f7;padding:.8rem;overflow:auto;font-size:.85rem;max-height:40rem}
.chart{margin:.8rem 0}ul.links{padding-left:1.2rem}
`;

function renderTable(t: HtmlTable): string {
  const numeric = new Set(
    t.numeric ??
      t.columns
        .map((_, i) => i)
        .filter((i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number')),
  );
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${r
          .map(
            (cell, i) =>
              `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(cell === null ? '' : String(cell))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/**
 * One self-contained HTML page (no network access needed to view it): the vega libraries are inlined,
 * charts are embedded with vega-embed, tables and text are escaped. Deterministic for the same input.
 */
export function renderHtml(title: string, sections: readonly HtmlSection[]): string {
  const charts: string[] = [];
  const body = sections
    .map((s) => {
      const parts = [`<section>\n<h2>${escapeHtml(s.heading)}</h2>`];
      if (s.text !== undefined) {
        for (const para of s.text.split(/\n\s*\n/)) parts.push(`<p>${escapeHtml(para.trim())}</p>`);
      }
      if (s.chart !== undefined) {
        const id = `chart-${charts.length}`;
        charts.push(`vegaEmbed(${scriptJson(`#${id}`)}, ${scriptJson(s.chart)}, opts);`);
        parts.push(`<div class="chart" id="${id}"></div>`);
      }
      if (s.table !== undefined) parts.push(renderTable(s.table));
      if (s.pre !== undefined) parts.push(`<pre>${escapeHtml(s.pre)}</pre>`);
      if (s.links !== undefined && s.links.length > 0) {
        const items = s.links.map(
          (l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`,
        );
        parts.push(`<ul class="links">\n${items.join('\n')}\n</ul>`);
      }
      parts.push('</section>');
      return parts.join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${vendorScripts()}
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<script>
(function () {
  var opts = { actions: false, renderer: 'svg' };
  ${charts.join('\n  ')}
})();
</script>
</body>
</html>
`;
}
