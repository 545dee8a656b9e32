/**
 * The vocabulary of nix-cascade (see DESIGN.md): hosts, store paths, transfers and their outcomes.
 * Types only; no behaviour lives here. The closed value sets (roles, failure kinds and codes) are
 * defined once in `vocabulary.ts` and re-exported here, where callers have always imported them from.
 */
import type { FailureCode, FailureKind, HostRole } from './vocabulary.js';

export type { FailureCode, FailureKind, HostRole } from './vocabulary.js';

/** A host name as the fleet spells it (`web-01`, `deployer`). */
export type HostId = string;
/** A store path, e.g. `/nix/store/5q…-glibc-2.39` (synthetic fleets use any unique string). */
export type PathId = string;
/** Coordinator-assigned, dense from 0 within one run. */
export type TransferId = number;

/** One `/nix/store` entry: its NAR size and the store paths it references. */
export interface StorePath {
  readonly id: PathId;
  /** NAR size in bytes. */
  readonly narSize: number;
  /** Direct references (never including itself). */
  readonly references: readonly PathId[];
}

/** A machine of the fleet, with the network facts that matter for distribution. */
export interface Host {
  readonly id: HostId;
  readonly role: HostRole;
  /** Uplink capacity in bytes per second. */
  readonly uplink: number;
  /** Downlink capacity in bytes per second. */
  readonly downlink: number;
  /** Most transfers this host may send at once. */
  readonly maxSends: number;
  /** Most transfers this host may receive at once. */
  readonly maxReceives: number;
  readonly tags: readonly string[];
  readonly site?: string;
  readonly rack?: string;
}

/**
 * A fleet: its hosts (fleet order is the canonical order everywhere), what each host holds at the start
 * and what each must hold at the end.
 */
export interface Fleet {
  readonly hosts: readonly Host[];
  /** Paths each host holds at the start (absent = nothing). Seeds are hosts with a non-empty have set. */
  readonly initialHave: ReadonlyMap<HostId, readonly PathId[]>;
  /**
   * Paths each host must hold at the end, closed under references (absent or empty = the host wants
   * nothing and is not a target).
   */
  readonly wants: ReadonlyMap<HostId, readonly PathId[]>;
}

/**
 * A host-keyed map that also answers by fleet position. A fleet's `wants` may be one (the simulator's
 * synthetic fleets are), so a consumer that walks hosts by position needs no per-host array of its own.
 */
export interface PositionalHostMap<V> extends ReadonlyMap<HostId, V> {
  /** The id → position index that `valueAt` positions refer to (compare with the fleet's own). */
  readonly positions: ReadonlyMap<HostId, number>;
  /** The value of the host at `position` in `positions`. */
  valueAt(position: number): V | undefined;
}

/** One copy job, as the coordinator starts it. */
export interface Transfer {
  readonly id: TransferId;
  readonly from: HostId;
  readonly to: HostId;
  /** In an order where every path comes after the paths it references (the order `nix copy` sends). */
  readonly paths: readonly PathId[];
  /** Sum of the paths' NAR sizes. */
  readonly bytes: number;
  /** The round in which it was planned. */
  readonly round: number;
}

/**
 * Why a transfer failed. `transient` failures (a copy broke off, a timeout) return the target to the pool
 * for a retry, preferably from another source; `permanent` ones (unreachable, SSH handshake refused, host
 * killed) take `host` out of the run.
 */
export interface FailureCause {
  readonly kind: FailureKind;
  readonly code: FailureCode;
  /** The host the failure is about: the receiver unless the sender itself died. */
  readonly host: HostId;
  /** Human-readable detail (for real copies: the tail of `nix copy`'s stderr). */
  readonly message: string;
}

/** The end of one transfer, as an executor reports it. */
export type Outcome =
  | { readonly transfer: TransferId; readonly ok: true; readonly at: number }
  | {
      readonly transfer: TransferId;
      readonly ok: false;
      readonly at: number;
      readonly cause: FailureCause;
      /**
       * Paths that did reach the target before the failure (a real `nix copy` imports path by path).
       * The coordinator keeps them so they are never sent again.
       */
      readonly delivered?: readonly PathId[];
    };
