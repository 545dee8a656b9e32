import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getStrategy } from '../../src/strategies/registry.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { buildScenario, loadScenarioFile, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { configError } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nix-cascade-scenario-'));

/** The ConfigError `fn` throws (fails the test when it throws anything else or nothing). */
describe('parseScenario', () => {
  it.each([
    ['missing topology', { seed: 1 }, 'scenario.topology'],
    ['zero hosts', { topology: { preset: 'flat', hosts: 0 } }, 'scenario.topology.hosts'],
    ['fractional hosts', { topology: { preset: 'flat', hosts: 2.5 } }, 'scenario.topology.hosts'],
    ['unknown preset', { topology: { preset: 'mesh', hosts: 4 } }, 'scenario.topology.preset'],
    ['negative closure size', { topology: { preset: 'flat', hosts: 4 }, closure: { totalMB: -1 } }, 'scenario.closure.totalMB'],
    ['bad network model', { topology: { preset: 'flat', hosts: 4 }, network: 'tcp' }, 'scenario.network'],
    ['bad mode', { topology: { preset: 'flat', hosts: 4 }, mode: 'lazy' }, 'scenario.mode'],
    ['probability above 1', { topology: { preset: 'flat', hosts: 4 }, failures: [{ kind: 'random', probability: 2 }] }, 'scenario.failures'],
    ['unknown top-level key', { topology: { preset: 'flat', hosts: 4 }, colour: 'blue' }, 'scenario'],
    ['bad limit', { topology: { preset: 'flat', hosts: 4 }, limits: { maxRounds: 0 } }, 'scenario.limits.maxRounds'],
    ['setup per kind missing peer', { topology: { preset: 'flat', hosts: 4 }, setupSeconds: { deployer: 1 } }, 'scenario.setupSeconds'],
    ['negative per-path cost', { topology: { preset: 'flat', hosts: 4 }, perPathSeconds: -1 }, 'scenario.perPathSeconds'],
    ['zero TCP window', { topology: { preset: 'flat', hosts: 4 }, tcpWindow: 0 }, 'scenario.tcpWindow'],
    ['TCP window as a rate', { topology: { preset: 'flat', hosts: 4 }, tcpWindow: '4MiB/s' }, 'scenario.tcpWindow'],
  ])('%s → ConfigError naming the field', (_name, input, where) => {
    const err = configError(() => parseScenario(input));
    expect(err.where?.startsWith(where)).toBe(true);
  });

  it('names the field under a caller-given prefix', () => {
    expect(configError(() => parseScenario({ topology: { preset: 'flat', hosts: 0 } }, 'x.json')).where).toBe('x.json.topology.hosts');
  });

  it('fills in defaults', () => {
    const s = parseScenario({ topology: { preset: 'flat', hosts: 4 } });
    expect(s.seed).toBe(1);
    expect(s.network).toBe('flow');
    expect(s.mode).toBe('round');
    expect(s.strategy).toBe('log2-fanout');
    expect(s.strategyOptions).toEqual({});
    expect(s.seeds).toEqual({ kind: 'deployer' });
    expect(s.limits).toEqual({ maxRounds: 1000, maxTime: Infinity, maxAttemptsPerHost: 5 });
    expect(s.closure).toMatchObject({ totalMB: 1000, paths: 60 });
    expect(s.topology).toMatchObject({ maxSends: 1, deployer: { maxSends: 64 } });
    expect(s.failures).toBeUndefined();
    expect([s.setupSeconds, s.perPathSeconds, s.importRate, s.tcpWindow]).toEqual([0, 0, undefined, undefined]);
  });

  it('an import rate caps every host however fast its link, and the lower bound knows it', async () => {
    const base = { topology: { preset: 'flat', hosts: 1 }, closure: { totalMB: 1000, paths: 10, roles: 1, perHost: false } };
    const fast = buildScenario(parseScenario(base));
    const slow = buildScenario(parseScenario({ ...base, importRate: '50MB/s' }));
    expect(slow.fleet.hosts.every((h) => h.downlink <= 50e6)).toBe(true);
    const [a, b] = await Promise.all([fast, slow].map((sc) => runScenario(sc, getStrategy('log2-fanout'))));
    expect(a!.makespanSeconds).toBeCloseTo(8, 2); // 1 GB over 1 Gbit/s
    expect(b!.makespanSeconds).toBeCloseTo(20, 2); // 1 GB at 50 MB/s
    expect(slow.lowerBound.seconds).toBeCloseTo(20, 2);
    expect(configError(() => parseScenario({ ...base, importRate: 'fast' })).where).toBe('scenario.importRate');
  });

  it('a TCP window caps a high-latency copy at window ÷ RTT; the lower bound stays below it', async () => {
    // One host 10 ms from the deployer (5 ms access latency each): RTT 20 ms, a 1 MB window moves 50 MB/s.
    const base = {
      topology: { preset: 'flat', hosts: 1, accessLatency: '5ms' },
      closure: { totalMB: 1000, paths: 10, roles: 1, perHost: false },
    };
    const spec = parseScenario({ ...base, tcpWindow: '1MB' });
    expect(spec.tcpWindow).toBe(1e6);
    expect(parseScenario({ ...base, tcpWindow: '64KiB' }).tcpWindow).toBe(65536);
    for (const network of ['round', 'flow'] as const) {
      const capped = buildScenario({ ...spec, network });
      const r = await runScenario(capped, getStrategy('log2-fanout'));
      expect(r.makespanSeconds).toBeCloseTo(0.01 + 1e9 / 50e6, 6);
      expect(capped.lowerBound.seconds).toBeLessThanOrEqual(r.makespanSeconds);
      const free = await runScenario(buildScenario(parseScenario({ ...base, network })), getStrategy('log2-fanout'));
      expect(free.makespanSeconds).toBeCloseTo(0.01 + 8, 6); // 1 GB at 1 Gbit/s
    }
  });

  it('a scenario charges its per-kind copy cost and its per-path cost: log2-fanout on 3 hosts', async () => {
    const base = { topology: { preset: 'flat', hosts: 3 }, closure: { totalMB: 100, paths: 10, roles: 1, perHost: false } };
    const ideal = await runScenario(buildScenario(parseScenario(base)), getStrategy('log2-fanout'));
    const costly = await runScenario(
      buildScenario(parseScenario({ ...base, setupSeconds: { deployer: 1, peer: 2 }, perPathSeconds: 0.1 })),
      getStrategy('log2-fanout'),
    );
    // Round 1: the deployer sends (1 s + 10 paths × 0.1 s); round 2: the deployer and a peer send at once,
    // and the peer's copy costs 2 s + 1 s; each round waits for its slowest copy.
    expect(costly.makespanSeconds - ideal.makespanSeconds).toBeCloseTo(2 + 3, 9);
  });
});

describe('parseScenario errors', () => {
  const where = (input: unknown): string | undefined => {
    try {
      parseScenario(input, 'f.json');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).where;
    }
    return undefined;
  };

  it('look inside unions: the field that is wrong, not the union', () => {
    expect(where({ topology: { preset: 'flat', hosts: 3, uplink: { kind: 'uniform', min: 1 } } })).toBe('f.json.topology.uplink.max');
    expect(where({ topology: { preset: 'flat', hosts: 3 }, failures: [{ kind: 'meteor' }] })).toMatch(/^f\.json\.failures/);
    expect(where({ topology: { preset: 'flat', hosts: 3, uplink: '12furlongs' } })).toBe('f.json.topology.uplink');
  });

  it('say what a union accepts', () => {
    expect(() => parseScenario({ seed: 1.5 }, 'f.json')).toThrow(/int or string/);
    expect(() => parseScenario({ topology: { preset: 'flat', hosts: 3, uplink: '12furlongs' } })).toThrow(/furlongs/);
  });
});

describe('buildScenario', () => {
  it('an unknown host in failures is a ConfigError naming the source and the field as written', () => {
    const spec = parseScenario({ topology: { preset: 'flat', hosts: 4 }, failures: [{ kind: 'kill-host', host: 'host-99', atRound: 1 }] });
    expect(configError(() => buildScenario(spec)).where).toBe('scenario.failures[0].host');
    expect(configError(() => buildScenario(spec, 'f.json')).where).toBe('f.json.failures[0].host');
  });

  it('names targets host-1… zero-padded to the width of the count', () => {
    const s = buildScenario(parseScenario({ topology: { preset: 'flat', hosts: 12 }, closure: { totalMB: 1, paths: 2 } }));
    const ids = s.fleet.hosts.map((h) => h.id);
    expect(ids).toContain('host-01');
    expect(ids).toContain('host-12');
    expect(ids).toContain('deployer');
    expect(s.fleet.initialHave.get('deployer')?.length).toBeGreaterThan(0);
  });
});

describe('loadScenarioFile', () => {
  it('a malformed JSON file → ConfigError whose where is the file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "topology": ');
    expect(configError(() => loadScenarioFile(file)).where).toBe(file);
  });

  it('a missing file → ConfigError naming it', () => {
    const file = join(dir, 'missing.json');
    expect(configError(() => loadScenarioFile(file)).where).toBe(file);
  });

  it('a bad field in a file → ConfigError naming file and field', () => {
    const file = join(dir, 'badfield.json');
    writeFileSync(file, JSON.stringify({ topology: { preset: 'flat', hosts: -3 } }));
    expect(configError(() => loadScenarioFile(file)).where).toBe(`${file}.topology.hosts`);
  });

  it('loads a valid file with defaults', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ seed: 7, topology: { preset: 'racks', hosts: 8 } }));
    const s = loadScenarioFile(file);
    expect(s.seed).toBe(7);
    expect(s.topology.preset).toBe('racks');
  });
});
