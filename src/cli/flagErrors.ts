import { ConfigError } from '../core/errors.js';

/**
 * Runs `fn`, which validates settings under their field names (`timeouts.transfer`,
 * `scenario.json.topology.hosts`), and renames a ConfigError about a field the user set by a flag to that
 * flag (`--timeout`): every setting has one validator, and its errors still point at what the user typed.
 * @param flags - field path → flag name, for the fields that came from flags.
 */
export function withFlagNames<T>(flags: ReadonlyMap<string, string>, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ConfigError) || err.where === undefined) throw err;
    const flag = flags.get(err.where);
    if (flag === undefined) throw err;
    throw new ConfigError(err.message.slice(err.where.length + 2), flag, { cause: err });
  }
}
