/**
 * Pure reductions over a run's events: finish times, completion curve, bytes per link, host summaries,
 * plus (re-exported from their own files) transfer spans, the cascade tree and round snapshots. Reports,
 * exporters and tests all derive from these, so a trace alone rebuilds any result. Each function expects
 * the events of ONE run, in emission order.
 */
import type { CascadeEvent, HostFailedEvent } from '../core/events.js';
import type { HostId } from '../core/types.js';
import { hostOrder, runFinished, runStarted } from './run.js';
import { transferSpans } from './spans.js';
import { cascadeTree } from './tree.js';

export { hostOrder, runFinished, runStarted, sortHosts } from './run.js';
export { transferSpans, type SpanFailure, type TransferSpan } from './spans.js';
export { cascadeTree, cascadeTreeAscii, cascadeTreeDot, type CascadeTree } from './tree.js';
export { roundSnapshots, roundSnapshotsJson, type RoundSnapshot, type SnapshotOutcome } from './snapshots.js';

/** When each host became done (`host-done` events; hosts done at the start are not listed). */
export function hostFinishTimes(events: readonly CascadeEvent[]): Map<HostId, number> {
  const done = new Map<HostId, number>();
  for (const e of events) if (e.type === 'host-done' && !done.has(e.host)) done.set(e.host, e.t);
  return done;
}

/** One step of a completion curve: `done` hosts were done at time `t` (seconds). */
export interface CompletionPoint {
  readonly t: number;
  readonly done: number;
}

/**
 * Hosts done over time, as a step function: one point at the run's start (counting the targets that were
 * already done), one per distinct time at which hosts became done, and a last point at the run's end.
 * Both `t` and `done` never decrease: it counts deliveries, so a host that completed and was killed later
 * stays counted, while the run result (and {@link hostSummaries}) call that host failed.
 */
export function completionCurve(events: readonly CascadeEvent[]): CompletionPoint[] {
  const points: { t: number; done: number }[] = [];
  const seen = new Set<HostId>();
  const start = runStarted(events);
  if (start) {
    for (const h of start.alreadyDone) seen.add(h);
    points.push({ t: start.t, done: seen.size });
  }
  for (const e of events) {
    if (e.type !== 'host-done' || seen.has(e.host)) continue;
    seen.add(e.host);
    const last = points[points.length - 1];
    if (last && last.t >= e.t) last.done = seen.size;
    else points.push({ t: e.t, done: seen.size });
  }
  const end = runFinished(events);
  const last = points[points.length - 1];
  if (end && last && end.t > last.t) points.push({ t: end.t, done: last.done });
  return points;
}

/**
 * Thins a completion curve to about `maxPoints` points for charts, keeping the first and last point and
 * every point where `done` crosses a new `1/maxPoints` share of the final count (so the step shape stays).
 */
export function downsampleCurve(points: readonly CompletionPoint[], maxPoints: number): CompletionPoint[] {
  if (points.length <= maxPoints || maxPoints < 2) return [...points];
  const top = points[points.length - 1]!.done || 1;
  const bucket = (p: CompletionPoint): number => Math.floor((p.done * (maxPoints - 2)) / top);
  const out: CompletionPoint[] = [points[0]!];
  for (let i = 1; i < points.length - 1; i++) {
    if (bucket(points[i]!) > bucket(out[out.length - 1]!)) out.push(points[i]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/** Bytes that crossed one directed host pair. */
export interface LinkBytes {
  readonly from: HostId;
  readonly to: HostId;
  /** Bytes delivered (finished transfers, plus what failed transfers delivered). */
  readonly bytes: number;
  /** Transfers started on this pair. */
  readonly transfers: number;
}

/** Bytes per directed host pair, sorted by the sender's, then the receiver's fleet order. */
export function bytesPerLink(events: readonly CascadeEvent[]): LinkBytes[] {
  return groupBytes(events, (h) => h, hostOrder(events));
}

/**
 * Bytes between groups of hosts (racks, sites, regions): `groupOf` maps a host to its group. Pairs
 * inside one group are included (`from === to`), so cross-group traffic is the rest. Sorted by group
 * name (sender, then receiver).
 */
export function bytesPerGroup(
  events: readonly CascadeEvent[],
  groupOf: (host: HostId) => string,
): LinkBytes[] {
  return groupBytes(events, groupOf, undefined);
}

function groupBytes(
  events: readonly CascadeEvent[],
  key: (host: HostId) => string,
  order: ReadonlyMap<HostId, number> | undefined,
): LinkBytes[] {
  const acc = new Map<string, { from: string; to: string; bytes: number; transfers: number }>();
  for (const s of transferSpans(events)) {
    const from = key(s.from);
    const to = key(s.to);
    const k = JSON.stringify([from, to]);
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { from, to, bytes: 0, transfers: 0 }));
    a.bytes += s.deliveredBytes;
    a.transfers++;
  }
  const rank = (h: string): number => order?.get(h) ?? Number.MAX_SAFE_INTEGER;
  const cmp = (a: string, b: string): number => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  return [...acc.values()].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to));
}

/** Status of one host at the end of a run. */
export type HostStatus = 'already-done' | 'done' | 'failed' | 'unreached' | 'not-a-target';

/** What happened to one host over the run. */
export interface HostSummary {
  readonly host: HostId;
  readonly seed: boolean;
  readonly target: boolean;
  readonly status: HostStatus;
  /** When it became done, or null. */
  readonly doneAt: number | null;
  /** Sender of the transfer that completed it, and that transfer's round. */
  readonly parent: HostId | null;
  readonly round: number | null;
  readonly failedAt: number | null;
  readonly failedCode: HostFailedEvent['code'] | null;
  readonly failedMessage: string | null;
  /** Bytes delivered to it. */
  readonly bytesReceived: number;
  /** Bytes it delivered to others. */
  readonly bytesSent: number;
  readonly transfersReceived: number;
  /** Transfers to it that failed. */
  readonly transfersFailed: number;
}

/** One summary per host, fleet order. */
export function hostSummaries(events: readonly CascadeEvent[]): HostSummary[] {
  const start = runStarted(events);
  const tree = cascadeTree(events);
  const doneAt = hostFinishTimes(events);
  const targets = new Set(start?.targets ?? []);
  const already = new Set(start?.alreadyDone ?? []);
  const failedAt = new Map<HostId, HostFailedEvent>();
  for (const e of events) if (e.type === 'host-failed' && !failedAt.has(e.host)) failedAt.set(e.host, e);
  const recv = new Map<HostId, { bytes: number; n: number; failed: number }>();
  const sent = new Map<HostId, number>();
  for (const s of transferSpans(events)) {
    let r = recv.get(s.to);
    if (!r) recv.set(s.to, (r = { bytes: 0, n: 0, failed: 0 }));
    r.bytes += s.deliveredBytes;
    r.n++;
    if (s.outcome === 'failed') r.failed++;
    sent.set(s.from, (sent.get(s.from) ?? 0) + s.deliveredBytes);
  }
  return [...tree.order.keys()].map((host): HostSummary => {
    const f = failedAt.get(host);
    const d = doneAt.get(host);
    // As the coordinator counts: a host that completed and then died is failed.
    const status: HostStatus = f
      ? 'failed'
      : already.has(host)
        ? 'already-done'
        : d !== undefined
          ? 'done'
          : targets.has(host)
            ? 'unreached'
            : 'not-a-target';
    const r = recv.get(host);
    return {
      host,
      seed: tree.seeds.has(host),
      target: targets.has(host),
      status,
      doneAt: d ?? null,
      parent: tree.parent.get(host) ?? null,
      round: tree.round.get(host) ?? null,
      failedAt: f?.t ?? null,
      failedCode: f?.code ?? null,
      failedMessage: f?.message ?? null,
      bytesReceived: r?.bytes ?? 0,
      bytesSent: sent.get(host) ?? 0,
      transfersReceived: r?.n ?? 0,
      transfersFailed: r?.failed ?? 0,
    };
  });
}
