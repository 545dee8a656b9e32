import { expect } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

/** Runs `fn`, expects it to throw a ConfigError, and returns it (for checks on `where`). */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
