import type { ClosureGraph } from './closure.js';
import type { Topology, Route } from './topology.js';
import type { Fleet, Host, HostId, PathId } from './types.js';
import type { RunMode } from './vocabulary.js';

export type { RunMode } from './vocabulary.js';

/** A strategy's wish: copy `paths` from `from` to `to`. The coordinator validates it. */
export interface Proposal {
  readonly from: HostId;
  readonly to: HostId;
  /** The store paths to send; the coordinator sorts them topologically. */
  readonly paths: readonly PathId[];
}

/**
 * The read-only view of a run's state that a strategy plans from. It is one live object updated in
 * place by the coordinator, so nothing is copied per `plan` call; a strategy must not keep sets it got
 * from here across calls, nor mutate them.
 *
 * Host iteration always follows fleet order, so a strategy that iterates views is deterministic.
 */
export interface PlanView {
  /** Current time in seconds (virtual in the simulator). */
  readonly now: number;
  /** Index of the round being planned (0-based). In eager mode: how many plan calls came before. */
  readonly round: number;
  readonly mode: RunMode;
  readonly fleet: Fleet;
  readonly closure: ClosureGraph;
  readonly topology: Topology;
  /** The strategy's own seeded stream in [0, 1); the only randomness a strategy may use. */
  readonly rng: () => number;

  /** @throws ConfigError for an unknown host. */
  host(id: HostId): Host;
  /** Hosts that want something and do not hold all of it yet, excluding failed hosts; fleet order. */
  pending(): readonly HostId[];
  /** Hosts that hold every path of their want set (and seeds that hold everything anyone wants). */
  isDone(host: HostId): boolean;
  /** Permanently out of the run (killed, unreachable, retries exhausted). */
  isFailed(host: HostId): boolean;
  /** Hosts that hold `path` now (completed copies only), failed hosts excluded; fleet order not promised. */
  holders(path: PathId): ReadonlySet<HostId>;
  has(host: HostId, path: PathId): boolean;
  /** True when `host` holds every path of `paths`. */
  holdsAll(host: HostId, paths: Iterable<PathId>): boolean;
  /** Everything `host` holds now. */
  have(host: HostId): ReadonlySet<PathId>;
  /** want − have for `host` (includes paths currently in flight to it). */
  missing(host: HostId): ReadonlySet<PathId>;
  /** Paths currently being sent to `host` by running transfers. */
  incoming(host: HostId): ReadonlySet<PathId>;
  /** Number of transfers `host` is sending / receiving right now. */
  sending(host: HostId): number;
  receiving(host: HostId): number;
  /** Whether one more send from / receive to `host` fits its concurrency limit (false for failed hosts). */
  canSend(host: HostId): boolean;
  canReceive(host: HostId): boolean;
  /** Failed attempts so far on the edge `from → to`. */
  attempts(from: HostId, to: HostId): number;
  /** Failed attempts so far to deliver to `host`, from any source. */
  failedAttempts(host: HostId): number;
  /** The topology route between two hosts (cached), or null when there is none. */
  route(from: HostId, to: HostId): Route | null;
  /**
   * A stamp for {@link PlanView.changedSince}: pass it to a later call to learn which hosts changed in
   * between. The first call turns the view's change log on (a strategy that never asks pays nothing).
   */
  changeStamp(): number;
  /**
   * Hosts whose per-host answers (have, missing, incoming, sending, receiving, done, failed, retired,
   * attempts) may have changed since `stamp` (from {@link PlanView.changeStamp}), each at least once, or
   * undefined when the view does not remember back that far (a stamp older than one asked for before, or
   * from before the log was on): then re-read every host. A set this view returned for a host is not
   * changed in place until the host is reported here, so a strategy may keep it until then. Lets a
   * strategy called after every outcome (eager mode) keep its per-host state across calls and update only
   * what changed, instead of asking about every host each call.
   */
  changedSince(stamp: number): readonly HostId[] | undefined;
  /**
   * The rate `from → to` would get alone: min(from's uplink, to's downlink, the route's bottleneck);
   * 0 when there is no route.
   */
  linkRate(from: HostId, to: HostId): number;
  /**
   * The host's position in `fleet.hosts`, or -1 for a host outside the fleet; optional (a view may not
   * offer it). For strategies that keep per-host scratch in arrays by position: it shares the view's own
   * look-up cache, so asking it about the host just asked about costs no map look-up.
   */
  positionOf?(host: HostId): number;
  /**
   * Optional fast paths by fleet position `i` (0 ≤ i < `fleet.hosts.length`), for strategies walking
   * hosts whose positions they know: each answers as its id-taking namesake does for `fleet.hosts[i]`,
   * without a look-up.
   */
  isDoneAt?(i: number): boolean;
  isFailedAt?(i: number): boolean;
  sendingAt?(i: number): number;
  canSendAt?(i: number): boolean;
  incomingAt?(i: number): ReadonlySet<PathId>;
  /** False while no transfer has failed to any host: every `failedAttempts` is then 0. Optional. */
  anyFailedAttempts?(): boolean;
}

/**
 * Pure decision logic: who copies which store paths to whom next. Driven by the coordinator the way an
 * XState `ActorLogic` is driven by `createActor`; it never reads the clock, randomness or I/O except
 * through the view. The same object runs unchanged on the simulator and on real hosts.
 */
export interface Strategy {
  /** The CLI name, e.g. `log2-fanout`. */
  readonly name: string;
  /**
   * True when the strategy may send a host paths it does not want (relaying through it); the
   * coordinator refuses such proposals from every other strategy.
   */
  readonly relays?: boolean;
  /** Proposals for now; `[]` means "wait for the next outcome" (or, if nothing is running, "I'm stuck"). */
  plan(view: PlanView): readonly Proposal[];
}

/** Describes a registered strategy for the CLI and README. */
export interface StrategyInfo {
  readonly name: string;
  readonly description: string;
  /** Builds a strategy from a plain options object (validated; unknown keys are a ConfigError). */
  create(options?: Readonly<Record<string, unknown>>): Strategy;
}
