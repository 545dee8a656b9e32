import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ExecutorError } from '../../src/core/errors.js';
import { classifyFailure } from '../../src/remote/classify.js';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';
import { isTrustedUser, parseDfAvailable, parseTrustedUsers } from '../../src/remote/health.js';
import { planSyntheticClosure } from '../../src/lab/closure.js';
import { parsePathInfo } from '../../src/remote/pathInfo.js';
import { parseRate } from '../../src/units/units.js';
import { validateAddress, validateSshOption, validateStorePath } from '../../src/remote/validate.js';
import { ClosureGraph } from '../../src/core/closure.js';

const P = '/nix/store/0iihdvh5lp4xy1l3ajc83db13icq5142-nc-smoke-toplevel';

describe('validation', () => {
  it('accepts store paths and refuses anything else', () => {
    expect(validateStorePath(P, 'p')).toBe(P);
    for (const bad of [
      '/nix/store/0iihdvh5lp4xy1l3ajc83db13icq514-short',
      '/nix/store/eiihdvh5lp4xy1l3ajc83db13icq5142-e-is-not-base32',
      `${P}/bin`,
      `${P} x`,
      'nix/store/x',
      `/nix/store/0iihdvh5lp4xy1l3ajc83db13icq5142-.hidden`,
    ]) {
      expect(() => validateStorePath(bad, 'p')).toThrow(ConfigError);
    }
  });

  it('refuses host addresses carrying shell or ssh syntax', () => {
    for (const ok of ['web-01', 'web-01.example.org', '10.213.0.11', '::1', 'fe80::1'])
      expect(validateAddress(ok, 'a')).toBe(ok);
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(' ', ';', '$', '`', "'", '"', '/', '@', '\n', '|', '&'),
        fc.string(),
        (a, bad, b) => {
          expect(() => validateAddress(`${a}${bad}${b}`, 'a')).toThrow(ConfigError);
        },
      ),
    );
    expect(() => validateAddress('-oProxyCommand=x', 'a')).toThrow(ConfigError);
  });

  it('refuses ssh options that run commands', () => {
    expect(validateSshOption('ForwardAgent=yes', 'o')).toBe('ForwardAgent=yes');
    expect(() => validateSshOption('ProxyCommand=nc', 'o')).toThrow(ConfigError);
    expect(() => validateSshOption('LocalCommand=x', 'o')).toThrow(ConfigError);
    expect(() => validateSshOption('User=root x', 'o')).toThrow(ConfigError);
    for (const o of [
      'PKCS11Provider=/tmp/x.so',
      'SecurityKeyProvider=/tmp/x.so',
      'ProxyJump=evil.example.org',
      'User=nobody',
      'Port=23',
      'RemoteForward=9000:localhost:22',
      'LocalForward=1:h:2',
      'Tunnel=yes',
      'StrictHostKeyChecking=no',
    ]) {
      expect(() => validateSshOption(o, 'o')).toThrow(ConfigError);
    }
  });

  it('parses rates', () => {
    expect(parseRate('100mbit', 'r')).toBe(12.5e6);
    expect(parseRate('12.5MB/s', 'r')).toBe(12.5e6);
    expect(parseRate(1000, 'r')).toBe(1000);
    expect(() => parseRate('fast', 'r')).toThrow(ConfigError);
    expect(() => parseRate(0, 'r')).toThrow(ConfigError);
  });
});

describe('fleet file', () => {
  const base = {
    nodes: {
      web: {
        targetHost: '10.0.0.5',
        targetUser: 'root',
        targetPort: null,
        tags: ['a'],
        system: 'x86_64-linux',
        profileType: 'nixos',
        buildOnTarget: false,
      },
    },
    builders: {},
    flakeUri: '.#x',
  };

  it('reads mkFleet JSON with defaults and extensions', () => {
    const f = parseFleetFile(
      JSON.stringify({
        ...base,
        deployer: { name: 'me', uplink: '1gbit' },
        defaults: { ssh: { identityFile: '/k', options: ['ForwardAgent=yes'] }, downlink: '100mbit' },
      }),
      'f.json',
    );
    expect(f.deployer).toEqual({ id: 'me', uplink: 125e6 });
    expect(f.flakeUri).toBe('.#x');
    expect(f.hosts[0]).toMatchObject({
      id: 'web',
      address: '10.0.0.5',
      user: 'root',
      port: 22,
      identityFile: '/k',
      options: ['ForwardAgent=yes'],
      downlink: 12.5e6,
    });
  });

  it('defaults like mkFleet: targetHost = name, darwin user admin', () => {
    const f = parseFleetFile(JSON.stringify({ nodes: { mac: { profileType: 'nix-darwin' } } }));
    expect(f.hosts[0]).toMatchObject({ address: 'mac', user: 'admin', port: 22 });
  });

  it('names the file and field on errors', () => {
    const cases: unknown[] = [
      { ...base, nodes: { web: { ...base.nodes.web, targetPort: 'x' } } },
      { ...base, nodes: { web: { ...base.nodes.web, targetHost: 'a b' } } },
      { ...base, nodes: { web: { ...base.nodes.web, typo: 1 } } },
      { ...base, nodes: { web: { ...base.nodes.web, ssh: { options: ['ProxyCommand=sh'] } } } },
      { ...base, nodes: { web: { ...base.nodes.web, uplink: 'quick' } } },
      { ...base, nodes: {} },
      { nodes: { deployer: {} } },
      [],
    ];
    for (const c of cases) {
      let err: unknown;
      try {
        parseFleetFile(JSON.stringify(c), 'fleet.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).where).toMatch(/^fleet\.json/);
    }
    expect(() => parseFleetFile('{', 'fleet.json')).toThrow(ConfigError);
  });

  it('names defaults.… for a bad default, and a node option by its own index', () => {
    const where = (j: unknown): string | undefined => {
      try {
        parseFleetFile(JSON.stringify(j), 'f.json');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).where;
      }
      return undefined;
    };
    expect(
      where({ nodes: { a: {} }, defaults: { ssh: { options: ['ForwardAgent=yes', 'ProxyCommand=x'] } } }),
    ).toBe('f.json: defaults.ssh.options[1]');
    expect(where({ nodes: { a: {} }, defaults: { uplink: 'quick' } })).toBe('f.json: defaults.uplink');
    expect(where({ nodes: { a: {} }, defaults: { targetPort: 0 } })).toBe('f.json: defaults.targetPort');
    expect(
      where({
        nodes: { a: { ssh: { options: ['User=x'] } } },
        defaults: { ssh: { options: ['ForwardAgent=yes'] } },
      }),
    ).toBe('f.json: nodes.a.ssh.options[0]');
    expect(where({ nodes: { a: { targetPort: 0 } }, defaults: { targetPort: 2222 } })).toBe(
      'f.json: nodes.a.targetPort',
    );
  });

  it('reports the field path of a bad port', () => {
    try {
      parseFleetFile(JSON.stringify({ nodes: { web: { targetPort: 70000 } } }), 'f.json');
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).where).toBe('f.json: nodes.web.targetPort');
    }
  });
});

describe('classifyFailure', () => {
  const end = (stderr: string, exitCode = 1) => ({ exitCode, stderr, timedOut: false, cancelled: false });
  const push = { from: 'a', to: 'b', via: 'a', timeoutSeconds: 5 };
  const pull = { from: 'a', to: 'b', via: 'b', timeoutSeconds: 5 };
  const local = { from: 'deployer', to: 'b', timeoutSeconds: 5 };

  it('blames the receiver for a local copy that cannot connect', () => {
    const c = classifyFailure(
      end('ssh: connect to host 10.0.0.2 port 22: Connection refused\nerror: cannot connect'),
      local,
    );
    expect(c).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'b' });
  });

  it('blames the sender when the outer ssh fails (exit 255), the receiver when the nested copy does', () => {
    expect(
      classifyFailure(end('ssh: connect to host 10.0.0.1 port 22: No route to host', 255), push),
    ).toMatchObject({ code: 'unreachable', host: 'a' });
    expect(
      classifyFailure(end('ssh: connect to host 10.0.0.2 port 22: Connection timed out', 1), push),
    ).toMatchObject({ code: 'unreachable', host: 'b' });
    expect(classifyFailure(end('Host key verification failed.', 255), pull)).toMatchObject({
      code: 'ssh-handshake',
      host: 'b',
    });
    expect(classifyFailure(end('root@10.0.0.1: Permission denied (publickey).', 1), pull)).toMatchObject({
      kind: 'permanent',
      code: 'ssh-handshake',
      host: 'a',
    });
  });

  it("reads unreachability from ssh's own lines only, and a refused signature before anything else", () => {
    // With --substitute-on-destination the receiver passes on its binary cache's connection errors.
    const cache =
      "warning: unable to download 'https://cache.example.org/nix-cache-info': Couldn't connect to server (7) Connection refused\nerror: writing to file: Broken pipe";
    expect(classifyFailure(end(cache), local)).toMatchObject({
      kind: 'transient',
      code: 'copy-failed',
      host: 'b',
    });
    const unsigned = `error: cannot add path '${P}' because it lacks a valid signature\nssh: connect to host 10.0.0.2 port 22: Connection refused`;
    expect(classifyFailure(end(unsigned), push)).toMatchObject({
      kind: 'permanent',
      code: 'copy-failed',
      host: 'b',
    });
  });

  it('a connection to the outer host lost mid-copy (exit 255) is a transient failure of that host', () => {
    expect(classifyFailure(end('Timeout, server 10.0.0.1 not responding.', 255), push)).toMatchObject({
      kind: 'transient',
      host: 'a',
    });
    expect(classifyFailure(end('Connection to 10.0.0.2 closed by remote host.', 255), pull)).toMatchObject({
      kind: 'transient',
      host: 'b',
    });
  });

  it('a copy the deployer could not start is a transient copy failure', () => {
    const c = classifyFailure(
      {
        exitCode: undefined,
        stderr: '',
        timedOut: false,
        cancelled: false,
        spawnError: 'cannot start ssh: spawn E2BIG',
      },
      push,
    );
    expect(c).toMatchObject({ kind: 'transient', code: 'copy-failed', host: 'b' });
  });

  it('timeouts and plain copy failures are transient; unsigned paths are permanent with advice', () => {
    expect(
      classifyFailure({ exitCode: undefined, stderr: '', timedOut: true, cancelled: false }, local),
    ).toMatchObject({ kind: 'transient', code: 'timeout', host: 'b' });
    expect(
      classifyFailure({ exitCode: undefined, stderr: '', timedOut: false, cancelled: true }, local),
    ).toMatchObject({ code: 'cancelled' });
    expect(classifyFailure(end('error: writing to file: Broken pipe'), local)).toMatchObject({
      kind: 'transient',
      code: 'copy-failed',
    });
    expect(classifyFailure(end("error: opening file '/x': Permission denied"), local)).toMatchObject({
      kind: 'transient',
      code: 'copy-failed',
    });
    const u = classifyFailure(end(`error: cannot add path '${P}' because it lacks a valid signature`), push);
    expect(u).toMatchObject({ kind: 'permanent', code: 'copy-failed', host: 'b' });
    expect(u.message).toMatch(/--no-check-sigs/);
  });
});

describe('parsers', () => {
  it('path-info: valid, invalid, object form, garbage', () => {
    const e = parsePathInfo(
      JSON.stringify([
        { path: P, narSize: 10, references: [P] },
        { path: '/nix/store/x', valid: false },
      ]),
    );
    expect(e.map((x) => x.valid)).toEqual([true, false]);
    expect(
      parsePathInfo(JSON.stringify({ [P]: { narSize: 3, references: [] }, '/nix/store/y': null })).map(
        (x) => x.valid,
      ),
    ).toEqual([true, false]);
    expect(() => parsePathInfo('not json')).toThrow(ExecutorError);
  });

  it('health helpers', () => {
    expect(
      parseDfAvailable(
        'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda 100 50 42 55% /\n',
      ),
    ).toBe(42 * 1024);
    expect(parseTrustedUsers('{"trusted-users":{"value":["root","@wheel"]}}')).toEqual(['root', '@wheel']);
    expect(isTrustedUser(['root', '@wheel'], 'bob', ['users', 'wheel'])).toBe(true);
    expect(isTrustedUser(['root'], 'bob', ['wheel'])).toBe(false);
    expect(isTrustedUser(['*'], 'bob', [])).toBe(true);
  });
});

describe('synthetic closure plan', () => {
  it('is a valid closure of the requested size and path count, and the same for the same seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(1000),
        (paths, mb, seed) => {
          const plan = planSyntheticClosure({ sizeMb: mb, paths, seed });
          expect(plan.nodes).toHaveLength(paths);
          const g = new ClosureGraph(
            plan.nodes.map((n, i) => ({ id: String(i), narSize: n.bytes, references: n.refs.map(String) })),
          );
          expect(g.closureOf([String(paths - 1)])).toHaveLength(paths);
          const total = plan.nodes.reduce((a, n) => a + n.bytes, 0);
          expect(Math.abs(total - mb * 1048576)).toBeLessThan(1024 * paths + 4096);
          expect(planSyntheticClosure({ sizeMb: mb, paths, seed }).expression).toBe(plan.expression);
        },
      ),
    );
    expect(() => planSyntheticClosure({ sizeMb: 1, paths: 0 })).toThrow(ConfigError);
    expect(() => planSyntheticClosure({ sizeMb: 1, paths: 3, seed: 'a b' })).toThrow(ConfigError);
  });
});
