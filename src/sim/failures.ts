// Long file: not yet split along its seams (issue 17 tracks it); kept whole until then so its traces stay byte-identical.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { hashDraw } from '../core/random.js';
import type { Route, Topology } from '../core/topology.js';
import type { FailureCause, FailureCode, FailureKind, Host, HostId, Transfer } from '../core/types.js';
import { FAILURE_CODES, FAILURE_KINDS } from '../core/vocabulary.js';

/**
 * Failure schedules for the simulator: the spec (a zod-validated union, part of the scenario file) and
 * its compiled, immutable form that the simulated executor consults. The schedule itself holds no run
 * state (which round triggers fired lives in the executor), so one compiled schedule can drive many
 * runs and each replays exactly.
 */

const round = z.number().int().nonnegative();
const time = z.number().nonnegative().finite();
const hostId = z.string().min(1);

const notBoth = (s: { atRound?: number | undefined; atTime?: number | undefined }): boolean =>
  s.atRound === undefined || s.atTime === undefined;
const notBothMessage = { message: 'give at most one of atRound and atTime' };

/** `{ kind: 'kill-host' }`: the host dies at a round or a time (from the start when neither is given). */
export const killHostSpecSchema = z
  .strictObject({
    kind: z.literal('kill-host'),
    host: hostId,
    atRound: round.optional(),
    atTime: time.optional(),
  })
  .refine(notBoth, notBothMessage);

/** Default of a partition's `connectTimeout`: the real executor's ssh `ConnectTimeout`. */
export const PARTITION_CONNECT_TIMEOUT = 10;

/** `{ kind: 'partition' }`: the link a↔b (hosts or topology nodes) is unusable from a round or time. */
export const partitionSpecSchema = z
  .strictObject({
    kind: z.literal('partition'),
    a: hostId,
    b: hostId,
    atRound: round.optional(),
    atTime: time.optional(),
    untilTime: time.optional(),
    /**
     * Seconds a transfer started into the partition takes to fail: its connection attempt times out, as
     * the real executor's ssh does after `ConnectTimeout=10`. 0 fails it after the route latency.
     */
    connectTimeout: time.default(PARTITION_CONNECT_TIMEOUT),
  })
  .refine(notBoth, notBothMessage)
  .refine((s) => s.a !== s.b, { message: 'a and b must differ', path: ['b'] })
  .refine((s) => s.untilTime === undefined || s.untilTime > (s.atTime ?? 0), {
    message: 'untilTime must be after atTime',
    path: ['untilTime'],
  });

/** `{ kind: 'random' }`: each transfer fails with `probability`, by a pure hash of (seed, round, from, to). */
export const randomSpecSchema = z.strictObject({
  kind: z.literal('random'),
  probability: z.number().min(0).max(1),
  seed: z.union([z.number(), z.string()]).optional(),
});

/** One entry of an explicit failure list. */
export const explicitFailureSchema = z.strictObject({
  round,
  from: hostId,
  to: hostId,
  code: z.enum(FAILURE_CODES).optional(),
  kind: z.enum(FAILURE_KINDS).optional(),
  /** Fraction of the transfer's bytes delivered before it breaks (default 0). */
  fraction: z.number().min(0).max(1).optional(),
});

/** `{ kind: 'explicit' }`: these (round, from, to) transfers fail. */
export const explicitSpecSchema = z.strictObject({
  kind: z.literal('explicit'),
  failures: z.array(explicitFailureSchema),
});

/**
 * `{ kind: 'straggler' }`: the host's uplink and downlink are multiplied by `factor` (from `atTime`), at most 1:
 * a straggler is slower, and the lower bound (computed from the fleet as given) would not hold for a faster one.
 */
export const stragglerSpecSchema = z.strictObject({
  kind: z.literal('straggler'),
  host: hostId,
  factor: z.number().positive().max(1),
  atTime: time.optional(),
});

/** `{ kind: 'all' }`: several schedules at once; for a transfer, the first that matches wins. */
export const allSpecSchema = z.strictObject({
  kind: z.literal('all'),
  get schedules(): z.ZodArray<typeof failureSpecSchema> {
    return z.array(failureSpecSchema);
  },
});

/** The zod schema of a failure schedule spec (the scenario file's `failures` field). */
export const failureSpecSchema = z.discriminatedUnion('kind', [
  killHostSpecSchema,
  partitionSpecSchema,
  randomSpecSchema,
  explicitSpecSchema,
  stragglerSpecSchema,
  allSpecSchema,
]);

/** A failure schedule spec, as validated by {@link failureSpecSchema}. */
export type FailureSpec = z.output<typeof failureSpecSchema>;
/** What a scenario file may write for a failure spec (defaults not yet filled in). */
export type FailureSpecInput = z.input<typeof failureSpecSchema>;
/** A host that dies (see {@link killHostSpecSchema}). */
export type KillHostSpec = z.output<typeof killHostSpecSchema>;
/** A link or host pair that becomes unusable (see {@link partitionSpecSchema}). */
export type PartitionSpec = z.output<typeof partitionSpecSchema>;
/** Seeded random transient failures (see {@link randomSpecSchema}). */
export type RandomSpec = z.output<typeof randomSpecSchema>;
/** A list of (round, from, to) failures (see {@link explicitSpecSchema}). */
export type ExplicitSpec = z.output<typeof explicitSpecSchema>;
/** A slow host (see {@link stragglerSpecSchema}). */
export type StragglerSpec = z.output<typeof stragglerSpecSchema>;
/** A combination of schedules (see {@link allSpecSchema}). */
export type AllSpec = z.output<typeof allSpecSchema>;

// ---------------------------------------------------------------------------------------------------

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

/** Options of {@link compileFailureSchedule}. */
export interface CompileFailuresOptions {
  /** The fleet: every host a schedule names must be one of these. */
  readonly hosts: ReadonlyArray<Host | HostId>;
  /** When given, partition ends may also be topology nodes (switches), and access links are recognised. */
  readonly topology?: Topology;
  /** Field path for error messages. @defaultValue `'failures'` */
  readonly field?: string;
}

const PERMANENT_CODES: ReadonlySet<FailureCode> = new Set(['host-killed', 'unreachable', 'ssh-handshake']);

function explicitKey(r: number, from: HostId, to: HostId): string {
  return `${r}\u0000${from}\u0000${to}`;
}

/**
 * A compiled failure schedule: an ordered list of leaf rules (an `all` flattened in order), immutable.
 * Build one with {@link compileFailureSchedule}.
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

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return s;
}

/**
 * Validates a failure spec (unknown input, e.g. from a scenario file) and compiles it.
 *
 * @throws ConfigError naming the field (`failures.schedules[1].host`) for a malformed spec or a host
 *   (or partition end) that is not in the fleet (or topology).
 */
export function compileFailureSchedule(spec: unknown, options: CompileFailuresOptions): FailureSchedule {
  const field = options.field ?? 'failures';
  const parsed = failureSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.message, `${field}${formatPath(issue.path)}`);
  }
  const hosts = new Set(options.hosts.map((h) => (typeof h === 'string' ? h : h.id)));
  const topo = options.topology;
  const rules: FailureRule[] = [];

  const ids = [...hosts];
  // Host names follow the fleet's size (`host-017` at 100 hosts is `host-17` at 40), so say which exist.
  const known = `the fleet's hosts: ${ids.length > 3 ? `${ids.slice(0, 2).join(', ')} … ${ids.at(-1)}` : ids.join(', ')}`;
  const needHost = (id: string, where: string): void => {
    if (!hosts.has(id)) throw new ConfigError(`unknown host "${id}" (${known})`, where);
  };
  const needNode = (id: string, where: string): void => {
    if (hosts.has(id) || topo?.graph.hasNode(id) === true) return;
    throw new ConfigError(`unknown host or topology node "${id}" (${known})`, where);
  };
  const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
    (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };

  const walk = (s: FailureSpec, where: string): void => {
    const index = rules.length;
    switch (s.kind) {
      case 'kill-host':
        needHost(s.host, `${where}.host`);
        rules.push({
          kind: 'kill-host',
          index,
          host: s.host,
          ...opt('atRound', s.atRound),
          ...opt('atTime', s.atTime),
        });
        return;
      case 'partition':
        needNode(s.a, `${where}.a`);
        needNode(s.b, `${where}.b`);
        rules.push({
          kind: 'partition',
          index,
          a: s.a,
          b: s.b,
          ...opt('atRound', s.atRound),
          ...opt('atTime', s.atTime),
          ...opt('untilTime', s.untilTime),
          connectTimeout: s.connectTimeout,
        });
        return;
      case 'random':
        rules.push({ kind: 'random', index, probability: s.probability, ...opt('seed', s.seed) });
        return;
      case 'explicit': {
        const entries = new Map<
          string,
          { code: FailureCode; kind: FailureKind; fraction: number }
        >();
        s.failures.forEach((e, i) => {
          needHost(e.from, `${where}.failures[${i}].from`);
          needHost(e.to, `${where}.failures[${i}].to`);
          const code = e.code ?? 'copy-failed';
          const key = explicitKey(e.round, e.from, e.to);
          // First entry wins, like everywhere else in a schedule.
          if (!entries.has(key)) {
            entries.set(key, {
              code,
              kind: e.kind ?? (PERMANENT_CODES.has(code) ? 'permanent' : 'transient'),
              fraction: e.fraction ?? 0,
            });
          }
        });
        rules.push({ kind: 'explicit', index, entries });
        return;
      }
      case 'straggler':
        needHost(s.host, `${where}.host`);
        rules.push({ kind: 'straggler', index, host: s.host, factor: s.factor, ...opt('atTime', s.atTime) });
        return;
      case 'all':
        s.schedules.forEach((c, i) => walk(c, `${where}.schedules[${i}]`));
        return;
    }
  };
  walk(parsed.data, field);
  return new FailureSchedule(rules, topo);
}
