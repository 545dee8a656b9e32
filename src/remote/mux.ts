import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ExecutorError } from '../core/errors.js';
import type { HostId } from '../core/types.js';
import { mapLimit, runCommand } from './process.js';
import { type SshTarget, sshCommand } from './ssh.js';
import { validateFilePath } from './validate.js';

/**
 * OpenSSH connection multiplexing for the executor: one master connection per (client, server) pair,
 * reused by every later `ssh` to that server, so a copy pays the key exchange and login once per pair
 * instead of once per transfer (measured on the lab: ≈0.2 s of a ≈0.45 s deployer copy, ≈0.5 s of a ≈1 s
 * peer copy; see docs/executor.md). Host keys are checked exactly as before: the master connection is an
 * ordinary strict connection, the multiplexed sessions ride inside it.
 *
 * - The deployer's masters live in a private directory (`<tmp>/ncmux-<run>`, made with mode 0700 and
 *   refused if it already exists) that this object owns.
 * - Building commands has no side effect; {@link activate} (before a command runs) makes the directory and
 *   notes which senders hold a socket directory, so {@link close} only contacts hosts that were used.
 * - Peer copies run `ssh` on a sender; its masters live in `/tmp/ncmux-<run>-<n>` on that host, made by
 *   {@link REMOTE_MUX_DIR} with `umask 077` and refused unless it is a real directory owned by the ssh user
 *   (so nobody else on the host can plant a socket there). `<run>` is random per executor and `<n>` is the
 *   sender's index, so hosts that share `/tmp` (the lab's) never share a master: a nested copy A → B must
 *   ride A's own connection to B, never the deployer's.
 * - Masters persist for `persistSeconds` when idle (a backstop if the deployer dies); {@link close} ends
 *   them all with `ssh -O exit` (by argument array, never by pid or name) and removes the directories.
 * - A host whose fleet `ssh.options` already set any `Control*` option keeps its own settings: no
 *   multiplexing is added for it (e.g. `ControlMaster=no` turns it off per host).
 */

/** Options of {@link SshMux}. */
export interface SshMuxOptions {
  /**
   * Parent of the deployer's private socket directory (at most 30 characters).
   * @defaultValue `os.tmpdir()`, or `/tmp` when that is longer
   */
  readonly parentDir?: string;
  /** Idle seconds before a master exits by itself (`ControlPersist`). @defaultValue {@link MUX_PERSIST_SECONDS} */
  readonly persistSeconds?: number;
  /** Parent of the per-sender socket directories on remote hosts. @defaultValue `'/tmp'` */
  readonly remoteParentDir?: string;
}

/** Default idle lifetime of a master connection in seconds: longer than any gap between two copies of a run. */
export const MUX_PERSIST_SECONDS = 120;

/**
 * Runs on a sender before a nested copy: makes the socket directory `$1` private to the ssh user, or fails
 * when something else is there (a directory someone else owns, or a symlink), then execs the rest of the
 * arguments. A constant: the directory arrives as a positional argument.
 */
export const REMOTE_MUX_DIR =
  'd=$1; shift; umask 077; mkdir "$d" 2>/dev/null || { [ -d "$d" ] && [ ! -h "$d" ] && [ -O "$d" ]; } || ' +
  '{ echo "nix-cascade: $d exists and is not a private directory of this user; refusing to multiplex ssh through it" >&2; exit 1; }; exec "$@"';

/**
 * Runs on a sender at the end: asks every master socket in `$1` to exit, then removes the directory.
 * A constant: the directory arrives as a positional argument.
 */
export const REMOTE_MUX_CLOSE =
  '[ -d "$1" ] && [ ! -h "$1" ] && [ -O "$1" ] || exit 0; for s in "$1"/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit nix-cascade-mux >/dev/null 2>&1; done; rm -rf -- "$1"';

/** Whether the host's own ssh options already decide about multiplexing. */
function ownsControl(target: SshTarget): boolean {
  return target.options.some((o) => /^control/i.test(o));
}

/** The `-o` words that make an `ssh` reuse (or become) the master at `path` (`%C`: a hash of host, port, user). */
function controlWords(socketDir: string, persistSeconds: number): string[] {
  return ['ControlMaster=auto', `ControlPath=${socketDir}/%C`, `ControlPersist=${persistSeconds}`];
}

/** Longest parent directory of the deployer's control sockets (see the {@link SshMux} constructor). */
const MAX_PARENT_CHARS = 30;

/** The temp directory when its sockets fit, else /tmp. */
function defaultParent(): string {
  const t = tmpdir().replace(/\/+$/, '');
  return t.length <= MAX_PARENT_CHARS ? t : '/tmp';
}

/** The state of one executor's multiplexing: where sockets live, which senders were used. See the file comment. */
export class SshMux {
  /** The deployer's private socket directory (made by {@link activate}). */
  readonly dir: string;
  #made = false;
  readonly #persist: number;
  readonly #remoteParent: string;
  readonly #run: string;
  /** Senders whose remote socket directory may exist, with their directory. */
  readonly #remote = new Map<HostId, { target: SshTarget; dir: string }>();
  readonly #index = new Map<HostId, number>();
  #closed = false;

  /** @throws ConfigError for a bad option (naming it). */
  constructor(options: SshMuxOptions = {}) {
    this.#persist = options.persistSeconds ?? MUX_PERSIST_SECONDS;
    if (!Number.isInteger(this.#persist) || this.#persist < 1) {
      throw new ConfigError(`must be a positive integer, got ${String(this.#persist)}`, 'persistSeconds');
    }
    this.#remoteParent = validateFilePath(options.remoteParentDir ?? '/tmp', 'remoteParentDir').replace(
      /\/+$/,
      '',
    );
    // A Unix socket path holds at most 107 bytes; below the parent go `/ncmux-<12 hex>/<40 hex>` (60) and,
    // while ssh sets up a master, a 17-character temporary suffix. A longer default temp directory (macOS's
    // is 48 characters) falls back to /tmp; a longer explicit one is an error.
    const parent = validateFilePath(options.parentDir ?? defaultParent(), 'parentDir').replace(/\/+$/, '');
    if (parent.length > MAX_PARENT_CHARS) {
      throw new ConfigError(
        `too long for ssh control sockets (max ${MAX_PARENT_CHARS} characters): ${parent}`,
        'parentDir',
      );
    }
    this.#run = randomBytes(6).toString('hex');
    this.dir = join(parent, `ncmux-${this.#run}`);
  }

  /**
   * Call before running a command built with this multiplexer: makes the deployer's socket directory
   * (once) and, when the command runs a multiplexed nested hop on `via` (its `muxDir`), remembers `via`
   * so {@link close} ends its masters.
   * @throws ExecutorError when the directory cannot be made (or already exists: someone else's).
   */
  activate(via?: SshTarget, muxDir?: string): void {
    if (!this.#made) {
      try {
        mkdirSync(this.dir, { mode: 0o700 });
      } catch (e) {
        throw new ExecutorError(`cannot make the ssh control directory ${this.dir}: ${(e as Error).message}`);
      }
      this.#made = true;
    }
    if (via !== undefined && muxDir !== undefined && !this.#remote.has(via.id))
      this.#remote.set(via.id, { target: via, dir: muxDir });
  }

  /** `target` with the options that make the deployer's own `ssh` to it multiplexed. */
  local(target: SshTarget): SshTarget {
    if (this.#closed || ownsControl(target)) return target;
    return { ...target, options: [...controlWords(this.dir, this.#persist), ...target.options] };
  }

  /**
   * For a nested copy that runs on `via` and connects to `target`: `target` with multiplexing options for
   * `via`'s ssh, and the directory {@link REMOTE_MUX_DIR} must create on `via` first. Undefined when that
   * hop is not multiplexed (closed, or the target's options decide themselves).
   */
  nested(via: SshTarget, target: SshTarget): { target: SshTarget; dir: string } | undefined {
    if (this.#closed || ownsControl(target)) return undefined;
    let n = this.#index.get(via.id);
    if (n === undefined) {
      n = this.#index.size;
      this.#index.set(via.id, n);
    }
    const dir = `${this.#remoteParent}/ncmux-${this.#run}-${n}`;
    return { target: { ...target, options: [...controlWords(dir, this.#persist), ...target.options] }, dir };
  }

  /**
   * Ends every master: first the senders' (through the deployer's own masters, which are still up), then
   * the deployer's, then removes the private directory. Never throws; safe to call twice.
   */
  async close(options: { strictHostKeyChecking: boolean; timeoutMs?: number }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const timeoutMs = options.timeoutMs ?? 15_000;
    if (!this.#made) return;
    await mapLimit([...this.#remote.values()], 16, async ({ target, dir }) => {
      const args = sshCommand(this.#localUnclosed(target), options.strictHostKeyChecking, [
        'sh',
        '-c',
        REMOTE_MUX_CLOSE,
        'sh',
        dir,
      ]);
      await runCommand({ file: 'ssh', args, env: {} }, { timeoutMs });
    });
    const dir = this.dir;
    let sockets: string[] = [];
    try {
      sockets = readdirSync(dir);
    } catch {
      // Already gone.
    }
    await mapLimit(sockets, 16, (name) =>
      runCommand(
        {
          file: 'ssh',
          args: ['-o', `ControlPath=${join(dir, name)}`, '-O', 'exit', 'nix-cascade-mux'],
          env: {},
        },
        { timeoutMs },
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  }

  /** {@link local} regardless of the closed flag (close itself still rides the deployer's masters). */
  #localUnclosed(target: SshTarget): SshTarget {
    return ownsControl(target)
      ? target
      : { ...target, options: [...controlWords(this.dir, this.#persist), ...target.options] };
  }
}
