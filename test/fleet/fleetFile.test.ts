import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseFleetFile, sshArgsToTarget } from '../../src/fleet/fleetFile.js';

const file = (nodes: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ nodes, ...extra });

function whereOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).where;
  }
  throw new Error('expected a ConfigError');
}

describe('fleet file: the deploy pipeline’s colmena options', () => {
  it('defaults as colmena: root needs no escalation, another user gets sudo -H --; unknown profiles replaced', () => {
    const fleet = parseFleetFile(file({ a: {}, b: { targetUser: 'ops' } }));
    const [a, b] = fleet.hosts;
    expect(a).toMatchObject({ user: 'root', privilegeEscalationCommand: [], replaceUnknownProfiles: true });
    expect(b).toMatchObject({ user: 'ops', privilegeEscalationCommand: ['sudo', '-H', '--'] });
    expect(fleet.allowApplyAll).toBe(true);
  });

  it('keeps what the fleet sets', () => {
    const fleet = parseFleetFile(
      file(
        { a: { targetUser: 'ops', privilegeEscalationCommand: ['doas'], replaceUnknownProfiles: false } },
        { meta: { allowApplyAll: false, description: 'kept' } },
      ),
    );
    expect(fleet.hosts[0]).toMatchObject({
      privilegeEscalationCommand: ['doas'],
      replaceUnknownProfiles: false,
    });
    expect(fleet.allowApplyAll).toBe(false);
  });

  it('translates colmena sshOptions, and refuses what it cannot carry, naming the argument', () => {
    const fleet = parseFleetFile(
      file({ a: { sshOptions: ['-o', 'Compression=yes', '-oServerAliveInterval=9', '-i', '/etc/key'] } }),
    );
    expect(fleet.hosts[0]).toMatchObject({
      identityFile: '/etc/key',
      options: ['Compression=yes', 'ServerAliveInterval=9'],
    });
    expect(whereOf(() => parseFleetFile(file({ a: { sshOptions: ['-J', 'jump'] } }), 'f.json'))).toBe(
      'f.json: nodes.a.sshOptions[0]',
    );
    expect(
      whereOf(() => parseFleetFile(file({ a: { sshOptions: ['-o', 'ProxyCommand=sh'] } }), 'f.json')),
    ).toBe('f.json: nodes.a.sshOptions[1]');
    expect(() => sshArgsToTarget(['-o'], 'x')).toThrow(ConfigError);
  });

  it('two nodes at the same address and port are an error naming the second', () => {
    expect(
      whereOf(() =>
        parseFleetFile(
          file({ a: { targetHost: '10.0.0.1' }, b: { targetHost: '10.0.0.1', targetPort: 22 } }),
          'f.json',
        ),
      ),
    ).toBe('f.json: nodes.b.targetHost');
    // Same address, other port: two sshds on one machine are two targets.
    expect(
      parseFleetFile(file({ a: { targetHost: 'h' }, b: { targetHost: 'h', targetPort: 2222 } })).hosts,
    ).toHaveLength(2);
  });

  it('checks drvPath like toplevel', () => {
    expect(whereOf(() => parseFleetFile(file({ a: { drvPath: '/tmp/x.drv' } }), 'f.json'))).toBe(
      'f.json: nodes.a.drvPath',
    );
  });
});
