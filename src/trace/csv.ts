/**
 * CSV exports of a run (RFC 4180 quoting, `\n` line ends, header row first), for spreadsheets and pandas.
 */
import type { CascadeEvent } from '../core/events.js';
import { hostSummaries, transferSpans } from './derive.js';

/** A CSV cell value; null and undefined become empty cells. */
export type CsvCell = string | number | boolean | null | undefined;

/**
 * Quotes one cell per RFC 4180: cells containing a comma, a double quote, CR or LF are wrapped in double
 * quotes with inner quotes doubled. Numbers use JavaScript's shortest round-trip form.
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows to CSV text; every row, the header included, ends with `\n`. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  let out = `${header.map(csvCell).join(',')}\n`;
  for (const r of rows) out += `${r.map(csvCell).join(',')}\n`;
  return out;
}

/** Columns of {@link transfersCsv}. */
export const TRANSFER_COLUMNS = [
  'id',
  'round',
  'from',
  'to',
  'bytes',
  'start',
  'end',
  'outcome',
  'code',
  'message',
  'paths',
  'delivered_bytes',
] as const;

/**
 * One row per transfer, in start order: times in seconds, `outcome` ok / failed / unfinished, failure
 * code and message for failed ones.
 */
export function transfersCsv(events: readonly CascadeEvent[]): string {
  return toCsv(
    TRANSFER_COLUMNS,
    transferSpans(events).map((s) => [
      s.id,
      s.round,
      s.from,
      s.to,
      s.bytes,
      s.start,
      s.end,
      s.outcome,
      s.failure?.code,
      s.failure?.message,
      s.paths,
      s.deliveredBytes,
    ]),
  );
}

/** Columns of {@link hostsCsv}. */
export const HOST_COLUMNS = [
  'host',
  'seed',
  'target',
  'status',
  'done_at',
  'parent',
  'round',
  'failed_at',
  'failed_code',
  'failed_message',
  'bytes_received',
  'bytes_sent',
  'transfers_received',
  'transfers_failed',
] as const;

/**
 * One row per host, fleet order: whether it was a seed / target, its final status (already-done, done,
 * failed, unreached, not-a-target), when it became done and from whom, and its failure cause if any.
 */
export function hostsCsv(events: readonly CascadeEvent[]): string {
  return toCsv(
    HOST_COLUMNS,
    hostSummaries(events).map((h) => [
      h.host,
      h.seed,
      h.target,
      h.status,
      h.doneAt,
      h.parent,
      h.round,
      h.failedAt,
      h.failedCode,
      h.failedMessage,
      h.bytesReceived,
      h.bytesSent,
      h.transfersReceived,
      h.transfersFailed,
    ]),
  );
}
