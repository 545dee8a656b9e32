import type { ClosureGraph } from './closure.js';
import type { Topology } from './topology.js';
import type { Fleet, HostId, PathId } from './types.js';

/** The least makespan any schedule could reach, and the terms it is the maximum of. */
export interface LowerBound {
  /** max of the terms below, in seconds. */
  readonly seconds: number;
  /** max over targets of (bytes it misses ÷ its downlink). */
  readonly downlinkSeconds: number;
  /** bytes that must leave the initial holders ÷ their total uplink (S / U₀). */
  readonly seedUplinkSeconds: number;
  /** all bytes to deliver ÷ the fleet's total uplink (N·S / (U₀ + Σuᵢ)). */
  readonly fleetUplinkSeconds: number;
  /** max over topology groups (racks, regions) of bytes that must enter the group ÷ the capacity into it. */
  readonly cutSeconds: number;
  /**
   * max over store paths p of τₚ·⌈log₂((Hₚ+Rₚ)/Hₚ)⌉, τₚ = sizeₚ ÷ the fastest possible copy rate: a path is
   * forwarded only once fully held and each copy has one sender, so its Hₚ initial holders can at most
   * double every τₚ until its Rₚ receivers hold it (the telephone-model broadcast bound). Dominates the
   * fluid terms when one store path is a large share of the closure.
   */
  readonly pathDoublingSeconds: number;
  /** max over targets of the least route latency from any initial holder. */
  readonly latencySeconds: number;
  /**
   * Rounds needed in whole-closure round mode when every holder serves at most `maxSends` receivers a
   * round: ⌈log_{1+m}((N+S)/S)⌉ for N targets still missing paths, S initial full holders.
   */
  readonly rounds: number;
  /** Bytes the targets miss at the start, summed over targets. */
  readonly bytesWanted: number;
}

/** Initial holders beyond which the latency term is skipped (it needs one route per holder and target). */
const LATENCY_HOLDER_LIMIT = 64;

/**
 * The fluid lower bound of DESIGN.md generalised to want sets, several seeds and topology cuts:
 *
 * `T ≥ max( maxᵢ Wᵢ/dᵢ , S₀/U₀ , ΣWᵢ/(U₀+Σuᵢ) , max_g B_g/C_g , maxᵢ Lᵢ , maxₚ τₚ⌈log₂((Hₚ+Rₚ)/Hₚ)⌉ )`
 *
 * where Wᵢ is what target i misses, S₀ the bytes of paths someone misses (each must leave its initial
 * holders once), U₀ the initial holders' total uplink, B_g the bytes wanted inside group g that nobody
 * inside holds, C_g the bandwidth of the links into g, Lᵢ the least latency from an initial holder to i,
 * and the last term the per-path doubling limit ({@link LowerBound.pathDoublingSeconds}).
 * Every term holds for any schedule in both network models, so a simulated makespan below it is a bug.
 */
export function lowerBound(fleet: Fleet, closure: ClosureGraph, topology: Topology): LowerBound {
  const haveOf = new Map<HostId, ReadonlySet<PathId>>();
  for (const [h, paths] of fleet.initialHave) haveOf.set(h, new Set(paths));
  const initialHolders = fleet.hosts.filter((h) => (haveOf.get(h.id)?.size ?? 0) > 0);

  let downlinkSeconds = 0;
  let totalWanted = 0;
  const missingSomewhere = new Set<PathId>();
  const neededTargets: HostId[] = [];
  const sizeCache = new Map<readonly PathId[], number>();
  for (const h of fleet.hosts) {
    const want = fleet.wants.get(h.id);
    if (!want || want.length === 0) continue;
    const have = haveOf.get(h.id);
    let missingBytes: number;
    if (!have) {
      // Hosts given the same want array share the sum (100,000-host fleets).
      const cached = sizeCache.get(want);
      if (cached === undefined) {
        missingBytes = closure.bytes(want);
        sizeCache.set(want, missingBytes);
        for (const p of want) missingSomewhere.add(p);
      } else {
        missingBytes = cached;
      }
    } else {
      missingBytes = 0;
      for (const p of want) {
        if (have.has(p)) continue;
        missingBytes += closure.narSize(p);
        missingSomewhere.add(p);
      }
    }
    if (missingBytes === 0) continue;
    neededTargets.push(h.id);
    totalWanted += missingBytes;
    downlinkSeconds = Math.max(downlinkSeconds, missingBytes / h.downlink);
  }

  const u0 = initialHolders.reduce((s, h) => s + h.uplink, 0);
  const seedBytes = closure.bytes(missingSomewhere);
  const seedUplinkSeconds = seedBytes === 0 ? 0 : seedBytes / u0;
  const uAll = fleet.hosts.reduce((s, h) => s + h.uplink, 0);
  const fleetUplinkSeconds = totalWanted / uAll;

  const cutSeconds = cutBound(fleet, closure, topology, haveOf);

  let latencySeconds = 0;
  if (initialHolders.length <= LATENCY_HOLDER_LIMIT) {
    for (const t of neededTargets) {
      let best = Infinity;
      for (const s of initialHolders) {
        if (s.id === t) continue;
        const r = topology.route(s.id, t);
        if (r) best = Math.min(best, r.latency);
      }
      if (Number.isFinite(best)) latencySeconds = Math.max(latencySeconds, best);
    }
  }

  const fullHolders = initialHolders.filter((s) => {
    const have = haveOf.get(s.id)!;
    for (const p of missingSomewhere) if (!have.has(p)) return false;
    return true;
  }).length;
  // A loop, not Math.max(...hosts): spreading a million-host array overflows the call stack.
  const maxSends = fleet.hosts.reduce((m, h) => Math.max(m, h.maxSends), 1);
  const rounds =
    neededTargets.length === 0 || fullHolders === 0
      ? 0
      : Math.ceil(Math.log((neededTargets.length + fullHolders) / fullHolders) / Math.log(1 + maxSends) - 1e-12);

  const pathDoublingSeconds = doublingBound(fleet, closure, haveOf);

  const seconds = Math.max(
    downlinkSeconds,
    seedUplinkSeconds,
    fleetUplinkSeconds,
    cutSeconds,
    latencySeconds,
    pathDoublingSeconds,
  );
  return {
    seconds,
    downlinkSeconds,
    seedUplinkSeconds,
    fleetUplinkSeconds,
    cutSeconds,
    pathDoublingSeconds,
    latencySeconds,
    rounds,
    bytesWanted: totalWanted,
  };
}

/**
 * The per-path doubling term: a copy of path p runs at most at r = min(fastest uplink, fastest downlink),
 * so it takes ≥ τₚ = sizeₚ/r. When no host can send faster than one such copy (uplinks ≤ downlinks, or one
 * send at a time), each holder (which must hold p whole before sending it) completes at most one copy per
 * τₚ: holders at most double every τₚ. Otherwise a holder sends at most u = min(fastest uplink, most sends ×
 * r) bytes a second, so holders grow at most as e^(u·t/sizeₚ) (Grönwall), and each copy still takes τₚ.
 */
function doublingBound(
  fleet: Fleet,
  closure: ClosureGraph,
  haveOf: ReadonlyMap<HostId, ReadonlySet<PathId>>,
): number {
  let maxUp = 0;
  let maxDown = 0;
  let maxSends = 1;
  for (const h of fleet.hosts) {
    maxUp = Math.max(maxUp, h.uplink);
    maxDown = Math.max(maxDown, h.downlink);
    maxSends = Math.max(maxSends, h.maxSends);
  }
  const rate = Math.min(maxUp, maxDown);
  if (!(rate > 0) || !Number.isFinite(rate)) return 0;
  const perHolder = Math.min(maxUp, maxSends * rate);
  const holders = new Map<PathId, number>();
  for (const have of haveOf.values()) for (const p of have) holders.set(p, (holders.get(p) ?? 0) + 1);
  // Receivers per path; hosts without initial paths that share a want array are counted once per array.
  const receivers = new Map<PathId, number>();
  const sharedWants = new Map<readonly PathId[], number>();
  for (const h of fleet.hosts) {
    const want = fleet.wants.get(h.id);
    if (!want) continue;
    const have = haveOf.get(h.id);
    if (!have) sharedWants.set(want, (sharedWants.get(want) ?? 0) + 1);
    else for (const p of want) if (!have.has(p)) receivers.set(p, (receivers.get(p) ?? 0) + 1);
  }
  for (const [want, n] of sharedWants) for (const p of want) receivers.set(p, (receivers.get(p) ?? 0) + n);
  let worst = 0;
  for (const [p, r] of receivers) {
    const h = holders.get(p) ?? 0;
    if (h === 0) continue; // nobody can deliver it: no finite bound applies
    const size = closure.narSize(p);
    const t =
      perHolder <= rate
        ? (size / rate) * Math.ceil(Math.log2((h + r) / h) - 1e-12)
        : Math.max(size / rate, (size / perHolder) * Math.log((h + r) / h));
    worst = Math.max(worst, t);
  }
  return worst;
}

/**
 * For each topology group: the bytes wanted by its hosts that no host inside holds at the start must cross
 * the links into the group's switches, whose total bandwidth caps the rate.
 */
function cutBound(
  fleet: Fleet,
  closure: ClosureGraph,
  topology: Topology,
  haveOf: ReadonlyMap<HostId, ReadonlySet<PathId>>,
): number {
  const members = new Map<string, HostId[]>();
  for (const h of fleet.hosts) {
    const g = topology.groupOf(h.id);
    if (g === undefined) continue;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(h.id);
  }
  if (members.size < 2) return 0;
  const graph = topology.graph;
  const groupOfNode = (node: string): string | undefined => {
    const attrs = graph.getNodeAttributes(node) as { group?: unknown };
    return typeof attrs.group === 'string' ? attrs.group : undefined;
  };
  const capacityInto = new Map<string, number>();
  graph.forEachEdge((_edge, attrs, source, target) => {
    const gt = groupOfNode(target);
    if (gt === undefined || groupOfNode(source) === gt) return;
    const bw = (attrs as { bandwidth?: unknown }).bandwidth;
    if (typeof bw === 'number') capacityInto.set(gt, (capacityInto.get(gt) ?? 0) + bw);
  });
  // A host whose group is not its switch's (an `attachHost` override) sits behind another group's links:
  // neither group's cut then describes where its bytes flow, so both are left out.
  const mixed = new Set<string>();
  for (const h of fleet.hosts) {
    const g = topology.groupOf(h.id);
    if (!graph.hasNode(h.id)) continue;
    graph.forEachNeighbor(h.id, (node) => {
      const sg = groupOfNode(node);
      if (sg === g) return;
      if (g !== undefined) mixed.add(g);
      if (sg !== undefined) mixed.add(sg);
    });
  }
  let worst = 0;
  for (const [g, hosts] of members) {
    if (mixed.has(g)) continue;
    const capacity = capacityInto.get(g);
    if (capacity === undefined || capacity <= 0 || !Number.isFinite(capacity)) continue;
    const heldInside = new Set<PathId>();
    for (const h of hosts) for (const p of haveOf.get(h) ?? []) heldInside.add(p);
    const needed = new Set<PathId>();
    const seenLists = new Set<readonly PathId[]>();
    for (const h of hosts) {
      const want = fleet.wants.get(h);
      if (!want || seenLists.has(want)) continue;
      seenLists.add(want);
      for (const p of want) if (!heldInside.has(p)) needed.add(p);
    }
    worst = Math.max(worst, closure.bytes(needed) / capacity);
  }
  return worst;
}
