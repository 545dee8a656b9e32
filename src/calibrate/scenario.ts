/**
 * Scenario files from a fleet's measurements: one for this fleet host by host (an explicit topology), and
 * one of the same kind at any size (the flat preset, its rates drawn from the measured ones).
 */
import type { HostId, StorePath } from '../core/types.js';
import type { RealFleet } from '../fleet/realFleet.js';
import { formatDuration, formatRate, parseRate } from '../units/units.js';
import type { FleetMeasurement, SetupCost } from './measure.js';
import { median } from './probes.js';

/** What both scenarios say of how the fleet copies. */
export interface CalibratedModel {
  readonly setupSeconds: SetupCost;
  readonly perPathSeconds: number;
  /** Median import rate of the hosts where it could be measured. */
  readonly importRate: number | undefined;
}

/** The model parameters the runs will pay: multiplexed or not, as they will copy. */
export function calibratedModel(m: FleetMeasurement, multiplex: boolean): CalibratedModel {
  const measured = m.hosts.flatMap((h) => (h.importRate === undefined ? [] : [h.importRate]));
  const round = (x: number): number => Math.round(x * 1e4) / 1e4;
  const setup = multiplex ? m.setupSeconds : m.setupSecondsUnmultiplexed;
  return {
    setupSeconds: { deployer: round(setup.deployer), peer: round(setup.peer) },
    perPathSeconds: round(m.perPathSeconds),
    importRate: measured.length > 0 ? median(measured) : undefined,
  };
}

/** The copy costs; the import rate too unless each host's is folded into its downlink already. */
function modelFields(model: CalibratedModel, withImportRate: boolean): Record<string, unknown> {
  return {
    setupSeconds: model.setupSeconds,
    perPathSeconds: model.perPathSeconds,
    ...(withImportRate && model.importRate !== undefined ? { importRate: rate(model.importRate) } : {}),
  };
}

/** A rate as a scenario writes it: SI bytes per second, 4 significant digits. */
function rate(bytesPerSecond: number): string {
  return formatRate(Number(bytesPerSecond.toPrecision(4)));
}

/**
 * The rates of the hosts as one distribution: a constant when they agree within 5 % (their median),
 * otherwise each measured value with equal weight.
 */
function distribution(values: readonly number[]): unknown {
  const mid = median(values);
  if (values.every((v) => Math.abs(v - mid) <= 0.05 * mid)) return rate(mid);
  return { kind: 'discrete', values: values.map((v) => ({ weight: 1, value: rate(v) })) };
}

/** Provenance for a scenario's `name`. */
export function calibratedName(
  fleetFile: string,
  m: FleetMeasurement,
  leftOut: readonly HostId[],
  date: string,
): string {
  const out = leftOut.length > 0 ? `; left out: ${leftOut.join(', ')}` : '';
  return `calibrated from ${fleetFile} on ${date}: ${m.hosts.length} host${m.hosts.length > 1 ? 's' : ''} measured${out}`;
}

/** Options of {@link fleetScenario} and {@link reusableScenario}. */
export interface ScenarioWriteOptions {
  readonly name: string;
  readonly model: CalibratedModel;
  /** The scenario's closure (a `closure` field). */
  readonly closure: unknown;
  /** The measured fleet (only its measured hosts). */
  readonly fleet: RealFleet;
}

/**
 * This fleet host by host: one switch, every measured host with its uplink, its downlink (capped at its
 * import rate, which concurrent copies to it share) and half its round trip as its access latency.
 */
export function fleetScenario(m: FleetMeasurement, o: ScenarioWriteOptions): Record<string, unknown> {
  const real = new Map(o.fleet.hosts.map((h) => [h.id, h]));
  return {
    name: o.name,
    seed: 1,
    topology: {
      preset: 'custom',
      name: 'calibrated',
      switches: [{ id: 'lan' }],
      links: [],
      hosts: [
        {
          host: o.fleet.deployer.id,
          role: 'deployer',
          switch: 'lan',
          uplink: rate(m.deployerUplink),
          ...(o.fleet.deployer.maxSends !== undefined ? { maxSends: o.fleet.deployer.maxSends } : {}),
        },
        ...m.hosts.map((h) => {
          const r = real.get(h.host);
          return {
            host: h.host,
            switch: 'lan',
            uplink: rate(h.uplink),
            downlink: rate(Math.min(h.downlink, h.importRate ?? Infinity)),
            latency: formatDuration(Number((h.rttSeconds / 2).toPrecision(3))),
            ...(r?.maxSends !== undefined ? { maxSends: r.maxSends } : {}),
            ...(r?.maxReceives !== undefined ? { maxReceives: r.maxReceives } : {}),
          };
        }),
      ],
    },
    closure: o.closure,
    ...modelFields(o.model, false),
    network: 'flow',
  };
}

/**
 * The fleet with the rates of its {@link fleetScenario} in place of those its file declares: a real run
 * given it lets its strategy decide from the numbers the prediction's strategy sees (with the declared
 * ones, a cost-aware choice such as "fastest uplink first" differs as soon as two measured rates do).
 */
export function withScenarioRates(fleet: RealFleet, scenario: Record<string, unknown>): RealFleet {
  const entries = (scenario['topology'] as { hosts: { host: string; uplink: string; downlink?: string }[] })
    .hosts;
  const rates = new Map(entries.map((e) => [e.host, e]));
  const of = (id: HostId): { uplink?: number; downlink?: number } => {
    const e = rates.get(id);
    if (e === undefined) return {};
    return {
      uplink: parseRate(e.uplink),
      ...(e.downlink !== undefined ? { downlink: parseRate(e.downlink) } : {}),
    };
  };
  return {
    ...fleet,
    deployer: { ...fleet.deployer, ...of(fleet.deployer.id) },
    hosts: fleet.hosts.map((h) => ({ ...h, ...of(h.id) })),
  };
}

/**
 * A fleet of this kind at any size (`--hosts N`): the flat preset with the measured uplinks and downlinks
 * as distributions, the median round trip as access latency (a quarter of it per access edge: a route
 * crosses two), the deployer's measured uplink and the same copy costs.
 */
export function reusableScenario(m: FleetMeasurement, o: ScenarioWriteOptions): Record<string, unknown> {
  const rtt = median(m.hosts.map((h) => h.rttSeconds));
  return {
    name: o.name,
    seed: 1,
    topology: {
      preset: 'flat',
      hosts: m.hosts.length,
      uplink: distribution(m.hosts.map((h) => h.uplink)),
      downlink: distribution(m.hosts.map((h) => h.downlink)),
      accessLatency: formatDuration(Number((rtt / 4).toPrecision(3))),
      deployer: {
        uplink: rate(m.deployerUplink),
        ...(o.fleet.deployer.maxSends !== undefined ? { maxSends: o.fleet.deployer.maxSends } : {}),
      },
    },
    closure: o.closure,
    ...modelFields(o.model, true),
    network: 'flow',
  };
}

/** A closure as a closure file holds it (the object form of `nix path-info --json` of Nix ≥ 2.19). */
export function closureFileJson(paths: readonly StorePath[]): Record<string, unknown> {
  return Object.fromEntries(paths.map((p) => [p.id, { narSize: p.narSize, references: p.references }]));
}
