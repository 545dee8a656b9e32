import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';

function stream(isTTY: boolean) {
  let text = '';
  return {
    isTTY,
    columns: 100,
    write: (t: string) => {
      text += t;
      return true;
    },
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    text: () => text,
  };
}

describe('progressReporter', () => {
  it('off a terminal: plain lines, about 20 for a big batch, always the last one', () => {
    const s = stream(false);
    const p = progressReporter('sweep', 1000, s);
    for (let i = 1; i <= 1000; i++) p.update(i, 1000);
    p.stop();
    const lines = s.text().trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.at(-1)).toBe('sweep: 1000/1000 runs');
    expect(lines.every((l) => /^sweep: \d+\/1000 runs$/.test(l))).toBe(true);
  });

  it('on a terminal: a redrawn bar with the count', () => {
    const s = stream(true);
    const p = progressReporter('sweep', 4, s);
    p.update(2, 4);
    p.stop();
    expect(s.text()).toContain('2/4 runs');
    expect(s.text()).not.toMatch(/^sweep: 2\/4 runs$/m);
  });
});
