import type { CascadeEvent, EventSink } from '../core/events.js';
import type { HostId, PathId } from '../core/types.js';
import type { RealCascadeResult } from '../executor/cascade.js';
import type { RealHost } from '../fleet/realFleet.js';
import { classifyFailure } from '../remote/classify.js';
import { type CopyFlags, copyCommand } from '../remote/commands.js';
import type { RemoteContext } from '../remote/context.js';
import { runCommand } from '../remote/process.js';
import { closureInfo, queryValidity } from '../remote/store.js';
import type { StageOutcome } from './dagTypes.js';

/**
 * The copy stage, both ways: `push` (colmena's: the deployer sends each host its closure, a limited
 * number at once) and `cascade` (one whole-fleet run in which hosts that hold paths forward them). Both
 * learn first what each host already holds, so nothing present is sent and a rerun after a failure sends
 * only what is still missing.
 */

/** A copy's detail for the report: bytes the host lacked and received. */
export interface CopyDetail {
  readonly bytesReceived: number;
}

/** The size of each path of a closure, read once per toplevel from the deployer's store. */
export class ClosureSizes {
  private readonly sizes = new Map<PathId, Promise<ReadonlyMap<PathId, number>>>();

  constructor(private readonly ctx: RemoteContext) {}

  /** Every path of `root`'s closure with its NAR size. */
  of(root: PathId): Promise<ReadonlyMap<PathId, number>> {
    let s = this.sizes.get(root);
    if (s === undefined) {
      s = closureInfo([root], this.ctx).then((info) => new Map(info.map((p) => [p.id, p.narSize])));
      this.sizes.set(root, s);
    }
    return s;
  }
}

/**
 * `push`: `nix copy --to ssh-ng://HOST TOPLEVEL` from the deployer, after asking the host which paths
 * it already holds (the bytes it lacks are what the report says it received).
 */
export async function pushClosure(
  host: RealHost,
  toplevel: PathId,
  ctx: RemoteContext,
  sizes: ClosureSizes,
  flags: Pick<CopyFlags, 'checkSigs' | 'substituteOnDestination'>,
): Promise<StageOutcome> {
  const closure = await sizes.of(toplevel);
  const held = await queryValidity(host, [...closure.keys()], ctx);
  if (held.failure) return { kind: 'failed', error: failureOf(held.failure, host, ctx.timeouts.query) };
  const have = new Set(held.valid);
  const lacking = [...closure].filter(([p]) => !have.has(p));
  const bytesReceived = lacking.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (lacking.length > 0) {
    ctx.mux?.activate();
    const copy = copyCommand(
      'local',
      host,
      [toplevel],
      { ...flags, strictHostKeyChecking: ctx.strictHostKeyChecking, mode: 'push' },
      ctx.mux,
    );
    const end = await runCommand(copy, ctx.run(ctx.timeouts.transfer));
    if (!end.ok) return { kind: 'failed', error: failureOf(end, host, ctx.timeouts.transfer) };
  }
  const detail: CopyDetail = { bytesReceived };
  return { kind: 'ok', output: detail, detail: `${lacking.length} paths, ${bytesReceived} bytes` };
}

function failureOf(end: Parameters<typeof classifyFailure>[0], host: RealHost, timeout: number): string {
  const cause = classifyFailure(end, { from: 'deployer', to: host.id, timeoutSeconds: timeout });
  return `${cause.code}: ${cause.message}`;
}

/** Runs the whole-fleet cascade for the hosts that reached the copy stage, each with its own roots. */
export type StartCascade = (
  wants: ReadonlyMap<HostId, readonly PathId[]>,
  onEvent: EventSink,
) => Promise<RealCascadeResult>;

/**
 * `cascade`: a barrier in front of one whole-fleet run. Every expected host either arrives (its build
 * done, with its toplevel) or leaves (failed, unchanged, or cancelled before the copy); when the last one
 * has done so, the cascade starts with the arrived hosts' want sets, so shared paths cross each link once.
 * Each host's copy ends as soon as its own closure is complete (`host-done`), not when the whole fleet's
 * is, so it can activate while the others still receive.
 */
export class CascadeCopy {
  private readonly waiting = new Set<HostId>();
  private readonly arrived = new Map<HostId, PathId>();
  private readonly settle = new Map<HostId, (o: StageOutcome) => void>();
  private readonly received = new Map<HostId, number>();
  private started = false;
  private run: Promise<void> = Promise.resolve();
  /** The run's result, once it ended (for the report and the trace summary). */
  result: RealCascadeResult | undefined;
  /** Set when the cascade itself could not run (bad closure, nix missing): every arrived host failed with it. */
  error: string | undefined;

  constructor(
    expected: readonly HostId[],
    private readonly start: StartCascade,
    private readonly onEvent: EventSink = () => {},
  ) {
    for (const h of expected) this.waiting.add(h);
  }

  /** The host's build is done: it waits here for the cascade, then for its own closure. */
  arrive(host: HostId, toplevel: PathId): Promise<StageOutcome> {
    this.waiting.delete(host);
    this.arrived.set(host, toplevel);
    const done = new Promise<StageOutcome>((resolve) => this.settle.set(host, resolve));
    this.maybeStart();
    return done;
  }

  /** The host will not reach the copy stage (it failed or finished earlier). */
  leave(host: HostId): void {
    if (!this.waiting.delete(host)) return;
    this.maybeStart();
  }

  private maybeStart(): void {
    if (this.started || this.waiting.size > 0 || this.arrived.size === 0) return;
    this.started = true;
    const wants = new Map([...this.arrived].map(([h, top]) => [h, [top]]));
    this.run = this.start(wants, (e) => this.event(e)).then(
      (r) => this.finish(r),
      (e: unknown) => this.abandon(e instanceof Error ? e.message : String(e)),
    );
  }

  /**
   * Settles when the cascade has ended (its final store check included), or at once if it never
   * started: hosts are released earlier, at their own `host-done`, so a deploy awaits this before it
   * reports.
   */
  ended(): Promise<void> {
    return this.run;
  }

  private event(e: CascadeEvent): void {
    this.onEvent(e);
    if (e.type === 'transfer-finished') this.add(e.to, e.bytes);
    else if (e.type === 'transfer-failed') this.add(e.to, e.deliveredBytes);
    else if (e.type === 'host-done') this.resolve(e.host, { kind: 'ok', output: this.detailOf(e.host) });
  }

  private add(host: HostId, bytes: number): void {
    this.received.set(host, (this.received.get(host) ?? 0) + bytes);
  }

  private detailOf(host: HostId): CopyDetail {
    return { bytesReceived: this.received.get(host) ?? 0 };
  }

  private resolve(host: HostId, o: StageOutcome): void {
    const settle = this.settle.get(host);
    if (settle === undefined) return;
    this.settle.delete(host);
    if (o.kind === 'ok') {
      const { bytesReceived } = this.detailOf(host);
      settle({ ...o, detail: `${bytesReceived} bytes by cascade` });
    } else settle(o);
  }

  private finish(r: RealCascadeResult): void {
    this.result = r;
    const failed = new Map(r.result.failed.map((f) => [f.host, f]));
    const unhealthy = new Map(r.unhealthy.map((u) => [u.host, u]));
    for (const host of [...this.settle.keys()]) {
      const f = failed.get(host);
      const u = unhealthy.get(host);
      const error =
        u !== undefined
          ? `left out of the cascade: ${u.reasons.join('; ')}`
          : f !== undefined
            ? `${f.code}: ${f.message}`
            : r.result.reason === 'cancelled'
              ? 'cancelled'
              : r.verified.get(host) === true
                ? undefined
                : r.verified.has(host)
                  ? 'the cascade ended without its closure complete'
                  : `the cascade ended (${r.result.reason}) without reaching it`;
      this.resolve(
        host,
        error === undefined ? { kind: 'ok', output: this.detailOf(host) } : { kind: 'failed', error },
      );
    }
  }

  private abandon(error: string): void {
    this.error = error;
    for (const host of [...this.settle.keys()])
      this.resolve(host, { kind: 'failed', error: `cascade: ${error}` });
  }
}
