/** Remote builders: mkFleet's `builders`, validated at load, rendered as a Nix machines file. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { machinesFile } from '../../src/fleet/builders.js';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';

const nodes = { web: { targetHost: 'web.example' } };

describe('builders', () => {
  it('read with the reference defaults, in name order, fastest first in the machines file', () => {
    const f = parseFleetFile(
      JSON.stringify({
        nodes,
        builders: {
          slow: {},
          fast: {
            host: '10.0.0.9',
            maxJobs: 8,
            speedFactor: 4,
            systems: ['x86_64-linux', 'aarch64-linux'],
            features: ['kvm', 'big-parallel'],
            sshKey: '/k',
            publicHostKey: 'c3NoLWVkMjU1MTkgQUFBQQ==',
          },
        },
      }),
    );
    expect(f.builders.map((b) => b.name)).toEqual(['fast', 'slow']);
    expect(f.builders[1]).toMatchObject({
      host: 'slow',
      user: 'root',
      maxJobs: 1,
      speedFactor: 1,
      protocol: 'ssh-ng',
      sshKey: null,
    });
    expect(machinesFile(f.builders)).toBe(
      'ssh-ng://root@10.0.0.9 x86_64-linux,aarch64-linux /k 8 4 kvm,big-parallel - c3NoLWVkMjU1MTkgQUFBQQ==\n' +
        'ssh-ng://root@slow x86_64-linux - 1 1 - - -\n',
    );
  });

  it('a field with a space (it would split the machines-file line) or an unknown key is refused', () => {
    for (const b of [
      { host: 'a b' },
      { sshKey: '/my key' },
      { systems: [] },
      { maxJobs: 0 },
      { colour: 'red' },
    ]) {
      expect(() => parseFleetFile(JSON.stringify({ nodes, builders: { b } }))).toThrow(ConfigError);
    }
  });
});
