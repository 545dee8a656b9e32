/**
 * Opens an HTML report in Debian's headless Chromium (driven by playwright-core) and reports what a
 * reader would notice: console errors, network requests, each chart's rendered SVG, the tables.
 * Used by the report's browser test and by scripts/screenshot-report.ts.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where Debian's `chromium` package (installed by scripts/install-system-deps.sh) puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Starts headless Chromium. Root needs `--no-sandbox`; the background-networking flags keep Chromium
 * from calling home, which this machine's closed network would refuse.
 * @throws Error naming the missing binary and the script that installs it.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the HTML report is tested in Debian's chromium; ` +
        'install it with `bash scripts/install-system-deps.sh` (as root)',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One chart as the browser drew it. */
export interface RenderedChart {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** SVG elements inside the chart (paths, lines, texts…). */
  readonly elements: number;
}

/** What opening the report showed. */
export interface ReportView {
  readonly page: Page;
  /** Console errors and uncaught page errors. */
  readonly errors: readonly string[];
  /** Every request other than the report file itself (all refused). */
  readonly requests: readonly string[];
  /** `.chart` containers in the page. */
  readonly chartSlots: number;
  readonly charts: readonly RenderedChart[];
  /** Rows of each table's body, in page order. */
  readonly tableRows: readonly number[];
}

/**
 * Loads `file` in a new page (every request but the file itself is aborted and recorded), waits until
 * each chart container holds an SVG (or `timeoutMs` passes), and measures them.
 */
export async function openReport(
  browser: Browser,
  file: string,
  viewport = { width: 1280, height: 900 },
  timeoutMs = 20_000,
): Promise<ReportView> {
  const page = await browser.newPage({ viewport });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', async (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    requests.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const chartSlots = await page.locator('.chart').count();
  // Browser-side code as strings: this project's TypeScript has no DOM types.
  await page
    .waitForFunction(`document.querySelectorAll('.chart svg').length >= ${chartSlots}`, undefined, {
      timeout: timeoutMs,
    })
    .catch(() => undefined); // measured below: a chart that did not render shows as missing
  const charts = await page.evaluate<RenderedChart[]>(`[...document.querySelectorAll('.chart')].map((el) => {
    const svg = el.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const elements = svg ? svg.querySelectorAll('path, line, rect, text').length : 0;
    return { id: el.id, width: box.width, height: box.height, elements };
  })`);
  const tableRows = await page.evaluate<number[]>(
    `[...document.querySelectorAll('table')].map((t) => t.querySelectorAll('tbody tr').length)`,
  );
  return { page, errors, requests, chartSlots, charts, tableRows };
}
