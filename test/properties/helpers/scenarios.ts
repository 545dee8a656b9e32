/**
 * Shared generators and a trace replayer for the cross-cutting property suite (issues 3 and 4).
 */
import fc from 'fast-check';
import type { RunResult } from '../../../src/core/coordinator.js';
import type { CascadeEvent } from '../../../src/core/events.js';
import type { RunMode } from '../../../src/core/strategy.js';
import type { Fleet, HostId, PathId } from '../../../src/core/types.js';
import type { FailureSpecInput } from '../../../src/sim/failures.js';
import { buildScenario, parseScenario, runScenario, type Scenario, type ScenarioInput } from '../../../src/sim/scenario.js';
import { getStrategy, strategyNames } from '../../../src/strategies/registry.js';
import { TraceRecorder } from '../../../src/trace/recorder.js';

/** Every registered strategy, so each property covers all of them. */
export const STRATEGIES: readonly string[] = strategyNames();

/**
 * Every (strategy, coordinator mode) pair. Properties run once per pair rather than drawing the strategy
 * and mode at random, so no seed can leave a pair out.
 */
export const STRATEGY_MODES: ReadonlyArray<readonly [string, RunMode]> = STRATEGIES.flatMap((s) =>
  (['round', 'eager'] as const).map((m) => [s, m] as const),
);

/** fast-check runs per pair: a fifth of the global run count (FC_NUM_RUNS, default 50), at least 3. */
export const RUNS_PER_PAIR = Math.max(3, Math.ceil(Number(process.env['FC_NUM_RUNS'] ?? 50) / 5));

/** Target ids as the simulator names them: `host-1…`, zero-padded to the width of the count. */
export function targetId(i: number, count: number): HostId {
  return `host-${String(i).padStart(String(count).length, '0')}`;
}

/**
 * Option sets each strategy is also run with (the first, its defaults, is where shrinking lands): the
 * settings at the edges of each option's range, where the review found stalls the defaults never showed
 * (`cost-aware` weight 0 on regions in blocks; `swarm` with one piece and per-host paths).
 */
export const OPTION_VARIANTS: Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>> = {
  'push-parallel': [{}, { k: 1 }, { k: 3 }],
  'log2-fanout': [{}, { perHolder: 2 }],
  'max-bottleneck-spanning': [{}, { perHolder: 2 }],
  'level-tree': [{}, { fanout: 1 }, { fanout: 3 }],
  'topology-aware': [{}, { granularity: 'closure' }, { granularity: 'closure', perHolder: 2 }, { pieces: 1 }, { crossings: 2 }, { chunkBytes: 1 }],
  swarm: [{}, { pieces: 1 }, { chunkBytes: 1 }, { window: 1 }],
  'multi-target': [{}, { sharedFraction: 0.01 }, { sharedFraction: 1 }, { perHolder: 2 }],
  'cost-aware': [{}, { weight: 0 }, { weight: 1 }, { pricePerSecond: 0 }, { perHolder: 2 }],
};

/** Knobs of {@link scenarioArb}. */
export interface ScenarioArbOptions {
  readonly minHosts?: number;
  readonly maxHosts?: number;
  /** Generate failure schedules (random transient, kill-host, partition, straggler, explicit). */
  readonly failures?: boolean;
  /** Force at least one schedule when `failures` is on. */
  readonly forceFailures?: boolean;
  /** Target `maxSends` range (the deployer keeps its default of 64 unless set). */
  readonly maxSends?: readonly [number, number];
  /** Target `maxReceives` range. @defaultValue `[1, 1]` */
  readonly maxReceives?: readonly [number, number];
  /** Only this strategy (default: any registered one). */
  readonly strategy?: string;
  /** Only this coordinator mode (default: either). */
  readonly mode?: RunMode;
}

type FailureInput = FailureSpecInput;

/** One generated failure schedule; host indexes are folded onto the fleet size later. */
const failureArb = fc.oneof(
  fc.record({ kind: fc.constant('random' as const), probability: fc.constantFrom(0.05, 0.15, 0.3) }),
  fc.record({ kind: fc.constant('kill-host' as const), host: fc.nat(), atRound: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('partition' as const), a: fc.nat(), b: fc.nat(), atRound: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('straggler' as const), host: fc.nat(), factor: fc.constantFrom(0.05, 0.2, 0.5) }),
  fc.record({
    kind: fc.constant('explicit' as const),
    round: fc.integer({ min: 0, max: 2 }),
    to: fc.nat(),
    permanent: fc.boolean(),
    fraction: fc.constantFrom(0, 0.3, 0.7),
  }),
);

/**
 * A small random scenario input plus a strategy name: 4–24 hosts, up to 4 racks or 3 regions (round-robin or
 * in blocks), few paths of up to 40 MB in all or of zero bytes, roles 1–3, and one of the strategy's
 * {@link OPTION_VARIANTS} as the scenario's `strategyOptions`.
 */
export function scenarioArb(o: ScenarioArbOptions = {}): fc.Arbitrary<{ input: ScenarioInput; strategy: string }> {
  const [sLo, sHi] = o.maxSends ?? [1, 1];
  const [rLo, rHi] = o.maxReceives ?? [1, 1];
  return fc
    .record({
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      preset: fc.constantFrom('flat', 'racks', 'regions', 'heavy-tailed', 'homelab'),
      hosts: fc.integer({ min: o.minHosts ?? 4, max: o.maxHosts ?? 24 }),
      maxSends: fc.integer({ min: sLo, max: sHi }),
      maxReceives: fc.integer({ min: rLo, max: rHi }),
      racks: fc.integer({ min: 1, max: 4 }),
      regions: fc.integer({ min: 1, max: 3 }),
      placement: fc.constantFrom<'round-robin' | 'blocks'>('round-robin', 'blocks'),
      // 1e-6 MB: one byte spread over the paths, so most store paths are empty.
      totalMB: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.constant(1e-6) }),
      optionPick: fc.nat(),
      paths: fc.integer({ min: 1, max: 6 }),
      roles: fc.integer({ min: 1, max: 3 }),
      perHost: fc.boolean(),
      seeds: fc.constantFrom<'deployer' | 'fraction' | 'count' | 'cache'>('deployer', 'fraction', 'count', 'cache'),
      network: fc.constantFrom<'round' | 'flow'>('round', 'flow'),
      mode: o.mode !== undefined ? fc.constant(o.mode) : fc.constantFrom<RunMode>('round', 'eager'),
      strategy: o.strategy !== undefined ? fc.constant(o.strategy) : fc.constantFrom(...STRATEGIES),
      failures: fc.array(failureArb, { minLength: o.failures && o.forceFailures ? 1 : 0, maxLength: o.failures ? 3 : 0 }),
    })
    .map((r) => {
      const host = (i: number): HostId => targetId((i % r.hosts) + 1, r.hosts);
      const failures: FailureInput[] = r.failures.map((f): FailureInput => {
        switch (f.kind) {
          case 'random':
            return f;
          case 'kill-host':
            return { kind: 'kill-host', host: host(f.host), atRound: f.atRound };
          case 'partition': {
            // Between two targets, or a target and the deployer when both picks land on the same host.
            const a = host(f.a);
            const b = host(f.b) === a ? 'deployer' : host(f.b);
            return { kind: 'partition', a, b, atRound: f.atRound };
          }
          case 'straggler':
            return { kind: 'straggler', host: host(f.host), factor: f.factor };
          case 'explicit':
            return {
              kind: 'explicit',
              failures: [
                {
                  round: f.round,
                  from: 'deployer',
                  to: host(f.to),
                  kind: f.permanent ? 'permanent' : 'transient',
                  code: f.permanent ? 'ssh-handshake' : 'copy-failed',
                  fraction: f.fraction,
                },
              ],
            };
        }
      });
      const seeds =
        r.seeds === 'deployer'
          ? { kind: 'deployer' as const }
          : r.seeds === 'fraction'
            ? { kind: 'fraction' as const, fraction: 0.25 }
            : r.seeds === 'count'
              ? { kind: 'count' as const, count: 2 }
              : { kind: 'cache' as const, holdsFraction: 0.5 };
      const variants = OPTION_VARIANTS[r.strategy] ?? [{}];
      const strategyOptions = variants[r.optionPick % variants.length]!;
      const common = { hosts: r.hosts, maxSends: r.maxSends, maxReceives: r.maxReceives };
      const topology: ScenarioInput['topology'] =
        r.preset === 'racks'
          ? { preset: 'racks', ...common, racks: r.racks }
          : r.preset === 'regions'
            ? { preset: 'regions', ...common, regions: r.regions, placement: r.placement }
            : { preset: r.preset, ...common };
      const input: ScenarioInput = {
        seed: r.seed,
        topology,
        closure: { totalMB: r.totalMB, paths: r.paths, roles: r.roles, perHost: r.perHost },
        seeds,
        network: r.network,
        mode: r.mode,
        strategy: r.strategy,
        ...(Object.keys(strategyOptions).length > 0 ? { strategyOptions } : {}),
        ...(failures.length > 0 ? { failures } : {}),
      };
      return { input, strategy: r.strategy };
    });
}

/** A built scenario, the run's result and its recorded events. */
export interface RecordedRun {
  readonly scenario: Scenario;
  readonly result: RunResult;
  readonly events: readonly CascadeEvent[];
}

/**
 * Parses, builds and runs a scenario with a fresh instance of `strategy`, recording every event. The
 * strategy takes the scenario's `strategyOptions`, then `options` over them.
 */
export async function runRecorded(input: ScenarioInput, strategy: string, options: Readonly<Record<string, unknown>> = {}): Promise<RecordedRun> {
  const scenario = buildScenario(parseScenario(input));
  const rec = new TraceRecorder();
  const result = await runScenario(scenario, getStrategy(strategy, { ...scenario.spec.strategyOptions, ...options }), { onEvent: rec.sink });
  return { scenario, result, events: rec.events() };
}

/** What replaying a trace onto a fleet's initial have sets found. */
export interface Replay {
  /** Final have set per host. */
  readonly have: Map<HostId, Set<PathId>>;
  /** Transfers that carried a path the receiver already held at the transfer's start (re-sends). */
  readonly resent: Array<{ id: number; to: HostId; path: PathId }>;
  /** Transfers that carried a path the receiver does not want. */
  readonly unwanted: Array<{ id: number; to: HostId; path: PathId }>;
  /** Transfers that carried only part of what the receiver still missed at their start (path-level sends). */
  readonly partial: number[];
  /** Concurrency-limit breaches: host, direction, count at that instant. */
  readonly overLimit: Array<{ host: HostId; dir: 'send' | 'receive'; count: number; limit: number; t: number }>;
  /** Outcomes for transfers that never started or ended twice. */
  readonly orphanOutcomes: number[];
  /** Transfers that started and never ended. */
  readonly neverEnded: number[];
}

/**
 * Replays transfer events onto `fleet.initialHave`: a finished transfer gives its receiver the paths of
 * its transfer-started event, a failed one its `delivered` paths. Also checks limits at every instant
 * (events are emitted in causal order, so a counter per host is exact).
 */
export function replay(fleet: Fleet, events: readonly CascadeEvent[]): Replay {
  const have = new Map<HostId, Set<PathId>>();
  for (const h of fleet.hosts) have.set(h.id, new Set(fleet.initialHave.get(h.id) ?? []));
  const hostOf = new Map(fleet.hosts.map((h) => [h.id, h]));
  const wants = new Map<HostId, Set<PathId>>();
  for (const [h, w] of fleet.wants) wants.set(h, new Set(w));
  const running = new Map<number, { from: HostId; to: HostId; paths: readonly PathId[] }>();
  const sending = new Map<HostId, number>();
  const receiving = new Map<HostId, number>();
  const out: Replay = { have, resent: [], unwanted: [], partial: [], overLimit: [], orphanOutcomes: [], neverEnded: [] };
  const bump = (m: Map<HostId, number>, h: HostId, d: number): number => {
    const n = (m.get(h) ?? 0) + d;
    m.set(h, n);
    return n;
  };
  for (const e of events) {
    if (e.type === 'transfer-started') {
      const toHave = have.get(e.to)!;
      for (const p of e.paths) {
        if (toHave.has(p)) out.resent.push({ id: e.id, to: e.to, path: p });
        if (!wants.get(e.to)?.has(p)) out.unwanted.push({ id: e.id, to: e.to, path: p });
      }
      const carried = new Set(e.paths);
      if ([...(wants.get(e.to) ?? [])].some((p) => !toHave.has(p) && !carried.has(p))) out.partial.push(e.id);
      running.set(e.id, { from: e.from, to: e.to, paths: e.paths });
      const s = bump(sending, e.from, 1);
      const r = bump(receiving, e.to, 1);
      const hf = hostOf.get(e.from)!;
      const ht = hostOf.get(e.to)!;
      if (s > hf.maxSends) out.overLimit.push({ host: e.from, dir: 'send', count: s, limit: hf.maxSends, t: e.t });
      if (r > ht.maxReceives) out.overLimit.push({ host: e.to, dir: 'receive', count: r, limit: ht.maxReceives, t: e.t });
    } else if (e.type === 'transfer-finished' || e.type === 'transfer-failed') {
      const t = running.get(e.id);
      if (!t) {
        out.orphanOutcomes.push(e.id);
        continue;
      }
      running.delete(e.id);
      bump(sending, t.from, -1);
      bump(receiving, t.to, -1);
      const got = e.type === 'transfer-finished' ? t.paths : e.delivered;
      const toHave = have.get(t.to)!;
      for (const p of got) toHave.add(p);
    }
  }
  out.neverEnded.push(...running.keys());
  return out;
}

/** True when `have` holds every path of `want`. */
export function holdsAll(have: ReadonlySet<PathId> | undefined, want: readonly PathId[]): boolean {
  return want.every((p) => have?.has(p) === true);
}

/** Target hosts of a fleet (non-empty want set), fleet order. */
export function targetsOf(fleet: Fleet): HostId[] {
  return fleet.hosts.filter((h) => (fleet.wants.get(h.id)?.length ?? 0) > 0).map((h) => h.id);
}
