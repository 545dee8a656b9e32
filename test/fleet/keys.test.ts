/** colmena's `deployment.keys` in a fleet file: defaults, one source each, names and modes checked. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseFleetFile } from '../../src/fleet/fleetFile.js';

const fleetWith = (keys: unknown) =>
  parseFleetFile(JSON.stringify({ nodes: { web: { targetHost: '10.0.0.1', keys } } }), 'f.json');

describe('deployment.keys', () => {
  it("fills colmena's defaults and keeps the source kind", () => {
    const [host] = fleetWith({
      tls: { text: 'x' },
      db: { keyFile: '/secrets/db', user: 'postgres', group: 'postgres', permissions: '0640' },
      api: {
        keyCommand: ['pass', 'show', 'api'],
        destDir: '/var/keys',
        uploadAt: 'post-activation',
        name: 'api.key',
      },
    }).hosts;
    expect(host!.keys).toEqual([
      {
        name: 'tls',
        source: { kind: 'text', text: 'x' },
        destDir: '/run/keys',
        user: 'root',
        group: 'root',
        permissions: '0600',
        uploadAt: 'pre-activation',
      },
      {
        name: 'db',
        source: { kind: 'file', path: '/secrets/db' },
        destDir: '/run/keys',
        user: 'postgres',
        group: 'postgres',
        permissions: '0640',
        uploadAt: 'pre-activation',
      },
      {
        name: 'api.key',
        source: { kind: 'command', argv: ['pass', 'show', 'api'] },
        destDir: '/var/keys',
        user: 'root',
        group: 'root',
        permissions: '0600',
        uploadAt: 'post-activation',
      },
    ]);
  });

  it('accepts what colmena evaluates to: nulls for the unused sources and the read-only path', () => {
    const [host] = fleetWith({
      k: { text: null, keyFile: '/s', keyCommand: null, path: '/run/keys/k' },
    }).hosts;
    expect(host!.keys[0]!.source).toEqual({ kind: 'file', path: '/s' });
  });

  it.each([
    ['no source', { k: {} }, 'nodes.web.keys.k'],
    ['two sources', { k: { text: 'a', keyFile: '/a' } }, 'nodes.web.keys.k'],
    ['a mode that is not octal', { k: { text: 'a', permissions: '644x' } }, 'nodes.web.keys.k.permissions'],
    ['a relative destDir', { k: { text: 'a', destDir: 'keys' } }, 'nodes.web.keys.k.destDir'],
    ['.. in destDir', { k: { text: 'a', destDir: '/run/../etc' } }, 'nodes.web.keys.k.destDir'],
    ['a name with a slash', { k: { text: 'a', name: '../shadow' } }, 'nodes.web.keys.k.name'],
    ['an attribute name that is no file name', { '.hidden': { text: 'a' } }, 'nodes.web.keys..hidden'],
    ['a user with a space', { k: { text: 'a', user: 'a b' } }, 'nodes.web.keys.k.user'],
    ['an unknown uploadAt', { k: { text: 'a', uploadAt: 'later' } }, 'nodes.web.keys.k.uploadAt'],
    [
      'two keys on one file',
      { a: { text: 'a', name: 'k' }, b: { text: 'b', name: 'k' } },
      'nodes.web.keys.b',
    ],
  ])('refuses %s, naming the field', (_, keys, where) => {
    let err: unknown;
    try {
      fleetWith(keys);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where).toBe(`f.json: ${where}`);
  });

  it('never puts a text secret into an error', () => {
    let err: unknown;
    try {
      fleetWith({ k: { text: 'hunter2-secret', keyFile: '/a' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message) + String((err as ConfigError).where)).not.toContain('hunter2');
  });
});
