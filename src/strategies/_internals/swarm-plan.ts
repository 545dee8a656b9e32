// Long file: not yet split along its seams (issue 17 tracks it); kept whole until then so its traces stay byte-identical.
import type { PlanView, Proposal } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { edgeOk } from './context.js';
import type { SwarmGroups } from './swarm-groups.js';
import { UrgencyHeap } from './swarm-heap.js';
import type { SwarmRun } from './swarm-run.js';

/** Per-call scan budget per open receiver or free sender: a hard cap on one call's work at 10,000 hosts. */
const SCAN_BUDGET_PER_HOST = 64;

/**
 * The same in round mode, where one call plans a whole round (hundreds of transfers at 1,000 hosts, each
 * pop scanning a path's holders) but calls are few. At 64 a round stopped after ~100 proposals and the
 * rest of the fleet idled until the next one (1,000 hosts, one closure: 64.6 s instead of 51.2 s).
 */
const ROUND_SCAN_BUDGET_PER_HOST = 1024;

/** An open receiver's state, read from the view once per call (the view's per-host lookups are hot). */
interface OpenReceiver {
  readonly id: HostId;
  /** Receive slots left in this call. */
  slots: number;
  readonly missing: ReadonlySet<PathId>;
  readonly incoming: ReadonlySet<PathId>;
  planned?: ReadonlySet<PathId>;
  /** Seconds of receiving left at its downlink. */
  readonly left: number;
  /** The slowest sender uplink it accepts in this call (see `#paceOf`), once asked. */
  pace?: number;
}

/**
 * With groups, a sender already sending starts another transfer only if max-min sharing of its uplink would
 * give the new one at least this share of the rate it could take alone.
 */
const FAIR_SHARE_FLOOR = 0.75;

/**
 * Eager mode without groups: a receiver turns away a sender whose uplink is below this share of the rate
 * it needs to keep pace with the receiver that has the most receiving left (the best rate a seed could
 * give it × its time left ÷ the longest time left), so a slow sender does not hold the one receive slot of
 * a host on the critical path (heavy-tailed uplinks, one closure: 203 s → 185 s). Only a seed holding the
 * whole closure over an edge that has not failed sets the pace, and it passes, so every receiver is served
 * eventually.
 * The sender's uplink, not the link rate, is compared: a thin route (a WAN) is no reason to wait.
 */
const PACE_SHARE = 0.5;

/** A planned transfer. */
interface Pick {
  readonly from: HostId;
  readonly to: HostId;
  readonly paths: PathId[];
}

/**
 * One `plan` call of `swarm`, or of path-level `topology-aware` (which passes its {@link SwarmGroups}): a
 * greedy matching of free uplinks to open receivers, one path at a time in urgency order (see `swarm.ts`
 * for the policy). Paths live in a lazy max-heap keyed by urgency, so a proposal re-ranks only the paths
 * it carries; receivers and senders are sorted once per call.
 */
export class SwarmPlan {
  readonly proposals: Proposal[] = [];
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  readonly #window: number;
  readonly #sends = new Map<HostId, number>();
  readonly #receives = new Map<HostId, number>();
  readonly #planned = new Map<HostId, Set<PathId>>();
  /** Copies of each path running or proposed in this call. */
  readonly #flying = new Map<PathId, number>();
  readonly #version = new Map<PathId, number>();
  readonly #heap = new UrgencyHeap();
  /** Position of each ranked path in this call's initial urgency order (bundles fill in this order). */
  readonly #rank = new Map<PathId, number>();
  /** Open receivers, fastest uplink first (they forward soonest; see `#tier`), then most time left. */
  #open: OpenReceiver[] = [];
  readonly #openOf = new Map<HostId, OpenReceiver>();
  /** Free senders, fastest uplink first. */
  #free: HostId[] = [];
  /** Per path: receivers before this index in {@link SwarmPlan.#open} cannot take it in this call. */
  readonly #openPos = new Map<PathId, number>();
  /** Slowest downlink among open receivers: a sender whose spare uplink is below it serves nobody well. */
  #minDown = Infinity;
  #openCount = 0;
  #freeCount = 0;
  /** Round mode: longest planned transfer (seconds); later transfers of the batch are filled up to it. */
  #duration = 0;
  #budget = 0;
  /** Most seconds of receiving left among open receivers (see {@link PACE_SHARE}). */
  #maxLeft = 0;
  /**
   * Eager mode without groups: live hosts that want nothing and hold the whole closure (the deployer), who
   * can serve anyone anything (see {@link PACE_SHARE}).
   */
  readonly #seeds: HostId[] = [];
  /** Topology groups (`topology-aware`): shared paths cross into a group once, then spread inside it. */
  readonly #groups: SwarmGroups | undefined;
  /** With groups: the open receiver with the slowest downlink in each group. */
  readonly #slowestIn = new Map<string, HostId>();
  /** With groups: per sender, the slowest rate it could send at to some open receiver (see `#usable`). */
  readonly #minRate = new Map<HostId, number>();
  /** With groups: per sender, the expected rates of its running and planned sends. */
  readonly #ratesOf = new Map<HostId, number[]>();
  /** With groups: per sender, `#roomFor` answers by rate until its next proposal. */
  readonly #roomOf = new Map<HostId, Map<number, boolean>>();
  /**
   * Eager mode only: the chain of paths behind each path (added to its urgency) and the path seeds send
   * twice (see `#superSeed`). Both made every measured round-mode fleet slower (heavy-tailed, 1,000 hosts:
   * 637 s → 926 s; one closure, three seeds: 564–646 s → 587–708 s), so round mode plans without them.
   */
  readonly #chainBehind: ReadonlyMap<PathId, number> | undefined;
  readonly #seedTwice: PathId | undefined;
  /** Eager mode without groups: the uplink splitting open receivers in two (`SwarmRun.receiverTier`). */
  readonly #tier: number;

  constructor(view: PlanView, run: SwarmRun, window: number, groups?: SwarmGroups) {
    this.#view = view;
    this.#run = run;
    this.#window = window;
    this.#groups = groups;
    const eager = view.mode !== 'round';
    this.#chainBehind = eager ? run.chainBehind : undefined;
    this.#seedTwice = eager ? run.seedTwice : undefined;
    // With groups receivers compete for the links into their group more than for their own downlinks
    // (Wi-Fi behind one access point, 200 hosts, one closure: 572/642 s → 649/756 s with tiers).
    this.#tier = (eager && !groups ? run.receiverTier : undefined) ?? 0;
  }

  /** Plans one batch. */
  plan(): readonly Proposal[] {
    const view = this.#view;
    const run = this.#run;
    const pending = view.pending();
    for (const t of pending) {
      const slots = this.#recvLeft(t);
      if (slots <= 0) continue;
      const down = view.host(t).downlink;
      const rec = {
        id: t,
        slots,
        missing: view.missing(t),
        incoming: view.incoming(t),
        left: run.missingBytes(view, t) / down,
      };
      this.#open.push(rec);
      this.#openOf.set(t, rec);
      this.#maxLeft = Math.max(this.#maxLeft, rec.left);
      this.#minDown = Math.min(this.#minDown, down);
      if (this.#groups) {
        const g = this.#groups.group(t);
        const slowest = this.#slowestIn.get(g);
        if (slowest === undefined || down < view.host(slowest).downlink) this.#slowestIn.set(g, t);
      }
    }
    if (this.#open.length === 0) return this.proposals;
    for (const h of view.fleet.hosts)
      if (view.have(h.id).size > 0 && this.#usable(h.id)) this.#free.push(h.id);
    if (!this.#groups && view.mode !== 'round') {
      // Only hosts that held paths at the start can hold the whole closure while wanting nothing.
      for (const s of run.info.seeds) {
        if (
          !view.isFailed(s) &&
          !view.fleet.wants.get(s)?.length &&
          view.have(s).size === view.closure.size
        ) {
          this.#seeds.push(s);
        }
      }
    }
    if (this.#free.length === 0) return this.proposals;
    this.#openCount = this.#open.length;
    this.#freeCount = this.#free.length;
    const perHost = view.mode === 'round' ? ROUND_SCAN_BUDGET_PER_HOST : SCAN_BUDGET_PER_HOST;
    const budget = perHost * (this.#open.length + this.#free.length) + 16 * run.shared.length;
    this.#budget = budget;

    for (const t of pending)
      for (const p of view.incoming(t)) this.#flying.set(p, (this.#flying.get(p) ?? 0) + 1);
    const ranked: { p: PathId; u: number }[] = [];
    // Shared paths, and the private paths of open receivers only: with per-host paths the closure has
    // thousands of paths at 1,000 hosts, most of them of hosts that cannot receive now.
    const candidates: PathId[] = [...run.shared];
    for (const rec of this.#open)
      for (const p of run.privateOf.get(rec.id) ?? []) if (rec.missing.has(p)) candidates.push(p);
    for (const p of candidates) {
      const u = this.#urgency(p);
      if (u <= 0) continue;
      ranked.push({ p, u });
      this.#heap.push({ path: p, urgency: u, tie: run.topo.get(p)!, version: 0 });
    }
    ranked.sort((a, b) => b.u - a.u || run.topo.get(a.p)! - run.topo.get(b.p)!);
    ranked.forEach((r, i) => this.#rank.set(r.p, i));

    // Fastest uplinks first: they become sources soonest (heavy-tailed fleets: 4.65× → 2.52× the bound).
    // In eager mode without private paths only down to the median uplink (`#tier`); below it, most receive
    // time left first: a slow uplink forwards little anyway, while a slow downlink that starts late holds
    // up the end (heavy-tailed uplinks, 1,000 hosts, one closure, three seeds: 194/182/188 s → 176/179/176 s;
    // round mode went 564 s → 1,034 s, as it waits for a whole round of slow receivers).
    const tier = this.#tier;
    const rank = (h: HostId): number => {
      const u = view.host(h).uplink;
      return u >= tier ? u : 0;
    };
    this.#open.sort((a, b) => rank(b.id) - rank(a.id) || b.left - a.left || run.pos(a.id) - run.pos(b.id));
    this.#free.sort((a, b) => view.host(b).uplink - view.host(a).uplink || run.pos(a) - run.pos(b));

    this.#superSeed(ranked.map((r) => r.p));
    // A seed whose every offer fails (with groups, every group already has its copies crossing in) spends
    // a scan of the receivers per path. At 100 racked hosts that used up the whole budget, the call proposed
    // nothing while nothing ran, and the run stopped. So when seeding proposed nothing, the main loop gets a
    // budget of its own. When it did propose, the next outcome brings another call; a fresh budget there too
    // was no faster (regions, 200 hosts: 190 s against 186 s) for 2.5× the CPU.
    if (this.proposals.length === 0) this.#budget = budget;
    while (this.#openCount > 0 && this.#freeCount > 0 && this.#budget > 0) {
      const e = this.#heap.pop();
      if (!e) break;
      if (e.version !== (this.#version.get(e.path) ?? 0)) continue;
      const pick = this.#pair(e.path);
      if (pick) this.#propose(pick.from, pick.to, pick.paths);
    }
    return this.proposals;
  }

  /**
   * Super-seeding: a free sender that wants nothing (the deployer, a cache) is the only source of what
   * peers do not hold yet, so it sends the paths with the fewest peer copies first (most urgent among
   * equals) and leaves the doubling of a path to the peers that hold it. Without this the deployer would
   * spend its uplink on copies of the largest path while the rest of the closure waits behind it.
   */
  #superSeed(ranked: readonly PathId[]): void {
    const view = this.#view;
    for (const s of this.#free) {
      if ((view.fleet.wants.get(s)?.length ?? 0) > 0) continue;
      const order: { p: PathId; c: number }[] = [];
      // `#seedTwice` (the largest path) counts one copy less: its second seed copy ranks with the other
      // paths' first ones (stable sort: equal counts keep the urgency order, where it usually leads). Its
      // doubling sets the cascade's length; a second lineage one copy time behind the first gives that
      // doubling a step of slack, which its holders spend on the paths that reference it (kernel → modules
      // → system).
      for (const p of ranked)
        if (view.has(s, p)) order.push({ p, c: this.#peerCopies(p) - (p === this.#seedTwice ? 1 : 0) });
      order.sort((a, b) => a.c - b.c);
      // A private path (one host wants it: its toplevel, its configuration) can only ever come from a seed
      // and nobody forwards it. Once every shared path has a peer copy (held or on its way), private paths
      // may take the seed's spare send slots even when that splits its uplink; otherwise a 1,000-host
      // fleet's private paths would go one per round. Before that, the uplink seeds the shared paths.
      const seeded = order.every((o) => o.c > 0 || this.#run.info.isPrivate(o.p));
      for (const { p } of order) {
        if (this.#sendLeft(s) <= 0 || this.#openCount === 0 || this.#budget <= 0) break;
        const whole = this.#usable(s);
        if (!whole && !(seeded && this.#run.info.isPrivate(p))) continue;
        this.#budget--;
        if (this.#urgency(p) <= 0 || !this.#anyTaker(p)) continue;
        const pick = this.#pair(p, [s], !whole);
        if (pick) this.#propose(pick.from, pick.to, pick.paths);
      }
    }
  }

  /** Copies of `p` held by or on their way to hosts that want it. */
  #peerCopies(p: PathId): number {
    return this.#view.holders(p).size - (this.#run.outside.get(p) ?? 0) + (this.#flying.get(p) ?? 0);
  }

  /** Whether some open receiver may take `p` (advances the path's receiver cursor past those that cannot). */
  #anyTaker(p: PathId): boolean {
    const owner = this.#run.owner.get(p);
    if (owner !== undefined) {
      // A private path has one possible taker: no scan over the open receivers.
      const rec = this.#openOf.get(owner);
      return rec !== undefined && this.#mayTake(rec, p);
    }
    let i = this.#openPos.get(p) ?? 0;
    while (i < this.#open.length && !this.#mayTake(this.#open[i]!, p)) i++;
    this.#budget -= i - (this.#openPos.get(p) ?? 0) + 1;
    this.#openPos.set(p, i);
    return i < this.#open.length;
  }

  /**
   * Urgency of `p`: its remaining spread time in byte-generations, bytes × log₂(1 + wanters still missing it
   * (copies in flight count as delivered) ÷ copies), divided by √copies (copies = holders + copies in
   * flight). In eager mode the bytes are its own plus the longest chain of paths that reference it, which
   * can follow it to a host only one after another (see `#chainBehind`). The first factor is rarest-first
   * weighted by size (a large path held by few starts doubling early instead of becoming the tail); the
   * damping lets a path many hold yield to a rare one when a sender holds both, since the many holders keep
   * doubling it anyway. 0 when nobody holds or needs it.
   */
  #urgency(p: PathId): number {
    const view = this.#view;
    const holders = view.holders(p).size;
    if (holders === 0) return 0;
    const flying = this.#flying.get(p) ?? 0;
    const owners = holders - (this.#run.outside.get(p) ?? 0);
    const left = (this.#run.wanters.get(p) ?? 0) - owners - flying;
    if (left <= 0) return 0;
    const copies = holders + flying;
    // At least one byte: an empty path (a zero-size store path) is still wanted and must rank above 0.
    const bytes = Math.max(1, view.closure.narSize(p) + (this.#chainBehind?.get(p) ?? 0));
    return (bytes * Math.log2(1 + left / copies)) / Math.sqrt(copies);
  }

  #sendLeft(h: HostId): number {
    const view = this.#view;
    if (!view.canSend(h)) return 0;
    return view.host(h).maxSends - view.sending(h) - (this.#sends.get(h) ?? 0);
  }

  #recvLeft(h: HostId): number {
    const view = this.#view;
    if (!view.canReceive(h)) return 0;
    return view.host(h).maxReceives - view.receiving(h) - (this.#receives.get(h) ?? 0);
  }

  #load(h: HostId): number {
    return this.#view.sending(h) + (this.#sends.get(h) ?? 0);
  }

  /**
   * With groups: the rates `h`'s running and planned sends can expect (see `SwarmGroups.flowRate`), so a
   * sender whose transfers cross thin links knows its uplink still has room.
   */
  #flowRates(h: HostId): number[] {
    let rates = this.#ratesOf.get(h);
    if (!rates) {
      const groups = this.#groups!;
      rates = this.#run.runningFlows(this.#view, h).map((t) => groups.flowRate(h, t, 0));
      this.#ratesOf.set(h, rates);
    }
    return rates;
  }

  /**
   * Whether a new send from `h` capped at `rate` would get at least {@link FAIR_SHARE_FLOOR} of it under
   * max-min fair sharing of `h`'s uplink with its other sends (water-filling over their expected rates).
   */
  #roomFor(h: HostId, rate: number): boolean {
    let known = this.#roomOf.get(h);
    if (!known) this.#roomOf.set(h, (known = new Map<number, boolean>()));
    let room = known.get(rate);
    if (room !== undefined) return room;
    const caps = [...this.#flowRates(h), rate].sort((a, b) => a - b);
    let left = this.#view.host(h).uplink;
    room = true;
    for (let i = 0; i < caps.length; i++) {
      const level = left / (caps.length - i);
      if (caps[i]! >= level) {
        room = level >= FAIR_SHARE_FLOOR * rate;
        break;
      }
      left -= caps[i]!;
    }
    known.set(rate, room);
    return room;
  }

  /**
   * A send slot left, and (when already sending) spare uplink that still covers the slowest open receiver.
   * With groups, the slowest rate is taken per group over the route: a copy across a thin link (a WAN)
   * uses a fraction of a fast uplink, so its holder may serve others at the same time.
   */
  #usable(h: HostId): boolean {
    if (this.#sendLeft(h) <= 0) return false;
    const load = this.#load(h);
    if (load === 0) return true;
    if (!this.#groups) return this.#view.host(h).uplink / (load + 1) >= this.#minDown;
    let rate = this.#minRate.get(h);
    if (rate === undefined) {
      rate = Infinity;
      for (const t of this.#slowestIn.values()) {
        const r = t === h ? 0 : this.#groups.flowRate(h, t, 1);
        if (r > 0) rate = Math.min(rate, r);
      }
      this.#minRate.set(h, rate);
    }
    return this.#roomFor(h, rate);
  }

  /**
   * The edge can carry a copy now (`split`: a seed's private paths may always split its uplink, see
   * `#superSeed`). With groups, a busy sender starts another only if it keeps its fair share (`#roomFor`).
   * In round mode, which waits for the batch's longest transfer, one uplink is not split while a single
   * flow would saturate the receiver. In eager mode every source passed `#usable` (each share of its uplink
   * covers the slowest open receiver), so it may split for any receiver (`#bestSource` checks its pace):
   * refusing fast receivers left the deployer serving only slow ones while the fast ones waited for the
   * rare paths it alone held (heavy-tailed uplinks: a 65 MB path had two peer copies for a minute).
   */
  #fits(from: HostId, to: HostId, split = false): boolean {
    const view = this.#view;
    const groups = this.#groups;
    if (groups?.crosses(from, to) && !groups.flowRoom(to)) return false;
    if (!edgeOk(view, from, to)) return false;
    if (split) return true;
    const load = this.#load(from);
    if (groups) return load === 0 || this.#roomFor(from, groups.flowRate(from, to, 1));
    if (view.mode !== 'round') return true;
    const rate = Math.min(view.host(to).downlink, view.linkRate(from, to));
    return load === 0 || view.host(from).uplink / (load + 1) >= rate;
  }

  /** The slowest sender uplink `to` accepts (see {@link PACE_SHARE}; 0 where it does not apply). */
  #paceOf(to: HostId, split: boolean): number {
    const rec = this.#openOf.get(to);
    if (split || !rec || this.#maxLeft <= 0) return 0;
    if (rec.pace === undefined) {
      const view = this.#view;
      let best = 0;
      // A seed whose edge to `to` has failed does not set its pace: `to` would wait for an edge that may
      // keep failing until the coordinator gives it up, while slower sources could serve it.
      for (const s of this.#seeds) {
        if (edgeOk(view, s, to) && view.attempts(s, to) === 0) best = Math.max(best, view.linkRate(s, to));
      }
      rec.pace = (PACE_SHARE * best * rec.left) / this.#maxLeft;
    }
    return rec.pace;
  }

  /**
   * Whether `#bundle` must refuse `p` for `rec` from any source: `p`'s missing references would have to come
   * along, and something is already on its way to `rec`, or they alone exceed any cap this call could give
   * the transfer. Holders of `p` hold its references, so the source does not matter; testing this first
   * spares a failed bundle per receiver on every pop of such a path (1,000 hosts, one closure, eager mode:
   * 780,000 failed bundles in a run).
   */
  #cannotDrag(rec: OpenReceiver, p: PathId): boolean {
    const bytes = this.#run.missingRefBytes(this.#view, rec.id, p);
    if (bytes === 0) return false;
    if (rec.incoming.size > 0 || rec.planned !== undefined) return true;
    // Every source's link rate is at most `rec`'s downlink, so no source's cap exceeds this one.
    return bytes > this.#capAt(this.#view.host(rec.id).downlink);
  }

  /** Cheap, call-permanent test: `to` has a receive slot, misses `p`, and nothing brings `p` yet. */
  #mayTake(to: OpenReceiver, p: PathId): boolean {
    return to.slots > 0 && to.missing.has(p) && !to.incoming.has(p) && !(to.planned?.has(p) ?? false);
  }

  /** Free holders of `p` (at most `window`), fastest uplink first. */
  #freeHolders(p: PathId): HostId[] {
    const view = this.#view;
    const run = this.#run;
    const holders = view.holders(p);
    const out: HostId[] = [];
    // Scanning the holders costs H and a sort; scanning the free senders (fastest first, as the sort) for
    // the first `window` holders costs about window × F ÷ H. Sorting every holder of a path 2,000 hosts
    // hold made round mode quadratic (2,000 hosts: 22 s; 4,000: 92 s).
    if (holders.size * holders.size <= this.#window * this.#free.length) {
      this.#budget -= holders.size;
      for (const h of holders) if (this.#usable(h)) out.push(h);
      out.sort((a, b) => view.host(b).uplink - view.host(a).uplink || run.pos(a) - run.pos(b));
      if (out.length > this.#window) out.length = this.#window;
      return out;
    }
    for (const h of this.#free) {
      this.#budget--;
      if (view.has(h, p) && this.#usable(h)) {
        out.push(h);
        if (out.length >= this.#window) break;
      }
    }
    return out;
  }

  /**
   * The first open receiver (in `#open`'s order) that can take `p` from one of its free holders, with the
   * holder (fewest failed attempts on the edge, then fastest) and the bundle.
   */
  #pair(p: PathId, only?: HostId[], split = false): Pick | undefined {
    const owner = this.#run.owner.get(p);
    if (owner !== undefined) {
      // A private path has one possible receiver: no scan over the open receivers.
      const rec = this.#openOf.get(owner);
      if (!rec || !this.#mayTake(rec, p)) return undefined;
      const best = this.#bestSource(only ?? this.#freeHolders(p), owner, split, only !== undefined);
      const paths = best === undefined ? undefined : this.#bundle(best, owner, p, split);
      return paths && { from: best!, to: owner, paths };
    }
    let i = this.#openPos.get(p) ?? 0;
    const inGroup = new Map<string, HostId[]>();
    // Receiver side first when it is the scarce one: most pops end there in eager mode's steady state.
    let sources: HostId[] | undefined = only;
    if (!sources && this.#open.length - i > this.#free.length) {
      sources = this.#freeHolders(p);
      if (sources.length === 0) return undefined;
    }
    // The cursor only moves past receivers that cannot take `p` at all in this call; one that merely found
    // no fitting source among these (e.g. only the deployer, while super-seeding) stays for later pops.
    let kept = -1;
    // Round mode tests the references first (most receivers have a source then); eager mode after the
    // source search, which turns most receivers away cheaply (1,000 hosts, one closure: 34 s → 23 s CPU).
    const round = this.#view.mode === 'round';
    for (; i < this.#open.length; i++) {
      this.#budget--;
      const rec = this.#open[i]!;
      if (!this.#mayTake(rec, p)) continue;
      if (round && this.#cannotDrag(rec, p)) {
        if (kept < 0) kept = i;
        continue;
      }
      const t = rec.id;
      sources ??= this.#freeHolders(p);
      if (sources.length === 0) break;
      const best = this.#bestSource(
        this.#groups ? this.#groupSources(p, t, sources, only, inGroup) : sources,
        t,
        split,
        only !== undefined,
      );
      const paths =
        best === undefined || (!round && this.#cannotDrag(rec, p)) ? undefined : this.#bundle(best, t, p);
      if (paths === undefined) {
        if (kept < 0) kept = i;
        continue;
      }
      this.#openPos.set(p, kept < 0 ? i + 1 : kept);
      return { from: best!, to: t, paths };
    }
    this.#openPos.set(p, kept < 0 ? i : kept);
    return undefined;
  }

  /**
   * With groups, the sources `t` may take shared path `p` from: all of `sources` while nobody inside its
   * group can serve it and fewer than `crossings` copies are on their way in (`SwarmGroups.mayCross`), and
   * the references `t` lacks may cross too (none otherwise); else its group's free holders (cached per
   * group in `inGroup` for one `#pair` call; `only` restricts them), which may be none: then `t` waits.
   */
  #groupSources(
    p: PathId,
    t: HostId,
    sources: readonly HostId[],
    only: readonly HostId[] | undefined,
    inGroup: Map<string, HostId[]>,
  ): readonly HostId[] {
    const groups = this.#groups!;
    if (groups.mayCross(p, t)) return this.#refsMayCross(p, t) ? sources : [];
    const g = groups.group(t);
    let list = inGroup.get(g);
    if (!list) {
      const view = this.#view;
      const run = this.#run;
      list = groups.holdersIn(p, g).filter((h) => (only ? only.includes(h) : this.#usable(h)));
      list.sort((a, b) => view.host(b).uplink - view.host(a).uplink || run.pos(a) - run.pos(b));
      if (list.length > this.#window) list.length = this.#window;
      inGroup.set(g, list);
    }
    return list;
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
   * holder inside can serve it) fails every crossing bundle of `p` to `t` (`#bundle`'s `mayGo`), so `t`
   * skips the source search; at 300 racked hosts that was 230 failed bundles per call.
   */
  #refsMayCross(p: PathId, t: HostId): boolean {
    const view = this.#view;
    return view.closure.get(p).references.every((r) => view.has(t, r) || this.#mayCross(r, t));
  }

  /**
   * The source for `t` among `sources`: a send slot, the edge fits, fewest failed attempts (first wins ties).
   * `fresh` (super-seeding, which offers one seed to every receiver): only an edge that has not failed, so a
   * receiver whose edge from the seed fails is left to the heap's pops, which weigh every holder.
   */
  #bestSource(sources: readonly HostId[], t: HostId, split: boolean, fresh = false): HostId | undefined {
    let best: HostId | undefined;
    let bestAtt = Infinity;
    const pace = this.#paceOf(t, split);
    for (const s of sources) {
      // Sources come fastest uplink first: once one is below the pace, so are the rest.
      if (this.#view.host(s).uplink < pace) break;
      if (this.#sendLeft(s) <= 0 || !this.#fits(s, t, split)) continue;
      const att = this.#view.attempts(s, t);
      if (fresh && att > 0) continue;
      if (att < bestAtt) {
        best = s;
        bestAtt = att;
        if (att === 0) break;
      }
    }
    return best;
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
   * splitting its uplink for private paths, see `#superSeed`): only private paths ride along. A toplevel
   * dragging its missing shared references made the seed push whole closures to every receiver at once,
   * as `push-parallel` does (24 hosts, per-host paths, one piece: 164 s against a bound of 15 s).
   */
  #bundle(from: HostId, to: HostId, first: PathId, privateOnly = false): PathId[] | undefined {
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
    // Across a group boundary, a path rides along only if it may cross (see `#groupSources`).
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
    const rank = (q: PathId): number => this.#rank.get(q) ?? Infinity;
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

  #propose(from: HostId, to: HostId, paths: PathId[]): void {
    const view = this.#view;
    // A seed sending private paths may go on after it stopped being a free sender: count it once.
    const wasUsable = this.#usable(from);
    this.proposals.push({ from, to, paths });
    this.#sends.set(from, (this.#sends.get(from) ?? 0) + 1);
    this.#receives.set(to, (this.#receives.get(to) ?? 0) + 1);
    let set = this.#planned.get(to);
    if (!set) this.#planned.set(to, (set = new Set()));
    for (const p of paths) set.add(p);
    const rec = this.#openOf.get(to)!;
    rec.planned = set;
    if (--rec.slots <= 0) this.#openCount--;
    if (wasUsable && !this.#usable(from)) this.#freeCount--;
    if (this.#groups) {
      this.#flowRates(from).push(this.#groups.flowRate(from, to, 1));
      this.#roomOf.delete(from);
      this.#groups.planned(from, to, paths);
      this.#run.flowStarted(from, to, paths);
    }
    const rate = view.linkRate(from, to);
    if (rate > 0) this.#duration = Math.max(this.#duration, view.closure.bytes(paths) / rate);
    for (const p of paths) {
      this.#flying.set(p, (this.#flying.get(p) ?? 0) + 1);
      const version = (this.#version.get(p) ?? 0) + 1;
      this.#version.set(p, version);
      const u = this.#urgency(p);
      if (u > 0) this.#heap.push({ path: p, urgency: u, tie: this.#run.topo.get(p)!, version });
    }
  }
}
