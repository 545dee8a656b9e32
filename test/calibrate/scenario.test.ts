import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FleetMeasurement } from '../../src/calibrate/index.js';
import {
  calibratedModel,
  closureFileJson,
  fleetScenario,
  reusableScenario,
  withScenarioRates,
} from '../../src/calibrate/index.js';
import type { RealFleet } from '../../src/fleet/realFleet.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/index.js';
import { getStrategy } from '../../src/strategies/registry.js';

const measurement = (over: Partial<FleetMeasurement> = {}): FleetMeasurement => ({
  hosts: [
    { host: 'h1', rttSeconds: 0.002, downlink: 5e6, uplink: 4e6, importRate: 80e6 },
    { host: 'h2', rttSeconds: 0.004, downlink: 5.1e6, uplink: 2e6, importRate: 3e6 },
  ],
  deployerUplink: 6e6,
  setupSeconds: { deployer: 0.2, peer: 0.3 },
  setupSecondsUnmultiplexed: { deployer: 0.4, peer: 0.6 },
  perPathSeconds: 0.01,
  probeBytes: 8e6,
  raw: {},
  ...over,
});

const fleet = { deployer: { id: 'deployer' }, hosts: [{ id: 'h1' }, { id: 'h2' }] } as unknown as RealFleet;

/** A closure file of one path of `bytes` in a fresh directory. */
function closureDir(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'nc-cal-scenario-'));
  const path = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-probe';
  writeFileSync(
    join(dir, 'c.json'),
    JSON.stringify(closureFileJson([{ id: path, narSize: bytes, references: [] }])),
  );
  return dir;
}

describe('calibrated scenarios', () => {
  it('charge the multiplexed or the unmultiplexed fixed cost, as the runs will copy', () => {
    expect(calibratedModel(measurement(), true).setupSeconds).toEqual({ deployer: 0.2, peer: 0.3 });
    expect(calibratedModel(measurement(), false).setupSeconds).toEqual({ deployer: 0.4, peer: 0.6 });
    expect(calibratedModel(measurement(), true).importRate).toBeCloseTo(41.5e6, 0);
  });

  it('describe this fleet host by host, each downlink capped at its import rate', () => {
    const m = measurement();
    const spec = parseScenario(
      fleetScenario(m, { name: 'x', model: calibratedModel(m, true), fleet, closure: { file: 'c.json' } }),
    );
    const built = buildScenario(spec, 'x', { baseDir: closureDir(1e6) });
    const byId = new Map(built.fleet.hosts.map((h) => [h.id, h]));
    expect(byId.get('deployer')!.uplink).toBeCloseTo(6e6, 0);
    expect(byId.get('h1')!.uplink).toBeCloseTo(4e6, 0);
    expect(byId.get('h1')!.downlink).toBeCloseTo(5e6, 0);
    expect(byId.get('h2')!.downlink).toBeCloseTo(3e6, 0); // its import rate, not its link
    expect(built.topology.route('deployer', 'h2')!.latency).toBeCloseTo(0.002, 9);
    // The per-host import rate is folded in: no global cap that would slow h1 to the median.
    expect(spec.importRate).toBeUndefined();
  });

  it('give a real run the rates its prediction sees, in place of the declared ones', () => {
    const m = measurement();
    const declared = {
      deployer: { id: 'deployer', uplink: 1e6 },
      hosts: [
        { id: 'h1', uplink: 1e6, downlink: 1e6 },
        { id: 'h2', uplink: 1e6, downlink: 1e6 },
        { id: 'h9', uplink: 7e6 },
      ],
    } as unknown as RealFleet;
    const scenario = fleetScenario(m, { name: 'x', model: calibratedModel(m, true), fleet, closure: {} });
    const measured = withScenarioRates(declared, scenario);
    expect(measured.deployer.uplink).toBeCloseTo(6e6, 0);
    expect(measured.hosts.map((h) => [h.id, h.uplink, h.downlink])).toEqual([
      ['h1', 4e6, 5e6],
      ['h2', 2e6, 3e6], // the import rate caps its downlink, as in the scenario
      ['h9', 7e6, undefined], // not measured: as declared
    ]);
  });

  it('reproduce the probe copy they were read from: latency + setup + per path + bytes ÷ rate', async () => {
    const m = measurement({
      hosts: [{ host: 'h1', rttSeconds: 0.002, downlink: 5e6, uplink: 4e6, importRate: undefined }],
    });
    const one = { ...fleet, hosts: [{ id: 'h1' }] } as unknown as RealFleet;
    const spec = parseScenario(
      fleetScenario(m, {
        name: 'x',
        model: calibratedModel(m, true),
        fleet: one,
        closure: { file: 'c.json' },
      }),
    );
    const r = await runScenario(
      buildScenario(spec, 'x', { baseDir: closureDir(10e6) }),
      getStrategy('push-parallel'),
    );
    expect(r.makespanSeconds).toBeCloseTo(0.001 + 0.2 + 0.01 + 10e6 / 5e6, 6);
  });

  it('describe a fleet of the same kind at any size', () => {
    const m = measurement();
    const raw = reusableScenario(m, {
      name: 'x',
      model: calibratedModel(m, true),
      fleet,
      closure: { file: 'c.json' },
    });
    const topology = raw['topology'] as Record<string, unknown>;
    // Downlinks within 5 % of each other: one constant; uplinks 2× apart: each measured value.
    expect(topology['downlink']).toBe('5.05MB/s');
    expect(topology['uplink']).toEqual({
      kind: 'discrete',
      values: [
        { weight: 1, value: '4MB/s' },
        { weight: 1, value: '2MB/s' },
      ],
    });
    const spec = parseScenario({ ...raw, topology: { ...topology, hosts: 1000 } });
    const built = buildScenario(spec, 'x', { baseDir: closureDir(1e6) });
    const targets = built.fleet.hosts.filter((h) => h.role === 'target');
    expect(targets).toHaveLength(1000);
    expect(new Set(targets.map((h) => Math.round(h.uplink)))).toEqual(new Set([4e6, 2e6]));
    expect(spec.importRate).toBeCloseTo(41.5e6, -3);
  });
});
