/**
 * The measuring instruments of `calibrate`: probe closures built in the deployer's store, timed copies
 * through the real executor (the very code path a cascade uses), a TCP round trip, and a timed import into
 * a scratch store on a host.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ExecutorError } from '../core/errors.js';
import { ClosureGraph } from '../core/closure.js';
import type { HostId, PathId, StorePath } from '../core/types.js';
import type { NixCopyExecutor } from '../executor/index.js';
import { buildSyntheticClosure } from '../lab/index.js';
import { closureInfo, onHost, runCommand } from '../remote/index.js';
import type { RemoteContext } from '../remote/context.js';
import { NIX_FLAGS } from '../remote/commands.js';
import type { SshTarget } from '../remote/ssh.js';
import { tailLines } from '../remote/classify.js';

/** A probe closure in the deployer's store: its top-level and its paths in reference order. */
export interface Probe {
  readonly toplevel: PathId;
  /** Every path of the closure, each after the paths it references. */
  readonly paths: readonly PathId[];
  readonly bytes: number;
  /** The closure as the deployer's store describes it (sizes, references). */
  readonly info: readonly StorePath[];
}

/**
 * Builds a fresh synthetic closure of `paths` paths and about `bytes` bytes in the deployer's store
 * (random contents: no host holds it yet). `tag` makes its names unique to this calibration.
 */
export async function buildProbe(
  tag: string,
  bytes: number,
  paths: number,
  ctx: RemoteContext,
): Promise<Probe> {
  const { toplevel } = await buildSyntheticClosure({
    sizeMb: bytes / (1024 * 1024),
    paths,
    seed: tag,
    ...(ctx.nixConfig !== undefined ? { nixConfig: ctx.nixConfig } : {}),
  });
  const info = await closureInfo([toplevel], ctx);
  const graph = new ClosureGraph(info);
  const closure = graph.closureOf([toplevel]);
  return { toplevel, paths: closure, bytes: graph.bytes(closure), info };
}

/** One copy to time: `paths` (in reference order) from `from` to `to`. */
export interface TimedCopy {
  readonly from: HostId;
  readonly to: HostId;
  readonly paths: readonly PathId[];
  readonly bytes: number;
}

let nextTransfer = 1;

/**
 * Runs `copies` at once through `executor` and returns each one's wall seconds, from the common start to
 * its end, in input order.
 * @throws ExecutorError naming the copy when one fails (a probe that cannot be copied measures nothing).
 */
export async function timeCopies(executor: NixCopyExecutor, copies: readonly TimedCopy[]): Promise<number[]> {
  const ids = copies.map(() => nextTransfer++);
  const t0 = performance.now();
  executor.start(
    copies.map((c, i) => ({ id: ids[i]!, from: c.from, to: c.to, paths: c.paths, bytes: c.bytes, round: 0 })),
  );
  const seconds = new Map<number, number>();
  const failures: string[] = [];
  for (let n = 0; n < copies.length; n++) {
    const o = await executor.next();
    seconds.set(o.transfer, (performance.now() - t0) / 1000);
    if (!o.ok) {
      const c = copies[ids.indexOf(o.transfer)]!;
      failures.push(`${c.from} → ${c.to}: ${o.cause.code}: ${o.cause.message}`);
    }
  }
  if (failures.length > 0) throw new ExecutorError(`probe copy failed: ${failures.join('; ')}`);
  return ids.map((id) => seconds.get(id)!);
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Median seconds of a TCP connection to `host:port` from the deployer (SYN to SYN-ACK: one round trip,
 * plus the local stack's few microseconds), over `samples` connections.
 * @throws ExecutorError when the host does not accept connections.
 */
export async function tcpRoundTrip(target: SshTarget, samples: number, timeoutMs = 5000): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    xs.push(
      await new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        const socket = connect({ host: target.address, port: target.port, timeout: timeoutMs });
        socket.once('connect', () => {
          const dt = (performance.now() - t0) / 1000;
          socket.destroy();
          resolve(dt);
        });
        socket.once('timeout', () => {
          socket.destroy();
          reject(
            new ExecutorError(
              `${target.id}: no TCP answer from ${target.address}:${target.port} in ${timeoutMs} ms`,
            ),
          );
        });
        socket.once('error', (err) => {
          socket.destroy();
          reject(
            new ExecutorError(
              `${target.id}: TCP connection to ${target.address}:${target.port} failed: ${err.message}`,
            ),
          );
        });
      }),
    );
  }
  return median(xs);
}

/**
 * Wall seconds a host takes to import `paths` it already holds into a scratch store of its own
 * (`nix copy --to local?root=DIR`): hashing, NAR serialisation and writing, no network. The scratch store
 * is removed afterwards; the host's real store is only read. Signatures are not checked on this copy: the
 * scratch store is private to the measurement and deleted at once.
 * @throws ExecutorError when the command fails.
 */
export async function timeLocalImport(
  target: SshTarget,
  paths: readonly PathId[],
  scratch: string,
  ctx: RemoteContext,
): Promise<number> {
  const copy = ['nix', ...NIX_FLAGS, 'copy', '--no-check-sigs', '--to', `local?root=${scratch}`, ...paths];
  const t0 = performance.now();
  const r = await runCommand(onHost(target, ctx, copy), ctx.run(ctx.timeouts.transfer));
  const seconds = (performance.now() - t0) / 1000;
  // Nix makes store files read-only; chmod first so the scratch store can go.
  await runCommand(
    onHost(target, ctx, ['sh', '-c', 'chmod -R u+w -- "$1" 2>/dev/null; rm -rf -- "$1"', 'sh', scratch]),
    ctx.run(ctx.timeouts.query),
  );
  if (!r.ok)
    throw new ExecutorError(
      `${target.id}: import into a scratch store failed: ${r.spawnError ?? tailLines(r.stderr, 4)}`,
    );
  return seconds;
}
