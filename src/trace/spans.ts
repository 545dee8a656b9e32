/**
 * Transfers as spans (start, end, outcome), the unit of timelines, CSV rows and Perfetto slices.
 */
import type { CascadeEvent, TransferFailedEvent } from '../core/events.js';
import type { FailureCode, FailureKind, HostId, TransferId } from '../core/types.js';
import { runFinished } from './run.js';

/** Why a transfer did not finish, when it did not. */
export interface SpanFailure {
  readonly kind: FailureKind;
  readonly code: FailureCode;
  /** The host the failure is about. */
  readonly host: HostId;
  readonly message: string;
}

/** One transfer from start to end. */
export interface TransferSpan {
  readonly id: TransferId;
  readonly round: number;
  readonly from: HostId;
  readonly to: HostId;
  readonly bytes: number;
  /** Number of store paths in the transfer. */
  readonly paths: number;
  readonly start: number;
  /** When it finished or failed; the run's end for a transfer that never ended. */
  readonly end: number;
  readonly outcome: 'ok' | 'failed' | 'unfinished';
  /** Bytes that reached the receiver (all of them when `ok`). */
  readonly deliveredBytes: number;
  readonly failure: SpanFailure | null;
}

/** Every transfer of the run, in start order (= id order). */
export function transferSpans(events: readonly CascadeEvent[]): TransferSpan[] {
  interface Open {
    id: TransferId;
    round: number;
    from: HostId;
    to: HostId;
    bytes: number;
    paths: number;
    start: number;
    end: number | undefined;
    failed: TransferFailedEvent | undefined;
  }
  const open = new Map<TransferId, Open>();
  const order: Open[] = [];
  let lastT = 0;
  for (const e of events) {
    lastT = Math.max(lastT, e.t);
    if (e.type === 'transfer-started') {
      const o: Open = {
        id: e.id,
        round: e.round,
        from: e.from,
        to: e.to,
        bytes: e.bytes,
        paths: e.paths.length,
        start: e.t,
        end: undefined,
        failed: undefined,
      };
      open.set(e.id, o);
      order.push(o);
    } else if (e.type === 'transfer-finished' || e.type === 'transfer-failed') {
      const o = open.get(e.id);
      if (!o || o.end !== undefined) continue;
      o.end = e.t;
      if (e.type === 'transfer-failed') o.failed = e;
    }
  }
  const runEnd = runFinished(events)?.t ?? lastT;
  return order.map((o): TransferSpan => {
    const f = o.failed;
    return {
      id: o.id,
      round: o.round,
      from: o.from,
      to: o.to,
      bytes: o.bytes,
      paths: o.paths,
      start: o.start,
      end: o.end ?? Math.max(runEnd, o.start),
      outcome: o.end === undefined ? 'unfinished' : f ? 'failed' : 'ok',
      deliveredBytes: o.end === undefined ? 0 : f ? f.deliveredBytes : o.bytes,
      failure: f ? { kind: f.kind, code: f.code, host: f.host, message: f.message } : null,
    };
  });
}
