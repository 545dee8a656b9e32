import type { PlanView } from '../../core/strategy.js';
import type { Fleet, HostId, PathId } from '../../core/types.js';
import { FleetInfo } from './fleet-info.js';
import { HostPathCache } from './swarm-cache.js';
import { SwarmHosts } from './swarm-hosts.js';

/**
 * What `swarm` computes once per run (per fleet object): fleet positions, the wanted paths in topological
 * order, how many targets want each path, the chunk size, and a cache of each host's missing bytes.
 */
export class SwarmRun {
  readonly info: FleetInfo;
  /** Bytes a bundled transfer may carry (a larger single path still goes alone). */
  readonly chunk: number;
  /** True when the user gave `chunkBytes`: then it caps every bundle, in round mode too. */
  readonly explicitChunk: boolean;
  /** Targets wanting each path. */
  readonly wanters: ReadonlyMap<PathId, number>;
  /** The one target wanting each private path (a path exactly one target wants: its toplevel, its config). */
  readonly owner: ReadonlyMap<PathId, HostId>;
  /** Private paths of each target, topological order. */
  readonly privateOf: ReadonlyMap<HostId, readonly PathId[]>;
  /** Paths several targets want, topological order: the ones worth ranking every call. */
  readonly shared: readonly PathId[];
  /** Initial holders of each path that want nothing (deployer, caches): never counted as owners. */
  readonly outside: ReadonlyMap<PathId, number>;
  /** Every wanted path, topological order (references first). */
  readonly paths: readonly PathId[];
  /** Topological position of every wanted path; the deterministic tie-break everywhere. */
  readonly topo: ReadonlyMap<PathId, number>;
  /** Topological position of each shared path, by bit (`SharedBits`). */
  readonly sharedTopo: Int32Array;
  /** Per shared path (by bit): the targets that want it ({@link SwarmRun.wanters}). */
  readonly sharedWanters: Int32Array;
  /** Per shared path (by bit): its initial holders that want nothing ({@link SwarmRun.outside}). */
  readonly sharedOutside: Int32Array;
  /**
   * Per shared path (by bit): the bytes its urgency weighs (`SwarmUrgency.urgency`), in round mode (its
   * own, at least 1) and in eager mode (with the chain of paths behind it).
   */
  readonly sharedBytesRound: Float64Array;
  readonly sharedBytesEager: Float64Array;
  /**
   * Scratch for `SwarmBundler`, reused by every call: a bundle's candidates as sort keys (at most one per
   * wanted path) and the shared bits they come from.
   */
  readonly bundleKeys: Float64Array;
  readonly bundleBits: Int32Array;
  /**
   * Per wanted path, the bytes of the longest chain of wanted paths that reference it (transitively): they
   * can reach a host only after it, one after another, so they lengthen its spread.
   */
  readonly chainBehind: ReadonlyMap<PathId, number>;
  /**
   * The path seeds send twice: the largest one several targets want, whose ⌈log₂ N⌉ copy times bound the
   * cascade. None when some path is private: every private byte comes from a seed, so the seeds' uplink is
   * the bottleneck and a second copy only delays them (flat, 1,000 hosts, fleet closure: 177 s → 190 s).
   */
  readonly seedTwice: PathId | undefined;
  /**
   * The median target uplink when no path is private: in eager mode receivers at or above it are served
   * fastest uplink first (they forward soonest), those below it most receive time left first (see
   * `SwarmPlan`). None with private paths, where it made the seeds' bottleneck worse (heavy-tailed
   * uplinks, 1,000 hosts, fleet closure: 224 s → 244 s).
   */
  readonly receiverTier: number | undefined;
  /** Every fleet host, fastest uplink first, then fleet order: the order free senders are tried in. */
  readonly sendOrder: readonly HostId[];
  /** {@link SwarmRun.sendOrder} as fleet positions. */
  readonly sendOrderPos: Int32Array;
  /** Transfers this run proposed that may still run, per sender (recorded by `topology-aware` only). */
  readonly #flows = new Map<HostId, { to: HostId; paths: readonly PathId[] }[]>();
  /** Per host and path, bytes of the path's references the host lacks, stamped with the host's have size. */
  readonly #refBytes = new Map<HostId, { size: number; byPath: Map<PathId, number> }>();
  /** Missing bytes per host, stamped with the missing set's size (it only shrinks, so size is a version). */
  readonly #missing = new Map<HostId, { size: number; bytes: number }>();
  /** {@link SwarmRun.missingRefBytes} of shared paths by fleet position and path bit, versioned by have size. */
  #refCache: HostPathCache | undefined;
  #hosts: SwarmHosts | undefined;

  constructor(
    readonly fleet: Fleet,
    view: PlanView,
    chunkOption: number | undefined,
    pieces: number,
  ) {
    const info = new FleetInfo(view.fleet, view.closure);
    this.info = info;
    let chunk = chunkOption;
    if (chunk === undefined) {
      // Hosts of one role share their want array, so this is O(roles · paths), not O(hosts · paths).
      let largest = 0;
      const seen = new Set<readonly PathId[]>();
      for (const t of info.targets) {
        const a = info.wantArray(t)!;
        if (seen.has(a)) continue;
        seen.add(a);
        largest = Math.max(largest, view.closure.bytes(a));
      }
      chunk = Math.max(1, Math.ceil(largest / pieces));
    }
    this.chunk = chunk;
    this.explicitChunk = chunkOption !== undefined;
    this.wanters = info.wantCount();
    const owner = new Map<PathId, HostId>();
    for (const t of info.targets)
      for (const p of info.wantArray(t)!) if (this.wanters.get(p) === 1) owner.set(p, t);
    this.owner = owner;
    const outside = new Map<PathId, number>();
    for (const s of info.seeds) {
      if ((view.fleet.wants.get(s)?.length ?? 0) > 0) continue;
      for (const p of view.fleet.initialHave.get(s) ?? []) outside.set(p, (outside.get(p) ?? 0) + 1);
    }
    this.outside = outside;
    const topoAll = info.topoIndex();
    this.paths = [...this.wanters.keys()].sort((a, b) => (topoAll.get(a) ?? 0) - (topoAll.get(b) ?? 0));
    const topo = new Map<PathId, number>();
    this.paths.forEach((p, i) => topo.set(p, i));
    this.topo = topo;
    const privateOf = new Map<HostId, PathId[]>();
    const shared: PathId[] = [];
    for (const p of this.paths) {
      const t = owner.get(p);
      if (t === undefined) shared.push(p);
      else {
        let list = privateOf.get(t);
        if (!list) privateOf.set(t, (list = []));
        list.push(p);
      }
    }
    this.privateOf = privateOf;
    this.shared = shared;
    this.sharedTopo = Int32Array.from(shared, (p) => topo.get(p)!);
    this.sharedWanters = Int32Array.from(shared, (p) => this.wanters.get(p) ?? 0);
    this.sharedOutside = Int32Array.from(shared, (p) => outside.get(p) ?? 0);
    this.bundleKeys = new Float64Array(this.paths.length);
    this.bundleBits = new Int32Array(shared.length);
    const closure = view.closure;
    const chainBehind = new Map<PathId, number>();
    for (const p of this.paths) chainBehind.set(p, 0);
    // Dependents come after their references in topological order: walking it backwards, each path's
    // chain is final before it is pushed onto its references.
    for (let i = this.paths.length - 1; i >= 0; i--) {
      const q = this.paths[i]!;
      const behind = closure.narSize(q) + chainBehind.get(q)!;
      for (const r of closure.get(q).references) {
        const old = chainBehind.get(r);
        if (r !== q && old !== undefined && behind > old) chainBehind.set(r, behind);
      }
    }
    this.chainBehind = chainBehind;
    this.sharedBytesRound = Float64Array.from(shared, (p) => Math.max(1, closure.narSize(p)));
    this.sharedBytesEager = Float64Array.from(shared, (p) =>
      Math.max(1, closure.narSize(p) + chainBehind.get(p)!),
    );
    let largest: PathId | undefined;
    for (const p of shared)
      if (largest === undefined || closure.narSize(p) > closure.narSize(largest)) largest = p;
    this.seedTwice = privateOf.size === 0 ? largest : undefined;
    const uplinks = info.targets.map((t) => view.host(t).uplink).sort((a, b) => a - b);
    this.receiverTier = privateOf.size === 0 ? uplinks[uplinks.length >> 1] : undefined;
    const order = view.fleet.hosts
      .map((h, i) => ({ id: h.id, up: view.host(h.id).uplink, i }))
      .sort((a, b) => b.up - a.up || a.i - b.i);
    this.sendOrder = order.map((h) => h.id);
    this.sendOrderPos = Int32Array.from(order, (h) => h.i);
  }

  /** Records a proposed transfer (`topology-aware` estimates its senders' uplink use from them). */
  flowStarted(from: HostId, to: HostId, paths: readonly PathId[]): void {
    let list = this.#flows.get(from);
    if (!list) this.#flows.set(from, (list = []));
    list.push({ to, paths });
  }

  /**
   * Receivers of the recorded sends of `sender` still running: those some of whose paths are still on
   * their way to their receiver (parallel transfers to one receiver carry disjoint paths, so a path in
   * flight names its transfer). Finished ones are dropped.
   */
  runningFlows(view: PlanView, sender: HostId): HostId[] {
    const list = this.#flows.get(sender);
    if (!list) return [];
    let kept = 0;
    for (const f of list) {
      const incoming = view.incoming(f.to);
      if (f.paths.some((p) => incoming.has(p))) list[kept++] = f;
    }
    list.length = kept;
    return list.map((f) => f.to);
  }

  /** Every recorded send still running, as (sender, receiver) (see {@link SwarmRun.runningFlows}). */
  *allRunningFlows(view: PlanView): Generator<readonly [HostId, HostId]> {
    for (const sender of this.#flows.keys())
      for (const to of this.runningFlows(view, sender)) yield [sender, to];
  }

  /** The per-host figures kept across this view's calls, brought up to date with it (see {@link SwarmHosts}). */
  hosts(view: PlanView): SwarmHosts {
    if (this.#hosts?.view !== view)
      this.#hosts = new SwarmHosts(view, (h) => this.missingBytes(view, h), this.shared, this.sendOrderPos);
    this.#hosts.refresh();
    return this.#hosts;
  }

  /** Fleet position of `host`. */
  pos(host: HostId): number {
    return this.info.pos(host);
  }

  /**
   * Bytes of the references of `p` (transitively) that `host` does not hold; cached until it holds more.
   * The walk stops at held paths (their references are held too), which `closure.closureOf` cannot do.
   * `at`: the host's fleet position, when the caller knows it (a cheaper cache for shared paths).
   */
  missingRefBytes(view: PlanView, host: HostId, p: PathId, at?: number): number {
    const have = view.have(host).size;
    const b = at === undefined ? undefined : this.#hosts?.bitOf(p);
    if (b !== undefined) {
      // Shared paths of a known position: the typed cache (the per-host maps below were hot in eager mode).
      const cache = (this.#refCache ??= new HostPathCache(this.fleet.hosts.length, this.shared.length));
      let v = cache.get(at!, b, have);
      if (v === undefined) cache.set(at!, b, have, (v = this.#walkRefBytes(view, host, p)));
      return v;
    }
    let entry = this.#refBytes.get(host);
    if (!entry || entry.size !== have) this.#refBytes.set(host, (entry = { size: have, byPath: new Map() }));
    let bytes = entry.byPath.get(p);
    if (bytes === undefined) entry.byPath.set(p, (bytes = this.#walkRefBytes(view, host, p)));
    return bytes;
  }

  /** The walk of {@link SwarmRun.missingRefBytes}. */
  #walkRefBytes(view: PlanView, host: HostId, p: PathId): number {
    const closure = view.closure;
    const seen = new Set<PathId>();
    const stack = [...closure.get(p).references];
    let bytes = 0;
    while (stack.length > 0) {
      const q = stack.pop()!;
      if (q === p || seen.has(q) || view.has(host, q)) continue;
      seen.add(q);
      bytes += closure.narSize(q);
      stack.push(...closure.get(q).references);
    }
    return bytes;
  }

  /** Bytes `host` still misses (paths in flight to it included). */
  missingBytes(view: PlanView, host: HostId): number {
    const missing = view.missing(host);
    let m = this.#missing.get(host);
    if (!m || m.size !== missing.size) {
      m = { size: missing.size, bytes: view.closure.bytes(missing) };
      this.#missing.set(host, m);
    }
    return m.bytes;
  }
}
