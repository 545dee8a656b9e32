import type { PlanView, Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, intOption, optionalNumberOption, type RawOptions } from './_internals/options.js';

/** Options of `swarm`. */
export interface SwarmOptions {
  /**
   * Pieces the largest want set is cut into: small store paths are bundled into one transfer up to
   * (largest want set's bytes ÷ pieces), so the swarm does not pay a plan call and a route latency per tiny
   * path. A path larger than that still goes alone. Ignored when `chunkBytes` is given.
   * @defaultValue 64
   */
  readonly pieces: number;
  /** Explicit byte cap per bundled transfer (a single larger store path still goes alone). */
  readonly chunkBytes?: number;
  /**
   * Receivers scored per free sender and plan call (each sender scans from its own offset in fleet
   * order); keeps a call O(senders × window) at 10,000 hosts.
   * @defaultValue 64
   */
  readonly window: number;
}

/** Default of {@link SwarmOptions.pieces}. */
export const SWARM_DEFAULT_PIECES = 64;
/** Default of {@link SwarmOptions.window}. */
export const SWARM_DEFAULT_WINDOW = 64;
/** A receiver missing at most this many paths is matched by scanning its missing set, not the path order. */
const SMALL_MISSING = 24;

/**
 * `swarm`: store-path level, eager mode's natural strategy — BitTorrent with Nix store paths as pieces.
 *
 * - Every host that holds some paths uploads them as soon as it has them (pipelining through the
 *   reference DAG): each free uplink is matched, fastest uplink first, with an idle receiver.
 * - Piece choice: the path with the longest remaining spread, size × log₂(1 + wanters still missing it ÷
 *   holders, copies in flight included) — rarest-first weighted by size, so a giant path starts doubling
 *   early instead of becoming the tail, and the deployer stops re-sending a path once peers hold it.
 * - Receiver choice: among up to `window` idle receivers (each sender scans from its own offset so a big
 *   fleet is covered), the one with the most receive time left (missing bytes ÷ its downlink).
 * - One uplink is not split while one flow saturates the receiver: a holder takes a further concurrent
 *   send only while uplink ÷ (sends + 1) still covers that receiver's downlink (and `maxSends` allows).
 * - Small paths are bundled up to the chunk size with more paths the receiver can take (references held
 *   or in the bundle), so latency and plan calls are paid per chunk, not per tiny path.
 * Never sends a path the receiver does not want; parallel transfers to one receiver carry disjoint paths.
 * @throws ConfigError for an unknown option, `pieces`/`window` not an integer ≥ 1 or `chunkBytes` < 1.
 */
export function swarm(options?: RawOptions): Strategy {
  const o = checkKeys('swarm', options, ['pieces', 'chunkBytes', 'window']);
  const pieces = intOption('swarm', o, 'pieces', SWARM_DEFAULT_PIECES, 1);
  const window = intOption('swarm', o, 'window', SWARM_DEFAULT_WINDOW, 1);
  const chunkOption = optionalNumberOption('swarm', o, 'chunkBytes', 1);
  const memory = new StrategyMemory();
  let statics: SwarmStatics | undefined;
  return {
    name: 'swarm',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      statics ??= buildStatics(ctx, chunkOption, pieces);
      return new SwarmCall(ctx, statics, window).plan();
    },
  };
}

/** Facts computed once per run. */
interface SwarmStatics {
  readonly chunk: number;
  /** Targets wanting each path. */
  readonly wanters: ReadonlyMap<PathId, number>;
  /** Initial holders of each path that want nothing (the deployer, caches): never counted as wanters. */
  readonly outsideHolders: ReadonlyMap<PathId, number>;
  /** Every wanted path, topological order. */
  readonly paths: readonly PathId[];
  /** Missing bytes per host, stamped with the missing set's size (it only shrinks, so size is a version). */
  readonly missingBytes: Map<HostId, { size: number; bytes: number }>;
}

function buildStatics(ctx: PlanContext, chunkOption: number | undefined, pieces: number): SwarmStatics {
  const { info, view } = ctx;
  let chunk = chunkOption;
  if (chunk === undefined) {
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
  const wanters = info.wantCount();
  const outsideHolders = new Map<PathId, number>();
  for (const s of info.seeds) {
    if ((view.fleet.wants.get(s)?.length ?? 0) > 0) continue;
    for (const p of view.fleet.initialHave.get(s) ?? []) outsideHolders.set(p, (outsideHolders.get(p) ?? 0) + 1);
  }
  const topo = info.topoIndex();
  const paths = [...wanters.keys()].sort((a, b) => (topo.get(a) ?? 0) - (topo.get(b) ?? 0));
  return { chunk, wanters, outsideHolders, paths, missingBytes: new Map() };
}

/** One `plan` call of the swarm. */
class SwarmCall {
  readonly #view: PlanView;
  /** Copies of each path in flight (running transfers) or planned in this call. */
  readonly #flying = new Map<PathId, number>();
  #order: PathId[] = [];
  readonly #urgency = new Map<PathId, number>();

  constructor(
    readonly ctx: PlanContext,
    readonly st: SwarmStatics,
    readonly window: number,
  ) {
    this.#view = ctx.view;
  }

  plan(): PlanContext['proposals'] {
    const { ctx } = this;
    const view = this.#view;
    const receivers: HostId[] = [];
    // A free receive slot is enough: a receiver blocked on references in flight is skipped when scored.
    for (const t of view.pending()) if (ctx.recvLeft(t) > 0) receivers.push(t);
    if (receivers.length === 0) return ctx.proposals;
    const senders: HostId[] = [];
    for (const h of view.fleet.hosts) {
      if (view.have(h.id).size > 0 && ctx.sendLeft(h.id) > 0) senders.push(h.id);
    }
    if (senders.length === 0) return ctx.proposals;
    // Fast uplinks first: they move the most bytes per second of the plan.
    senders.sort((a, b) => view.host(b).uplink - view.host(a).uplink || ctx.info.pos(a) - ctx.info.pos(b));
    this.#countFlying();
    this.#rank();

    let open = receivers;
    for (const s of senders) {
      if (open.length === 0) break;
      while (ctx.sendLeft(s) > 0) {
        const pick = this.#bestReceiver(s, open);
        if (!pick) break;
        const paths = this.#bundle(s, pick.to, pick.path);
        ctx.propose(s, pick.to, paths);
        for (const p of paths) this.#flying.set(p, (this.#flying.get(p) ?? 0) + 1);
        if (ctx.recvLeft(pick.to) <= 0) open = open.filter((t) => t !== pick.to);
        // Urgencies moved; re-ranking is O(paths), cheap next to the pair scoring.
        this.#rank();
      }
    }
    return ctx.proposals;
  }

  /** Copies already in flight to every pending host. */
  #countFlying(): void {
    const view = this.#view;
    for (const t of view.pending()) for (const p of view.incoming(t)) this.#flying.set(p, (this.#flying.get(p) ?? 0) + 1);
  }

  /** Orders the paths by urgency (see the strategy's doc). */
  #rank(): void {
    const view = this.#view;
    this.#urgency.clear();
    const order: PathId[] = [];
    for (const p of this.st.paths) {
      const holders = view.holders(p).size;
      if (holders === 0) continue;
      const flying = this.#flying.get(p) ?? 0;
      const owners = holders - (this.st.outsideHolders.get(p) ?? 0);
      const left = (this.st.wanters.get(p) ?? 0) - owners - flying;
      if (left <= 0) continue;
      const u = view.closure.narSize(p) * Math.log2(1 + left / (holders + flying));
      this.#urgency.set(p, u);
      order.push(p);
    }
    const topo = this.ctx.info.topoIndex();
    order.sort((a, b) => this.#urgency.get(b)! - this.#urgency.get(a)! || topo.get(a)! - topo.get(b)!);
    this.#order = order;
  }

  /** Whether `to` can take `p` now: it misses it, nothing brings it yet, and its references are there. */
  #takes(to: HostId, p: PathId, incoming: ReadonlySet<PathId>, planned: ReadonlySet<PathId> | undefined): boolean {
    const view = this.#view;
    if (!view.missing(to).has(p) || incoming.has(p) || planned?.has(p)) return false;
    return view.closure.get(p).references.every((r) => view.has(to, r));
  }

  /** The most urgent path `from` can send `to` now, or undefined. */
  #bestPath(from: HostId, to: HostId): PathId | undefined {
    const view = this.#view;
    const incoming = view.incoming(to);
    const planned = this.ctx.planned(to);
    const missing = view.missing(to);
    if (missing.size <= SMALL_MISSING) {
      let best: PathId | undefined;
      let bestU = -1;
      for (const p of missing) {
        const u = this.#urgency.get(p);
        if (u === undefined || u <= bestU || !view.has(from, p) || !this.#takes(to, p, incoming, planned)) continue;
        best = p;
        bestU = u;
      }
      return best;
    }
    for (const p of this.#order) if (view.has(from, p) && this.#takes(to, p, incoming, planned)) return p;
    return undefined;
  }

  /** Seconds `t` still needs to receive what it misses at its own downlink. */
  #receiveTime(t: HostId): number {
    const view = this.#view;
    const missing = view.missing(t);
    let m = this.st.missingBytes.get(t);
    if (!m || m.size !== missing.size) {
      m = { size: missing.size, bytes: view.closure.bytes(missing) };
      this.st.missingBytes.set(t, m);
    }
    return m.bytes / view.host(t).downlink;
  }

  /**
   * The receiver `from` should serve: among `window` open receivers it may reach, scanned from its own
   * offset (and whose downlink its spare uplink still covers when it is already sending), the one with
   * the most receive time left that it can send something to; fewer failed attempts break ties.
   */
  #bestReceiver(from: HostId, open: readonly HostId[]): { to: HostId; path: PathId } | undefined {
    const { ctx } = this;
    const view = this.#view;
    const load = view.sending(from) + ctx.sentNow(from);
    const spare = view.host(from).uplink / (load + 1);
    let best: { to: HostId; path: PathId; time: number; att: number } | undefined;
    let looked = 0;
    // Each sender scans from its own offset, so at 1,000 hosts the senders do not all compete for the
    // same first `window` receivers and leave the rest of the fleet idle.
    const n = open.length;
    const start = (ctx.info.pos(from) * 131 + view.round) % n;
    for (let k = 0; k < n && looked < this.window; k++) {
      const t = open[(start + k) % n]!;
      if (t === from || ctx.recvLeft(t) <= 0 || !ctx.edgeOk(from, t)) continue;
      if (load > 0 && spare < Math.min(view.host(t).downlink, view.linkRate(from, t))) continue;
      looked++;
      const time = this.#receiveTime(t);
      const att = view.attempts(from, t);
      if (best && (time < best.time || (time === best.time && att >= best.att))) continue;
      const path = this.#bestPath(from, t);
      if (path === undefined) continue;
      best = { to: t, path, time, att };
    }
    return best && { to: best.to, path: best.path };
  }

  /**
   * `first`, topped up while the bundle stays within the chunk size with more paths `to` can take from
   * `from`, most urgent first; a path whose references come in the same bundle may follow them.
   */
  #bundle(from: HostId, to: HostId, first: PathId): PathId[] {
    const view = this.#view;
    const chunk = this.st.chunk;
    const out = [first];
    let bytes = view.closure.narSize(first);
    if (bytes >= chunk) return out;
    const picked = new Set(out);
    const incoming = view.incoming(to);
    const planned = this.ctx.planned(to);
    const missing = view.missing(to);
    const ok = (p: PathId): boolean =>
      !picked.has(p) &&
      missing.has(p) &&
      !incoming.has(p) &&
      !planned?.has(p) &&
      view.has(from, p) &&
      view.closure.get(p).references.every((r) => view.has(to, r) || picked.has(r));
    // Two passes: urgent paths first, then anything left (e.g. the toplevel once its references came in).
    for (const list of [this.#order, this.st.paths]) {
      for (const p of list) {
        if (bytes >= chunk) return out;
        if (!ok(p)) continue;
        const size = view.closure.narSize(p);
        if (bytes + size > chunk) continue;
        out.push(p);
        picked.add(p);
        bytes += size;
      }
    }
    return out;
  }
}
