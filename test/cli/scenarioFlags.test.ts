import { describe, expect, it } from 'vitest';
import { scenarioFromFlags } from '../../src/cli/scenarioFlags.js';
import { cli } from '../helpers/cli.js';
import { configError } from '../helpers/errors.js';

describe('--tcp-window', () => {
  it('sets the scenario field tcpWindow, a size in the units grammar', () => {
    expect(scenarioFromFlags({ 'tcp-window': '4MiB' }).spec.tcpWindow).toBe(4 * 1024 ** 2);
    expect(scenarioFromFlags({ 'tcp-window': '64KiB' }).spec.tcpWindow).toBe(65536);
    expect(scenarioFromFlags({}).spec.tcpWindow).toBeUndefined();
  });

  it.each(['0', '-1MB', 'huge', '4MB/s'])('%s is a ConfigError naming the flag', (value) => {
    expect(configError(() => scenarioFromFlags({ 'tcp-window': value })).where).toBe('--tcp-window');
  });

  it('simulate caps the copy at window ÷ RTT; compare refuses a bad one with exit 2 naming the flag', async () => {
    const run = async (...extra: string[]): Promise<Record<string, number>> => {
      const r = await cli('simulate', '--hosts', '1', '--closure-mb', '100', '--json', ...extra);
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as Record<string, number>;
    };
    // Deployer → host: 0.1 ms access latency each, so RTT 0.4 ms; a 16 KiB window moves 40.96 MB/s, below
    // the 125 MB/s of 1 Gbit/s. A 1 MiB window is above it and changes nothing.
    const capped = await run('--tcp-window', '16KiB');
    expect(capped['makespanSeconds']).toBeCloseTo(0.0002 + 100e6 / (16384 / 0.0004), 6);
    expect(capped['makespanSeconds']).toBeGreaterThanOrEqual(capped['lowerBoundSeconds']!);
    expect((await run('--tcp-window', '1MiB'))['makespanSeconds']).toBe((await run())['makespanSeconds']);
    const bad = await cli('compare', '--hosts', '2', '--tcp-window', '0');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--tcp-window/);
    expect(bad.out).toBe('');
  });
});
