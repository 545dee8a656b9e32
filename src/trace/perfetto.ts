/**
 * Chrome / Perfetto trace-event JSON: open the file in ui.perfetto.dev (or chrome://tracing) to see every
 * host's timeline. One process for the run, one track per host in fleet order, each transfer a complete
 * (`X`) slice on the RECEIVER's track, failures and host-done as instant events, rounds on their own track.
 */
import { ConfigError } from '../core/errors.js';
import type { CascadeEvent } from '../core/events.js';
import type { HostId } from '../core/types.js';
import { hostOrder, runStarted, transferSpans, type TransferSpan } from './derive.js';

/** One trace event of the Chrome trace-event format (the subset we write). */
export interface PerfettoEvent {
  readonly name: string;
  readonly ph: 'M' | 'X' | 'i';
  readonly pid: number;
  readonly tid: number;
  /** Microseconds (integer). Absent on metadata events. */
  readonly ts?: number;
  /** Microseconds (integer), `X` events only. */
  readonly dur?: number;
  /** Instant-event scope: `t` = thread. */
  readonly s?: 't' | 'p';
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

/** The whole file. */
export interface PerfettoTrace {
  readonly traceEvents: readonly PerfettoEvent[];
  readonly displayTimeUnit: 'ms';
}

/** Options of {@link toPerfetto}. */
export interface PerfettoOptions {
  /**
   * At most this many store-path names are listed in a transfer's args (the count is always there);
   * whole closures on 100k hosts would make the file huge.
   * @defaultValue 16
   */
  readonly maxPathsInArgs?: number;
}

const PID = 1;
const ROUNDS_TID = 0;

/** Seconds to integer microseconds. */
function us(seconds: number): number {
  return Math.round(seconds * 1e6);
}

/**
 * Assigns each transfer a lane on its receiver: slices on one Perfetto thread must nest, so a transfer
 * that overlaps an earlier one on the same receiver (concurrent receives) goes to an extra lane.
 */
function assignLanes(spans: readonly TransferSpan[]): Map<number, number> {
  const lanes = new Map<HostId, number[]>(); // receiver -> end (µs) of the last slice per lane
  const laneOf = new Map<number, number>();
  const sorted = [...spans].sort((a, b) => us(a.start) - us(b.start) || a.id - b.id);
  for (const s of sorted) {
    let ends = lanes.get(s.to);
    if (!ends) lanes.set(s.to, (ends = []));
    const start = us(s.start);
    let lane = ends.findIndex((end) => end <= start);
    if (lane === -1) {
      lane = ends.length;
      ends.push(0);
    }
    ends[lane] = start + Math.max(0, us(s.end) - start);
    laneOf.set(s.id, lane);
  }
  return laneOf;
}

/**
 * Converts a run's events to a Perfetto trace. Deterministic: the same events give the same object.
 *
 * @throws ConfigError when `maxPathsInArgs` is not a non-negative integer.
 */
export function toPerfetto(events: readonly CascadeEvent[], options: PerfettoOptions = {}): PerfettoTrace {
  const maxPaths = options.maxPathsInArgs ?? 16;
  if (!Number.isInteger(maxPaths) || maxPaths < 0) {
    throw new ConfigError(
      `must be a non-negative integer, got ${maxPaths}`,
      'PerfettoOptions.maxPathsInArgs',
    );
  }
  const order = hostOrder(events);
  const spans = transferSpans(events);
  const laneOf = assignLanes(spans);
  const start = runStarted(events);
  const out: PerfettoEvent[] = [];

  out.push({
    name: 'process_name',
    ph: 'M',
    pid: PID,
    tid: ROUNDS_TID,
    args: { name: `cascade ${start?.strategy ?? ''}`.trim() },
  });
  out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: ROUNDS_TID, args: { name: 'rounds' } });
  out.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid: ROUNDS_TID, args: { sort_index: 0 } });

  // Host i (fleet order) is thread i+1; extra lanes follow all hosts, in order of first use.
  const tids = new Map<string, number>();
  const hosts = [...order.keys()];
  hosts.forEach((h, i) => tids.set(`${h}\u0000${0}`, i + 1));
  for (const h of hosts) {
    const i = order.get(h)!;
    out.push({ name: 'thread_name', ph: 'M', pid: PID, tid: i + 1, args: { name: h } });
    out.push({
      name: 'thread_sort_index',
      ph: 'M',
      pid: PID,
      tid: i + 1,
      args: { sort_index: (i + 1) * 1000 },
    });
  }
  const tidOf = (host: HostId, lane: number): number => {
    const key = `${host}\u0000${lane}`;
    let tid = tids.get(key);
    if (tid === undefined) {
      tid = tids.size + 1;
      tids.set(key, tid);
      const i = order.get(host) ?? hosts.length;
      out.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name: `${host} #${lane + 1}` } });
      out.push({
        name: 'thread_sort_index',
        ph: 'M',
        pid: PID,
        tid,
        args: { sort_index: (i + 1) * 1000 + lane },
      });
    }
    return tid;
  };
  // Lanes beyond the first get their metadata up front, so metadata precedes slices in the file.
  for (const s of spans) tidOf(s.to, laneOf.get(s.id) ?? 0);

  const pathNames = new Map<number, readonly string[]>();
  for (const e of events) if (e.type === 'transfer-started') pathNames.set(e.id, e.paths);
  const spanById = new Map(spans.map((s) => [s.id, s]));
  const roundStart = new Map<number, number>();

  const slice = (s: TransferSpan): PerfettoEvent => {
    const names = pathNames.get(s.id) ?? [];
    const args: Record<string, unknown> = {
      id: s.id,
      round: s.round,
      from: s.from,
      to: s.to,
      bytes: s.bytes,
      paths: s.paths,
      pathNames:
        names.length > maxPaths ? [...names.slice(0, maxPaths), `… ${names.length - maxPaths} more`] : names,
      outcome: s.outcome,
      deliveredBytes: s.deliveredBytes,
    };
    if (s.failure)
      Object.assign(args, { kind: s.failure.kind, code: s.failure.code, message: s.failure.message });
    const ts = us(s.start);
    return {
      name: `${s.from} → ${s.to}`,
      cat: s.outcome === 'ok' ? 'transfer' : `transfer,${s.outcome}`,
      ph: 'X',
      pid: PID,
      tid: tidOf(s.to, laneOf.get(s.id) ?? 0),
      ts,
      dur: Math.max(0, us(s.end) - ts),
      args,
    };
  };
  const instant = (
    name: string,
    cat: string,
    t: number,
    tid: number,
    args: Record<string, unknown>,
  ): PerfettoEvent => ({
    name,
    cat,
    ph: 'i',
    s: 't',
    pid: PID,
    tid,
    ts: us(t),
    args,
  });

  // Slices are written when their transfer ends, in trace order; unfinished ones at the end.
  const written = new Set<number>();
  for (const e of events) {
    switch (e.type) {
      case 'round-started':
        roundStart.set(e.round, e.t);
        break;
      case 'round-finished': {
        const t0 = roundStart.get(e.round) ?? e.t;
        out.push({
          name: `round ${e.round}`,
          cat: 'round',
          ph: 'X',
          pid: PID,
          tid: ROUNDS_TID,
          ts: us(t0),
          dur: Math.max(0, us(e.t) - us(t0)),
          args: { round: e.round },
        });
        break;
      }
      case 'transfer-finished':
      case 'transfer-failed': {
        const s = spanById.get(e.id);
        if (!s || written.has(e.id)) break;
        written.add(e.id);
        out.push(slice(s));
        if (e.type === 'transfer-failed') {
          out.push(
            instant(`failed: ${e.code}`, 'failure', e.t, tidOf(e.to, laneOf.get(e.id) ?? 0), {
              id: e.id,
              from: e.from,
              to: e.to,
              kind: e.kind,
              code: e.code,
              host: e.host,
              message: e.message,
              deliveredBytes: e.deliveredBytes,
            }),
          );
        }
        break;
      }
      case 'host-done':
        out.push(instant('done', 'host', e.t, tidOf(e.host, 0), { host: e.host }));
        break;
      case 'host-failed':
        out.push(
          instant(`host failed: ${e.code}`, 'failure', e.t, tidOf(e.host, 0), {
            host: e.host,
            code: e.code,
            message: e.message,
          }),
        );
        break;
      case 'run-finished':
        out.push(
          instant(`run finished: ${e.reason}`, 'run', e.t, ROUNDS_TID, {
            reason: e.reason,
            hostsDone: e.hostsDone,
            hostsFailed: e.hostsFailed,
            hostsUnreached: e.hostsUnreached,
            rounds: e.rounds,
            bytesTransferred: e.bytesTransferred,
          }),
        );
        break;
      default:
        break;
    }
  }
  for (const s of spans) if (!written.has(s.id)) out.push(slice(s));
  return { traceEvents: out, displayTimeUnit: 'ms' };
}

/**
 * The Perfetto trace as JSON text, one trace event per line (readable, diffable, and built line by line
 * rather than by one giant `JSON.stringify`).
 */
export function toPerfettoJson(events: readonly CascadeEvent[], options: PerfettoOptions = {}): string {
  const trace = toPerfetto(events, options);
  const lines = trace.traceEvents.map((e) => JSON.stringify(e));
  return `{"traceEvents":[\n${lines.join(',\n')}\n],"displayTimeUnit":"ms"}\n`;
}
