/**
 * Chart-ready reductions of one run's events: who a sender is (deployer / peer / cache, topology group),
 * the timeline's receivers sorted by finish time and sampled for big fleets, the bytes heat map at a
 * readable size, and the senders' uplink throughput over time. Pure and deterministic.
 */
import type { CascadeEvent } from '../core/events.js';
import type { HostId, HostRole } from '../core/types.js';
import { bytesPerGroup, bytesPerLink, hostFinishTimes, type LinkBytes } from './derive.js';
import { hostOrder, runFinished, runStarted } from './run.js';
import { transferSpans, type TransferSpan } from './spans.js';

/** What a chart may know about a host beyond the trace (from the fleet). */
export interface HostInfo {
  readonly role: HostRole;
  /** Topology group: rack, else site. */
  readonly group?: string | undefined;
  /** Uplink capacity, bytes per second. */
  readonly uplink?: number | undefined;
}

/** A sender's kind, as the timeline colours it. */
export type SenderKind = 'deployer' | 'peer' | 'cache';

/**
 * The kind of a host: from `info` when given (a target is a `peer`), else from the trace: a target is a
 * `peer`, any other host a `cache` when its name starts with `cache`, else the `deployer`.
 */
export function senderKind(
  host: HostId,
  targets: ReadonlySet<HostId>,
  info?: ReadonlyMap<HostId, HostInfo>,
): SenderKind {
  const role = info?.get(host)?.role;
  if (role !== undefined) return role === 'target' ? 'peer' : role;
  if (targets.has(host)) return 'peer';
  return host.startsWith('cache') ? 'cache' : 'deployer';
}

/** The timeline's data: the transfers into the shown receivers, and the receivers in order. */
export interface TimelineData {
  readonly rows: readonly TransferSpan[];
  /** The shown receivers, top first: by finish time (hosts never done last, by their last transfer). */
  readonly hostOrder: readonly HostId[];
  /** Receivers in the run. */
  readonly receivers: number;
  /** A sentence saying what was sampled, or '' when every receiver is shown. */
  readonly note: string;
}

/**
 * The timeline of a run: receivers sorted by finish time (ties in fleet order); past `maxHosts`, an
 * evenly spaced sample of that order that keeps the first and the last to finish.
 */
export function timelineData(events: readonly CascadeEvent[], maxHosts: number): TimelineData {
  const spans = transferSpans(events);
  const fleet = hostOrder(events);
  const done = hostFinishTimes(events);
  const lastEnd = new Map<HostId, number>();
  for (const s of spans) lastEnd.set(s.to, Math.max(lastEnd.get(s.to) ?? -Infinity, s.end));
  const key = (h: HostId): [number, number] => {
    const d = done.get(h);
    return d !== undefined ? [0, d] : [1, lastEnd.get(h) ?? 0];
  };
  const sorted = [...lastEnd.keys()].sort((a, b) => {
    const [ka, ta] = key(a);
    const [kb, tb] = key(b);
    return ka - kb || ta - tb || (fleet.get(a) ?? 0) - (fleet.get(b) ?? 0);
  });
  let shown = sorted;
  let note = '';
  if (sorted.length > maxHosts && maxHosts >= 1) {
    const n = maxHosts;
    const picks = new Set<number>();
    for (let i = 0; i < n; i++)
      picks.add(n === 1 ? sorted.length - 1 : Math.round((i * (sorted.length - 1)) / (n - 1)));
    shown = [...picks].sort((a, b) => a - b).map((i) => sorted[i]!);
    note =
      `sampled: ${shown.length} of ${sorted.length} receivers, evenly spaced in finish order ` +
      `(first and last to finish included)`;
  }
  const keep = new Set(shown);
  return { rows: spans.filter((s) => keep.has(s.to)), hostOrder: shown, receivers: sorted.length, note };
}

/** The heat map's cells and what they stand for. */
export interface HeatMapData {
  readonly rows: readonly LinkBytes[];
  /** What a row or column is: `host`, `group` or `host block`. */
  readonly unit: string;
  /** A sentence saying how hosts were aggregated, or ''. */
  readonly note: string;
}

/**
 * Bytes per sender → receiver at a readable size: per topology group (rack or site) when `info` gives
 * at most `maxCells` groups, else per host up to `maxCells` hosts, else per block of consecutive targets
 * in fleet order (at most `maxCells` blocks). The deployer and caches keep their own cell (`deployer
 * (rack-01)` when they belong to a group).
 */
export function heatMapData(
  events: readonly CascadeEvent[],
  maxCells: number,
  info?: ReadonlyMap<HostId, HostInfo>,
): HeatMapData {
  const fleet = hostOrder(events);
  // The deployer and caches keep a cell of their own (named with their group), so their egress shows.
  const groupOf = (h: HostId): string => {
    const i = info?.get(h);
    if (i?.group === undefined) return h;
    return i.role === 'target' ? i.group : `${h} (${i.group})`;
  };
  const groups = new Set(info === undefined ? [] : [...fleet.keys()].map(groupOf));
  const hasGroups = info !== undefined && [...info.values()].some((h) => h.group !== undefined);
  if (hasGroups && groups.size <= maxCells) {
    return { rows: bytesPerGroup(events, groupOf), unit: 'group', note: '' };
  }
  if (fleet.size <= maxCells) return { rows: bytesPerLink(events), unit: 'host', note: '' };
  const targets = runStarted(events)?.targets ?? [...fleet.keys()];
  const index = new Map(targets.map((h, i) => [h, i]));
  const size = Math.ceil(targets.length / Math.max(1, maxCells));
  const width = String(targets.length).length;
  const label = (b: number): string => {
    const lo = b * size + 1;
    const hi = Math.min(targets.length, (b + 1) * size);
    return `hosts ${String(lo).padStart(width, '0')}–${String(hi).padStart(width, '0')}`;
  };
  const blockOf = (h: HostId): string => {
    const i = index.get(h);
    return i === undefined ? h : label(Math.floor(i / size));
  };
  return {
    rows: bytesPerGroup(events, blockOf),
    unit: 'host block',
    note:
      `${targets.length} targets aggregated into blocks of ${size} in fleet order` +
      (hasGroups ? ` (${groups.size} groups: too many to show one by one)` : ''),
  };
}

/** One time bin of a throughput series. */
export interface RatePoint {
  /** Bin start, seconds. */
  readonly t: number;
  /** Bytes per second sent in the bin, averaged over it. */
  readonly rate: number;
}

/**
 * What `senders` sent per second over the run, in `bins` equal time bins from the run's start to its
 * end (plus a closing point at the end): each transfer's delivered bytes are spread evenly over its
 * duration (an instantaneous one counts in the bin it starts in). Empty for a run without time.
 */
export function uplinkSeries(
  events: readonly CascadeEvent[],
  senders: ReadonlySet<HostId>,
  bins: number,
): RatePoint[] {
  const t0 = runStarted(events)?.t ?? 0;
  const spans = transferSpans(events);
  let t1 = runFinished(events)?.t ?? t0;
  for (const s of spans) t1 = Math.max(t1, s.end);
  const span = t1 - t0;
  if (!(span > 0) || bins < 1) return [];
  const width = span / bins;
  const bytes = new Float64Array(bins);
  const binOf = (t: number): number => Math.min(bins - 1, Math.max(0, Math.floor((t - t0) / width)));
  for (const s of spans) {
    if (!senders.has(s.from) || s.deliveredBytes <= 0) continue;
    const d = s.end - s.start;
    if (!(d > 0)) {
      bytes[binOf(s.start)]! += s.deliveredBytes;
      continue;
    }
    const perSecond = s.deliveredBytes / d;
    for (let b = binOf(s.start); b <= binOf(s.end); b++) {
      const lo = Math.max(s.start, t0 + b * width);
      const hi = Math.min(s.end, t0 + (b + 1) * width);
      if (hi > lo) bytes[b]! += perSecond * (hi - lo);
    }
  }
  const out: RatePoint[] = [];
  for (let b = 0; b < bins; b++) out.push({ t: t0 + b * width, rate: bytes[b]! / width });
  out.push({ t: t1, rate: out[out.length - 1]!.rate });
  return out;
}
