import type { PlanView } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import type { OpenReceiver } from './swarm-hosts.js';
import type { SwarmGroups } from './swarm-groups.js';
import type { SwarmRun } from './swarm-run.js';
import type { SwarmUrgency } from './swarm-urgency.js';

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
  /** Round mode: longest planned transfer (seconds); later transfers of the batch are filled up to it. */
  #duration = 0;

  constructor(view: PlanView, run: SwarmRun, groups: SwarmGroups | undefined, urgency: SwarmUrgency) {
    this.#view = view;
    this.#run = run;
    this.#groups = groups;
    this.#urgency = urgency;
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
    const bytes = this.#run.missingRefBytes(this.#view, rec.id, p);
    if (bytes === 0) return false;
    if (rec.incoming.size > 0 || rec.planned !== undefined) return true;
    // Every source's link rate is at most `rec`'s downlink, so no source's cap exceeds this one.
    return bytes > this.#capAt(this.#view.host(rec.id).downlink);
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
    const run = this.#run;
    const closure = view.closure;
    const cap = this.#cap(from, to);
    const missing = view.missing(to);
    const incoming = view.incoming(to);
    const planned = this.#planned.get(to);
    const picked = new Set<PathId>();
    const out: PathId[] = [];
    let bytes = 0;
    const add = (q: PathId): void => {
      picked.add(q);
      out.push(q);
      bytes += closure.narSize(q);
    };
    // Across a group boundary, a path rides along only if it may cross (see `SwarmPlan`'s group sources).
    const crossing = this.#groups?.crosses(from, to) ?? false;
    const mayGo = (q: PathId): boolean =>
      (!privateOnly || run.owner.has(q)) && (!crossing || this.#mayCross(q, to));
    const refs = closure.get(first).references;
    if (refs.every((r) => view.has(to, r))) add(first);
    else {
      // References may only travel along when nothing else is on its way to `to` (they might be in flight).
      if (incoming.size > 0 || planned !== undefined) return undefined;
      const visit = (q: PathId): boolean => {
        if (picked.has(q) || view.has(to, q)) return true;
        if (!missing.has(q) || !view.has(from, q) || !mayGo(q)) return false;
        for (const r of closure.get(q).references) if (!visit(r)) return false;
        add(q);
        return true;
      };
      // Dragged references must keep the transfer within the cap; a path already larger than the cap may
      // bring up to one cap of references rather than wait for them.
      if (!visit(first)) return undefined;
      const own = closure.narSize(first);
      if (bytes > cap && (own < cap || bytes - own > cap)) return undefined;
    }
    if (bytes >= cap) return out;
    const cands: PathId[] = [];
    for (const q of missing) {
      if (!picked.has(q) && !incoming.has(q) && !planned?.has(q) && view.has(from, q) && mayGo(q))
        cands.push(q);
    }
    if (cands.length === 0) return out;
    const rank = (q: PathId): number => this.#urgency.rankOf(q);
    const topo = (q: PathId): number => run.topo.get(q) ?? 0;
    const fill = (): void => {
      for (const q of cands) {
        if (bytes >= cap) return;
        if (picked.has(q)) continue;
        const size = closure.narSize(q);
        if (bytes + size > cap) continue;
        if (!closure.get(q).references.every((r) => view.has(to, r) || picked.has(r))) continue;
        add(q);
      }
    };
    // Urgent paths first; then, in topological order, paths whose references just joined the bundle.
    cands.sort((a, b) => rank(a) - rank(b) || topo(a) - topo(b));
    fill();
    cands.sort((a, b) => topo(a) - topo(b));
    fill();
    return out;
  }
}
