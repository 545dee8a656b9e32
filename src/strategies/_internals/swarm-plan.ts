import type { PlanView, Proposal } from '../../core/strategy.js';
import type { HostId, PathId } from '../../core/types.js';
import { SwarmAdmission } from './swarm-admission.js';
import { SwarmBundler } from './swarm-bundle.js';
import type { SwarmGroups } from './swarm-groups.js';
import type { FreeSenders } from './swarm-free.js';
import type { OpenReceiver, OpenReceivers, SwarmHosts } from './swarm-hosts.js';
import type { SwarmRun } from './swarm-run.js';
import { SwarmSources } from './swarm-sources.js';
import { SwarmTakers } from './swarm-takers.js';
import { SwarmUrgency } from './swarm-urgency.js';

/** Per-call scan budget per open receiver or free sender: a hard cap on one call's work at 10,000 hosts. */
const SCAN_BUDGET_PER_HOST = 64;

/**
 * The same in round mode, where one call plans a whole round (hundreds of transfers at 1,000 hosts, each
 * pop scanning a path's holders) but calls are few. At 64 a round stopped after ~100 proposals and the
 * rest of the fleet idled until the next one (1,000 hosts, one closure: 64.6 s instead of 51.2 s).
 */
const ROUND_SCAN_BUDGET_PER_HOST = 1024;

/** A planned transfer. */
interface Pick {
  readonly from: HostId;
  readonly to: HostId;
  readonly paths: PathId[];
}

/**
 * One `plan` call of `swarm`, or of path-level `topology-aware` (which passes its {@link SwarmGroups}): a
 * greedy matching of free uplinks to open receivers, one path at a time in urgency order (see `swarm.ts`
 * for the policy). This class matches (the open receivers, the free senders, super-seeding, the scan
 * budget); its parts are the path ranking ({@link SwarmUrgency}: a lazy max-heap keyed by urgency, so a
 * proposal re-ranks only the paths it carries), sender admission ({@link SwarmAdmission}: slots, spare
 * uplink, the pace rules), bundling ({@link SwarmBundler}) and which open receivers may take a path
 * ({@link SwarmTakers}). Receivers are kept in order across calls
 * ({@link SwarmHosts.openReceivers}), senders walk an order sorted once per run.
 */
export class SwarmPlan {
  readonly proposals: Proposal[] = [];
  readonly #view: PlanView;
  readonly #run: SwarmRun;
  readonly #window: number;
  readonly #urgency: SwarmUrgency;
  readonly #admission: SwarmAdmission;
  readonly #bundler: SwarmBundler;
  /**
   * Open receivers, fastest uplink first (they forward soonest; see `#tier`), then most time left; kept in
   * order across calls by `SwarmHosts`.
   */
  #open!: OpenReceivers;
  #hosts: SwarmHosts | undefined;
  /**
   * Free senders (hosts usable at the call's start) as a bit set over send ranks (fastest uplink first;
   * see `SharedBits.holderRanks`), kept across calls by `SwarmHosts`.
   */
  #free!: FreeSenders;
  /** How many senders are free at the call's start. */
  #freeTotal = 0;
  /** The call's free holder searches (set once the free senders are collected). */
  #sources!: SwarmSources;
  /** Which open receivers may take each path (set once `#open` is known). */
  #takers!: SwarmTakers;
  #openCount = 0;
  #freeCount = 0;
  #budget = 0;
  /** Topology groups (`topology-aware`): shared paths cross into a group once, then spread inside it. */
  readonly #groups: SwarmGroups | undefined;
  /** Eager mode without groups: the uplink splitting open receivers in two (`SwarmRun.receiverTier`). */
  readonly #tier: number;

  constructor(view: PlanView, run: SwarmRun, window: number, groups?: SwarmGroups) {
    this.#view = view;
    this.#run = run;
    this.#window = window;
    this.#groups = groups;
    this.#urgency = new SwarmUrgency(view, run);
    this.#admission = new SwarmAdmission(view, run, groups);
    this.#bundler = new SwarmBundler(view, run, groups, this.#urgency);
    const eager = view.mode !== 'round';
    // With groups receivers compete for the links into their group more than for their own downlinks
    // (Wi-Fi behind one access point, 200 hosts, one closure: 572/642 s → 649/756 s with tiers).
    this.#tier = (eager && !groups ? run.receiverTier : undefined) ?? 0;
  }

  /** Plans one batch. */
  plan(): readonly Proposal[] {
    const view = this.#view;
    const run = this.#run;
    const admission = this.#admission;
    const tier = this.#tier;
    const hosts = run.hosts(view);
    this.#hosts = hosts;
    admission.useHosts(hosts);
    // The copies on their way to every pending receiver count as flying.
    this.#urgency.useHosts(hosts);
    this.#bundler.useHosts(hosts);
    // Fastest uplinks first: they become sources soonest (heavy-tailed fleets: 4.65× → 2.52× the bound).
    // In eager mode without private paths only down to the median uplink (`#tier`); below it, most receive
    // time left first: a slow uplink forwards little anyway, while a slow downlink that starts late holds
    // up the end (heavy-tailed uplinks, 1,000 hosts, one closure, three seeds: 194/182/188 s → 176/179/176 s;
    // round mode went 564 s → 1,034 s, as it waits for a whole round of slow receivers).
    const open = hosts.openReceivers(tier);
    this.#open = open;
    this.#takers = new SwarmTakers(hosts, open, run.shared);
    // The records come with their per-call fields reset (`SwarmHosts.touch`), and without groups with the
    // list's slowest downlink and most receive time left kept.
    if (this.#groups)
      for (let k = 0; k < open.length; k++) {
        const rec = open.at(k);
        admission.addReceiver(rec, hosts.downlink[rec.pos]!);
      }
    else admission.useOpen(hosts.openMaxLeft, hosts.openMinDown);
    if (open.length === 0) return this.proposals;
    // `sendOrder` is the order the free senders sort in (fastest uplink first, then fleet order).
    const free = (this.#free = hosts.free);
    if (this.#groups) {
      const order = run.sendOrder;
      this.#freeTotal = free.collectWhere(
        (r) => view.have(order[r]!).size > 0 && admission.usable(order[r]!),
      );
    } else {
      // `admission.usable` before any proposal, from the kept figures: a send slot, and spare uplink for
      // the slowest open receiver when already sending.
      this.#freeTotal = free.collect(admission.minDown, hosts.uplink, hosts.sending);
    }
    this.#sources = new SwarmSources(
      view,
      run,
      admission,
      hosts,
      this.#freeTotal,
      this.#window,
      !!this.#groups,
    );
    this.#urgency.skipBits(this.#sources.noFreeHolderBits);
    admission.findSeeds();
    if (this.#freeTotal === 0) return this.proposals;
    this.#openCount = this.#open.length;
    this.#freeCount = this.#freeTotal;
    const perHost = view.mode === 'round' ? ROUND_SCAN_BUDGET_PER_HOST : SCAN_BUDGET_PER_HOST;
    const budget = perHost * (this.#open.length + this.#freeTotal) + 16 * run.shared.length;
    this.#budget = budget;

    this.#rank();
    this.#superSeed();
    // A seed whose every offer fails (with groups, every group already has its copies crossing in) spends
    // a scan of the receivers per path. At 100 racked hosts that used up the whole budget, the call proposed
    // nothing while nothing ran, and the run stopped. So when seeding proposed nothing, the main loop gets a
    // budget of its own. When it did propose, the next outcome brings another call; a fresh budget there too
    // was no faster (regions, 200 hosts: 190 s against 186 s) for 2.5× the CPU.
    if (this.proposals.length === 0) this.#budget = budget;
    while (this.#openCount > 0 && this.#freeCount > 0 && this.#budget > 0) {
      const p = this.#urgency.next();
      if (p === undefined) break;
      if (this.#sources.noFreeHolder(this.#urgency.lastBit)) continue;
      const pick = this.#pair(p);
      if (pick) this.#propose(pick.from, pick.to, pick.paths);
    }
    return this.proposals;
  }

  /**
   * The call's initial urgency order: of the shared paths (kept across calls when they are every candidate),
   * and the private paths of open receivers only: with per-host paths the closure has thousands of paths
   * at 1,000 hosts, most of them of hosts that cannot receive now.
   */
  #rank(): void {
    const run = this.#run;
    const hosts = this.#hosts!;
    if (run.privateOf.size === 0) {
      this.#urgency.rankShared();
      return;
    }
    const candidates: PathId[] = [...run.shared];
    // (Open receivers in fleet order, as they were listed before being kept sorted.)
    for (const i of hosts.pendingPositions()) {
      const rec = hosts.openAt(i);
      if (rec) for (const p of run.privateOf.get(rec.id) ?? []) if (rec.missing.has(p)) candidates.push(p);
    }
    this.#urgency.rankAll(candidates);
  }

  /**
   * Super-seeding: a free sender that wants nothing (the deployer, a cache) is the only source of what
   * peers do not hold yet, so it sends the paths with the fewest peer copies first (most urgent among
   * equals; see `SwarmUrgency.seedOrder`) and leaves the doubling of a path to the peers that hold it.
   * Without this the deployer would spend its uplink on copies of the largest path while the rest of the
   * closure waits behind it.
   */
  #superSeed(): void {
    const admission = this.#admission;
    const hosts = this.#hosts!;
    const sendOrder = this.#run.sendOrderPos;
    // The free senders that want nothing, in the free senders' order.
    for (const r of hosts.seedRanks) {
      if (!this.#free.isFree(r)) continue;
      const s = hosts.ids[sendOrder[r]!]!;
      const order = this.#urgency.seedOrder(s, this.#urgency.initialOrder());
      // A private path (one host wants it: its toplevel, its configuration) can only ever come from a seed
      // and nobody forwards it. Once every shared path has a peer copy (held or on its way), private paths
      // may take the seed's spare send slots even when that splits its uplink; otherwise a 1,000-host
      // fleet's private paths would go one per round. Before that, the uplink seeds the shared paths.
      const seeded = order.every((o) => o.c > 0 || this.#run.info.isPrivate(o.p));
      for (const { p } of order) {
        if (admission.sendLeft(s) <= 0 || this.#openCount === 0 || this.#budget <= 0) break;
        const whole = admission.usable(s);
        if (!whole && !(seeded && this.#run.info.isPrivate(p))) continue;
        this.#budget--;
        if (this.#urgency.urgency(p) <= 0 || !this.#anyTaker(p)) continue;
        const pick = this.#pair(p, [s], !whole);
        if (pick) this.#propose(pick.from, pick.to, pick.paths);
      }
    }
  }

  /** Whether some open receiver may take `p` (advances the path's receiver cursor past those that cannot). */
  #anyTaker(p: PathId): boolean {
    const owner = this.#run.owner.get(p);
    if (owner !== undefined) {
      // A private path has one possible taker: no scan over the open receivers.
      const rec = this.#openOf(owner);
      return rec !== undefined && this.#takers.mayTake(rec, p);
    }
    const start = this.#takers.cursor(p);
    const i = this.#takers.next(p, start);
    this.#budget -= i - start + 1;
    this.#takers.setCursor(p, i);
    return i < this.#open.length;
  }

  /** The open receiver `host` in this call, if it is one. */
  #openOf(host: HostId): OpenReceiver | undefined {
    const hosts = this.#hosts!;
    return hosts.openAt(hosts.pos(host));
  }

  /** Free holders of `p` (at most `window`), fastest uplink first; the search's work is charged to the budget. */
  #freeHolders(p: PathId): HostId[] {
    const sources = this.#sources;
    const out = sources.of(p);
    this.#budget -= sources.cost;
    return out;
  }

  /**
   * The first open receiver (in `#open`'s order) that can take `p` from one of its free holders, with the
   * holder (fewest failed attempts on the edge, then fastest) and the bundle.
   */
  #pair(p: PathId, only?: HostId[], split = false): Pick | undefined {
    const admission = this.#admission;
    const bundler = this.#bundler;
    const owner = this.#run.owner.get(p);
    if (owner !== undefined) {
      // A private path has one possible receiver: no scan over the open receivers.
      const rec = this.#openOf(owner);
      if (!rec || !this.#takers.mayTake(rec, p)) return undefined;
      const best = admission.bestSource(only ?? this.#freeHolders(p), rec, split, only !== undefined);
      const paths = best === undefined ? undefined : bundler.bundle(best, owner, p, split);
      return paths && { from: best!, to: owner, paths };
    }
    let i = this.#takers.cursor(p);
    // With groups only (a map per pop was 2 % of a 500-path eager run without them).
    const inGroup = this.#groups ? new Map<string, HostId[]>() : undefined;
    // Receiver side first when it is the scarce one: most pops end there in eager mode's steady state.
    let sources: HostId[] | undefined = only;
    if (!sources && this.#open.length - i > this.#freeTotal) {
      sources = this.#freeHolders(p);
      if (sources.length === 0) return undefined;
    }
    // The cursor only moves past receivers that cannot take `p` at all in this call; one that merely found
    // no fitting source among these (e.g. only the deployer, while super-seeding) stays for later pops.
    let kept = -1;
    // Round mode tests the references before the source search (most receivers have a source then); eager
    // mode after it, as the sources are then at hand (`#freeHolders` charges the budget, so when it runs
    // stays as it was).
    const round = this.#view.mode === 'round';
    for (; i < this.#open.length; i++) {
      const from = i;
      i = this.#takers.next(p, i);
      if (i >= this.#open.length) {
        this.#budget -= i - from;
        break;
      }
      this.#budget -= i - from + 1;
      const rec = this.#open.at(i);
      if (round && bundler.cannotDrag(rec, p)) {
        if (kept < 0) kept = i;
        continue;
      }
      const t = rec.id;
      sources ??= this.#freeHolders(p);
      if (sources.length === 0) break;
      // Eager mode: a receiver `bundle` would refuse from any source needs no source search (the search
      // has no side effects, so testing this first changes nothing but the work).
      if (!round && bundler.cannotBundle(rec, p)) {
        if (kept < 0) kept = i;
        continue;
      }
      const best = admission.bestSource(
        inGroup ? this.#groupSources(p, t, sources, only, inGroup) : sources,
        rec,
        split,
        only !== undefined,
      );
      const paths = best === undefined ? undefined : bundler.bundle(best, t, p);
      if (paths === undefined) {
        if (kept < 0) kept = i;
        continue;
      }
      this.#takers.setCursor(p, kept < 0 ? i + 1 : kept);
      return { from: best!, to: t, paths };
    }
    this.#takers.setCursor(p, kept < 0 ? i : kept);
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
    if (groups.mayCross(p, t)) return this.#bundler.refsMayCross(p, t) ? sources : [];
    const g = groups.group(t);
    let list = inGroup.get(g);
    if (!list) {
      const view = this.#view;
      const run = this.#run;
      list = groups.holdersIn(p, g).filter((h) => (only ? only.includes(h) : this.#admission.usable(h)));
      list.sort((a, b) => view.host(b).uplink - view.host(a).uplink || run.pos(a) - run.pos(b));
      if (list.length > this.#window) list.length = this.#window;
      inGroup.set(g, list);
    }
    return list;
  }

  #propose(from: HostId, to: HostId, paths: PathId[]): void {
    const admission = this.#admission;
    const run = this.#run;
    // A seed sending private paths may go on after it stopped being a free sender: count it once.
    const wasUsable = admission.usable(from);
    this.proposals.push({ from, to, paths });
    admission.counted(from, to);
    const rec = this.#openOf(to)!;
    const planned = this.#bundler.planned(from, to, paths);
    this.#takers.proposed(rec, paths, planned);
    rec.planned = planned;
    this.#hosts!.touch(rec);
    if (--rec.slots <= 0) this.#openCount--;
    if (wasUsable && !admission.usable(from)) this.#freeCount--;
    if (this.#groups) {
      admission.flowPlanned(from, to);
      this.#groups.planned(from, to, paths);
      run.flowStarted(from, to, paths);
    }
    this.#urgency.carried(paths);
  }
}
