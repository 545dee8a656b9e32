import type { Argv } from 'yargs';
import { type RemoteContext, openRemoteContext } from '../remote/context.js';
import { withFlagNames } from './flagErrors.js';

/** The ssh and Nix safety flags every command that touches real hosts takes (`cascade`, `deploy`). */
export interface RemoteFlags {
  'check-sigs': boolean;
  'strict-host-keys': boolean;
  multiplex: boolean;
  timeout: number;
}

/** Adds {@link RemoteFlags} to a command: host keys checked and signatures required unless turned off. */
export function withRemoteFlags<T>(y: Argv<T>): Argv<T & RemoteFlags> {
  return y
    .option('check-sigs', {
      type: 'boolean',
      default: true,
      describe:
        'Require valid signatures on import; --no-check-sigs lets a compromised sender plant paths on every receiver (trusted fleets only)',
    })
    .option('strict-host-keys', {
      type: 'boolean',
      default: true,
      describe: 'Check ssh host keys; --no-strict-host-keys trusts any machine at the address',
    })
    .option('multiplex', {
      type: 'boolean',
      default: true,
      describe: 'Reuse one ssh connection per host pair (ControlMaster); --no-multiplex opens one per copy',
    })
    .option('timeout', {
      type: 'number',
      default: 300,
      describe: 'Seconds per copy before it is stopped (and, in a cascade, retried)',
    });
}

/** The run's remote context from the flags; a bad value is reported under its flag's name. */
export function openRemoteFromFlags(a: RemoteFlags, signal: AbortSignal): RemoteContext {
  return withFlagNames(new Map([['timeouts.transfer', '--timeout']]), () =>
    openRemoteContext({
      strictHostKeyChecking: a['strict-host-keys'],
      multiplex: a.multiplex,
      signal,
      timeouts: { transfer: a.timeout },
    }),
  );
}

/**
 * Runs `body` with the remote context from the flags: the first SIGINT / SIGTERM aborts the run (running
 * commands stop, every host is still reported), a second exits at once; the context is closed after.
 */
export async function withRemoteRun<T>(
  a: RemoteFlags,
  body: (remote: RemoteContext, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const remote = openRemoteFromFlags(a, abort.signal);
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(remote, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await remote.close();
  }
}
