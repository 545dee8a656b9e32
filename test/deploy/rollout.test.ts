/** Staged rollouts: waves, counts and shares, and the gate that opens wave after wave or stops. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Rollout, parseCountOrShare, planWaves, resolveCount } from '../../src/deploy/rollout.js';

const six = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
/** Which of `hosts` have passed the gate after the microtasks settle. */
async function through(r: Rollout, hosts: readonly string[]): Promise<string[]> {
  const passed: string[] = [];
  for (const h of hosts) void r.gate(h).then(() => passed.push(h));
  await new Promise((resolve) => setTimeout(resolve, 0));
  return passed.sort();
}

describe('counts and waves', () => {
  it('parses N and P%, and refuses the rest naming the flag', () => {
    expect(parseCountOrShare('3', '--batch')).toEqual({ count: 3 });
    expect(parseCountOrShare('25%', '--batch')).toEqual({ percent: 25 });
    for (const bad of ['0', '-1', '1.5', '0%', '101%', 'x', '']) {
      expect(() => parseCountOrShare(bad, '--batch')).toThrow(ConfigError);
    }
    expect(resolveCount({ percent: 10 }, 6)).toBe(1); // rounds up, never 0
    expect(resolveCount({ percent: 50 }, 5)).toBe(3);
  });

  it('canaries first and alone, then the rest in fleet order, batch at a time', () => {
    expect(planWaves(six, { batch: { count: 2 } })).toEqual([
      ['h1', 'h2'],
      ['h3', 'h4'],
      ['h5', 'h6'],
    ]);
    expect(planWaves(six, { canary: ['h4'], batch: { percent: 50 } })).toEqual([
      ['h4'],
      ['h1', 'h2', 'h3'],
      ['h5', 'h6'],
    ]);
    expect(planWaves(six, { canary: ['h2'] })).toEqual([['h2'], ['h1', 'h3', 'h4', 'h5', 'h6']]);
    expect(() => planWaves(six, { canary: ['h9'] })).toThrow(ConfigError);
  });
});

describe('the gate', () => {
  it('opens each wave when the one before has finished', async () => {
    const r = new Rollout(six, { batch: { count: 2 } });
    expect(await through(r, six)).toEqual(['h1', 'h2']);
    r.finished('h1', false);
    expect(await through(r, ['h3', 'h4'])).toEqual([]);
    r.finished('h2', true);
    expect(await through(r, ['h3', 'h4', 'h5'])).toEqual(['h3', 'h4']);
    expect(r.stop).toBeUndefined();
  });

  it('stops before the next wave once max-failures hosts failed; the rest are let through as stopped', async () => {
    const r = new Rollout(six, { batch: { count: 2 }, maxFailures: { count: 1 } });
    const waiting = through(r, ['h5', 'h6']);
    r.finished('h1', false);
    r.finished('h2', false);
    r.finished('h3', true);
    r.finished('h4', false);
    expect(await waiting).toEqual(['h5', 'h6']);
    expect(r.stop).toEqual({ afterWave: 1, failures: 1 });
    expect([r.stopped('h4'), r.stopped('h5'), r.stopped('h6')]).toEqual([false, true, true]);
  });

  it('a host that fails before reaching the gate (eval, build) still counts and still frees its wave', () => {
    const r = new Rollout(six, { batch: { count: 3 }, maxFailures: { count: 2 } });
    r.finished('h5', true); // wave 2 host, failed at eval
    r.finished('h1', true);
    r.finished('h2', false);
    r.finished('h3', false);
    expect(r.stop).toEqual({ afterWave: 0, failures: 2 });
    expect(r.stopped('h4')).toBe(true);
  });

  it('with canaries and no max-failures, one failed canary stops the rollout', () => {
    const r = new Rollout(six, { canary: ['h1'] });
    r.finished('h1', true);
    expect(r.stopped('h2')).toBe(true);
  });

  it('without failures every wave opens, one after another', async () => {
    const r = new Rollout(six, { batch: { count: 4 }, maxFailures: { count: 1 } });
    for (const h of ['h1', 'h2', 'h3', 'h4']) r.finished(h, false);
    expect(await through(r, ['h5', 'h6'])).toEqual(['h5', 'h6']);
    expect(r.stopped('h5')).toBe(false);
  });
});
