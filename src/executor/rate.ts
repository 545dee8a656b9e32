import { ConfigError } from '../core/errors.js';

const UNITS: Readonly<Record<string, number>> = {
  bit: 1 / 8,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
  tbit: 1e12 / 8,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
};

/**
 * A link rate in bytes per second, from a number (bytes/s) or a tc-style string: `100mbit`, `1gbit`,
 * `500kbit`, or byte units `12.5MB` / `12.5MB/s` (SI prefixes, as tc uses them).
 *
 * @throws ConfigError naming `where` when the value is not a positive rate.
 */
export function parseRate(value: number | string, where: string): number {
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)(?:\/s)?\s*$/.exec(value);
    const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || unit === undefined) {
      throw new ConfigError(`not a rate: ${JSON.stringify(value)} (use e.g. 100mbit, 1gbit, 12.5MB/s or bytes per second)`, where);
    }
    bytes = Number(m[1]) * unit;
  }
  if (!Number.isFinite(bytes) || bytes <= 0) throw new ConfigError(`rate must be positive, got ${String(value)}`, where);
  return bytes;
}

/** A rate in tc's syntax (`<bits per second>bit`), for `tc qdisc … tbf rate`. */
export function tcRate(bytesPerSecond: number): string {
  return `${Math.round(bytesPerSecond * 8)}bit`;
}
