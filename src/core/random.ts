import seedrandom from 'seedrandom';

/**
 * Seeded randomness. Every random draw in nix-cascade comes from a stream derived here from one root
 * seed and a component name, so one component drawing more leaves the others' sequences unchanged.
 */

/** A stream of doubles in [0, 1) with 53 bits of randomness. */
export type Rng = () => number;

/**
 * An independent stream for `component` under the root `seed` (alea; the separator avoids
 * seedrandom's short-key cycling and numeric-seed quirks).
 */
export function deriveRng(seed: number | string, component: string): Rng {
  const prng = seedrandom.alea(`nix-cascade|${String(seed)}|${component}`);
  return () => prng.double();
}

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 finaliser over 64-bit BigInts. */
function mix64(x: bigint): bigint {
  x = (x + 0x9e3779b97f4a7c15n) & MASK64;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return x ^ (x >> 31n);
}

/** FNV-1a 64-bit of a string, as a BigInt. */
function fnv1a64(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/**
 * A pure, uniform draw in [0, 1) from a tuple of keys, e.g. (seed, round, sender, receiver). The same
 * keys always give the same value, so a failure pattern replays exactly and a retry (another round or
 * time) gets a fresh draw.
 */
export function hashDraw(...keys: ReadonlyArray<string | number>): number {
  let h = 0n;
  for (const k of keys) h = mix64(h ^ fnv1a64(`${typeof k}:${String(k)}`));
  return Number(h >> 11n) / 2 ** 53;
}
