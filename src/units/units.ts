import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/**
 * Human-readable sizes, rates and durations for scenario files and CLI flags.
 *
 * Conventions (all case-insensitive):
 * - bytes: `B`, SI `kB MB GB TB` (powers of 1000) and IEC `KiB MiB GiB TiB` (powers of 1024);
 * - bits: `bit kbit mbit gbit tbit` (SI, ÷ 8 to get bytes), as `tc` and link specs write them;
 * - rates: any byte or bit unit, optionally followed by `/s` or `ps` (`12.5MB/s`, `100mbit`,
 *   `1gbit/s`). `bps kbps mbps gbps` mean BITS per second, as network gear labels links, unless the B is
 *   a capital (`MBps` = megabytes per second);
 * - durations: `s ms us µs ns m h`, a bare number is seconds.
 */

const BYTE_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['b', 1],
  ['k', 1e3],
  ['kb', 1e3],
  ['m', 1e6],
  ['mb', 1e6],
  ['g', 1e9],
  ['gb', 1e9],
  ['t', 1e12],
  ['tb', 1e12],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['tib', 1024 ** 4],
  ['bit', 1 / 8],
  ['kbit', 1e3 / 8],
  ['mbit', 1e6 / 8],
  ['gbit', 1e9 / 8],
  ['tbit', 1e12 / 8],
]);

/** Bits-per-second spellings (`100mbps` is 100 megabit/s = 12.5 MB/s). */
const BPS_UNITS: ReadonlyMap<string, number> = new Map([
  ['bps', 1 / 8],
  ['kbps', 1e3 / 8],
  ['mbps', 1e6 / 8],
  ['gbps', 1e9 / 8],
  ['tbps', 1e12 / 8],
]);

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['s', 1],
  ['ms', 1e-3],
  ['us', 1e-6],
  ['µs', 1e-6],
  ['ns', 1e-9],
  ['m', 60],
  ['min', 60],
  ['h', 3600],
]);

const QUANTITY = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e([+-]?[0-9]+))?\s*([a-zµ/]*)\s*$/i;

function split(
  value: string,
  what: string,
  where: string | undefined,
): { n: number; unit: string; raw: string } {
  const m = QUANTITY.exec(value);
  if (!m && /^\s*-/.test(value)) throw new ConfigError(`"${value}" is negative: ${what} must be ≥ 0`, where);
  if (!m) throw new ConfigError(`cannot read "${value}" as ${what}`, where);
  const n = Number(`${m[1]!}${m[2] !== undefined ? `e${m[2]}` : ''}`);
  if (!Number.isFinite(n)) throw new ConfigError(`"${value}" is not a finite ${what}`, where);
  const raw = m[3] ?? '';
  return { n, unit: raw.toLowerCase(), raw };
}

function checkNumber(value: number, what: string, where: string | undefined): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${what} must be a finite number ≥ 0, got ${value}`, where);
  }
  return value;
}

/**
 * A size in bytes: a number (bytes) or a string such as `"100MB"`, `"1GiB"`, `"64kib"`, `"800mbit"`.
 * Rounds to whole bytes.
 * @param where - field name for the error, e.g. `closure.totalMB`.
 * @throws ConfigError on junk, negative or non-finite values, or a rate (`/s`) given as a size.
 */
export function parseBytes(value: number | string, where?: string): number {
  if (typeof value === 'number') return Math.round(checkNumber(value, 'a size', where));
  const { n, unit } = split(value, 'a size (e.g. 100MB, 1GiB)', where);
  const factor = BYTE_UNITS.get(unit);
  if (factor === undefined) {
    throw new ConfigError(
      `unknown size unit "${unit}" in "${value}" (accepted: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB, kbit, mbit, gbit)`,
      where,
    );
  }
  return Math.round(n * factor);
}

/**
 * A rate in bytes per second: a number (bytes/s) or a string such as `"12.5MB/s"`, `"100mbit"`, `"1gbit/s"`,
 * `"1Gbps"` (bits). Must be > 0: a link that carries nothing is modelled by leaving it out.
 * @throws ConfigError on junk, zero, negative or non-finite values.
 */
export function parseRate(value: number | string, where?: string): number {
  let rate: number;
  if (typeof value === 'number') {
    rate = checkNumber(value, 'a rate', where);
  } else {
    const { n, unit, raw } = split(value, 'a rate (e.g. 100mbit, 12.5MB/s)', where);
    const base = unit.endsWith('/s') ? unit.slice(0, -2) : unit;
    // `MBps` (capital B) is megabytes per second; every other `…bps` spelling is bits per second.
    const factor = raw.endsWith('Bps')
      ? BYTE_UNITS.get(unit.slice(0, -2))
      : (BPS_UNITS.get(unit) ?? BYTE_UNITS.get(base));
    if (factor === undefined) {
      throw new ConfigError(
        `unknown rate unit "${unit}" in "${value}" (accepted: B/s, kB/s, MB/s, GB/s, MiB/s, GiB/s, kbit, mbit, gbit, mbps, gbps)`,
        where,
      );
    }
    rate = n * factor;
  }
  if (!(rate > 0)) throw new ConfigError(`a rate must be > 0, got ${String(value)}`, where);
  return rate;
}

/**
 * A duration in seconds: a number (seconds) or a string such as `"50ms"`, `"0.1ms"`, `"2s"`, `"100us"`.
 * @throws ConfigError on junk, negative or non-finite values.
 */
export function parseDuration(value: number | string, where?: string): number {
  if (typeof value === 'number') return checkNumber(value, 'a duration', where);
  const { n, unit } = split(value, 'a duration (e.g. 50ms, 2s)', where);
  const factor = DURATION_UNITS.get(unit);
  if (factor === undefined) {
    throw new ConfigError(
      `unknown duration unit "${unit}" in "${value}" (accepted: s, ms, us, ns, min, h)`,
      where,
    );
  }
  return n * factor;
}

/** SI byte units from the largest down, for formatting. */
const SI_BYTES: readonly (readonly [string, number])[] = [
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['kB', 1e3],
];

/** `x` with at most `digits` decimals (trailing zeros dropped), or its shortest exact form. */
function num(x: number, digits: number | undefined): string {
  return digits === undefined ? String(x) : String(Number(x.toFixed(digits)));
}

function withUnit(value: number, digits: number | undefined, suffix: string): string {
  for (const [unit, factor] of SI_BYTES) {
    if (value >= factor) return `${num(value / factor, digits)}${unit}${suffix}`;
  }
  return `${num(value, digits)}B${suffix}`;
}

/**
 * A size as {@link parseBytes} reads it, in SI units (`1.5GB`, `64kB`, `12B`). Without `digits` the text
 * is exact: `parseBytes(formatBytes(n)) === n` for every whole number of bytes.
 * @param digits - round to this many decimals, for display.
 */
export function formatBytes(bytes: number, digits?: number): string {
  const text = withUnit(bytes, digits, '');
  // Above 2^53 the value in a larger unit can lose the last bits (497862TiB came back 100 bytes off): the
  // plain byte count is then the exact text.
  return digits === undefined && parseBytes(text) !== bytes ? `${bytes}B` : text;
}

/**
 * A rate as {@link parseRate} reads it, in SI bytes per second (`12.5MB/s`). Without `digits`,
 * `parseRate(formatRate(r))` equals `r` to the last bit but rounding.
 */
export function formatRate(bytesPerSecond: number, digits?: number): string {
  return withUnit(bytesPerSecond, digits, '/s');
}

/** A duration as {@link parseDuration} reads it: `250ms` below a second, `12.5s` from there on. */
export function formatDuration(seconds: number, digits?: number): string {
  return seconds > 0 && seconds < 1 ? `${num(seconds * 1e3, digits)}ms` : `${num(seconds, digits)}s`;
}

/** A rate in tc's syntax (`<bits per second>bit`), for `tc qdisc … tbf rate`. */
export function tcRate(bytesPerSecond: number): string {
  return `${Math.round(bytesPerSecond * 8)}bit`;
}

/** Wraps a parser as a zod transform, turning its ConfigError into a zod issue at the field's path. */
function parsed(parse: (v: number | string) => number) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
  });
}

/** zod schema: a size in bytes (number or string such as `"100MB"`), parsed by {@link parseBytes}. */
export const bytesSchema = parsed((v) => parseBytes(v));
/** zod schema: a rate in bytes/s (number or string such as `"100mbit"`), parsed by {@link parseRate}. */
export const rateSchema = parsed((v) => parseRate(v));
/** zod schema: a duration in seconds (number or string such as `"50ms"`), parsed by {@link parseDuration}. */
export const durationSchema = parsed((v) => parseDuration(v));
