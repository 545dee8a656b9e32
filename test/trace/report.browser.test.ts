import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { main } from '../../src/cli/main.js';
import { strategyNames } from '../../src/strategies/registry.js';
import { launchChromium, openReport } from '../helpers/chromium.js';

// The report as a user opens it: written by `compare --report`, loaded in Debian's headless Chromium.
// No skip when Chromium is missing: launchChromium fails with the reason (CI installs it).
describe('the HTML report in headless Chromium', { timeout: 120_000 }, () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'report-browser-')), 'report');
  let browser: Browser;

  beforeAll(async () => {
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const argv = [
        'compare',
        '--hosts',
        '24',
        '--topology',
        'racks',
        '--closure-mb',
        '200',
        '--report',
        dir,
      ];
      expect(await main(argv)).toBe(0);
    } finally {
      quiet.mockRestore();
      process.exitCode = undefined;
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console error and no network request; every chart renders; the tables are there', async () => {
    const view = await openReport(browser, join(dir, 'index.html'));
    expect(view.errors).toEqual([]);
    expect(view.requests).toEqual([]);
    const svgFiles = readdirSync(dir).filter((f) => f.endsWith('.svg'));
    // comparison, completion, uplink, the best strategy's timeline and heat map
    expect(svgFiles).toHaveLength(5);
    expect(view.chartSlots).toBe(svgFiles.length);
    expect(view.charts).toHaveLength(svgFiles.length);
    for (const c of view.charts) {
      expect(c.elements, c.id).toBeGreaterThan(20);
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.width, c.id).toBeLessThan(2500);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.height, c.id).toBeLessThan(3000);
    }
    // The scenario table, then one results row per strategy and mode.
    expect(view.tableRows.length).toBeGreaterThanOrEqual(2);
    expect(view.tableRows[0]).toBeGreaterThan(0);
    expect(view.tableRows[1]).toBe(2 * strategyNames().length);
    const heading = await view.page.locator('h1').textContent();
    expect(heading).toContain('strategy comparison');
    await view.page.close();
  });
});
