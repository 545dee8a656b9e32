import { performance } from 'node:perf_hooks';
import { ConfigError, ExecutorError } from '../core/errors.js';
import type { Executor } from '../core/executor.js';
import type { HostId, Outcome, PathId, Transfer, TransferId } from '../core/types.js';
import { classifyFailure } from '../remote/classify.js';
import { type CommandSpec, copyCommand, MAX_PATH_CHARS_PER_COMMAND, pathChunks } from '../remote/commands.js';
import { queryValidity } from '../remote/store.js';
import type { RemoteHosts } from '../remote/ssh.js';
import { type RemoteContext, type RemoteContextOptions, openRemoteContext } from '../remote/context.js';
import { type RunResult, runCommand } from '../remote/process.js';
import { type SshTarget, validateSshTarget } from '../remote/ssh.js';
import { validateStorePath } from '../remote/validate.js';

/** Options of {@link NixCopyExecutor}; validated once by the constructor. */
export interface NixCopyExecutorOptions extends RemoteContextOptions {
  /** The real fleet: the deployer (copies from its local store) and every target's ssh settings. */
  readonly fleet: RemoteHosts;
  /** Peer copies: the sender pushes (`ssh A nix copy --to B`) or the receiver pulls. @defaultValue `'push'` */
  readonly mode?: 'push' | 'pull';
  /**
   * Require valid signatures on import. Turning it off (`--no-check-sigs`) lets anyone who can write to a
   * sender's store plant paths on every receiver; only for a fleet trusted end to end. @defaultValue `true`
   */
  readonly checkSigs?: boolean;
  /** Receivers first try their own substituters (`nix copy -s`). @defaultValue `false` */
  readonly substituteOnDestination?: boolean;
  /**
   * The run's remote context: host-key policy, Nix settings, the shared multiplexer, signal and time limits
   * (`timeouts.transfer` bounds each transfer: the process is stopped and the outcome is a transient
   * `timeout`). The caller closes it. Without it the executor opens its own from the
   * {@link RemoteContextOptions} given here and closes it in `close()`.
   */
  readonly remote?: RemoteContext;
  /**
   * Most characters of store paths one `nix copy` carries; a transfer with more runs several copies in a
   * row. Lower it for a system with a smaller argument limit. @defaultValue {@link MAX_PATH_CHARS_PER_COMMAND}
   */
  readonly maxPathCharsPerCommand?: number;
  /** Seconds since start; injected for tests. @defaultValue performance.now based */
  readonly clock?: () => number;
}

interface Running {
  readonly transfer: Transfer;
  readonly abort: AbortController;
  cancelled: boolean;
}

/**
 * The real executor: each transfer is one `nix copy` of exactly the transfer's paths (several in a row when
 * they do not fit one command line), from the deployer's local store or peer to peer
 * (`ssh A -- nix copy --to ssh-ng://B`, bytes going straight from A to B).
 * Failures are outcomes: classified from the process's exit and stderr, with the paths that did arrive
 * (asked of the receiver afterwards) reported as `delivered`.
 */
export class NixCopyExecutor implements Executor {
  readonly #fleet: RemoteHosts;
  readonly #targets = new Map<HostId, SshTarget>();
  readonly #mode: 'push' | 'pull';
  readonly #checkSigs: boolean;
  readonly #substitute: boolean;
  readonly #remote: RemoteContext;
  readonly #ownsRemote: boolean;
  readonly #clock: () => number;
  readonly #maxPathChars: number;
  readonly #running = new Map<TransferId, Running>();
  readonly #done: Outcome[] = [];
  readonly #waiters: Array<(o: Outcome) => void> = [];
  #unreported = 0;
  #closed = false;

  /** @throws ConfigError for an invalid option or fleet entry (naming it). */
  constructor(options: NixCopyExecutorOptions) {
    this.#fleet = options.fleet;
    for (const [i, h] of options.fleet.hosts.entries()) {
      if (h.id === options.fleet.deployer.id)
        throw new ConfigError(`host "${h.id}" has the deployer's name`, `fleet.hosts[${i}]`);
      if (this.#targets.has(h.id)) throw new ConfigError(`duplicate host "${h.id}"`, `fleet.hosts[${i}]`);
      this.#targets.set(h.id, validateSshTarget(h, `fleet.hosts[${i}]`));
    }
    this.#mode = options.mode ?? 'push';
    if (this.#mode !== 'push' && this.#mode !== 'pull')
      throw new ConfigError(`must be push or pull, got ${String(this.#mode)}`, 'mode');
    this.#checkSigs = options.checkSigs ?? true;
    this.#substitute = options.substituteOnDestination ?? false;
    this.#maxPathChars = options.maxPathCharsPerCommand ?? MAX_PATH_CHARS_PER_COMMAND;
    if (!Number.isInteger(this.#maxPathChars) || this.#maxPathChars < 1) {
      throw new ConfigError(`must be an integer ≥ 1, got ${this.#maxPathChars}`, 'maxPathCharsPerCommand');
    }
    this.#ownsRemote = options.remote === undefined;
    this.#remote = options.remote ?? openRemoteContext(options);
    if (options.clock) {
      this.#clock = options.clock;
    } else {
      const t0 = performance.now();
      this.#clock = () => (performance.now() - t0) / 1000;
    }
  }

  /** Transfers started and not yet returned by {@link next}. */
  get active(): number {
    return this.#unreported;
  }

  now(): number {
    return this.#clock();
  }

  /**
   * The commands a transfer runs, one after another (exposed for logs and tests): one `nix copy`, or one per
   * {@link pathChunks} run when the paths would not fit one command line.
   * @throws ConfigError for unknown hosts or bad paths.
   */
  commandsFor(t: Pick<Transfer, 'from' | 'to' | 'paths'>): CommandSpec[] {
    const end = (id: HostId, role: string): SshTarget | 'local' => {
      if (id === this.#fleet.deployer.id) return 'local';
      const target = this.#targets.get(id);
      if (!target) throw new ConfigError(`unknown host "${id}" (not in the fleet file)`, `transfer.${role}`);
      return target;
    };
    const from = end(t.from, 'from');
    const to = end(t.to, 'to');
    if (from === 'local' && to === 'local')
      throw new ConfigError('sender and receiver are both the deployer', 'transfer');
    t.paths.forEach((p, i) => validateStorePath(p, `transfer.paths[${i}]`));
    const flags = {
      checkSigs: this.#checkSigs,
      substituteOnDestination: this.#substitute,
      strictHostKeyChecking: this.#remote.strictHostKeyChecking,
      mode: this.#mode,
    };
    return pathChunks(t.paths, this.#maxPathChars).map((paths) =>
      copyCommand(from, to, paths, flags, this.#remote.mux),
    );
  }

  start(batch: readonly Transfer[]): void {
    if (this.#closed) throw new ExecutorError('executor is closed');
    // Validate the whole batch first, so a bad transfer starts nothing.
    const ids = new Set<TransferId>();
    for (const t of batch) {
      if (this.#running.has(t.id) || ids.has(t.id))
        throw new ExecutorError(`transfer ${t.id} is already running`);
      ids.add(t.id);
    }
    const specs = batch.map((t) => this.commandsFor(t));
    for (const spec of specs.flat())
      this.#remote.mux?.activate(
        spec.via !== undefined ? this.#targets.get(spec.via) : undefined,
        spec.muxDir,
      );
    batch.forEach((t, i) => {
      const r: Running = { transfer: t, abort: new AbortController(), cancelled: false };
      this.#running.set(t.id, r);
      this.#unreported++;
      void this.#run(r, specs[i]!).then(
        (o) => this.#finish(o),
        (err: unknown) =>
          this.#finish({
            transfer: t.id,
            ok: false,
            at: this.now(),
            cause: {
              kind: 'transient',
              code: 'copy-failed',
              host: t.to,
              message: `executor error: ${String(err)}`,
            },
          }),
      );
    });
  }

  next(): Promise<Outcome> {
    const o = this.#done.shift();
    if (o) {
      this.#unreported--;
      return Promise.resolve(o);
    }
    if (this.#unreported === 0)
      return Promise.reject(new ExecutorError('next() called with no transfer running'));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  cancel(id: TransferId): void {
    const r = this.#running.get(id);
    if (!r || r.cancelled) return;
    r.cancelled = true;
    r.abort.abort();
  }

  /**
   * Cancels everything still running, waits until every child process has exited, then ends the ssh
   * master connections it opened (only when it opened its own remote context). Safe to call twice.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of this.#running.keys()) this.cancel(id);
    while (this.#running.size > 0) await new Promise((r) => setTimeout(r, 20));
    if (this.#ownsRemote) await this.#remote.close();
  }

  /** Runs a transfer's commands in order (the time limit covers them all); the first failure ends it. */
  async #run(r: Running, specs: readonly CommandSpec[]): Promise<Outcome> {
    const t = r.transfer;
    const limit = this.#remote.timeouts.transfer;
    const deadline = performance.now() + limit * 1000;
    let failed: { spec: CommandSpec; end: RunResult } | undefined;
    for (const spec of specs) {
      const timeoutMs = Math.max(1, deadline - performance.now());
      const end = await runCommand(spec, { timeoutMs, signal: r.abort.signal, env: this.#remote.env });
      if (!end.ok) {
        failed = { spec, end };
        break;
      }
    }
    if (!failed) return { transfer: t.id, ok: true, at: this.now() };
    const { spec, end } = failed;
    const cause = classifyFailure(
      {
        exitCode: end.exitCode,
        stderr: end.stderr,
        timedOut: end.timedOut,
        cancelled: end.cancelled || r.cancelled,
        spawnError: end.spawnError,
      },
      { from: t.from, to: t.to, ...(spec.via !== undefined ? { via: spec.via } : {}), timeoutSeconds: limit },
    );
    const at = this.now();
    // nix copy imports path by path: whatever the receiver now holds stays there and is never re-sent.
    // A receiver that is unreachable cannot answer; then nothing counts as delivered.
    const delivered =
      cause.code === 'unreachable' && cause.host === t.to ? [] : await this.#askDelivered(t.to, t.paths);
    return { transfer: t.id, ok: false, at, cause, ...(delivered.length > 0 ? { delivered } : {}) };
  }

  /** Which of `paths` the host holds now (`nix-store --check-validity`); [] when it cannot be asked. */
  async #askDelivered(host: HostId, paths: readonly PathId[]): Promise<PathId[]> {
    const store = host === this.#fleet.deployer.id ? 'local' : this.#targets.get(host);
    if (!store) return [];
    this.#remote.mux?.activate();
    // Not under the run's signal: after a cancelled copy the deployer still wants to know what arrived.
    const res = await queryValidity(store, paths, this.#remote, { timeoutMs: 15_000, env: this.#remote.env });
    return res.valid ?? [];
  }

  #finish(o: Outcome): void {
    this.#running.delete(o.transfer);
    const w = this.#waiters.shift();
    if (w) {
      this.#unreported--;
      w(o);
    } else {
      this.#done.push(o);
    }
  }
}
