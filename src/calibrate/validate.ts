/**
 * The check of a calibration: each strategy runs for real on the fleet, then in the simulator on the
 * calibrated scenario of the same fleet, from the same start (what each host held), and the two are
 * compared: makespan, each host's finish time, their order.
 */
import type { CascadeEvent } from '../core/events.js';
import type { RunResult } from '../core/coordinator.js';
import type { RunMode } from '../core/strategy.js';
import type { HostId, PathId, StorePath } from '../core/types.js';
import { lowerBound } from '../core/bounds.js';
import { runRealCascade, type RealCascadeResult } from '../executor/index.js';
import type { RealFleet } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { buildScenario, parseScenario, runScenario } from '../sim/index.js';
import { getStrategy } from '../strategies/registry.js';
import { TraceRecorder } from '../trace/recorder.js';
import { predictionError, spearman } from './accuracy.js';

/** One strategy to check: its name, options and mode. */
export interface StrategyRun {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly mode: RunMode;
}

/** A strategy's label in tables and reports: `swarm` in round mode, `swarm (eager)` in eager mode. */
export function runLabel(s: Pick<StrategyRun, 'name' | 'mode'>): string {
  return s.mode === 'eager' ? `${s.name} (eager)` : s.name;
}

/** One strategy's real run beside its prediction. */
export interface ValidationRun {
  readonly label: string;
  readonly real: RunResult;
  readonly predicted: RunResult;
  /** Every target held its closure afterwards (the real run's final check). */
  readonly verified: boolean;
  readonly error: { readonly seconds: number; readonly percent: number | undefined };
  /** Per target that finished in both: measured and predicted finish time, seconds. */
  readonly perHost: readonly {
    readonly host: HostId;
    readonly measured: number;
    readonly predicted: number;
  }[];
  /**
   * Spearman's rank correlation of the per-host finish times, times within 2 % of the makespan counting as
   * ties (undefined: fewer than 3 hosts, or all tied).
   */
  readonly rankCorrelation: number | undefined;
  readonly realEvents: readonly CascadeEvent[];
  readonly predictedEvents: readonly CascadeEvent[];
  /** What each host held when the real run started (the prediction starts from it too). */
  readonly startHeld: ReadonlyMap<HostId, readonly PathId[]>;
  /** Hosts the real run left out (unhealthy then), with why. */
  readonly leftOut: readonly { readonly host: HostId; readonly reasons: readonly string[] }[];
}

/** Options of {@link validateRun}. */
export interface ValidateOptions {
  readonly fleet: RealFleet;
  readonly remote: RemoteContext;
  readonly checkSigs: boolean;
  readonly strategy: StrategyRun;
  /** The closure to deliver: one store path in the deployer's store, its closure read already. */
  readonly root: PathId;
  readonly closure: readonly StorePath[];
  /** The calibrated scenario of this fleet host by host (as written to the `.hosts.json` file). */
  readonly scenario: Record<string, unknown>;
}

/**
 * Runs one strategy for real, then predicts the same run with the calibrated scenario: same hosts (a host
 * the real run left out is left out of the prediction), same closure, same start.
 */
export async function validateRun(o: ValidateOptions): Promise<ValidationRun> {
  const realTrace = new TraceRecorder();
  const real: RealCascadeResult = await runRealCascade({
    fleet: o.fleet,
    strategy: getStrategy(o.strategy.name, o.strategy.options),
    mode: o.strategy.mode,
    paths: [o.root],
    checkSigs: o.checkSigs,
    // calibrate probed every host just before; a host failing now shows as a failed run, not a smaller one.
    healthCheck: false,
    remote: o.remote,
    onEvent: realTrace.sink,
  });
  const predictedTrace = new TraceRecorder();
  const predicted = predict(o, real);
  const result = await runScenario(predicted, getStrategy(o.strategy.name, o.strategy.options), {
    mode: o.strategy.mode,
    onEvent: predictedTrace.sink,
  });
  const perHost = [...real.perHostSeconds]
    .filter(([h]) => result.finishTimes.has(h))
    .map(([host, measured]) => ({ host, measured, predicted: result.finishTimes.get(host)! }));
  return {
    label: runLabel(o.strategy),
    real: real.result,
    predicted: result,
    verified: real.verified.size > 0 && [...real.verified.values()].every(Boolean),
    error: predictionError(real.result.makespanSeconds, result.makespanSeconds),
    perHost,
    rankCorrelation: spearman(
      perHost.map((p) => tie(p.measured, real.result.makespanSeconds)),
      perHost.map((p) => tie(p.predicted, result.makespanSeconds)),
    ),
    realEvents: realTrace.events(),
    predictedEvents: predictedTrace.events(),
    startHeld: real.fleet.initialHave,
    leftOut: real.unhealthy.map((r) => ({ host: r.host, reasons: r.reasons })),
  };
}

/**
 * A finish time on a grid of 2 % of the makespan: hosts finishing closer than that (push-parallel's, all
 * together) are ties, not an order the prediction must match.
 */
function tie(seconds: number, makespan: number): number {
  return makespan > 0 ? Math.round(seconds / (0.02 * makespan)) : 0;
}

/** The calibrated scenario, narrowed to the real run's hosts and started from what each of them held. */
function predict(o: ValidateOptions, real: RealCascadeResult): ReturnType<typeof buildScenario> {
  const took = new Set(real.fleet.hosts.map((h) => h.id));
  const topology = o.scenario['topology'] as { hosts: { host: string }[] };
  const spec = parseScenario(
    {
      ...o.scenario,
      topology: { ...topology, hosts: topology.hosts.filter((h) => took.has(h.host)) },
      closure: { roles: [{ name: 'closure', storePath: o.root }] },
    },
    'calibrated scenario',
  );
  const built = buildScenario(spec, 'calibrated scenario', { storeClosures: new Map([[o.root, o.closure]]) });
  const fleet = { ...built.fleet, initialHave: real.fleet.initialHave };
  return { ...built, fleet, lowerBound: lowerBound(fleet, built.closure, built.topology) };
}
