import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { GroupView } from './_internals/groups.js';
import { greedyMatch } from './_internals/match.js';
import {
  checkKeys,
  notBoth,
  numberOption,
  optionalNumberOption,
  perHolderOption,
  type RawOptions,
} from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';

/** Options of `cost-aware`. */
export interface CostAwareOptions {
  /**
   * Weight of money against time in [0, 1]: 0 = fastest source regardless of price, 1 = cheapest source
   * regardless of time. Each candidate's score is (1−w)·time/fastest + w·money/dearest.
   * @defaultValue 0.5
   */
  readonly weight: number;
  /**
   * Instead of `weight`: what one second of transfer time is worth in the links' currency; the score is
   * then money + pricePerSecond · time. Mutually exclusive with `weight`.
   */
  readonly pricePerSecond?: number;
  /**
   * Receivers one holder serves at a time (sends still running from earlier plan calls count).
   * @defaultValue 1
   */
  readonly perHolder: number;
}

/** Copies over thin routes per receiver (see `thinOk` in {@link costAware}). */
type ThinFlows = Map<HostId, { links: readonly string[]; paths: readonly PathId[] }[]>;

/** Default of {@link CostAwareOptions.weight}. */
export const COST_AWARE_DEFAULT_WEIGHT = 0.5;

/**
 * `cost-aware`: whole-closure greedy matching that trades transfer time (route latency + bytes ÷ link rate)
 * against money (bytes × `route.pricePerByte`, e.g. cross-region egress). A free source in the receiver's
 * own group wins unless it is much slower; when money counts at all, at most one paid copy crosses into a
 * group per want set at a time (the rest wait for it and fan out inside for free). Each holder serves
 * one receiver at a time (option `perHolder`), also in eager mode. Results report money via the trace
 * (bytes × route price).
 * @throws ConfigError for an unknown option, a weight outside [0, 1], a negative pricePerSecond, or both.
 */
export function costAware(options?: RawOptions): Strategy {
  const o = checkKeys('cost-aware', options, ['weight', 'pricePerSecond', 'perHolder']);
  const perHolder = perHolderOption('cost-aware', o);
  notBoth('cost-aware', o, 'weight', 'pricePerSecond');
  const pricePerSecond = optionalNumberOption('cost-aware', o, 'pricePerSecond', 0);
  const weight = numberOption('cost-aware', o, 'weight', COST_AWARE_DEFAULT_WEIGHT, 0, 1);
  const moneyCounts = pricePerSecond !== undefined ? true : weight > 0;
  const memory = new StrategyMemory();
  /** Time only: copies sent over a thin route, per fleet and receiver, while they may still run. */
  const thinFlowsOf = new WeakMap<object, ThinFlows>();
  return {
    name: 'cost-aware',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      const groups = new GroupView(ctx);
      const bytesOf = new Map<ReadonlySet<PathId>, number>();
      const bytes = (t: HostId): number => {
        const set = view.missing(t);
        let b = bytesOf.get(set);
        if (b === undefined) bytesOf.set(set, (b = view.closure.bytes(set)));
        return b;
      };
      const time = (s: HostId, t: HostId): number =>
        view.route(s, t)!.latency + bytes(t) / view.linkRate(s, t);
      const money = (s: HostId, t: HostId): number => bytes(t) * view.route(s, t)!.pricePerByte;
      // Per-receiver normalisers for the weighted score, over the sources it could use at all.
      const norms = new Map<HostId, { fastest: number; dearest: number }>();
      const norm = (t: HostId): { fastest: number; dearest: number } => {
        let n = norms.get(t);
        if (!n) {
          n = { fastest: Infinity, dearest: 0 };
          for (const s of ctx.sourcesFor(t, 'uplink').slice(0, 64)) {
            if (!ctx.edgeOk(s, t)) continue;
            n.fastest = Math.min(n.fastest, time(s, t));
            n.dearest = Math.max(n.dearest, money(s, t));
          }
          norms.set(t, n);
        }
        return n;
      };
      const cost = (s: HostId, t: HostId): number => {
        if (pricePerSecond !== undefined) return money(s, t) + pricePerSecond * time(s, t);
        const n = norm(t);
        const tn = Number.isFinite(n.fastest) && n.fastest > 0 ? time(s, t) / n.fastest : 1;
        const mn = n.dearest > 0 ? money(s, t) / n.dearest : 0;
        return (1 - weight) * tn + weight * mn;
      };
      // Paid crossings still allowed per (missing set, group) in this call.
      const crossBudget = new Map<ReadonlySet<PathId>, Map<string, number>>();
      const left = (t: HostId): number => {
        const set = view.missing(t);
        let byGroup = crossBudget.get(set);
        if (!byGroup) crossBudget.set(set, (byGroup = new Map<string, number>()));
        const g = groups.group(t);
        let n = byGroup.get(g);
        if (n === undefined) byGroup.set(g, (n = 1 - groups.crossingsInFlight(t)));
        return n;
      };
      const paidCrossing = (s: HostId, t: HostId): boolean =>
        moneyCounts &&
        groups.inside(t).length === 0 &&
        groups.group(s) !== groups.group(t) &&
        money(s, t) > 0;
      // Time only: a route whose links are slower than both ends is thin (a WAN), and parallel copies over
      // one thin link only split it, so each arrives later than one copy would, after which the receivers
      // behind it fan out at LAN speed. The time estimate assumes the link alone, so without this rule a
      // 24-host regions fleet sent 3.5 copies across each WAN at once (13.3 s against 6.45 s with weight
      // 0.5). When money counts, the paid-crossing budget already keeps crossings apart.
      let thinFlows = thinFlowsOf.get(view.fleet);
      if (!thinFlows) thinFlowsOf.set(view.fleet, (thinFlows = new Map() as ThinFlows));
      const thinLoad = new Map<string, number>();
      if (!moneyCounts) {
        for (const [t, flows] of thinFlows) {
          const incoming = view.incoming(t);
          const live = flows.filter((f) => f.paths.some((p) => incoming.has(p)));
          if (live.length === 0) thinFlows.delete(t);
          else thinFlows.set(t, live);
          for (const f of live) for (const l of f.links) thinLoad.set(l, (thinLoad.get(l) ?? 0) + 1);
        }
      }
      const thinRoute = (s: HostId, t: HostId): readonly string[] | undefined => {
        const r = view.route(s, t)!;
        const ends = Math.min(view.host(s).uplink, view.host(t).downlink);
        return !moneyCounts && r.links.length > 0 && r.bottleneck < ends ? r.links : undefined;
      };
      // Nor does a receiver take a thin route while a host of its own group holds what it misses: that
      // host is busy now, but the group's fan-out at LAN speed reaches it sooner than a copy over the WAN.
      const thinOk = (s: HostId, t: HostId): boolean => {
        const links = thinRoute(s, t);
        return !links || (groups.inside(t).length === 0 && !links.some((l) => (thinLoad.get(l) ?? 0) > 0));
      };
      greedyMatch(ctx, ctx.wholeReceivers(), {
        order: 'uplink',
        available: (h) => ctx.idleSender(h, perHolder),
        // When money counts and the group already holds the closure, only its own hosts serve it.
        sources: (t) =>
          moneyCounts && groups.inside(t).length > 0 ? groups.inside(t) : ctx.sourcesFor(t, 'uplink'),
        score: (s, t) => -cost(s, t),
        allow: (s, t) => (!paidCrossing(s, t) || left(t) > 0) && thinOk(s, t),
        onPropose: (s, t) => {
          if (paidCrossing(s, t)) crossBudget.get(view.missing(t))!.set(groups.group(t), left(t) - 1);
          const links = thinRoute(s, t);
          if (links) {
            for (const l of links) thinLoad.set(l, (thinLoad.get(l) ?? 0) + 1);
            const flows = thinFlows.get(t) ?? [];
            flows.push({ links, paths: ctx.proposals.at(-1)!.paths });
            thinFlows.set(t, flows);
          }
        },
      });
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
