/**
 * The hand-written JSON Lines encoding of the hot events (issue 22) writes exactly `JSON.stringify`'s bytes,
 * whatever shape an event has, and the batched hasher hashes exactly the lines.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import { toJsonLine, traceSha256, TraceHasher } from '../../src/trace/jsonl.js';
import { smallCascade } from './fixture.js';

const KEYS = {
  'transfer-started': ['type', 't', 'round', 'id', 'from', 'to', 'bytes', 'paths'],
  'transfer-finished': ['type', 't', 'id', 'from', 'to', 'bytes'],
  'host-done': ['type', 't', 'host'],
} as const;

const value = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 1, 2 ** 53, NaN, Infinity, -Infinity, 1e21, 5e-7),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 3 }),
);

/** An event of a hot type: usually the coordinator's shape, sometimes reordered, short, longer or odd. */
const event = fc
  .record({
    type: fc.constantFrom(...(Object.keys(KEYS) as (keyof typeof KEYS)[])),
    shuffle: fc.boolean(),
    drop: fc.boolean(),
    extra: fc.boolean(),
    odd: fc.boolean(),
    freeze: fc.boolean(),
    values: fc.array(value, { minLength: 9, maxLength: 9 }),
    paths: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 4 }),
  })
  .map(({ type, shuffle, drop, extra, odd, freeze, values, paths }) => {
    let keys: string[] = [...KEYS[type]];
    if (shuffle) keys = [...keys.slice(1), keys[0]!];
    if (drop) keys = keys.slice(0, -1);
    if (extra) keys.push('extra');
    const e: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      if (k === 'type') e[k] = type;
      else if (k === 'paths') e[k] = freeze ? Object.freeze([...paths]) : paths;
      else if (odd) e[k] = values[i];
      else e[k] = k === 'from' || k === 'to' || k === 'host' ? `host-${i}` : Math.abs(Number(values[i]) || i);
    });
    return e as unknown as CascadeEvent;
  });

describe('JSON Lines encoding', () => {
  it('writes JSON.stringify of the event and a newline, for any shape of the hot events', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(toJsonLine(e)).toBe(`${JSON.stringify(e)}\n`);
        // A frozen list encoded once gives the same bytes the second time.
        expect(toJsonLine(e)).toBe(`${JSON.stringify(e)}\n`);
      }),
    );
  });

  it('leaves an event with its own toJSON to JSON.stringify', () => {
    class Odd {
      readonly type = 'host-done';
      readonly t = 1;
      readonly host = 'h';
      toJSON(): unknown {
        return { replaced: true };
      }
    }
    const e = new Odd() as unknown as CascadeEvent;
    expect(toJsonLine(e)).toBe('{"replaced":true}\n');
  });

  it('hashes in batches the same bytes as line by line', () => {
    const events = Array.from({ length: 400 }, () => smallCascade()).flat();
    const perLine = createHash('sha256');
    for (const e of events) perLine.update(`${JSON.stringify(e)}\n`);
    const hasher = new TraceHasher();
    for (const e of events) hasher.sink(e);
    expect(hasher.count).toBe(events.length);
    expect(hasher.digest()).toBe(perLine.digest('hex'));
    expect(traceSha256(events)).toBe(hasher.digest());
    expect(() => hasher.sink(events[0]!)).toThrow(Error);
  });

  it('hashes frozen path lists from their cached bytes as JSON.stringify writes them', () => {
    const small = Object.freeze(['/nix/store/aaa-x', '/nix/store/bbb-ü\u2028"q"']);
    // Longer than one hash batch (64 KiB): hashed on its own, between buffered lines.
    const big = Object.freeze(Array.from({ length: 3000 }, (_, k) => `/nix/store/${k}-path-name-éè`));
    const started = (id: number, paths: readonly string[], from: string): CascadeEvent => ({
      type: 'transfer-started',
      t: id / 3,
      round: 1,
      id,
      from,
      to: `h-${id}`,
      bytes: 1e9 + id,
      paths,
    });
    const events: CascadeEvent[] = [];
    for (let id = 0; id < 2000; id++) {
      const paths = id % 500 === 7 ? big : id % 3 === 0 ? [...small] : small;
      events.push(started(id, paths, id % 2 === 0 ? 'deployer' : 'hôte-😀'));
      events.push({ type: 'host-done', t: id, host: `h-${id}` });
    }
    const perLine = createHash('sha256');
    for (const e of events) perLine.update(`${JSON.stringify(e)}\n`);
    const hasher = new TraceHasher();
    for (const [k, e] of events.entries()) {
      if (k % 5 === 0) hasher.add(toJsonLine(e));
      else hasher.sink(e);
    }
    expect(hasher.count).toBe(events.length);
    expect(hasher.digest()).toBe(perLine.digest('hex'));
  });
});
