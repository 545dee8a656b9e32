import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import type { OpenReceiver, SwarmHosts } from './swarm-hosts.js';
import type { SwarmGroups } from './swarm-groups.js';
import type { SwarmRun } from './swarm-run.js';
import type { SwarmUrgency } from './swarm-urgency.js';

/** One `SwarmBundler.bundle` call's state. */
interface Bundle {
  readonly from: HostId;
  readonly to: HostId;
  readonly privateOnly: boolean;
  readonly crossing: boolean;
  readonly missing: ReadonlySet<PathId>;
  readonly picked: Set<PathId>;
  readonly out: PathId[];
  bytes: number;
}

/**
 * Bundling for one `SwarmPlan` call: which paths one transfer carries (the first path, the references the
 * receiver lacks, then more paths up to the cap), the cap itself (the chunk, or in round mode the batch's
 * longest transfer), and the paths already planned for each receiver in this call.
 */
export class SwarmBundler {
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  readonly #groups: SwarmGroups | undefined;
  readonly #urgency: SwarmUrgency;
  readonly #planned = new Map<HostId, Set<PathId>>();
  #hosts: SwarmHosts | undefined;
  /** Round mode: longest planned transfer (seconds); later transfers of the batch are filled up to it. */
  #duration = 0;

  constructor(view: PlanView, run: SwarmRun, groups: SwarmGroups | undefined, urgency: SwarmUrgency) {
    this.#view = view;
    this.#run = run;
    this.#groups = groups;
    this.#urgency = urgency;
  }

  /** Reads the hosts' bit sets from the call's kept figures. */
  useHosts(hosts: SwarmHosts): void {
    this.#hosts = hosts;
  }

  /**
   * Records a proposed transfer: its paths join those planned for `to` (the set is returned) and it may
   * lengthen the batch's longest transfer.
   */
  planned(from: HostId, to: HostId, paths: readonly PathId[]): ReadonlySet<PathId> {
    const view = this.#view;
    let set = this.#planned.get(to);
    if (!set) this.#planned.set(to, (set = new Set()));
    for (const p of paths) set.add(p);
    const rate = view.linkRate(from, to);
    if (rate > 0) this.#duration = Math.max(this.#duration, view.closure.bytes(paths) / rate);
    return set;
  }

  /**
   * Whether `bundle` must refuse `p` for `rec` from any source: `p`'s missing references would have to come
   * along, and something is already on its way to `rec`, or they alone exceed any cap this call could give
   * the transfer. Holders of `p` hold its references, so the source does not matter; testing this first
   * spares a failed bundle per receiver on every pop of such a path (1,000 hosts, one closure, eager mode:
   * 780,000 failed bundles in a run).
   */
  cannotDrag(rec: OpenReceiver, p: PathId): boolean {
    return this.#cannotDrag(rec, p, false);
  }

  /**
   * Eager mode: {@link SwarmBundler.cannotDrag}, or `p` with its missing references exceeds the cap that
   * `bundle` allows them (the chunk, the same for every source in eager mode): then `bundle` refuses it from
   * any source too, so a receiver is turned away without a source search and a failed bundle (1,000 hosts,
   * eager: 630,000 source searches and 150,000 failed bundles in a run).
   */
  cannotBundle(rec: OpenReceiver, p: PathId): boolean {
    return this.#cannotDrag(rec, p, true);
  }

  #cannotDrag(rec: OpenReceiver, p: PathId, whole: boolean): boolean {
    const bytes = this.#run.missingRefBytes(this.#view, rec.id, p, rec.pos);
    if (bytes === 0) return false;
    if (rec.incoming.size > 0 || rec.planned !== undefined) return true;
    // Every source's link rate is at most `rec`'s downlink, so no source's cap exceeds this one.
    const cap = this.#capAt(this.#view.host(rec.id).downlink);
    if (bytes > cap) return true;
    // `bundle`'s rule for the transfer with its references (see there); in eager mode it is this cap.
    const own = this.#view.closure.narSize(p);
    return whole && bytes + own > cap && own < cap;
  }

  /**
   * With groups: whether path `q` may cross into `to`'s group now. A private path always may (only seeds
   * hold it); a shared one by the group rule (`SwarmGroups.mayCross`).
   */
  #mayCross(q: PathId, to: HostId): boolean {
    return this.#run.owner.has(q) || this.#groups!.mayCross(q, to);
  }

  /**
   * Whether `p`'s references that `t` lacks may come along from outside its group. One that may not (a
   * holder inside can serve it) fails every crossing bundle of `p` to `t` (`bundle`'s `mayGo`), so `t`
   * skips the source search; at 300 racked hosts that was 230 failed bundles per call.
   */
  refsMayCross(p: PathId, t: HostId): boolean {
    const view = this.#view;
    return view.closure.get(p).references.every((r) => view.has(t, r) || this.#mayCross(r, t));
  }

  /**
   * Bytes a transfer `from → to` may carry: the chunk, or in round mode (chunk derived from `pieces`) as much
   * as fits in the batch's longest transfer, since the round waits for that one anyway.
   */
  #cap(from: HostId, to: HostId): number {
    return this.#capAt(this.#view.linkRate(from, to));
  }

  /** `#cap` for a transfer at `rate` bytes per second. */
  #capAt(rate: number): number {
    const chunk = this.#run.chunk;
    if (this.#view.mode !== 'round' || this.#run.explicitChunk) return chunk;
    return Math.max(chunk, this.#duration * rate);
  }

  /**
   * `first` with the references `to` lacks (only when nothing else is coming to `to`, all held by `from`, and
   * at most the cap in bytes), then more paths `from` holds and `to` can take, most urgent first, while the
   * transfer stays within the cap. Undefined when `first` cannot go on this edge now. `privateOnly` (a seed
   * splitting its uplink for private paths, see `SwarmPlan`'s super-seeding): only private paths ride along.
   * A toplevel dragging its missing shared references made the seed push whole closures to every receiver at
   * once, as `push-parallel` does (24 hosts, per-host paths, one piece: 164 s against a bound of 15 s).
   */
  bundle(from: HostId, to: HostId, first: PathId, privateOnly = false): PathId[] | undefined {
    const view = this.#view;
    const closure = view.closure;
    const cap = this.#cap(from, to);
    const incoming = view.incoming(to);
    const planned = this.#planned.get(to);
    const b = this.#newBundle(from, to, privateOnly);
    const refs = closure.get(first).references;
    if (refs.every((r) => view.has(to, r))) this.#add(b, first);
    else {
      // References may only travel along when nothing else is on its way to `to` (they might be in flight).
      if (incoming.size > 0 || planned !== undefined) return undefined;
      // Dragged references must keep the transfer within the cap; a path already larger than the cap may
      // bring up to one cap of references rather than wait for them.
      if (!this.#visit(b, first)) return undefined;
      const own = closure.narSize(first);
      if (b.bytes > cap && (own < cap || b.bytes - own > cap)) return undefined;
    }
    if (b.bytes >= cap) return b.out;
    const n = this.#collect(b, incoming, planned);
    if (n === 0) return b.out;
    // Urgent paths first (unranked ones last), topological order on ties; then, in topological order,
    // paths whose references just joined the bundle. As numbers (rank × m + topological position), the
    // sorts need no comparator: sorting paths by urgency and position was ~2 % of a 500-path eager run.
    const paths = this.#run.paths;
    const m = paths.length + 1;
    const keys = this.#run.bundleKeys.subarray(0, n);
    for (let k = 0; k < n; k++) {
      const t = keys[k]!;
      const rank = this.#urgency.rankOf(paths[t]!);
      keys[k] = (rank === Infinity ? m - 1 : rank) * m + t;
    }
    keys.sort();
    this.#fill(b, keys, m, cap);
    for (let k = 0; k < n; k++) keys[k] = keys[k]! % m;
    keys.sort();
    this.#fill(b, keys, m, cap);
    return b.out;
  }

  #newBundle(from: HostId, to: HostId, privateOnly: boolean): Bundle {
    return {
      from,
      to,
      privateOnly,
      // Across a group boundary, a path rides along only if it may cross (see `SwarmPlan`'s group sources).
      crossing: this.#groups?.crosses(from, to) ?? false,
      missing: this.#view.missing(to),
      picked: new Set<PathId>(),
      out: [],
      bytes: 0,
    };
  }

  /**
   * Writes the topological positions of the paths that may ride along in `b` into the run's
   * `bundleKeys` and returns how many: the paths `b.to` misses and nothing brings, `b.from` holds, not
   * already picked or planned for `b.to`, that may go (`#mayGo`). The shared ones come from the hosts' bit
   * sets (`SharedBits.takenHeld`), the private ones from `b.to`'s own few: walking a receiver's missing set
   * (500 paths) with five look-ups each was ~8 % of a 10,000 × 500 eager run.
   */
  #collect(b: Bundle, incoming: ReadonlySet<PathId>, planned: ReadonlySet<PathId> | undefined): number {
    const run = this.#run;
    const keys = run.bundleKeys;
    let n = 0;
    if (!b.privateOnly) {
      const hosts = this.#hosts!;
      const bits = run.bundleBits;
      const count = hosts.bits.takenHeld(hosts.pos(b.to), hosts.pos(b.from), bits);
      for (let k = 0; k < count; k++) {
        const q = run.shared[bits[k]!]!;
        if (!b.picked.has(q) && !planned?.has(q) && this.#mayGo(b, q)) keys[n++] = run.sharedTopo[bits[k]!]!;
      }
    }
    const view = this.#view;
    for (const q of run.privateOf.get(b.to) ?? []) {
      if (!b.missing.has(q) || incoming.has(q) || b.picked.has(q) || planned?.has(q)) continue;
      if (view.has(b.from, q) && this.#mayGo(b, q)) keys[n++] = run.topo.get(q)!;
    }
    return n;
  }

  /** Paths `from` could add to a bundle for `to` in this call (no path picked yet), topological order. */
  candidates(from: HostId, to: HostId, privateOnly = false): PathId[] {
    const b = this.#newBundle(from, to, privateOnly);
    const n = this.#collect(b, this.#view.incoming(to), this.#planned.get(to));
    const keys = this.#run.bundleKeys.subarray(0, n).sort();
    return Array.from(keys, (t) => this.#run.paths[t]!);
  }

  #add(b: Bundle, q: PathId): void {
    b.picked.add(q);
    b.out.push(q);
    b.bytes += this.#view.closure.narSize(q);
  }

  #mayGo(b: Bundle, q: PathId): boolean {
    return (!b.privateOnly || this.#run.owner.has(q)) && (!b.crossing || this.#mayCross(q, b.to));
  }

  /** Adds `q` after its missing references (depth first); false when one of them cannot come along. */
  #visit(b: Bundle, q: PathId): boolean {
    const view = this.#view;
    if (b.picked.has(q) || view.has(b.to, q)) return true;
    if (!b.missing.has(q) || !view.has(b.from, q) || !this.#mayGo(b, q)) return false;
    for (const r of view.closure.get(q).references) if (!this.#visit(b, r)) return false;
    this.#add(b, q);
    return true;
  }

  /**
   * Adds the candidates, in the order of `keys` (each a topological position modulo `m`), that fit within
   * `cap` and whose references `to` holds or rides along.
   */
  #fill(b: Bundle, keys: Float64Array, m: number, cap: number): void {
    const view = this.#view;
    const closure = view.closure;
    const paths = this.#run.paths;
    for (let k = 0; k < keys.length; k++) {
      if (b.bytes >= cap) return;
      const q = paths[keys[k]! % m]!;
      if (b.picked.has(q)) continue;
      const size = closure.narSize(q);
      if (b.bytes + size > cap) continue;
      if (!closure.get(q).references.every((r) => view.has(b.to, r) || b.picked.has(r))) continue;
      this.#add(b, q);
    }
  }
}
