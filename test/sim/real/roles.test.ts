import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StorePath } from '../../../src/core/types.js';
import { buildRealClosures, realClosureSpecSchema, storePathRoots } from '../../../src/sim/real/roles.js';
import { targetHostIds } from '../../../src/sim/presets.js';
import { configError } from '../../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-roles-'));
const P = (name: string): string => `/nix/store/${name[0]!.repeat(32)}-${name}`;
function file(name: string, paths: Array<[string, number, string[]]>): string {
  writeFileSync(
    join(dir, name),
    JSON.stringify(paths.map(([p, narSize, refs]) => ({ path: P(p), narSize, references: refs.map(P) }))),
  );
  return name;
}
const base: Array<[string, number, string[]]> = [
  ['glibc', 100, []],
  ['bash', 10, ['glibc']],
];
const web = file('web.json', [...base, ['nginx', 50, ['glibc']], ['web-top', 1, ['bash', 'nginx']]]);
const db = file('db.json', [...base, ['postgres', 70, ['glibc']], ['db-top', 1, ['bash', 'postgres']]]);
const spec = (input: unknown) => realClosureSpecSchema.parse(input);
const sources = { baseDir: dir };

describe('real closures with roles', () => {
  it('{ file } gives every target the whole file, with its root as toplevel', () => {
    const r = buildRealClosures(spec({ file: web }), ['h1', 'h2'], 1, sources);
    expect(r.closure.size).toBe(4);
    expect(r.wants.get('h1')).toEqual([P('glibc'), P('bash'), P('nginx'), P('web-top')]);
    expect(r.toplevelOf.get('h2')).toBe(P('web-top'));
    expect(r.roleOf.get('h1')).toBe('web');
  });

  it('shares a path two roles hold as one store path of the graph', () => {
    const r = buildRealClosures(spec({ roles: [{ file: web }, { file: db }] }), targetHostIds(4), 1, sources);
    expect(r.closure.size).toBe(6);
    expect([...r.roleOf.values()]).toEqual(['web', 'db', 'web', 'db']);
    expect(r.wants.get('host-2')).toEqual([P('glibc'), P('bash'), P('postgres'), P('db-top')]);
  });

  it('gives shares by largest remainder, dealt round-robin in fleet order', () => {
    const r = buildRealClosures(
      spec({ roles: [{ file: web, hosts: 0.75 }, { file: db }] }),
      targetHostIds(8),
      1,
      sources,
    );
    const roles = [...r.roleOf.values()];
    expect(roles.filter((x) => x === 'web')).toHaveLength(6);
    expect(roles.slice(0, 4)).toEqual(['web', 'db', 'web', 'db']);
  });

  it('gives listed hosts their role first and shares out the rest', () => {
    const r = buildRealClosures(
      spec({ roles: [{ file: web }, { file: db, hosts: ['host-3'] }] }),
      targetHostIds(4),
      1,
      sources,
    );
    expect([...r.roleOf.entries()].filter(([, v]) => v === 'db').map(([h]) => h)).toEqual(['host-3']);
  });

  it('random assignment is a seeded draw: same seed, same roles; shares still hold', () => {
    const s = spec({ roles: [{ file: web, hosts: 0.5 }, { file: db }], assignment: 'random' });
    const a = buildRealClosures(s, targetHostIds(20), 7, sources);
    const b = buildRealClosures(s, targetHostIds(20), 7, sources);
    expect([...a.roleOf]).toEqual([...b.roleOf]);
    expect([...a.roleOf.values()].filter((x) => x === 'db')).toHaveLength(10);
  });

  it('reads storePath roles from the closures read beforehand', () => {
    const top = P('web-top');
    const paths: StorePath[] = [
      { id: P('glibc'), narSize: 1, references: [] },
      { id: top, narSize: 1, references: [P('glibc')] },
    ];
    const s = spec({ roles: [{ storePath: top }] });
    expect(storePathRoots(s)).toEqual([top]);
    const r = buildRealClosures(s, ['h'], 1, { storeClosures: new Map([[top, paths]]) });
    expect(r.roleOf.get('h')).toBe('web-top');
    expect(r.toplevelOf.get('h')).toBe(top);
    expect(configError(() => buildRealClosures(s, ['h'], 1, {})).where).toBe('closure.roles[0].storePath');
  });

  it.each([
    [
      'a path whose size differs between roles',
      () => [{ file: web }, { file: file('web2.json', [['glibc', 99, []]]) }],
      'closure.roles[1]',
    ],
    ['two roles of one name', () => [{ file: web }, { file: web }], 'closure.roles[1]'],
    [
      'shares over 1',
      () => [
        { file: web, hosts: 0.7 },
        { file: db, hosts: 0.7 },
      ],
      'closure.roles',
    ],
    [
      'shares under 1 with no role left to take the rest',
      () => [
        { file: web, hosts: 0.2 },
        { file: db, hosts: 0.2 },
      ],
      'closure.roles',
    ],
    ['an unknown host', () => [{ file: web, hosts: ['nope'] }, { file: db }], 'closure.roles[0].hosts[0]'],
    [
      'a host given two roles',
      () => [
        { file: web, hosts: ['host-1'] },
        { file: db, hosts: ['host-1'] },
      ],
      'closure.roles[1].hosts[0]',
    ],
    ['targets left without a role', () => [{ file: web, hosts: ['host-1'] }], 'closure.roles'],
  ])('rejects %s', (_, roles, where) => {
    expect(
      configError(() => buildRealClosures(spec({ roles: roles() }), targetHostIds(3), 1, sources)).where,
    ).toBe(where);
  });

  it('names the closure file itself for an error inside it', () => {
    const bad = file('bad.json', [['x', 1, ['missing']]]);
    expect(configError(() => buildRealClosures(spec({ file: bad }), ['h'], 1, sources)).where).toBe(
      `${join(dir, bad)}[0].references`,
    );
  });

  it('a role needs exactly one of file or storePath; a closure needs file or roles', () => {
    expect(
      realClosureSpecSchema.safeParse({ roles: [{ file: 'a', storePath: '/nix/store/x' }] }).success,
    ).toBe(false);
    expect(realClosureSpecSchema.safeParse({ roles: [{}] }).success).toBe(false);
    expect(realClosureSpecSchema.safeParse({ file: 'a', roles: [{ file: 'b' }] }).success).toBe(false);
    expect(realClosureSpecSchema.safeParse({}).success).toBe(false);
  });
});
