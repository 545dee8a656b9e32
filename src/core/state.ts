import type { ClosureGraph } from './closure.js';
import { ConfigError } from './errors.js';
import type { Rng } from './random.js';
import type { PlanView, RunMode } from './strategy.js';
import type { Route, Topology } from './topology.js';
import type { Fleet, Host, HostId, PathId, Transfer } from './types.js';

const EMPTY: ReadonlySet<never> = new Set<never>();

/**
 * The coordinator's live state of a run, exposed read-only to strategies as a {@link PlanView}.
 * Only the coordinator calls the mutating methods (`startTransfer`, `deliver`, `endTransfer`, `markFailed`).
 *
 * Memory matters at 100,000 hosts: want sets are shared between hosts that were given the same array, and a
 * host's `missing` set is its (shared) want set until the first partial delivery forces a private copy
 * (copy-on-write); whole-closure deliveries go straight from "everything missing" to "nothing missing".
 */
export class RunState implements PlanView {
  now = 0;
  round = 0;
  readonly hosts: readonly Host[];
  readonly #hostById = new Map<HostId, Host>();
  readonly #want = new Map<HostId, ReadonlySet<PathId>>();
  readonly #have = new Map<HostId, Set<PathId>>();
  /** Private copies only; absent = same as the want set (when have ∩ want = ∅) or empty (when done). */
  readonly #missing = new Map<HostId, Set<PathId>>();
  readonly #missingShared = new Set<HostId>();
  readonly #holders = new Map<PathId, Set<HostId>>();
  readonly #incoming = new Map<HostId, Set<PathId>>();
  readonly #sending = new Map<HostId, number>();
  readonly #receiving = new Map<HostId, number>();
  readonly #attempts = new Map<string, number>();
  readonly #failedAttempts = new Map<HostId, number>();
  readonly #failed = new Set<HostId>();
  readonly #done = new Set<HostId>();
  /** Hosts that want something, fleet order. */
  readonly targets: readonly HostId[];
  #pending: HostId[];
  #pendingDirty = false;

  constructor(
    readonly fleet: Fleet,
    readonly closure: ClosureGraph,
    readonly topology: Topology,
    readonly mode: RunMode,
    readonly rng: Rng,
  ) {
    this.hosts = fleet.hosts;
    for (const h of fleet.hosts) {
      if (this.#hostById.has(h.id)) throw new ConfigError(`duplicate host "${h.id}"`, 'fleet.hosts');
      this.#hostById.set(h.id, h);
    }
    for (const id of [...fleet.wants.keys(), ...fleet.initialHave.keys()]) {
      if (!this.#hostById.has(id)) throw new ConfigError(`unknown host "${id}"`, 'fleet');
    }
    const sharedWant = new Map<readonly PathId[], ReadonlySet<PathId>>();
    const targets: HostId[] = [];
    for (const h of fleet.hosts) {
      const list = fleet.wants.get(h.id);
      if (list === undefined || list.length === 0) continue;
      let set = sharedWant.get(list);
      if (set === undefined) {
        for (const p of list) closure.get(p);
        set = new Set(list);
        if (!closure.isClosed(set)) {
          throw new ConfigError(`want set of "${h.id}" is not closed under references`, 'fleet.wants');
        }
        sharedWant.set(list, set);
      }
      this.#want.set(h.id, set);
      targets.push(h.id);
      this.#missingShared.add(h.id);
    }
    this.targets = targets;
    for (const [host, paths] of fleet.initialHave) {
      const closed = new Set(paths);
      if (!closure.isClosed(closed)) {
        throw new ConfigError(`initial store of "${host}" is not closed under references`, 'fleet.initialHave');
      }
      for (const p of closure.sortTopologically(paths)) this.deliver(host, p);
    }
    for (const id of targets) if (this.missing(id).size === 0) this.#done.add(id);
    this.#pending = targets.filter((id) => !this.#done.has(id));
  }

  // ---- PlanView ------------------------------------------------------------------------------------

  host(id: HostId): Host {
    const h = this.#hostById.get(id);
    if (!h) throw new ConfigError(`unknown host "${id}"`);
    return h;
  }

  hasHost(id: HostId): boolean {
    return this.#hostById.has(id);
  }

  pending(): readonly HostId[] {
    if (this.#pendingDirty) {
      this.#pending = this.#pending.filter((id) => !this.#done.has(id) && !this.#failed.has(id));
      this.#pendingDirty = false;
    }
    return this.#pending;
  }

  isDone(host: HostId): boolean {
    return this.#done.has(host) || (!this.#want.has(host) && this.#hostById.has(host));
  }

  isFailed(host: HostId): boolean {
    return this.#failed.has(host);
  }

  holders(path: PathId): ReadonlySet<HostId> {
    return this.#holders.get(path) ?? EMPTY;
  }

  has(host: HostId, path: PathId): boolean {
    return this.#have.get(host)?.has(path) ?? false;
  }

  holdsAll(host: HostId, paths: Iterable<PathId>): boolean {
    const have = this.#have.get(host);
    for (const p of paths) if (!have?.has(p)) return false;
    return true;
  }

  have(host: HostId): ReadonlySet<PathId> {
    return this.#have.get(host) ?? EMPTY;
  }

  want(host: HostId): ReadonlySet<PathId> {
    return this.#want.get(host) ?? EMPTY;
  }

  missing(host: HostId): ReadonlySet<PathId> {
    if (this.#missingShared.has(host)) return this.#want.get(host)!;
    return this.#missing.get(host) ?? EMPTY;
  }

  incoming(host: HostId): ReadonlySet<PathId> {
    return this.#incoming.get(host) ?? EMPTY;
  }

  sending(host: HostId): number {
    return this.#sending.get(host) ?? 0;
  }

  receiving(host: HostId): number {
    return this.#receiving.get(host) ?? 0;
  }

  canSend(host: HostId): boolean {
    return !this.#failed.has(host) && this.sending(host) < this.host(host).maxSends;
  }

  canReceive(host: HostId): boolean {
    return !this.#failed.has(host) && this.receiving(host) < this.host(host).maxReceives;
  }

  attempts(from: HostId, to: HostId): number {
    return this.#attempts.get(edgeKey(from, to)) ?? 0;
  }

  failedAttempts(host: HostId): number {
    return this.#failedAttempts.get(host) ?? 0;
  }

  route(from: HostId, to: HostId): Route | null {
    return this.topology.route(from, to);
  }

  linkRate(from: HostId, to: HostId): number {
    const r = this.topology.route(from, to);
    if (r === null) return 0;
    return Math.min(this.host(from).uplink, this.host(to).downlink, r.bottleneck);
  }

  // ---- mutations (coordinator only) ----------------------------------------------------------------

  /** Records a transfer as running: counts it against both hosts' limits and marks its paths incoming. */
  startTransfer(t: Transfer): void {
    this.#sending.set(t.from, this.sending(t.from) + 1);
    this.#receiving.set(t.to, this.receiving(t.to) + 1);
    let inc = this.#incoming.get(t.to);
    if (!inc) this.#incoming.set(t.to, (inc = new Set()));
    for (const p of t.paths) inc.add(p);
  }

  /** Releases a transfer's slots and incoming marks (whether it finished or failed). */
  endTransfer(t: Transfer): void {
    this.#sending.set(t.from, this.sending(t.from) - 1);
    this.#receiving.set(t.to, this.receiving(t.to) - 1);
    const inc = this.#incoming.get(t.to);
    if (inc) {
      for (const p of t.paths) inc.delete(p);
      if (inc.size === 0) this.#incoming.delete(t.to);
    }
  }

  /**
   * Adds `paths` (topologically ordered, closed together with what `host` holds) to `host`'s store.
   * @returns true when this made a target done.
   */
  deliverAll(host: HostId, paths: readonly PathId[]): boolean {
    // Whole-closure fast path: the transfer brings exactly what is missing, so skip the private copy.
    if (this.#missingShared.has(host) && paths.length === this.#want.get(host)!.size && !this.#have.has(host)) {
      const want = this.#want.get(host)!;
      if (paths.every((p) => want.has(p))) {
        this.#missingShared.delete(host);
        for (const p of paths) this.#addHave(host, p);
        return this.#checkDone(host);
      }
    }
    for (const p of paths) this.deliver(host, p);
    return this.#checkDone(host);
  }

  /** Adds one path to `host`'s store (no-op when already held). */
  deliver(host: HostId, path: PathId): void {
    if (this.has(host, path)) return;
    this.#addHave(host, path);
    const want = this.#want.get(host);
    if (want?.has(path)) {
      if (this.#missingShared.has(host)) {
        this.#missingShared.delete(host);
        this.#missing.set(host, new Set(want));
      }
      const m = this.#missing.get(host);
      if (m) {
        m.delete(path);
        if (m.size === 0) this.#missing.delete(host);
      }
    }
  }

  /** Records a failed attempt on the edge; returns the receiver's failed-attempt count. */
  recordFailedAttempt(from: HostId, to: HostId): number {
    const key = edgeKey(from, to);
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
    const n = (this.#failedAttempts.get(to) ?? 0) + 1;
    this.#failedAttempts.set(to, n);
    return n;
  }

  /** Takes a host out of the run; what it holds no longer counts as a source. */
  markFailed(host: HostId): void {
    if (this.#failed.has(host)) return;
    this.#failed.add(host);
    this.#pendingDirty = true;
    for (const p of this.#have.get(host) ?? []) this.#holders.get(p)?.delete(host);
  }

  #addHave(host: HostId, path: PathId): void {
    let have = this.#have.get(host);
    if (!have) this.#have.set(host, (have = new Set()));
    have.add(path);
    if (this.#failed.has(host)) return;
    let holders = this.#holders.get(path);
    if (!holders) this.#holders.set(path, (holders = new Set()));
    holders.add(host);
  }

  #checkDone(host: HostId): boolean {
    if (this.#done.has(host) || !this.#want.has(host) || this.missing(host).size > 0) return false;
    this.#done.add(host);
    this.#pendingDirty = true;
    return true;
  }

  /** Number of targets done. */
  get doneCount(): number {
    return this.#done.size;
  }
}

function edgeKey(from: HostId, to: HostId): string {
  return `${from}\u0000${to}`;
}
