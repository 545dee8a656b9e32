import type { HostId, PathId, TransferId } from './types.js';
import type { FailureCode, FailureKind, HostFailureCode, RunMode, StopReason } from './vocabulary.js';

export type { StopReason } from './vocabulary.js';

/**
 * Typed events of a run. Every report, export and chart is derived from these, so a trace alone rebuilds
 * any result. `t` is the executor's time in seconds. Field order is fixed by construction, which keeps the
 * JSON Lines form byte-identical for the same scenario and seed.
 */
export type CascadeEvent =
  | RunStartedEvent
  | RoundStartedEvent
  | TransferStartedEvent
  | TransferFinishedEvent
  | TransferFailedEvent
  | HostDoneEvent
  | HostFailedEvent
  | RoundFinishedEvent
  | RunFinishedEvent;

/**
 * The trace format version the coordinator writes in its `run-started` event (the trace's header line).
 * A reader refuses a trace with a newer version (`TraceVersionError`); a trace without one predates
 * versioning and reads as version 1.
 */
export const TRACE_VERSION = 1;

export interface RunStartedEvent {
  readonly type: 'run-started';
  /** The trace format version ({@link TRACE_VERSION} when written by this nix-cascade; absent in old traces). */
  readonly version?: number | undefined;
  readonly t: number;
  readonly strategy: string;
  readonly mode: RunMode;
  /** Hosts in fleet order (targets, deployer, caches). */
  readonly hosts: readonly HostId[];
  /** Hosts that want something. */
  readonly targets: readonly HostId[];
  /** Hosts that hold paths at the start. */
  readonly seeds: readonly HostId[];
  /** Hosts that already held their whole want set at the start. */
  readonly alreadyDone: readonly HostId[];
  /** Bytes the targets are missing at the start, summed over targets. */
  readonly bytesWanted: number;
}

export interface RoundStartedEvent {
  readonly type: 'round-started';
  readonly t: number;
  readonly round: number;
}

export interface TransferStartedEvent {
  readonly type: 'transfer-started';
  readonly t: number;
  readonly round: number;
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  readonly bytes: number;
  readonly paths: readonly PathId[];
}

export interface TransferFinishedEvent {
  readonly type: 'transfer-finished';
  readonly t: number;
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  readonly bytes: number;
}

export interface TransferFailedEvent {
  readonly type: 'transfer-failed';
  readonly t: number;
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  readonly kind: FailureKind;
  readonly code: FailureCode;
  /** The host the failure is about (the receiver unless the sender died). */
  readonly host: HostId;
  readonly message: string;
  /** Paths that reached the target before the failure (kept, never re-sent). */
  readonly delivered: readonly PathId[];
  readonly deliveredBytes: number;
  /**
   * Present when this failure, blamed on the sender, was its `maxAttemptsPerHost`-th in a row: the run
   * stops using the sender as a source (it may still receive, and stays done if it was).
   */
  readonly senderRetired?: true | undefined;
}

export interface HostDoneEvent {
  readonly type: 'host-done';
  readonly t: number;
  readonly host: HostId;
}

export interface HostFailedEvent {
  readonly type: 'host-failed';
  readonly t: number;
  readonly host: HostId;
  readonly code: HostFailureCode;
  readonly message: string;
}

export interface RoundFinishedEvent {
  readonly type: 'round-finished';
  readonly t: number;
  readonly round: number;
}

export interface RunFinishedEvent {
  readonly type: 'run-finished';
  readonly t: number;
  readonly reason: StopReason;
  readonly hostsDone: number;
  readonly hostsFailed: number;
  readonly hostsUnreached: number;
  readonly rounds: number;
  readonly bytesTransferred: number;
}

/** Receives events as they happen. Must be cheap: it is called inside the coordinator loop. */
export type EventSink = (event: CascadeEvent) => void;
