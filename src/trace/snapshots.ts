/**
 * Per-round snapshots of a run, like the reference's `RoundSnapshot` / `CascadeTrace::to_json`.
 */
import type { CascadeEvent } from '../core/events.js';
import type { HostId, TransferId } from '../core/types.js';
import { hostOrder, runStarted, sortHosts } from './run.js';
import { transferSpans, type SpanFailure } from './spans.js';

/** The outcome of one transfer within a round snapshot. */
export interface SnapshotOutcome {
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  readonly ok: boolean;
  /** Seconds from start to end (or to the run's end when unfinished). */
  readonly duration: number;
  readonly failure: SpanFailure | null;
}

/**
 * One round, like the reference's `RoundSnapshot`. "Has" means: holds its whole want set (done) or is a
 * seed. In eager mode a "round" is one planning step (the transfers planned together).
 */
export interface RoundSnapshot {
  readonly round: number;
  readonly start: number;
  /** When the round's last transfer ended. */
  readonly end: number;
  readonly duration: number;
  /** Seeds and done hosts when the round started, fleet order. */
  readonly hasBefore: readonly HostId[];
  /** The transfers planned in this round. */
  readonly plan: readonly {
    readonly id: TransferId;
    readonly from: HostId;
    readonly to: HostId;
    readonly bytes: number;
  }[];
  readonly outcomes: readonly SnapshotOutcome[];
  /** Seeds and done hosts right after the round's last transfer ended, fleet order. */
  readonly hasAfter: readonly HostId[];
  /** Child → parent links of the cascade so far (cumulative, as in the reference), child fleet order. */
  readonly parentChain: readonly { readonly host: HostId; readonly parent: HostId }[];
}

/**
 * Per-round snapshots of the run, in round order. Each snapshot lists whole host sets, so this costs
 * O(rounds × hosts): right for round mode and for tests, wasteful for eager runs of big fleets (where
 * every plan call is a "round").
 */
export function roundSnapshots(events: readonly CascadeEvent[]): RoundSnapshot[] {
  const order = hostOrder(events);
  const start = runStarted(events);
  const has = new Set<HostId>([...(start?.seeds ?? []), ...(start?.alreadyDone ?? [])]);
  const spans = new Map(transferSpans(events).map((s) => [s.id, s]));
  const parent = new Map<HostId, HostId>();
  const lastSender = new Map<HostId, HostId>();

  interface Building {
    round: number;
    start: number;
    hasBefore: HostId[];
    ids: TransferId[];
    open: number;
    hasAfter: HostId[] | undefined;
    parentChain: { host: HostId; parent: HostId }[] | undefined;
  }
  const byRound = new Map<number, Building>();
  const transferRound = new Map<TransferId, number>();
  let waiting: Building[] = [];
  const snapshotHas = (): HostId[] => sortHosts(has, order);
  const begin = (round: number, t: number): Building => {
    let b = byRound.get(round);
    if (!b) {
      b = {
        round,
        start: t,
        hasBefore: snapshotHas(),
        ids: [],
        open: 0,
        hasAfter: undefined,
        parentChain: undefined,
      };
      byRound.set(round, b);
    }
    return b;
  };
  const flush = (): void => {
    for (const b of waiting) {
      b.hasAfter = snapshotHas();
      b.parentChain = sortHosts(parent.keys(), order).map((host) => ({ host, parent: parent.get(host)! }));
    }
    waiting = [];
  };

  for (const e of events) {
    // A round's "after" state includes the host-done events that follow its last outcome.
    if (e.type !== 'host-done' && e.type !== 'host-failed') flush();
    switch (e.type) {
      case 'round-started':
        begin(e.round, e.t);
        break;
      case 'transfer-started': {
        const b = begin(e.round, e.t);
        b.ids.push(e.id);
        b.open++;
        transferRound.set(e.id, e.round);
        break;
      }
      case 'transfer-finished':
      case 'transfer-failed': {
        if (e.type === 'transfer-finished' || e.delivered.length > 0) lastSender.set(e.to, e.from);
        const r = transferRound.get(e.id);
        const b = r === undefined ? undefined : byRound.get(r);
        if (b && b.open > 0 && --b.open === 0) waiting.push(b);
        break;
      }
      case 'host-done': {
        has.add(e.host);
        const p = lastSender.get(e.host);
        if (p !== undefined && !parent.has(e.host)) parent.set(e.host, p);
        break;
      }
      default:
        break;
    }
  }
  flush();

  return [...byRound.values()]
    .sort((a, b) => a.round - b.round)
    .map((b): RoundSnapshot => {
      const mine = b.ids.map((id) => spans.get(id)!);
      const end = mine.reduce((m, s) => Math.max(m, s.end), b.start);
      return {
        round: b.round,
        start: b.start,
        end,
        duration: end - b.start,
        hasBefore: b.hasBefore,
        plan: mine.map((s) => ({ id: s.id, from: s.from, to: s.to, bytes: s.bytes })),
        outcomes: mine.map((s) => ({
          id: s.id,
          from: s.from,
          to: s.to,
          ok: s.outcome === 'ok',
          duration: s.end - s.start,
          failure: s.failure,
        })),
        hasAfter: b.hasAfter ?? snapshotHas(),
        parentChain:
          b.parentChain ??
          sortHosts(parent.keys(), order).map((host) => ({ host, parent: parent.get(host)! })),
      };
    });
}

/**
 * The per-round trace as pretty JSON, like the reference's `CascadeTrace::to_json`:
 * `{ strategy, hosts, rounds: RoundSnapshot[] }`, host lists in fleet order. Deterministic.
 */
export function roundSnapshotsJson(events: readonly CascadeEvent[]): string {
  const start = runStarted(events);
  const doc = {
    strategy: start?.strategy ?? null,
    hosts: start?.hosts.length ?? 0,
    rounds: roundSnapshots(events),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
