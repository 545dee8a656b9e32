import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { withFlagNames } from '../../src/cli/flagErrors.js';
import { openRemoteContext } from '../../src/remote/context.js';

describe('withFlagNames', () => {
  const flags = new Map([['timeouts.transfer', '--timeout']]);

  it('renames an error about a field a flag set to the flag, keeping the message', () => {
    let caught: unknown;
    try {
      withFlagNames(flags, () => openRemoteContext({ multiplex: false, timeouts: { transfer: 0 } }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).where).toBe('--timeout');
    expect((caught as ConfigError).message).toBe('--timeout: must be a positive number of seconds, got 0');
  });

  it('leaves other errors as they are', () => {
    const other = new ConfigError('bad', 'timeouts.query');
    expect(() =>
      withFlagNames(flags, () => {
        throw other;
      }),
    ).toThrow(other);
    expect(withFlagNames(flags, () => 42)).toBe(42);
  });
});
