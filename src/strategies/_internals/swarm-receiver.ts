import type { HostId, PathId } from '../../core/types.js';

/**
 * An open receiver's state, kept across `SwarmPlan` calls by `SwarmHosts` (the view's per-host lookups are
 * hot); `slots`, `planned` and `pace` are the call's own, reset at its start.
 */
export interface OpenReceiver {
  readonly id: HostId;
  /** Receive slots left in this call. */
  slots: number;
  readonly missing: ReadonlySet<PathId>;
  readonly incoming: ReadonlySet<PathId>;
  /** Paths proposed to it in this call. */
  planned: ReadonlySet<PathId> | undefined;
  /** Seconds of receiving left at its downlink. */
  readonly left: number;
  /** Sort key: its uplink, or 0 below the receiver tier (see `SwarmPlan`). */
  readonly rank: number;
  /** Fleet position (the last tie-break). */
  readonly pos: number;
  /** The slowest sender uplink it accepts in this call (see `SwarmAdmission`'s pace), once asked. */
  pace: number | undefined;
}

/** An open receiver's record, kept across calls; `SwarmPlan` resets its per-call fields at each call. */
export class Receiver implements OpenReceiver {
  slots = 0;
  missing: ReadonlySet<PathId>;
  incoming: ReadonlySet<PathId>;
  planned: ReadonlySet<PathId> | undefined = undefined;
  left = 0;
  rank = 0;
  pace: number | undefined = undefined;

  constructor(
    readonly id: HostId,
    readonly pos: number,
    missing: ReadonlySet<PathId>,
    incoming: ReadonlySet<PathId>,
  ) {
    this.missing = missing;
    this.incoming = incoming;
  }
}

/** Open receivers' order: the fastest uplink first (`rank`), then the most receive time left, then fleet order. */
export function before(a: OpenReceiver, b: OpenReceiver): number {
  return b.rank - a.rank || b.left - a.left || a.pos - b.pos;
}
