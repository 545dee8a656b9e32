/**
 * `calibrate` end to end: probe every host (the unreachable ones are left out and named), measure the
 * rest, write the calibrated scenarios, run each strategy for real and in the simulator, clean up.
 */
import { ExecutorError } from '../core/errors.js';
import type { HostId, PathId, StorePath } from '../core/types.js';
import type { RealFleet } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { checkHealth, closureInfo } from '../remote/index.js';
import { deletePaths, type FleetMeasurement, measureFleet } from './measure.js';
import { buildProbe } from './probes.js';
import {
  type CalibratedModel,
  calibratedModel,
  calibratedName,
  closureFileJson,
  fleetScenario,
  reusableScenario,
  withScenarioRates,
} from './scenario.js';
import { runLabel, type StrategyRun, type ValidationRun, validateRun } from './validate.js';

/** Options of {@link calibrate}; `calibrate` on the CLI builds them from its flags. */
export interface CalibrateOptions {
  readonly fleet: RealFleet;
  /** The fleet file's name, for the scenarios' provenance. */
  readonly fleetFile: string;
  /** The context every copy uses (multiplexed unless `multiplex` is false). */
  readonly remote: RemoteContext;
  /** A context without multiplexing, for the unmultiplexed fixed cost. */
  readonly unmultiplexed: RemoteContext;
  /** Whether the runs multiplex (which fixed cost the scenarios charge). */
  readonly multiplex: boolean;
  readonly checkSigs: boolean;
  /** Strategies to check; none = measure and write the scenarios only. */
  readonly strategies: readonly StrategyRun[];
  /**
   * A store path in the deployer's store whose closure every strategy delivers. Paths a host did not hold
   * before are deleted from it after each run (so each starts alike) and at the end. Without it, each run
   * delivers a fresh synthetic closure of `closureBytes` in `closurePaths` paths.
   */
  readonly closureFrom?: PathId;
  readonly closureBytes: number;
  readonly closurePaths: number;
  readonly probeBytes: number;
  readonly samples?: number;
  /** Unique to this calibration (part of probe names). */
  readonly tag: string;
  /** Today, for the scenarios' provenance (`YYYY-MM-DD`). */
  readonly date: string;
  readonly progress?: (line: string) => void;
}

/** What {@link calibrate} found and wrote. */
export interface CalibrationResult {
  readonly measurement: FleetMeasurement;
  readonly model: CalibratedModel;
  /** Hosts not measured (unreachable or unhealthy), with why. */
  readonly leftOut: readonly { readonly host: HostId; readonly reasons: readonly string[] }[];
  /** This fleet host by host (explicit topology). */
  readonly hostsScenario: Record<string, unknown>;
  /** A fleet of this kind at any size (flat preset). */
  readonly reusableScenario: Record<string, unknown>;
  /** The closure file both scenarios name: the closure the runs delivered (none without runs). */
  readonly closureFile: Record<string, unknown> | undefined;
  readonly runs: readonly ValidationRun[];
  /** Stores where cleaning up failed. */
  readonly cleanupProblems: readonly string[];
}

/**
 * Calibrates the simulator on a real fleet (see the file comment).
 * @param closureFileName - the name the scenarios give the closure file (written next to them).
 * @throws ExecutorError when no host can be measured or a probe copy fails; ConfigError for a bad option.
 */
export async function calibrate(o: CalibrateOptions, closureFileName: string): Promise<CalibrationResult> {
  const say = o.progress ?? ((): void => undefined);
  say(`probing ${o.fleet.hosts.length} host${o.fleet.hosts.length > 1 ? 's' : ''}`);
  const reports = await checkHealth(o.fleet, o.remote);
  const leftOut = reports.filter((r) => !r.healthy).map((r) => ({ host: r.host, reasons: r.reasons }));
  const out = new Set(leftOut.map((l) => l.host));
  const fleet: RealFleet = { ...o.fleet, hosts: o.fleet.hosts.filter((h) => !out.has(h.id)) };
  if (fleet.hosts.length === 0)
    throw new ExecutorError(
      `no host can be measured: ${leftOut.map((l) => `${l.host}: ${l.reasons.join('; ')}`).join(' | ')}`,
    );
  for (const l of leftOut) say(`left out ${l.host}: ${l.reasons.join('; ')}`);

  let real: readonly StorePath[] | undefined;
  if (o.closureFrom !== undefined) real = await closureInfo([o.closureFrom], o.remote);
  const trash: PathId[] = [];
  const runs: ValidationRun[] = [];
  const cleanupProblems: string[] = [];
  /** Per host, the paths of the real closure it lacked before the first run (calibrate's to delete). */
  let added: Map<HostId, PathId[]> | undefined;
  try {
    const { measurement, probes } = await measureFleet({
      fleet,
      remote: o.remote,
      unmultiplexed: o.unmultiplexed,
      probeBytes: o.probeBytes,
      tag: o.tag,
      checkSigs: o.checkSigs,
      ...(o.samples !== undefined ? { samples: o.samples } : {}),
      progress: say,
    });
    trash.push(...probes.flatMap((p) => p.paths));
    const model = calibratedModel(measurement, o.multiplex);
    const write = {
      name: calibratedName(
        o.fleetFile,
        measurement,
        leftOut.map((l) => l.host),
        o.date,
      ),
      model,
      fleet,
      // The closure the runs delivered (the real one, or the first run's synthetic one); without runs,
      // the simulator's own generator at the same size.
      closure:
        real !== undefined || o.strategies.length > 0
          ? { file: closureFileName }
          : { totalMB: o.closureBytes / 1e6, paths: o.closurePaths, roles: 1, perHost: false },
    };
    let delivered: readonly StorePath[] | undefined = real;
    const hostsScenario = fleetScenario(measurement, write);
    const measuredFleet = withScenarioRates(fleet, hostsScenario);
    for (const [i, s] of o.strategies.entries()) {
      let root: PathId;
      let closure: readonly StorePath[];
      if (real !== undefined) {
        root = o.closureFrom!;
        closure = real;
      } else {
        const probe = await buildProbe(`${o.tag}-run${i}`, o.closureBytes, o.closurePaths, o.remote);
        trash.push(...probe.paths);
        root = probe.toplevel;
        closure = probe.info;
        delivered ??= closure;
      }
      say(`${runLabel(s)}: real run`);
      const run = await validateRun({
        fleet: measuredFleet,
        remote: o.remote,
        checkSigs: o.checkSigs,
        strategy: s,
        root,
        closure,
        scenario: hostsScenario,
      });
      runs.push(run);
      if (real !== undefined) {
        added ??= new Map(
          fleet.hosts.map((h) => {
            const had = new Set(run.startHeld.get(h.id) ?? []);
            return [h.id, real.map((p) => p.id).filter((p) => !had.has(p))];
          }),
        );
        // The next run starts as this one did: without what this one delivered.
        if (i + 1 < o.strategies.length)
          cleanupProblems.push(...(await deletePaths(fleet.hosts, (h) => added!.get(h) ?? [], o.remote)));
      }
    }
    return {
      measurement,
      model,
      leftOut,
      hostsScenario,
      reusableScenario: reusableScenario(measurement, write),
      closureFile: delivered !== undefined ? closureFileJson(delivered) : undefined,
      runs,
      cleanupProblems,
    };
  } finally {
    say('removing probe paths');
    cleanupProblems.push(
      ...(await deletePaths(fleet.hosts, (h) => [...trash, ...(added?.get(h) ?? [])], o.remote)),
      ...(await deletePaths([], () => trash, o.remote, o.fleet.deployer)),
    );
    if (cleanupProblems.length > 0) say(`cleanup left paths behind: ${cleanupProblems.join('; ')}`);
  }
}
