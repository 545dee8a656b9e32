import { hashDraw } from '../core/random.js';
import type { Route, Topology } from '../core/topology.js';
import type { FailureCause, FailureCode, FailureKind, HostId, Transfer } from '../core/types.js';

/**
 * The compiled failure schedule the simulated executor consults at run time: its leaf rules, the moments
 * they trigger at, and the decision for each transfer that starts. It holds no run state (which round
 * triggers fired lives in the executor), so one compiled schedule can drive many runs and each replays
 * exactly.
 */

/** A compiled leaf rule; `index` is its position in {@link FailureSchedule.rules}. */
export type FailureRule =
  | {
      readonly kind: 'kill-host';
      readonly index: number;
      readonly host: HostId;
      readonly atRound?: number;
      readonly atTime?: number;
    }
  | {
      readonly kind: 'partition';
      readonly index: number;
      readonly a: string;
      readonly b: string;
      readonly atRound?: number;
      readonly atTime?: number;
      readonly untilTime?: number;
      readonly connectTimeout: number;
    }
  | {
      readonly kind: 'random';
      readonly index: number;
      readonly probability: number;
      readonly seed?: number | string;
    }
  | {
      readonly kind: 'explicit';
      readonly index: number;
      readonly entries: ReadonlyMap<
        string,
        { readonly code: FailureCode; readonly kind: FailureKind; readonly fraction: number }
      >;
    }
  | {
      readonly kind: 'straggler';
      readonly index: number;
      readonly host: HostId;
      readonly factor: number;
      readonly atTime?: number;
    };

/**
 * What the schedule decided for a transfer that starts now: it breaks once `fraction` of its bytes
 * have been carried (0: right after the route latency, nothing delivered).
 */
export interface PlannedFailure {
  readonly fraction: number;
  readonly cause: FailureCause;
  /** The rule that matched. */
  readonly rule: number;
  /** With `fraction` 0: seconds after the start the failure is reported, when longer than the route latency. */
  readonly after?: number;
}

/** Run state the executor passes when asking about a transfer. */
export interface FailureContext {
  /** Current virtual time. */
  readonly now: number;
  /** Indices of round-triggered rules whose round has begun. */
  readonly triggered: ReadonlySet<number>;
  /** Seed for `random` rules that give none. */
  readonly seed: number | string;
  /** The run's topology, when the schedule was compiled without one (for partitions of switch links). */
  readonly topology?: Topology;
}

/** Something that happens at a moment rather than per transfer. */
export interface FailureTrigger {
  readonly rule: FailureRule & { readonly kind: 'kill-host' | 'partition' | 'straggler' };
  /** Virtual time (time triggers) or round (round triggers). */
  readonly at: number;
}

/** The key of an explicit failure entry. */
export function explicitKey(r: number, from: HostId, to: HostId): string {
  return `${r}\u0000${from}\u0000${to}`;
}

/**
 * A compiled failure schedule: an ordered list of leaf rules (an `all` flattened in order), immutable.
 * Build one with `compileFailureSchedule` (`compileFailures.ts`).
 */
export class FailureSchedule {
  /** The schedule with no failures. */
  static readonly none = new FailureSchedule([], undefined);

  /** Rules in the order `decide` tries them: kills and partitions first (see there), then the rest. */
  readonly #decideOrder: readonly FailureRule[];

  /** @internal use {@link compileFailureSchedule}. */
  constructor(
    readonly rules: readonly FailureRule[],
    readonly topology: Topology | undefined,
  ) {
    const hard = (r: FailureRule): boolean => r.kind === 'kill-host' || r.kind === 'partition';
    this.#decideOrder = [...rules.filter(hard), ...rules.filter((r) => !hard(r))];
  }

  /** Kill, partition and straggler rules with an `atTime`, by time (rule order on ties). */
  timeTriggers(): FailureTrigger[] {
    const out: FailureTrigger[] = [];
    for (const rule of this.rules) {
      if (rule.kind === 'kill-host' || rule.kind === 'partition' || rule.kind === 'straggler') {
        if (rule.atTime !== undefined) out.push({ rule, at: rule.atTime });
      }
    }
    return out.sort((x, y) => x.at - y.at || x.rule.index - y.rule.index);
  }

  /** Kill and partition rules with an `atRound`, by round (rule order on ties). */
  roundTriggers(): FailureTrigger[] {
    const out: FailureTrigger[] = [];
    for (const rule of this.rules) {
      if ((rule.kind === 'kill-host' || rule.kind === 'partition') && rule.atRound !== undefined) {
        out.push({ rule, at: rule.atRound });
      }
    }
    return out.sort((x, y) => x.at - y.at || x.rule.index - y.rule.index);
  }

  /** Straggler rules in force from the start (no `atTime`). */
  initialStragglers(): Array<FailureRule & { readonly kind: 'straggler' }> {
    return this.rules.filter(
      (r): r is FailureRule & { kind: 'straggler' } => r.kind === 'straggler' && r.atTime === undefined,
    );
  }

  /**
   * Whether a kill or partition rule is in force now: its time has come (`atTime ≤ now`) or its round
   * has begun, and a partition's `untilTime` has not passed. Rules with neither hold from the start.
   */
  inForce(rule: FailureRule, ctx: Pick<FailureContext, 'now' | 'triggered'>): boolean {
    if (rule.kind !== 'kill-host' && rule.kind !== 'partition') return false;
    let on = true;
    if (rule.atTime !== undefined) on = ctx.now >= rule.atTime;
    else if (rule.atRound !== undefined) on = ctx.triggered.has(rule.index);
    if (on && rule.kind === 'partition' && rule.untilTime !== undefined) on = ctx.now < rule.untilTime;
    return on;
  }

  /** The cause a kill rule gives a transfer touching its host. */
  static killCause(host: HostId): FailureCause {
    return { kind: 'permanent', code: 'host-killed', host, message: `host ${host} was killed` };
  }

  /** The cause a partition rule gives a transfer crossing it. */
  static partitionCause(rule: FailureRule & { kind: 'partition' }, to: HostId): FailureCause {
    return {
      kind: 'transient',
      code: 'partitioned',
      host: to,
      message: `link ${rule.a} <-> ${rule.b} is partitioned`,
    };
  }

  /** Whether the transfer touches the host of a kill rule. */
  static touches(host: HostId, t: Pick<Transfer, 'from' | 'to'>): boolean {
    return t.from === host || t.to === host;
  }

  /**
   * Whether a transfer on `route` crosses the partitioned link a↔b: it goes between a and b, its route
   * uses a link a→b or b→a, or one end host hangs directly off the other partition end (its access link).
   */
  crosses(
    rule: FailureRule & { kind: 'partition' },
    t: Pick<Transfer, 'from' | 'to'>,
    route: Route,
    topology?: Topology,
  ): boolean {
    const { a, b } = rule;
    if ((t.from === a && t.to === b) || (t.from === b && t.to === a)) return true;
    const topo = this.topology ?? topology;
    if (topo === undefined) return false;
    for (const id of route.links) {
      const l = topo.link(id);
      if ((l.from === a && l.to === b) || (l.from === b && l.to === a)) return true;
    }
    const g = topo.graph;
    for (const h of [t.from, t.to]) {
      const other = h === a ? b : h === b ? a : undefined;
      if (
        other !== undefined &&
        g.hasNode(other) &&
        g.hasNode(h) &&
        (g.hasEdge(h, other) || g.hasEdge(other, h))
      ) {
        return true;
      }
    }
    return false;
  }

  /**
   * The rule that makes a transfer starting now fail, or undefined when it runs normally. A kill or a
   * partition in force wins, whatever the rules' order (a dead or cut-off host delivers nothing): it fails
   * the transfer after its route latency with nothing delivered. Otherwise the first random or explicit
   * failure (in order) breaks it part-way.
   */
  decide(t: Transfer, route: Route, ctx: FailureContext): PlannedFailure | undefined {
    for (const rule of this.#decideOrder) {
      switch (rule.kind) {
        case 'kill-host':
          if (this.inForce(rule, ctx) && FailureSchedule.touches(rule.host, t)) {
            return { fraction: 0, cause: FailureSchedule.killCause(rule.host), rule: rule.index };
          }
          break;
        case 'partition':
          if (this.inForce(rule, ctx) && this.crosses(rule, t, route, ctx.topology)) {
            return {
              fraction: 0,
              cause: FailureSchedule.partitionCause(rule, t.to),
              rule: rule.index,
              after: rule.connectTimeout,
            };
          }
          break;
        case 'random': {
          const seed = rule.seed ?? ctx.seed;
          if (rule.probability > 0 && hashDraw(seed, 'random', t.round, t.from, t.to) < rule.probability) {
            return {
              fraction: hashDraw(seed, 'random-point', t.round, t.from, t.to),
              cause: {
                kind: 'transient',
                code: 'copy-failed',
                host: t.to,
                message: `random failure (seed=${seed} round=${t.round} ${t.from} -> ${t.to})`,
              },
              rule: rule.index,
            };
          }
          break;
        }
        case 'explicit': {
          const e = rule.entries.get(explicitKey(t.round, t.from, t.to));
          if (e !== undefined) {
            return {
              fraction: e.fraction,
              cause: {
                kind: e.kind,
                code: e.code,
                host: t.to,
                message: `scheduled failure (round ${t.round})`,
              },
              rule: rule.index,
            };
          }
          break;
        }
        case 'straggler':
          break;
      }
    }
    return undefined;
  }
}
