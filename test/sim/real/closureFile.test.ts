import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../../src/core/closure.js';
import { loadClosureFile, parseClosureJson } from '../../../src/sim/real/closureFile.js';
import { configError } from '../../helpers/errors.js';

const A = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-glibc';
const B = '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-bash';
const C = '/nix/store/cccccccccccccccccccccccccccccccc-toplevel';

describe('parseClosureJson', () => {
  const expected = [
    { id: A, narSize: 30, references: [] },
    { id: B, narSize: 20, references: [A] },
    { id: C, narSize: 1, references: [B, A] },
  ];

  it('reads the array form of nix path-info --json --recursive (Nix < 2.19) and drops self-references', () => {
    const json = [
      { path: A, narHash: 'sha256-x', narSize: 30, references: [A], valid: true },
      { path: B, narSize: 20, references: [A, B] },
      { path: C, narSize: 1, references: [B, A, C], registrationTime: 1 },
    ];
    expect(parseClosureJson(json, 'x.json')).toEqual(expected);
  });

  it('reads the object form of Nix ≥ 2.19 keyed by store path', () => {
    const json = {
      [A]: { narSize: 30, references: [A] },
      [B]: { narSize: 20, references: [A] },
      [C]: { narSize: 1, references: [B, A] },
    };
    expect(parseClosureJson(json, 'x.json')).toEqual(expected);
  });

  it('reads a plain list of { name, narSize, references }, with any names', () => {
    const json = [
      { name: 'glibc', narSize: 30, references: [] },
      { name: 'bash', narSize: 20, references: ['glibc'] },
    ];
    expect(parseClosureJson(json, 'x.json')).toEqual([
      { id: 'glibc', narSize: 30, references: [] },
      { id: 'bash', narSize: 20, references: ['glibc'] },
    ]);
  });

  it('resolves references written as base names (hash-name) to the full store paths', () => {
    const json = {
      [A]: { narSize: 30, references: [] },
      [B]: { narSize: 20, references: [A.slice('/nix/store/'.length)] },
    };
    expect(parseClosureJson(json, 'x.json')[1]!.references).toEqual([A]);
  });

  it('gives a graph the core accepts (topological order, closure of the top)', () => {
    const g = new ClosureGraph(
      parseClosureJson(
        {
          [C]: { narSize: 1, references: [B] },
          [B]: { narSize: 20, references: [A] },
          [A]: { narSize: 30, references: [] },
        },
        'x.json',
      ),
    );
    expect(g.closureOf([C])).toEqual([A, B, C]);
  });

  it.each([
    ['an invalid path (null in the object form)', { [A]: null }, `x.json[${JSON.stringify(A)}]`],
    ['an invalid path (valid: false in the array form)', [{ path: A, valid: false }], 'x.json[0]'],
    [
      'a reference to a path the file lacks',
      [{ path: B, narSize: 1, references: [A] }],
      'x.json[0].references',
    ],
    ['a negative size', [{ path: A, narSize: -1, references: [] }], 'x.json[0].narSize'],
    ['a fractional size', [{ path: A, narSize: 1.5, references: [] }], 'x.json[0].narSize'],
    ['a missing size', [{ path: A, references: [] }], 'x.json[0].narSize'],
    ['references that are not a list', [{ path: A, narSize: 1, references: A }], 'x.json[0].references'],
    ['an entry without a path or name', [{ narSize: 1 }], 'x.json[0]'],
    ['an empty closure (array)', [], 'x.json'],
    ['an empty closure (object)', {}, 'x.json'],
    ['not a closure at all', 42, 'x.json'],
  ])('rejects %s, naming where', (_, json, where) => {
    expect(configError(() => parseClosureJson(json, 'x.json')).where).toBe(where);
  });

  it('rejects a duplicate path, naming the second entry and the path', () => {
    const e = configError(() =>
      parseClosureJson(
        [
          { path: A, narSize: 1 },
          { path: A, narSize: 1 },
        ],
        'x.json',
      ),
    );
    expect(e.where).toBe('x.json[1]');
    expect(e.message).toContain(A);
  });

  it('rejects a reference cycle, naming a path on it', () => {
    const e = configError(() =>
      parseClosureJson(
        [
          { path: A, narSize: 1, references: [B] },
          { path: B, narSize: 1, references: [C] },
          { path: C, narSize: 1, references: [A] },
        ],
        'x.json',
      ),
    );
    expect([A, B, C].some((p) => e.message.includes(p))).toBe(true);
  });
});

describe('loadClosureFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-closure-'));

  it('reads the example closures', () => {
    const hello = loadClosureFile('examples/closures/hello-2.12.1.json');
    expect(hello).toHaveLength(5);
    expect(hello.reduce((s, p) => s + p.narSize, 0)).toBe(32_696_176);
    expect(loadClosureFile('examples/closures/lab-web.json').length).toBeGreaterThan(1);
  });

  it("reads nix2container's exportReferencesGraph test data: two roots, self-references dropped", () => {
    const graph = loadClosureFile('examples/closures/hello-2.10-bash-5.1.json');
    const name = (id: string) => id.slice('/nix/store/'.length + 33);
    expect(graph.map((p) => [name(p.id), p.narSize, p.references.map(name)])).toEqual([
      ['hello-2.10', 206104, ['glibc-2.33-59']],
      ['libidn2-2.3.2', 260792, ['libunistring-0.9.10']],
      ['bash-5.1-p12', 1555544, ['glibc-2.33-59']],
      ['glibc-2.33-59', 31243544, ['libidn2-2.3.2']],
      ['libunistring-0.9.10', 1634360, []],
    ]);
    expect(graph.reduce((s, p) => s + p.narSize, 0)).toBe(34_900_344);
  });

  it('names the file when it is missing or not JSON', () => {
    expect(configError(() => loadClosureFile(join(dir, 'none.json'))).where).toBe(join(dir, 'none.json'));
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(configError(() => loadClosureFile(join(dir, 'bad.json'))).where).toBe(join(dir, 'bad.json'));
  });
});
