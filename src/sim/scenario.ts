import { z } from 'zod';
import type { ClosureGraph } from '../core/closure.js';
import { lowerBound, type LowerBound } from '../core/bounds.js';
import { runCascade, type RunResult } from '../core/coordinator.js';
import { ConfigError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { Executor } from '../core/executor.js';
import type { RunMode, Strategy } from '../core/strategy.js';
import type { Fleet, HostId, PathId } from '../core/types.js';
import { runLimitFields, runModeSchema } from '../core/runLimits.js';
import { rateSchema } from '../units/units.js';
import { readJsonFile } from './jsonFile.js';
import { perPathSecondsSchema, SimExecutor, setupSecondsSchema, tcpWindowSchema } from './executor.js';
import { compileFailureSchedule, failureSpecSchema, FailureSchedule } from './failures.js';
import type { SyntheticFleet } from './synth/fleet.js';
import { parseSpec } from '../core/parseSpec.js';
import { seedSpecSchema } from './synth/seeds.js';
import {
  buildScenarioFleet,
  scenarioClosureSchema,
  scenarioTopologySchema,
  type ScenarioSources,
} from './scenarioFleet.js';
import type { GraphTopology } from '../topology/index.js';

/**
 * The scenario file (JSON): everything a simulated run needs, validated once. Example:
 *
 * ```json
 * { "seed": 7, "topology": { "preset": "racks", "hosts": 200 },
 *   "closure": { "totalMB": 1500, "paths": 80, "roles": 1, "perHost": false },
 *   "seeds": { "kind": "deployer" }, "failures": [{ "kind": "kill-host", "host": "host-017", "atRound": 1 }],
 *   "network": "flow", "mode": "round", "strategy": "log2-fanout" }
 * ```
 */
export const scenarioSchema = z
  .strictObject({
    /** A label for reports. */
    name: z.string().min(1).optional(),
    /** Root seed: every random draw of the scenario derives from it. */
    seed: z.union([z.int(), z.string().min(1)]).default(1),
    /** Network preset and its hosts (see src/sim/presets.ts), or an explicit topology (src/sim/customTopology.ts). */
    topology: scenarioTopologySchema,
    /** A synthetic closure (src/sim/synth/closure.ts) or real closure graphs (src/sim/real/roles.ts). */
    closure: scenarioClosureSchema.prefault({}),
    seeds: seedSpecSchema.default({ kind: 'deployer' }),
    /** One failure schedule, or a list (combined; the first matching failure wins). */
    failures: z.union([failureSpecSchema, z.array(failureSpecSchema)]).optional(),
    /** Network model: `round` (rate fixed at start) or `flow` (max-min fair sharing). */
    network: z.enum(['round', 'flow']).default('flow'),
    /**
     * Fixed seconds every transfer pays before its bytes move (SSH handshake, `nix copy` start, remote
     * store queries); 0 models an ideal network. `bench/lab.ts` measures it on real hosts.
     */
    setupSeconds: setupSecondsSchema.default(0),
    /** Seconds a transfer pays per store path it carries (see src/sim/executor.ts). */
    perPathSeconds: perPathSecondsSchema.default(0),
    /**
     * The rate at which a host can import store paths (hash and write NARs: CPU and disk), whatever its
     * link: every host's downlink is capped at it, so concurrent copies to one host share it. Unset: no cap.
     */
    importRate: rateSchema.optional(),
    /**
     * TCP window (a size, `"4MiB"`): each transfer's rate is capped at window ÷ RTT, RTT twice its route's
     * latency, as one TCP stream over a high-latency link. Unset: no cap.
     */
    tcpWindow: tcpWindowSchema.optional(),
    mode: runModeSchema,
    strategy: z.string().min(1).default('log2-fanout'),
    strategyOptions: z.record(z.string(), z.unknown()).default({}),
    /** When a run gives up (see core/runLimits.ts). */
    limits: z.strictObject(runLimitFields).prefault({}),
  })
  .superRefine((s, ctx) => {
    // A role count beyond the fleet would leave roles without a host: a typo, never what was meant.
    const roles = s.closure.roles;
    const hosts = s.topology.hosts;
    if (typeof roles === 'number' && typeof hosts === 'number' && roles > hosts) {
      ctx.addIssue({
        code: 'custom',
        path: ['closure', 'roles'],
        message: `${roles} roles for ${hosts} target hosts: at most one role per host`,
      });
    }
  });

/** A validated scenario (defaults filled in). */
export type ScenarioSpec = z.output<typeof scenarioSchema>;
/** What a scenario file or the CLI flags may write. */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** A scenario with its fleet generated: ready to run any strategy on. */
export interface Scenario {
  readonly spec: ScenarioSpec;
  readonly fleet: Fleet;
  readonly closure: ClosureGraph;
  readonly topology: GraphTopology;
  readonly failures: FailureSchedule;
  /** Each target's role (a synthetic role, or a real closure's role name). */
  readonly roleOf: ReadonlyMap<HostId, string>;
  /** Each target's top-level store path (the root of its want set). */
  readonly toplevelOf: ReadonlyMap<HostId, PathId>;
  /** Computed once; the same for every strategy run on this scenario. */
  readonly lowerBound: LowerBound;
}

/**
 * Validates a scenario object.
 * @param where - prefix of error locations, e.g. the file name.
 * @throws ConfigError naming the bad field (and file).
 */
export function parseScenario(input: unknown, where = 'scenario'): ScenarioSpec {
  return parseSpec(scenarioSchema, input, where);
}

/** Reads and validates a scenario file. @throws ConfigError naming the file and the bad field. */
export function loadScenarioFile(file: string): ScenarioSpec {
  return parseScenario(readJsonFile(file, 'scenario file'), file);
}

/** The fleet with every downlink capped at the import rate (the same fleet without one). */
function withImportRate(fleet: Fleet, rate: number | undefined): Fleet {
  if (rate === undefined) return fleet;
  return { ...fleet, hosts: fleet.hosts.map((h) => (h.downlink > rate ? { ...h, downlink: rate } : h)) };
}

/** Fields of a scenario an error from building it may name (anything else, e.g. a closure file, stays as is). */
const SCENARIO_FIELD = /^(topology|closure|seeds|failures)\b/;

/**
 * Generates the fleet, topology, closure and failure schedule of a scenario. Deterministic.
 * @param where - the scenario's source (a file), prefixed to the field of an error (as `parseScenario`'s).
 * @param sources - where real closures come from: the directory relative closure files are resolved
 *   against (the scenario file's), and the closures of `storePath` roles read beforehand.
 * @throws ConfigError for a seed or failure schedule that names a host or node the fleet does not have,
 *   a bad explicit topology, or a bad real closure (naming the closure file and entry).
 */
export function buildScenario(
  spec: ScenarioSpec,
  where = 'scenario',
  sources: ScenarioSources = {},
): Scenario {
  const listed = Array.isArray(spec.failures);
  let synthetic: SyntheticFleet;
  let failures: FailureSchedule;
  try {
    synthetic = buildScenarioFleet(spec, spec.seed, sources);
    const failureSpec =
      spec.failures === undefined
        ? undefined
        : Array.isArray(spec.failures)
          ? { kind: 'all' as const, schedules: spec.failures }
          : spec.failures;
    failures =
      failureSpec === undefined
        ? FailureSchedule.none
        : compileFailureSchedule(failureSpec, {
            hosts: synthetic.fleet.hosts,
            topology: synthetic.topology,
            field: 'failures',
          });
  } catch (err) {
    if (!(err instanceof ConfigError) || err.where === undefined || !SCENARIO_FIELD.test(err.where))
      throw err;
    // A list of schedules is compiled as `{kind: 'all', schedules}`: name the field as the file writes it.
    const field = listed ? err.where.replace(/^failures\.schedules\[/, 'failures[') : err.where;
    throw new ConfigError(err.message.slice(err.where.length + 2), `${where}.${field}`, { cause: err });
  }
  const fleet = withImportRate(synthetic.fleet, spec.importRate);
  return {
    spec,
    fleet,
    closure: synthetic.closure,
    topology: synthetic.topology,
    failures,
    roleOf: synthetic.roleOf,
    toplevelOf: synthetic.toplevelOf,
    lowerBound: lowerBound(fleet, synthetic.closure, synthetic.topology),
  };
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  readonly onEvent?: EventSink;
  /** Overrides the scenario's mode. */
  readonly mode?: RunMode;
  /**
   * Wraps the simulator before the run (e.g. `viz live` pauses between frames in wall-clock time; the
   * simulated clock and the trace are unaffected).
   */
  readonly wrapExecutor?: (sim: Executor) => Executor;
}

/** Runs one strategy on a built scenario in the simulator. */
export function runScenario(
  scenario: Scenario,
  strategy: Strategy,
  options: RunScenarioOptions = {},
): Promise<RunResult> {
  const { spec } = scenario;
  const sim = new SimExecutor({
    hosts: scenario.fleet.hosts,
    topology: scenario.topology,
    closure: scenario.closure,
    network: spec.network,
    failures: scenario.failures,
    seed: spec.seed,
    setupSeconds: spec.setupSeconds,
    perPathSeconds: spec.perPathSeconds,
    ...(spec.tcpWindow !== undefined ? { tcpWindow: spec.tcpWindow } : {}),
  });
  const executor = options.wrapExecutor ? options.wrapExecutor(sim) : sim;
  return runCascade({
    fleet: scenario.fleet,
    closure: scenario.closure,
    topology: scenario.topology,
    strategy,
    executor,
    mode: options.mode ?? spec.mode,
    seed: spec.seed,
    maxRounds: spec.limits.maxRounds,
    maxTime: spec.limits.maxTime,
    maxAttemptsPerHost: spec.limits.maxAttemptsPerHost,
    lowerBound: scenario.lowerBound,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}
