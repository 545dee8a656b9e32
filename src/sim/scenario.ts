import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ClosureGraph } from '../core/closure.js';
import { lowerBound, type LowerBound } from '../core/bounds.js';
import { runCascade, type RunResult } from '../core/coordinator.js';
import { ConfigError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import type { RunMode, Strategy } from '../core/strategy.js';
import type { Fleet } from '../core/types.js';
import { RUN_MODES } from '../core/vocabulary.js';
import { SimExecutor, setupSecondsSchema } from './executor.js';
import { compileFailureSchedule, failureSpecSchema, FailureSchedule } from './failures.js';
import { generateSyntheticFleet, type SyntheticFleet } from './synth/fleet.js';
import { closureSpecSchema } from './synth/closure.js';
import { parseSpec } from './synth/parse.js';
import { seedSpecSchema } from './synth/seeds.js';
import { networkSpecSchema } from './presets.js';
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
    /** Network preset and its hosts (see src/sim/presets.ts). */
    topology: networkSpecSchema,
    closure: closureSpecSchema.prefault({}),
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
    /** Coordinator mode: `round` (barrier) or `eager` (re-plan after every outcome). */
    mode: z.enum(RUN_MODES).default('round'),
    strategy: z.string().min(1).default('log2-fanout'),
    strategyOptions: z.record(z.string(), z.unknown()).default({}),
    limits: z
      .strictObject({
        maxRounds: z.int().min(1).default(1000),
        maxTime: z.number().positive().default(Infinity),
        maxAttemptsPerHost: z.int().min(1).default(5),
      })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    // A role count beyond the fleet would leave roles without a host: a typo, never what was meant.
    const roles = s.closure.roles;
    if (typeof roles === 'number' && roles > s.topology.hosts) {
      ctx.addIssue({
        code: 'custom',
        path: ['closure', 'roles'],
        message: `${roles} roles for ${s.topology.hosts} target hosts: at most one role per host`,
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
  readonly synthetic: SyntheticFleet;
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read scenario file: ${(err as Error).message}`, file, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not valid JSON: ${(err as Error).message}`, file, { cause: err });
  }
  return parseScenario(json, file);
}

/**
 * Generates the fleet, topology, closure and failure schedule of a scenario. Deterministic.
 * @param where - the scenario's source (a file), prefixed to the field of an error (as `parseScenario`'s).
 * @throws ConfigError for a seed or failure schedule that names a host or node the fleet does not have.
 */
export function buildScenario(spec: ScenarioSpec, where = 'scenario'): Scenario {
  const listed = Array.isArray(spec.failures);
  let synthetic: SyntheticFleet;
  let failures: FailureSchedule;
  try {
    synthetic = generateSyntheticFleet(
      { network: spec.topology, closure: spec.closure, seeds: spec.seeds },
      spec.seed,
    );
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
    if (!(err instanceof ConfigError) || err.where === undefined) throw err;
    // A list of schedules is compiled as `{kind: 'all', schedules}`: name the field as the file writes it.
    const field = listed ? err.where.replace(/^failures\.schedules\[/, 'failures[') : err.where;
    throw new ConfigError(err.message.slice(err.where.length + 2), `${where}.${field}`, { cause: err });
  }
  return {
    spec,
    fleet: synthetic.fleet,
    closure: synthetic.closure,
    topology: synthetic.topology,
    failures,
    synthetic,
    lowerBound: lowerBound(synthetic.fleet, synthetic.closure, synthetic.topology),
  };
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  readonly onEvent?: EventSink;
  /** Overrides the scenario's mode. */
  readonly mode?: RunMode;
}

/** Runs one strategy on a built scenario in the simulator. */
export function runScenario(
  scenario: Scenario,
  strategy: Strategy,
  options: RunScenarioOptions = {},
): Promise<RunResult> {
  const { spec } = scenario;
  const executor = new SimExecutor({
    hosts: scenario.fleet.hosts,
    topology: scenario.topology,
    closure: scenario.closure,
    network: spec.network,
    failures: scenario.failures,
    seed: spec.seed,
    setupSeconds: spec.setupSeconds,
  });
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
