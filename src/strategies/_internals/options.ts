import { ConfigError } from '../../core/errors.js';

/**
 * Validation of a strategy's plain options object (from the CLI or a scenario file). Each strategy
 * declares its keys; anything else, or a value of the wrong kind or range, is a {@link ConfigError}
 * whose `where` names the strategy and the option (`level-tree.fanout`).
 */

/** The raw options a strategy factory receives. */
export type RawOptions = Readonly<Record<string, unknown>> | undefined;

/**
 * Throws a ConfigError when `options` is not a plain object or has a key outside `allowed`.
 * @returns the options as a record (empty when undefined).
 */
export function checkKeys(
  strategy: string,
  options: RawOptions,
  allowed: readonly string[],
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('strategy options must be an object', strategy);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const accepted = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw new ConfigError(`unknown option "${key}" (accepted: ${accepted})`, `${strategy}.${key}`);
    }
  }
  return options;
}

/** Refuses `a` and `b` given together (alternatives, one would be silently ignored). */
export function notBoth(
  strategy: string,
  options: Readonly<Record<string, unknown>>,
  a: string,
  b: string,
): void {
  if (options[a] !== undefined && options[b] !== undefined) {
    throw new ConfigError(`give either ${a} or ${b}, not both`, `${strategy}.${b}`);
  }
}

/** Reads an integer option in [min, max], or `fallback` when absent. */
export function intOption(
  strategy: string,
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(
      `must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${JSON.stringify(v)}`,
      `${strategy}.${key}`,
    );
  }
  return v;
}

/** Reads a finite number option in [min, max], or `fallback` when absent. */
export function numberOption(
  strategy: string,
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: number,
  min: number,
  max = Infinity,
): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(
      `must be a number in [${min}, ${max === Infinity ? '∞' : max}], got ${JSON.stringify(v)}`,
      `${strategy}.${key}`,
    );
  }
  return v;
}

/** Reads a string option that must be one of `allowed`, or `fallback` when absent. */
export function enumOption<T extends string>(
  strategy: string,
  options: Readonly<Record<string, unknown>>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = options[key];
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T)) {
    throw new ConfigError(
      `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`,
      `${strategy}.${key}`,
    );
  }
  return v as T;
}

/** Reads an optional finite number option in [min, max]; undefined when absent. */
export function optionalNumberOption(
  strategy: string,
  options: Readonly<Record<string, unknown>>,
  key: string,
  min: number,
  max = Infinity,
): number | undefined {
  if (options[key] === undefined) return undefined;
  return numberOption(strategy, options, key, 0, min, max);
}

/**
 * Documentation of the cascade strategies' shared option: receivers one holder serves at a time. The
 * binomial-tree semantic is 1 (a holder never splits its uplink, in round and in eager mode); more lets a
 * holder with `maxSends` > 1 start further sends while earlier ones still run.
 */
export interface PerHolderOptions {
  /**
   * Sends one holder runs at once (counting sends still running from earlier plan calls).
   * @defaultValue 1
   */
  readonly perHolder: number;
}

/** Reads the `perHolder` option (integer ≥ 1, default 1). @throws ConfigError naming `<strategy>.perHolder`. */
export function perHolderOption(strategy: string, options: Readonly<Record<string, unknown>>): number {
  return intOption(strategy, options, 'perHolder', 1, 1);
}
