/**
 * Host selection (`deploy --on`): colmena's names, globs and @tags, NodeSet bracket ranges, and the
 * strictness rules (every term selects something, every name a range spells exists).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  globMatch,
  MAX_RANGE_EXPANSION,
  selectHosts,
  SelectionError,
  type SelectableHost,
} from '../../src/deploy/select.js';

const fleet: SelectableHost[] = [
  { name: 'web01', tags: ['web', 'role-frontend'] },
  { name: 'web02', tags: ['web', 'role-frontend'] },
  { name: 'web03', tags: ['web', 'canary'] },
  { name: 'db-1', tags: ['db', 'role-storage'] },
  { name: 'db-2', tags: ['db', 'role-storage'] },
  { name: 'r1n01', tags: [] },
  { name: 'r1n02', tags: [] },
  { name: 'r2n01', tags: [] },
  { name: 'r2n02', tags: [] },
  { name: 'cache', tags: ['role-storage'] },
];

const sel = (on: string | undefined, allowApplyAll?: boolean): string[] =>
  selectHosts(fleet, on, allowApplyAll === undefined ? {} : { allowApplyAll });

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('selectHosts: terms', () => {
  it('selects exact names in fleet order, each once', () => {
    expect(sel('db-2,web01,db-2')).toEqual(['web01', 'db-2']);
  });

  it('matches globs with * and ?', () => {
    expect(sel('web*')).toEqual(['web01', 'web02', 'web03']);
    expect(sel('db-?')).toEqual(['db-1', 'db-2']);
    expect(sel('*')).toEqual(fleet.map((h) => h.name));
    expect(sel('r?n0*')).toEqual(['r1n01', 'r1n02', 'r2n01', 'r2n02']);
  });

  it('matches @tags, with globs in the tag', () => {
    expect(sel('@db')).toEqual(['db-1', 'db-2']);
    expect(sel('@role-*')).toEqual(['web01', 'web02', 'db-1', 'db-2', 'cache']);
    expect(sel('@canary,@db')).toEqual(['web03', 'db-1', 'db-2']);
  });

  it('expands bracket ranges, keeping zero padding as written', () => {
    expect(sel('web[01-03]')).toEqual(['web01', 'web02', 'web03']);
    expect(sel('web[01,03]')).toEqual(['web01', 'web03']);
    expect(sel('db-[1-2]')).toEqual(['db-1', 'db-2']);
    expect(sel('r[1-2]n[01-02]')).toEqual(['r1n01', 'r1n02', 'r2n01', 'r2n02']);
    expect(sel('r[2]n01')).toEqual(['r2n01']);
  });

  it('combines brackets with globs and with tags', () => {
    expect(sel('r[1-2]n*')).toEqual(['r1n01', 'r1n02', 'r2n01', 'r2n02']);
    expect(sel('web[01-02]*')).toEqual(['web01', 'web02']);
    const tagged: SelectableHost[] = [
      { name: 'a', tags: ['rack1'] },
      { name: 'b', tags: ['rack2'] },
      { name: 'c', tags: ['rack3'] },
    ];
    expect(selectHosts(tagged, '@rack[1-2]', {})).toEqual(['a', 'b']);
  });

  it('pads by the lower bound and counts through widths when the lower bound is unpadded', () => {
    const hosts = ['n8', 'n9', 'n10', 'n007', 'n008'].map((name) => ({ name, tags: [] }));
    expect(selectHosts(hosts, 'n[8-10]', {})).toEqual(['n8', 'n9', 'n10']);
    expect(selectHosts(hosts, 'n[007-008]', {})).toEqual(['n007', 'n008']);
  });

  it('trims whitespace around terms and inside brackets', () => {
    expect(sel('  web01 , @db ,web[ 02 - 03 ]')).toEqual(['web01', 'web02', 'web03', 'db-1', 'db-2']);
  });

  it('treats regex metacharacters in a glob literally', () => {
    const hosts = ['a.b', 'axb', 'a+', 'aa', '(x)'].map((name) => ({ name, tags: [] }));
    expect(selectHosts(hosts, 'a.*', {})).toEqual(['a.b']);
    expect(selectHosts(hosts, 'a+*', {})).toEqual(['a+']);
    expect(selectHosts(hosts, '(*)', {})).toEqual(['(x)']);
  });
});

describe('selectHosts: no --on', () => {
  it('selects the whole fleet by default', () => {
    expect(sel(undefined)).toEqual(fleet.map((h) => h.name));
    expect(sel(undefined, true)).toEqual(fleet.map((h) => h.name));
  });

  it('refuses with allowApplyAll: false, telling the user to pass --on', () => {
    const e = thrown(() => sel(undefined, false));
    expect(e).toBeInstanceOf(SelectionError);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as SelectionError).where).toBe('--on');
    expect((e as SelectionError).message).toContain('--on');
    expect((e as SelectionError).available).toEqual(fleet.map((h) => h.name));
  });

  it('still honours an explicit --on with allowApplyAll: false', () => {
    expect(sel('@db', false)).toEqual(['db-1', 'db-2']);
  });
});

describe('selectHosts: malformed terms are ConfigErrors on --on', () => {
  it.each([
    '',
    '   ',
    'web01,',
    'web01,,db-1',
    '@',
    ' @ ',
    'web[3-1]',
    'web[01-03',
    'web01]',
    'web[]',
    'web[a-c]',
    'web[1-]',
    'web[-3]',
    'web[1-2-3]',
    'web[[1-2]]',
    'web[1-010]',
    'web[99999999999999999999]',
    `web[0-${MAX_RANGE_EXPANSION}]`,
    'r[1-1000]n[1-1000]',
  ])('%j', (on) => {
    const e = thrown(() => sel(on));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).not.toBeInstanceOf(SelectionError);
    expect((e as ConfigError).where).toBe('--on');
  });

  it('accepts a range of exactly the maximum width', () => {
    const hosts = [{ name: 'n1', tags: [] }];
    const e = thrown(() => selectHosts(hosts, `n[1-${MAX_RANGE_EXPANSION}]`, {}));
    // Well-formed, so the complaint is about missing names, and the message stays short.
    expect(e).toBeInstanceOf(SelectionError);
    expect((e as SelectionError).unmatched).toHaveLength(MAX_RANGE_EXPANSION - 1);
    expect((e as SelectionError).message.length).toBeLessThan(1000);
  });

  it('reports a malformed term before any unknown name', () => {
    const e = thrown(() => sel('nosuchhost,web[2-1]'));
    expect(e).not.toBeInstanceOf(SelectionError);
    expect(e).toBeInstanceOf(ConfigError);
  });

  it('refuses a fleet with duplicate names', () => {
    const e = thrown(() => selectHosts([fleet[0]!, fleet[0]!], 'web01', {}));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).where).toBe('hosts[1].name');
  });
});

describe('selectHosts: terms that select nothing are SelectionErrors', () => {
  it('an unknown exact name lists the available hosts', () => {
    const e = thrown(() => sel('web01,web04')) as SelectionError;
    expect(e).toBeInstanceOf(SelectionError);
    expect(e.where).toBe('--on');
    expect(e.unmatched).toEqual(['web04']);
    expect(e.available).toEqual(fleet.map((h) => h.name));
    expect(e.message).toContain('web04');
    expect(e.message).toContain('db-1');
  });

  it('a glob matching nothing', () => {
    const e = thrown(() => sel('mail-*')) as SelectionError;
    expect(e).toBeInstanceOf(SelectionError);
    expect(e.unmatched).toEqual(['mail-*']);
  });

  it('a tag matching nothing lists the tags', () => {
    const e = thrown(() => sel('@mail,@role-x*')) as SelectionError;
    expect(e).toBeInstanceOf(SelectionError);
    expect(e.unmatched).toEqual(['@mail', '@role-x*']);
    expect(e.availableTags).toEqual(['canary', 'db', 'role-frontend', 'role-storage', 'web']);
    expect(e.message).toContain('@role-storage');
  });

  it('a tag term does not match host names, nor a name term tags', () => {
    expect(thrown(() => sel('@web01'))).toBeInstanceOf(SelectionError);
    expect(thrown(() => sel('canary'))).toBeInstanceOf(SelectionError);
  });

  it('a range naming hosts that do not exist names exactly the missing ones', () => {
    const e = thrown(() => sel('web[01-05]')) as SelectionError;
    expect(e).toBeInstanceOf(SelectionError);
    expect(e.unmatched).toEqual(['web04', 'web05']);
    expect(e.message).toContain('web04, web05');
  });

  it('a range with globs needs every expanded glob to match', () => {
    const e = thrown(() => sel('r[1-3]n*')) as SelectionError;
    expect(e.unmatched).toEqual(['r3n*']);
  });

  it('reports every failing term together', () => {
    const e = thrown(() => sel('nope,web01,@nada')) as SelectionError;
    expect(e.unmatched).toEqual(['nope', '@nada']);
  });

  it('shortens the host list of a huge fleet', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ name: `h${i}`, tags: [`t${i}`] }));
    const e = thrown(() => selectHosts(big, 'zzz,@zzz', {})) as SelectionError;
    expect(e.available).toHaveLength(5000);
    expect(e.message).toContain('h19 and 4980 more');
    expect(e.message).not.toContain('h20,');
    expect(e.message).toContain('and 4980 more');
    expect(e.message.length).toBeLessThan(1000);
  });

  it('an empty fleet: any term fails, no --on selects nothing', () => {
    expect(selectHosts([], undefined, {})).toEqual([]);
    const e = thrown(() => selectHosts([], '*', {})) as SelectionError;
    expect(e.message).toContain('(none)');
  });
});

describe('globMatch', () => {
  it('matches whole strings', () => {
    expect(globMatch('a*', 'abc')).toBe(true);
    expect(globMatch('a*c', 'abc')).toBe(true);
    expect(globMatch('a*d', 'abc')).toBe(false);
    expect(globMatch('?', '')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('**a**', 'xxaxx')).toBe(true);
    expect(globMatch('b', 'abc')).toBe(false);
    expect(globMatch('?', 'é')).toBe(true);
    expect(globMatch('?', '🚀')).toBe(true);
  });

  it('stays fast on patterns that make backtracking regexes explode', () => {
    const text = 'a'.repeat(5000);
    const t0 = performance.now();
    expect(globMatch('a*'.repeat(50) + 'b', text)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('agrees with an escaped-RegExp reference on random patterns', () => {
    const ch = fc.constantFrom('a', 'b', '.', '+', '(', '\\', '$', '^', '|');
    const pat = fc
      .array(fc.oneof(ch, fc.constant('*'), fc.constant('?')), { maxLength: 8 })
      .map((xs) => xs.join(''));
    const txt = fc.array(ch, { maxLength: 10 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(pat, txt, (p, t) => {
        const source = p.replace(/[.*+?^${}()|[\]\\]/g, (c) =>
          c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`,
        );
        expect(globMatch(p, t)).toBe(new RegExp(`^${source}$`, 's').test(t));
      }),
    );
  });
});

/** Host names the range properties build on: a prefix, a number with its padding, a suffix. */
const prefixArb = fc.stringMatching(/^[a-z][a-z-]{0,5}$/);
const suffixArb = fc.stringMatching(/^[a-z-]{0,3}$/);

describe('selectHosts: properties', () => {
  it('a range term selects exactly the generated names', () => {
    fc.assert(
      fc.property(
        prefixArb,
        suffixArb,
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { maxLength: 10 }),
        (prefix, suffix, lo, span, width, others) => {
          const hi = lo + span;
          const pad = (n: number): string => String(n).padStart(width, '0');
          // A padded lower bound needs the upper bound as wide; otherwise the term writes its own width.
          const loText = pad(lo);
          const padded = loText.length > 1 && loText.startsWith('0');
          const hiText = padded ? pad(hi) : String(hi);
          fc.pre(!padded || hiText.length === loText.length);
          const expected = Array.from(
            { length: span + 1 },
            (_, i) => prefix + (padded ? pad(lo + i) : String(lo + i)) + suffix,
          );
          const names = [...new Set([...others, ...expected])];
          // Interleave the others so fleet order is not just the range order.
          const hosts = names.reverse().map((name) => ({ name, tags: [] }));
          const got = selectHosts(hosts, `${prefix}[${loText}-${hiText}]${suffix}`, {});
          expect(new Set(got)).toEqual(new Set(expected));
          expect(got).toEqual(hosts.map((h) => h.name).filter((n) => expected.includes(n)));
        },
      ),
    );
  });

  const fleetArb = fc
    .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), { minLength: 1, maxLength: 25 })
    .chain((names) =>
      fc.tuple(
        fc.constant(names),
        fc.array(fc.subarray(['web', 'db', 'canary', 'role-a', 'role-b']), {
          minLength: names.length,
          maxLength: names.length,
        }),
      ),
    )
    .map(([names, tags]) => names.map((name, i) => ({ name, tags: tags[i]! })));

  it('selecting every name by exact terms returns the fleet in fleet order', () => {
    fc.assert(
      fc.property(
        fleetArb.chain((hosts) =>
          fc.tuple(fc.constant(hosts), fc.shuffledSubarray(hosts, { minLength: hosts.length })),
        ),
        ([hosts, shuffled]) => {
          expect(selectHosts(hosts, shuffled.map((h) => h.name).join(','), {})).toEqual(
            hosts.map((h) => h.name),
          );
        },
      ),
    );
  });

  it('the order of terms does not change the result, and the result is the union of the terms', () => {
    const termArb = (hosts: SelectableHost[]): fc.Arbitrary<string> =>
      fc.oneof(
        fc.constantFrom(...hosts.map((h) => h.name)),
        fc.constantFrom(...hosts.map((h) => `${h.name.slice(0, 1)}*`)),
        fc.constantFrom(...hosts.flatMap((h) => h.tags.map((t) => `@${t}`)), '*'),
        fc.constantFrom('@role-*', '?*'),
      );
    fc.assert(
      fc.property(
        fleetArb.chain((hosts) =>
          fc.tuple(
            fc.constant(hosts),
            fc
              .array(termArb(hosts), { minLength: 1, maxLength: 6 })
              .chain((terms) =>
                fc.tuple(fc.constant(terms), fc.shuffledSubarray(terms, { minLength: terms.length })),
              ),
          ),
        ),
        ([hosts, [terms, shuffled]]) => {
          const run = (ts: string[]): string[] | 'error' => {
            try {
              return selectHosts(hosts, ts.join(','), {});
            } catch (e) {
              expect(e).toBeInstanceOf(SelectionError);
              return 'error';
            }
          };
          const a = run(terms);
          expect(run(shuffled)).toEqual(a);
          if (a === 'error') return;
          const union = new Set(terms.flatMap((t) => run([t]) as string[]));
          expect(a).toEqual(hosts.map((h) => h.name).filter((n) => union.has(n)));
        },
      ),
    );
  });
});
