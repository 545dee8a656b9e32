import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSyntheticClosure, labDown, labUp, type LabState } from '../../src/lab/index.js';
import { requireLabCapabilities } from '../../src/lab/sys.js';
import { loadFleetFile } from '../../src/fleet/fleetFile.js';
import { closureInfo, discoverHave } from '../../src/remote/store.js';
import { buildScenario, loadScenarioFile } from '../../src/sim/index.js';
import { acquireLabLock, LAB_TOOLS } from '../executor/labLock.js';
import { cli } from '../helpers/cli.js';

/*
 * `calibrate` on a real 3-host lab, links shaped to 40 Mbit/s (5 MB/s), small probes and closures. Needs
 * root, unshare, ip, tc, nix and sshd: a machine without them FAILS here, naming what is missing.
 */

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const RATE = 5e6; // 40 Mbit/s in bytes per second
let release: () => void = () => undefined;
let lab: LabState;
const dir = `/tmp/nix-cascade-test-calibrate-${process.pid}`;
const out = mkdtempSync(join(tmpdir(), 'nc-calibrate-'));

beforeAll(async () => {
  requireLabCapabilities(LAB_TOOLS);
  release = await acquireLabLock();
  // h2's downlink is half the others' (h1, h3 40 Mbit/s): no uplink probe sends to h2 (3 hosts: h1 → h3,
  // h3 → h1, h2 → h3), so only its downlink reading shows it.
  lab = await labUp({ hosts: 3, dir, uplink: '40mbit', downlink: '40mbit,20mbit', deployerUplink: '40mbit' });
});

afterAll(async () => {
  try {
    await labDown(dir, { purge: true });
  } finally {
    release();
  }
});

interface CalibrationJson {
  measurement: {
    hosts: { host: string; rttSeconds: number; downlink: number; uplink: number }[];
    deployerUplink: number;
    setupSeconds: { deployer: number; peer: number };
    setupSecondsUnmultiplexed: { deployer: number; peer: number };
    perPathSeconds: number;
  };
  leftOut: { host: string; reasons: string[] }[];
  files: string[];
  runs: {
    strategy: string;
    success: boolean;
    verified: boolean;
    measuredSeconds: number;
    predictedSeconds: number;
    errorPercent: number;
    perHost: { host: string; measured: number; predicted: number }[];
  }[];
  cleanupProblems: string[];
}

describe('calibrate on the lab', () => {
  it('measures the reachable hosts, names the one left out, writes scenarios that simulate, and predicts the runs', async () => {
    // A fourth host nobody answers for: h1's address on a closed port.
    const fleetJson = JSON.parse(readFileSync(lab.fleetFile, 'utf8')) as {
      nodes: Record<string, Record<string, unknown>>;
    };
    // The lab's fleet file declares each host's own rate of a per-host list.
    expect([1, 2, 3].map((n) => fleetJson.nodes[`h${n}`]!['downlink'])).toEqual([
      '40mbit',
      '20mbit',
      '40mbit',
    ]);
    fleetJson.nodes['ghost'] = { ...fleetJson.nodes['h1'], targetPort: 1 };
    const fleetFile = join(out, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(fleetJson));
    const scenario = join(out, 'cal.json');
    const r = await cli(
      'calibrate',
      '--fleet',
      fleetFile,
      '--strategies',
      'push-parallel,log2-fanout',
      '--closure-size',
      '3MB',
      '--closure-paths',
      '8',
      // Big enough, and the fixed cost sampled often enough, that a loaded machine's noise in the fixed cost
      // does not swamp the rates read from the bulk copies.
      '--probe-size',
      '4MB',
      '--samples',
      '5',
      '--out',
      scenario,
      '--no-check-sigs',
      '--json',
    );
    // A host left out is an exit 1, with everything still measured and written.
    expect(r.code, r.err).toBe(1);
    expect(r.out, r.err).toMatch(/^\{/);
    const j = JSON.parse(r.out) as CalibrationJson;
    expect(j.leftOut.map((l) => l.host)).toEqual(['ghost']);
    expect(j.leftOut[0]!.reasons.join(' ')).toMatch(/ssh/i);
    expect(j.measurement.hosts.map((h) => h.host)).toEqual(['h1', 'h2', 'h3']);
    for (const h of j.measurement.hosts) {
      // The shaped rate is what the probes find (within what the copies' own costs blur), host by host.
      const downlink = h.host === 'h2' ? RATE / 2 : RATE;
      expect(h.downlink).toBeGreaterThan(0.6 * downlink);
      expect(h.downlink).toBeLessThan(1.3 * downlink);
      expect(h.uplink).toBeGreaterThan(0.4 * RATE);
      expect(h.uplink).toBeLessThan(1.3 * RATE);
      expect(h.rttSeconds).toBeGreaterThan(0);
      expect(h.rttSeconds).toBeLessThan(0.05);
    }
    const m = j.measurement;
    expect(m.deployerUplink).toBeLessThan(1.3 * RATE);
    expect(m.setupSeconds.deployer).toBeGreaterThan(0);
    // Without multiplexing every copy pays an ssh handshake more.
    expect(m.setupSecondsUnmultiplexed.deployer).toBeGreaterThan(m.setupSeconds.deployer);
    expect(m.setupSecondsUnmultiplexed.peer).toBeGreaterThan(m.setupSeconds.peer);
    expect(m.perPathSeconds).toBeGreaterThanOrEqual(0);

    for (const run of j.runs) {
      expect(run.success && run.verified, run.strategy).toBe(true);
      expect(run.perHost.map((p) => p.host).sort()).toEqual(['h1', 'h2', 'h3']);
      // Not the issue's ±15 % target (bench/calibration.ts measures that on a quiet machine): a sanity
      // bound that a wrong model (a rate off by 2×, a missing fixed cost) fails.
      expect(Math.abs(run.errorPercent), run.strategy).toBeLessThan(40);
    }
    expect(j.runs.map((x) => x.strategy)).toEqual(['push-parallel', 'log2-fanout']);
    expect(j.cleanupProblems).toEqual([]);

    // Both scenarios are valid and simulate; the reusable one at another size.
    const hostsFile = join(out, 'cal.hosts.json');
    expect(j.files).toEqual([
      scenario,
      hostsFile,
      join(out, 'cal.closure.json'),
      join(out, 'cal-report', 'index.html'),
    ]);
    const hosts = loadScenarioFile(hostsFile);
    const built = buildScenario(hosts, hostsFile, { baseDir: out });
    expect(built.fleet.hosts.filter((h) => h.role === 'target').map((h) => h.id)).toEqual(['h1', 'h2', 'h3']);
    const big = await cli('simulate', '--scenario', scenario, '--hosts', '200', '--json');
    expect(big.code, big.err).toBe(0);
    const sim = JSON.parse(big.out) as { hostsDone: number; makespanSeconds: number };
    expect(sim.hostsDone).toBe(200);
    // 200 hosts from one 5 MB/s deployer cannot beat the cascade's doubling of a 3 MB closure.
    expect(sim.makespanSeconds).toBeGreaterThan((3e6 / RATE) * Math.log2(201) * 0.8);

    // The report, in the compare format, with the predicted-vs-measured chart.
    const html = readFileSync(join(out, 'cal-report', 'index.html'), 'utf8');
    expect(html).toContain('Predicted vs measured');
    expect(html).toContain('log2-fanout (measured)');
    expect(html).toContain('log2-fanout (predicted)');
    expect(existsSync(join(out, 'cal-report', 'prediction.svg'))).toBe(true);
    expect(existsSync(join(out, 'cal-report', 'trace-push-parallel_measured.jsonl'))).toBe(true);
  });

  it('with --closure-from, every run starts alike and the paths it added are gone afterwards', async () => {
    const { toplevel } = await buildSyntheticClosure({
      sizeMb: 2,
      paths: 6,
      seed: `cal-real-${process.pid}`,
      workDir: dir,
    });
    const paths = (await closureInfo([toplevel])).map((p) => p.id);
    const fleet = loadFleetFile(lab.fleetFile);
    const scenario = join(out, 'real.json');
    const r = await cli(
      'calibrate',
      '--fleet',
      lab.fleetFile,
      '--strategies',
      'log2-fanout,push-parallel',
      '--closure-from',
      toplevel,
      '--probe-size',
      '2MB',
      '--samples',
      '3',
      '--out',
      scenario,
      '--no-check-sigs',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as CalibrationJson;
    expect(j.runs.every((x) => x.success && x.verified)).toBe(true);
    // Both runs delivered the whole closure to every host: the second did not find it there.
    const traces = ['log2-fanout', 'push-parallel'].map((s) =>
      readFileSync(join(out, 'real-report', `trace-${s}_measured.jsonl`), 'utf8'),
    );
    for (const t of traces) {
      const delivered = t.split('\n').filter((l) => l.includes('"transfer-finished"'));
      expect(delivered.length).toBeGreaterThanOrEqual(3);
    }
    // The closure file is the real closure, store paths and all.
    const closure = JSON.parse(readFileSync(join(out, 'real.closure.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(closure).sort()).toEqual([...paths].sort());
    // Calibrate took back what it put on the hosts; the deployer keeps its own closure.
    const after = await discoverHave(fleet, paths);
    for (const h of fleet.hosts) expect(after.have.get(h.id) ?? [], h.id).toEqual([]);
    expect(after.have.get(fleet.deployer.id)?.length).toBe(paths.length);
  });
});
