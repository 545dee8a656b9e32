import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClosureGraph } from '../../../src/core/closure.js';
import { ConfigError } from '../../../src/core/errors.js';
import {
  closureSpecSchema,
  generateClosure,
  generateFleetClosures,
  parseClosureSpec,
  type ClosureSpecInput,
} from '../../../src/sim/synth/closure.js';
import { STORE_PATH_RE } from '../../../src/sim/synth/storePathId.js';
import { targetHostIds } from '../../../src/sim/presets.js';

const fleet = (input: ClosureSpecInput, hosts = 6, seed: number | string = 1) => {
  const spec = parseClosureSpec(input);
  const out = generateFleetClosures(spec, targetHostIds(hosts), seed);
  return { ...out, graph: new ClosureGraph(out.paths), spec };
};

describe('generateFleetClosures', () => {
  it('gives every host a closed want set of exactly `paths` paths and totalMB', () => {
    const { wants, graph, toplevelOf } = fleet({ totalMB: 500, paths: 60 });
    expect(wants.size).toBe(6);
    for (const [host, want] of wants) {
      expect(want).toHaveLength(60);
      expect(new Set(want).size).toBe(60);
      expect(graph.bytes(want)).toBe(500e6);
      expect(graph.isClosed(new Set(want))).toBe(true);
      // The want set is exactly the toplevel's closure, already in topological order.
      expect(graph.closureOf([toplevelOf.get(host)!])).toEqual(want);
      expect(graph.closureOf(want)).toEqual(want);
    }
  });

  it('looks like a NixOS store', () => {
    const { paths, toplevelOf } = fleet({}, 3);
    for (const p of paths) expect(p.id).toMatch(STORE_PATH_RE);
    expect(paths.some((p) => p.id.endsWith('-glibc-2.40-36'))).toBe(true);
    expect(paths.some((p) => p.id.includes('-linux-firmware-'))).toBe(true);
    expect(toplevelOf.get('host-1')).toMatch(/-nixos-system-host-1-24\.11$/);
    // A few giants: the biggest path is far above the median.
    const sizes = paths.map((p) => p.narSize).sort((a, b) => a - b);
    expect(sizes[sizes.length - 1]!).toBeGreaterThan(10 * sizes[Math.floor(sizes.length / 2)]!);
  });

  it('shares the base between roles and keeps role packages apart', () => {
    const { wants, roleOf } = fleet({ roles: ['web', 'db', 'worker'] }, 6);
    expect(roleOf.get('host-1')).toBe('web');
    expect(roleOf.get('host-2')).toBe('db');
    expect(roleOf.get('host-4')).toBe('web');
    const web = new Set(wants.get('host-1'));
    const db = wants.get('host-2')!;
    const shared = db.filter((p) => web.has(p)).length;
    expect(shared).toBeGreaterThan(db.length / 2); // the base
    expect(shared).toBeLessThan(db.length); // role and host paths differ
    expect(db.some((p) => p.includes('-postgresql-'))).toBe(true);
    expect([...web].some((p) => p.includes('-postgresql-'))).toBe(false);
    // Two web hosts share the role packages but not their toplevels.
    const web2 = wants.get('host-4')!;
    expect(web2.filter((p) => web.has(p)).length).toBe(web2.length - 4);
  });

  it('single-closure mode: every host wants the identical closure', () => {
    const { wants, toplevelOf, paths } = fleet({ perHost: false, roles: 1, paths: 40, totalMB: 100 }, 20);
    const first = wants.get('host-01')!;
    for (const w of wants.values()) expect(w).toEqual(first);
    expect(new Set(toplevelOf.values()).size).toBe(1);
    expect(paths).toHaveLength(40);
    expect(toplevelOf.get('host-07')).toMatch(/-nixos-system-nixos-24\.11$/);
  });

  it('paths: 1 gives one path of exactly totalMB', () => {
    const { paths, wants } = fleet({ paths: 1, totalMB: 64, perHost: false, roles: 1 }, 5);
    expect(paths).toHaveLength(1);
    expect(paths[0]!.narSize).toBe(64e6);
    expect(paths[0]!.references).toEqual([]);
    for (const w of wants.values()) expect(w).toEqual([paths[0]!.id]);
    const single = generateClosure(parseClosureSpec({ paths: 1, totalMB: 0.5 }), 3);
    expect(single.paths).toHaveLength(1);
    expect(single.paths[0]!.narSize).toBe(500_000);
    expect(single.toplevel).toBe(single.paths[0]!.id);
  });

  it('is deterministic; the seed changes ids and sizes', () => {
    expect(fleet({}, 5, 9).paths).toEqual(fleet({}, 5, 9).paths);
    const a = fleet({}, 5, 1).paths.map((p) => p.id);
    const b = fleet({}, 5, 2).paths.map((p) => p.id);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
  });

  it("a host's closure does not depend on the fleet size (per-host streams)", () => {
    const small = fleet({ assignment: 'round-robin' }, 3);
    const big = fleet({ assignment: 'round-robin' }, 30);
    // host-1 vs host-01 differ in name, so compare role packages and base: same role, same paths.
    const strip = (w: readonly string[]) => w.slice(0, -4);
    expect(strip(big.wants.get('host-01')!)).toEqual(strip(small.wants.get('host-1')!));
  });

  it('random role assignment uses only the given roles', () => {
    const { roleOf } = fleet({ roles: ['a', 'b'], assignment: 'random' }, 40);
    expect(new Set(roleOf.values())).toEqual(new Set(['a', 'b']));
  });

  it('no targets, no paths', () => {
    const out = generateFleetClosures(parseClosureSpec({}), [], 1);
    expect(out.paths).toEqual([]);
    expect(out.wants.size).toBe(0);
  });

  it('properties over specs: closed, exact size and count, unique real-looking ids', () => {
    const specArb = fc.record({
      totalMB: fc.double({ min: 0.001, max: 5000, noNaN: true }),
      paths: fc.integer({ min: 1, max: 150 }),
      roles: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(['web', 'db'] as string[])),
      roleFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
      hostFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
      perHost: fc.boolean(),
      hostPaths: fc.integer({ min: 1, max: 6 }),
      sizeSigma: fc.double({ min: 0, max: 3, noNaN: true }),
    });
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 12 }), fc.integer(), (input, n, seed) => {
        const { paths, wants, graph, spec } = fleet(input, n, seed);
        expect(new Set(paths.map((p) => p.id)).size).toBe(paths.length);
        for (const p of paths) {
          expect(p.id).toMatch(STORE_PATH_RE);
          expect(Number.isInteger(p.narSize)).toBe(true);
        }
        const total = Math.round(spec.totalMB * 1e6);
        for (const want of wants.values()) {
          expect(want).toHaveLength(spec.paths);
          expect(graph.closureOf(want)).toEqual(want);
          expect(graph.bytes(want)).toBe(total);
        }
      }),
    );
  });

  it('scales to large per-host fleets', () => {
    const { wants, paths } = fleet({ paths: 60 }, 5000);
    expect(wants.size).toBe(5000);
    expect(paths.length).toBe(45 + 3 * 11 + 5000 * 4);
  });
});

describe('closureSpecSchema', () => {
  it('fills defaults', () => {
    expect(closureSpecSchema.parse({})).toMatchObject({
      totalMB: 1000,
      paths: 60,
      roles: ['web', 'db', 'worker'],
      perHost: true,
    });
  });

  it('rejects bad specs with ConfigError naming the field', () => {
    for (const bad of [
      { paths: 0 },
      { paths: 2.5 },
      { totalMB: -1 },
      { roles: [] },
      { roles: ['a', 'a'] },
      { roles: ['bad name'] },
      { roleFraction: 0.7, hostFraction: 0.5 },
      { colour: 'blue' },
    ]) {
      expect(() => parseClosureSpec(bad), JSON.stringify(bad)).toThrow(ConfigError);
    }
    try {
      parseClosureSpec({ paths: -3 });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).where).toBe('closure.paths');
    }
  });
});
