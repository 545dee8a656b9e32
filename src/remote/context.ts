import { ConfigError } from '../core/errors.js';
import { MUX_PERSIST_SECONDS, SshMux } from './mux.js';
import type { RunCommandOptions } from './process.js';

/** Time limits of remote steps, in seconds. */
export interface RemoteTimeouts {
  /** One `nix copy` transfer (all its commands together). @defaultValue `300` */
  readonly transfer: number;
  /** One store query of one host (have sets, verification). @defaultValue `60` */
  readonly query: number;
  /** One health probe of one host. @defaultValue `30` */
  readonly probe: number;
  /** Reading a closure from the deployer's own store. @defaultValue `120` */
  readonly local: number;
  /** One host's activation (`switch-to-configuration`, nix-darwin's `activate`). @defaultValue `600` */
  readonly activation: number;
  /** One evaluator call (`nix eval` of a chunk of hosts). @defaultValue `600` */
  readonly evaluation: number;
  /** One build (`nix build` of a chunk of hosts, or a build on a target). @defaultValue `7200` */
  readonly build: number;
}

/** Defaults of {@link RemoteTimeouts}. */
export const REMOTE_TIMEOUTS: RemoteTimeouts = {
  transfer: 300,
  query: 60,
  probe: 30,
  local: 120,
  activation: 600,
  evaluation: 600,
  build: 7200,
};

/**
 * Everything every remote step of one run shares: the host-key policy, the Nix settings of the
 * deployer's own `nix` processes, the SSH multiplexer, the abort signal and the time limits. Built once
 * per run by {@link openRemoteContext} and passed whole to store queries, health probes, copies and the
 * deploy pipeline's steps, so no step rebuilds (or forgets) one of them.
 */
export interface RemoteContext {
  /** Check SSH host keys (`StrictHostKeyChecking=yes`). */
  readonly strictHostKeyChecking: boolean;
  /** `NIX_CONFIG` for the deployer's own `nix` processes (the lab's offline settings); undefined = the machine's. */
  readonly nixConfig: string | undefined;
  /** Environment added to every local process: `NIX_CONFIG` when set. */
  readonly env: Readonly<Record<string, string>>;
  /** The run's shared multiplexer (one master connection per host pair); undefined = one connection per command. */
  readonly mux: SshMux | undefined;
  /** Aborting it stops whichever remote step runs (Ctrl-C). */
  readonly signal: AbortSignal | undefined;
  readonly timeouts: RemoteTimeouts;
  /** Options for {@link runCommand} with the context's environment and signal and this limit in seconds. */
  run(timeoutSeconds: number): RunCommandOptions;
  /** Ends the multiplexer's master connections (`ssh -O exit`). Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openRemoteContext}. */
export interface RemoteContextOptions {
  /** Check host keys. Turning it off accepts any machine that answers on the address. @defaultValue `true` */
  readonly strictHostKeyChecking?: boolean;
  readonly nixConfig?: string;
  /**
   * Reuse one OpenSSH master connection per (client, server) pair, for the deployer's own ssh and for the
   * nested ssh of peer copies (see {@link SshMux}). @defaultValue `true`
   */
  readonly multiplex?: boolean;
  /** Idle seconds before an unused master exits by itself. @defaultValue {@link MUX_PERSIST_SECONDS} */
  readonly controlPersistSeconds?: number;
  readonly signal?: AbortSignal;
  readonly timeouts?: Partial<RemoteTimeouts>;
}

function checkBoolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`must be true or false, got ${String(value)}`, where);
  return value;
}

function checkSeconds(value: number, where: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`must be a positive number of seconds, got ${value}`, where);
  }
  return value;
}

/**
 * The {@link RemoteContext} of one run, its options validated once.
 * @throws ConfigError naming the bad option.
 */
export function openRemoteContext(options: RemoteContextOptions = {}): RemoteContext {
  const strictHostKeyChecking = checkBoolean(options.strictHostKeyChecking ?? true, 'strictHostKeyChecking');
  const multiplex = checkBoolean(options.multiplex ?? true, 'multiplex');
  const timeouts: RemoteTimeouts = { ...REMOTE_TIMEOUTS, ...options.timeouts };
  for (const [k, v] of Object.entries(timeouts)) checkSeconds(v as number, `timeouts.${k}`);
  const persistSeconds = checkSeconds(
    options.controlPersistSeconds ?? MUX_PERSIST_SECONDS,
    'controlPersistSeconds',
  );
  const mux = multiplex ? new SshMux({ persistSeconds }) : undefined;
  const nixConfig = options.nixConfig;
  const env = nixConfig !== undefined ? { NIX_CONFIG: nixConfig } : {};
  const signal = options.signal;
  return {
    strictHostKeyChecking,
    nixConfig,
    env,
    mux,
    signal,
    timeouts,
    run: (timeoutSeconds) => ({ timeoutMs: timeoutSeconds * 1000, env, ...(signal ? { signal } : {}) }),
    close: async () => mux?.close({ strictHostKeyChecking }),
  };
}

let unmultiplexed: RemoteContext | undefined;

/**
 * The context of a one-off call that was given none: strict host keys, the machine's Nix settings, no
 * multiplexing (so nothing is left to close), no signal.
 */
export function defaultRemoteContext(): RemoteContext {
  unmultiplexed ??= openRemoteContext({ multiplex: false });
  return unmultiplexed;
}
