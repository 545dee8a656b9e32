/** Which stages each action runs, and what keys, health checks and --reboot add. */
import { describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';
import { stageNames } from '../../src/deploy/stages.js';

const hosts = parseFleetFile(
  JSON.stringify({
    nodes: {
      a: { keys: { pre: { text: 'x' }, post: { text: 'y', uploadAt: 'post-activation' } } },
      b: { healthChecks: { tcp: [{ port: 22 }] } },
    },
  }),
).hosts;

describe('stageNames', () => {
  it('each action alone', () => {
    expect(stageNames('switch')).toEqual(['eval', 'check', 'build', 'copy', 'activate']);
    expect(stageNames('build')).toEqual(['eval', 'build']);
    expect(stageNames('push')).toEqual(['eval', 'check', 'build', 'copy']);
    expect(stageNames('keys', { hosts })).toEqual(['keys']);
  });

  it('keys around the activation, the reboot right after it, the health checks last', () => {
    expect(stageNames('switch', { hosts, reboot: true })).toEqual([
      'eval',
      'check',
      'build',
      'copy',
      'keys',
      'activate',
      'reboot',
      'post-keys',
      'health',
    ]);
    expect(stageNames('boot', { hosts })).toEqual([
      'eval',
      'check',
      'build',
      'copy',
      'keys',
      'activate',
      'post-keys',
    ]);
    expect(stageNames('test', { hosts, uploadKeys: false })).toEqual([
      'eval',
      'check',
      'build',
      'copy',
      'activate',
      'health',
    ]);
    // dry-activate changes nothing: no keys, no reboot, no health checks.
    expect(stageNames('dry-activate', { hosts, reboot: true })).toEqual([
      'eval',
      'check',
      'build',
      'copy',
      'activate',
    ]);
  });
});
