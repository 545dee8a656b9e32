/**
 * Regenerates docs/report.png, the README's picture of the comparison report: runs
 * `compare --report` on a small racked fleet (every strategy, both modes), opens the report in headless
 * Chromium (Debian's, see scripts/install-system-deps.sh) and screenshots the page down to its last chart.
 *
 * Run: `npx tsx scripts/screenshot-report.ts [out.png]` (default docs/report.png).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { launchChromium, openReport } from '../test/helpers/chromium.js';

const out = process.argv[2] ?? 'docs/report.png';
const dir = join(mkdtempSync(join(tmpdir(), 'screenshot-report-')), 'report');
const argv = ['compare', '--hosts', '48', '--topology', 'racks', '--closure-mb', '500', '--report', dir];
if ((await main(argv)) !== 0) throw new Error(`compare failed: ${argv.join(' ')}`);

const browser = await launchChromium();
try {
  const view = await openReport(browser, join(dir, 'index.html'), { width: 1200, height: 900 });
  if (view.errors.length > 0 || view.requests.length > 0 || view.charts.some((c) => c.elements === 0)) {
    throw new Error(
      `the report did not render cleanly: ${JSON.stringify(view.errors.concat(view.requests))}`,
    );
  }
  // From the top to the last chart: the cascade tree and the file list below it would only add length.
  const bottom = await view.page.evaluate<number>(
    `Math.max(...[...document.querySelectorAll('.chart')].map((c) => c.getBoundingClientRect().bottom + window.scrollY)) + 16`,
  );
  await view.page.screenshot({
    path: out,
    fullPage: true,
    clip: { x: 0, y: 0, width: 1200, height: bottom },
  });
  console.log(`wrote ${out} (${view.charts.length} charts)`);
} finally {
  await browser.close();
}
