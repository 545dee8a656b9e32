import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { REMOTE_TIMEOUTS, defaultRemoteContext, openRemoteContext } from '../../src/remote/context.js';

describe('RemoteContext', () => {
  it('fills defaults: strict host keys, multiplexed, the machine’s Nix settings', async () => {
    const ctx = openRemoteContext();
    expect(ctx.strictHostKeyChecking).toBe(true);
    expect(ctx.mux).toBeDefined();
    expect(ctx.env).toEqual({});
    expect(ctx.timeouts).toEqual(REMOTE_TIMEOUTS);
    await ctx.close();
    await ctx.close(); // twice is fine
  });

  it('carries the Nix settings, signal and limits into every command’s run options', () => {
    const abort = new AbortController();
    const ctx = openRemoteContext({
      multiplex: false,
      nixConfig: 'substituters =',
      signal: abort.signal,
      timeouts: { query: 7 },
    });
    expect(ctx.mux).toBeUndefined();
    expect(ctx.timeouts.query).toBe(7);
    expect(ctx.run(ctx.timeouts.query)).toEqual({
      timeoutMs: 7000,
      env: { NIX_CONFIG: 'substituters =' },
      signal: abort.signal,
    });
  });

  it('validates its options once, naming the bad one', () => {
    for (const bad of [
      { timeouts: { transfer: 0 } },
      { timeouts: { probe: Number.NaN } },
      { multiplex: 'yes' as unknown as boolean },
      { strictHostKeyChecking: 1 as unknown as boolean },
      { controlPersistSeconds: -1 },
    ]) {
      expect(() => openRemoteContext(bad), JSON.stringify(bad)).toThrow(ConfigError);
    }
  });

  it('the default context of one-off calls opens no master connections', () => {
    expect(defaultRemoteContext().mux).toBeUndefined();
    expect(defaultRemoteContext()).toBe(defaultRemoteContext());
  });
});
