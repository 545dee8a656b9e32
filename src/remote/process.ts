import { execa } from 'execa';
import type { HostId } from '../core/types.js';

/** A process to start: never a shell string; `env` is added to the inherited environment. */
export interface CommandSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /**
   * The host the outer `ssh` connects to, when the command runs on a remote host (peer copies);
   * undefined when it runs on the deployer. Failure classification uses it to blame the right host.
   */
  readonly via?: HostId;
  /**
   * Keep the process's stdin open (a pipe nobody writes) for as long as it runs. Peer copies need it: the
   * remote watchdog (`REMOTE_WATCHDOG` in commands.ts) stops the remote `nix copy` when that stdin closes, i.e.
   * when the local `ssh` is stopped (cancel, timeout, Ctrl-C).
   */
  readonly keepStdinOpen?: boolean;
  /** The socket directory a multiplexed nested hop uses on `via` (see `MuxPlan`). */
  readonly muxDir?: string;
}

/** How a process ended, with everything failure classification needs. */
export interface RunResult {
  readonly ok: boolean;
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT and the like). */
  readonly spawnError?: string;
}

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  /** Milliseconds; 0 or absent = no limit. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Extra environment on top of `process.env`. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Written to the process's stdin, which is then closed: how a secret reaches a host (never an
   * argument, never the environment). Kept out of {@link CommandSpec}, which may be logged.
   */
  readonly input?: Uint8Array;
}

/**
 * Runs one {@link CommandSpec} through execa with an argument array (no shell), never rejecting: a
 * non-zero exit, a timeout or a cancellation comes back in the result. stdin is closed so nothing can
 * ever wait for input (unless the spec keeps it open as a liveness signal, never written); a stopped process gets SIGTERM, then SIGKILL 5 s later.
 */
export async function runCommand(spec: CommandSpec, options: RunCommandOptions = {}): Promise<RunResult> {
  const r = await execa(spec.file, [...spec.args], {
    reject: false,
    ...(options.input !== undefined
      ? { input: options.input }
      : { stdin: spec.keepStdinOpen ? ('pipe' as const) : ('ignore' as const) }),
    env: { ...options.env, ...spec.env },
    extendEnv: true,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    forceKillAfterDelay: 5000,
    stripFinalNewline: true,
    maxBuffer: 64 * 1024 * 1024,
  });
  // execa's shortMessage repeats the whole command line (140 KB for a big copy); its original message and
  // the program's name say what went wrong.
  const spawnError =
    r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled && r.signal === undefined
      ? `cannot start ${spec.file}: ${r.originalMessage ?? r.code ?? 'unknown error'}`
      : undefined;
  return {
    ok: !r.failed,
    exitCode: r.exitCode,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: (typeof r.stderr === 'string' ? r.stderr : '') + (spawnError ? `\n${spawnError}` : ''),
    timedOut: r.timedOut,
    cancelled: r.isCanceled,
    ...(spawnError !== undefined ? { spawnError } : {}),
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the order of `items`. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
