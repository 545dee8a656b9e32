import type { Route } from '../../core/topology.js';
import type { HostId, TransferId } from '../../core/types.js';

/**
 * The one interface behind which the simulator's network models live (round model, flow model).
 * A model owns the bandwidth side of transfers: when each one ends, how many bytes it has delivered.
 * Failures, cancellation and outcomes are the executor's business; it drives a model through this
 * interface and shares its event queue with it (see {@link NetScheduler}).
 */

/** A transfer as a network model sees it. */
export interface NetTransfer {
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  /** Bytes to carry before the transfer ends (may be less than the transfer's size when it breaks part-way). */
  readonly bytes: number;
  /** The topology route (never null here: the executor fails unroutable transfers itself). */
  readonly route: Route;
  /**
   * Most bytes per second this transfer can reach whatever its share, e.g. a TCP window ÷ the route's
   * round-trip time. Absent or `Infinity`: no cap of its own.
   */
  readonly maxRate?: number;
  /** Fleet positions of `from` and `to` when the caller already looked them up (saves a model the look-up). */
  readonly fromIndex?: number;
  readonly toIndex?: number;
}

/** A model's own wake-up: the end of a transfer's latency phase, or the transfer's completion. */
export interface NetEvent {
  readonly kind: 'net';
  readonly transfer: TransferId;
  readonly phase: 'arrive' | 'complete';
}

/** A handle on a scheduled event (an `EventQueue` entry). */
export interface ScheduledEvent {
  readonly time: number;
  readonly seq: number;
}

/**
 * The part of the simulator's event queue a model may use. `EventQueue<T>` satisfies it whenever
 * `T` includes {@link NetEvent}.
 */
export interface NetScheduler {
  push(time: number, event: NetEvent): ScheduledEvent;
  /** Removes a still-queued event; returns whether it was queued. */
  remove(entry: ScheduledEvent): boolean;
  /** Moves an event (queued or not) to `time` in place, with a fresh sequence number. */
  reschedule(entry: ScheduledEvent, time: number): ScheduledEvent;
}

/** Which model: `round` fixes each rate at start; `flow` shares by max-min fairness, recomputed. */
export type NetworkModelKind = 'round' | 'flow';

/**
 * A network model. All times are the simulator's virtual seconds and never go backwards between calls.
 * Completion events the model schedules carry exact times; the executor pops them in (time, seq) order
 * and hands each back through {@link NetworkModel.handle}.
 */
export interface NetworkModel {
  readonly kind: NetworkModelKind;
  /** Starts a batch at `now`: every transfer planned together (the round model counts them together). */
  start(batch: readonly NetTransfer[], now: number): void;
  /**
   * Processes one of the model's own events popped at `now`. Returns the id of the transfer that
   * completed (it is then forgotten by the model), or undefined for an internal step.
   */
  handle(event: NetEvent, now: number): TransferId | undefined;
  /** Bytes of a running transfer delivered by `now` (0 during its latency phase). */
  progress(id: TransferId, now: number): number;
  /** Current rate in bytes per second (0 during the latency phase, or for an unknown transfer). */
  rate(id: TransferId): number;
  /** Takes a transfer out early (failure, cancellation); returns the bytes it had delivered by `now`. */
  remove(id: TransferId, now: number): number;
  /** Multiplies `host`'s uplink and downlink by `factor` from `now` on (1 restores the nominal rates). */
  setHostFactor(host: HostId, factor: number, now: number): void;
  /**
   * Settles deferred work at `now` (the flow model recomputes rates of the touched components here and
   * reschedules completions). The executor calls it before every pop.
   */
  flush(now: number): void;
  /** Number of transfers the model is carrying (latency phase included). */
  readonly size: number;
}
