import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  formatBytes,
  formatDuration,
  formatRate,
  parseBytes,
  parseDuration,
  parseRate,
  tcRate,
} from '../../src/units/units.js';

describe('parseBytes / parseRate / parseDuration', () => {
  it('read sizes', () => {
    expect(parseBytes(1234)).toBe(1234);
    expect(parseBytes('100MB')).toBe(100e6);
    expect(parseBytes('1GiB')).toBe(1024 ** 3);
    expect(parseBytes('64 KiB')).toBe(65536);
    expect(parseBytes('1.5kb')).toBe(1500);
    expect(parseBytes('2e3')).toBe(2000);
    expect(parseBytes('800mbit')).toBe(100e6);
    expect(parseBytes('0')).toBe(0);
  });

  it('read rates', () => {
    expect(parseRate(125e6)).toBe(125e6);
    expect(parseRate('100mbit')).toBe(12.5e6);
    expect(parseRate('1gbit')).toBe(125e6);
    expect(parseRate('1gbit/s')).toBe(125e6);
    expect(parseRate('12.5MB/s')).toBe(12.5e6);
    expect(parseRate('100Mbps')).toBe(12.5e6); // bits
    expect(parseRate('100MBps')).toBe(100e6); // capital B: bytes
    expect(parseRate('1GiB/s')).toBe(1024 ** 3);
    expect(parseRate('10MB')).toBe(10e6);
  });

  it('read durations', () => {
    expect(parseDuration(2)).toBe(2);
    expect(parseDuration('50ms')).toBeCloseTo(0.05, 12);
    expect(parseDuration('0.1ms')).toBeCloseTo(1e-4, 12);
    expect(parseDuration('100us')).toBeCloseTo(1e-4, 12);
    expect(parseDuration('2s')).toBe(2);
    expect(parseDuration('1min')).toBe(60);
  });

  it('throw ConfigError on junk', () => {
    for (const junk of ['', 'fast', '10 parsecs', '1.2.3MB', 'MB', '-5MB', '10MB/s', '1e999GB']) {
      expect(() => parseBytes(junk), junk).toThrow(ConfigError);
    }
    for (const junk of [-1, Number.NaN, Infinity]) expect(() => parseBytes(junk)).toThrow(ConfigError);
    for (const junk of ['', 'fast', '0mbit', '0', '-1gbit', '5 furlongs/s', 'ps']) {
      expect(() => parseRate(junk), junk).toThrow(ConfigError);
    }
    expect(() => parseRate(0)).toThrow(ConfigError);
    for (const junk of ['soon', '5 days', '-1s'])
      expect(() => parseDuration(junk), junk).toThrow(ConfigError);
  });

  it('name the field in the error', () => {
    try {
      parseRate('warp', 'network.uplink');
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).where).toBe('network.uplink');
    }
  });
});

/** Strings the grammar accepts: a number, an optional exponent, spaces, a unit spelled as users write it. */
function quantity(units: readonly string[]): fc.Arbitrary<string> {
  const mantissa = fc.oneof(
    fc.integer({ min: 0, max: 1_000_000 }).map(String),
    fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 999 }))
      .map(([a, b]) => `${a}.${b}`),
  );
  const exponent = fc.oneof(
    fc.constant(''),
    fc.integer({ min: -3, max: 3 }).map((e) => `e${e}`),
  );
  return fc
    .tuple(mantissa, exponent, fc.constantFrom('', ' '), fc.constantFrom(...units))
    .map(([m, e, sp, u]) => `${m}${e}${sp}${u}`);
}

const SIZE_UNITS = [
  '',
  'B',
  'kB',
  'KB',
  'MB',
  'mb',
  'GB',
  'TB',
  'KiB',
  'MiB',
  'GiB',
  'TiB',
  'kbit',
  'mbit',
  'Gbit',
];
const RATE_UNITS = [
  'B/s',
  'kB/s',
  'MB/s',
  'GB/s',
  'MiB/s',
  'GiB/s',
  'mbit',
  'gbit',
  'kbit/s',
  'Mbps',
  'Gbps',
  'MBps',
  'MB',
];
const DURATION_UNITS = ['', 's', 'ms', 'us', 'µs', 'ns', 'min', 'h'];

describe('format ∘ parse round-trips every accepted string', () => {
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

  it('sizes: exact', () => {
    fc.assert(
      fc.property(quantity(SIZE_UNITS), (s) => {
        const n = parseBytes(s);
        expect(parseBytes(formatBytes(n))).toBe(n);
      }),
    );
  });

  it('rates', () => {
    fc.assert(
      fc.property(quantity(RATE_UNITS), (s) => {
        let r: number;
        try {
          r = parseRate(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError); // zero is no rate
          return;
        }
        expect(close(parseRate(formatRate(r)), r)).toBe(true);
      }),
    );
  });

  it('durations', () => {
    fc.assert(
      fc.property(quantity(DURATION_UNITS), (s) => {
        const d = parseDuration(s);
        expect(close(parseDuration(formatDuration(d)), d)).toBe(true);
      }),
    );
  });

  it('formats for display with the given decimals', () => {
    expect(formatBytes(46.6e9, 1)).toBe('46.6GB');
    expect(formatBytes(999)).toBe('999B');
    expect(formatRate(12.5e6)).toBe('12.5MB/s');
    expect(formatDuration(0.25)).toBe('250ms');
    expect(formatDuration(12.345, 1)).toBe('12.3s');
    expect(tcRate(12.5e6)).toBe('100000000bit');
  });
});
