import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Each worked study, with the charts it writes. */
const STUDIES: Record<string, readonly string[]> = {
  scaling: ['scaling', 'ratio'],
  topology: ['makespan', 'cross-bytes', 'egress'],
  failures: ['failure-makespan', 'dead-makespan', 'dead-missing', 'straggler-makespan'],
};

describe('notebooks (smoke mode)', () => {
  it.each(Object.entries(STUDIES))('%s regenerates its data, charts and page', (name, charts) => {
    const out = mkdtempSync(join(tmpdir(), `nb-${name}-`));
    execFileSync('npx', ['tsx', `notebooks/${name}.ts`, '--smoke', out], { stdio: 'pipe' });
    const data = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as { smoke: boolean; points: object[] };
    expect(data.smoke).toBe(true);
    expect(data.points.length).toBeGreaterThan(0);
    for (const c of charts) {
      const svg = readFileSync(join(out, `${c}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.length).toBeGreaterThan(2000);
      expect(existsSync(join(out, `${c}.png`))).toBe(true);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<table');
    expect(html.match(/<svg|vegaEmbed|"\$schema"/g)?.length ?? 0).toBeGreaterThanOrEqual(charts.length);
  }, 120_000);
});
