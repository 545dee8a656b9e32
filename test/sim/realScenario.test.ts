import { describe, expect, it } from 'vitest';
import { loadClosureFile } from '../../src/sim/real/closureFile.js';
import { buildScenario, loadScenarioFile, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { toJsonLine } from '../../src/trace/jsonl.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { configError } from '../helpers/errors.js';

async function recorded(file: string) {
  const spec = loadScenarioFile(file);
  const scenario = buildScenario(spec, file, { baseDir: 'examples' });
  const rec = new TraceRecorder();
  const result = await runScenario(scenario, getStrategy(spec.strategy, spec.strategyOptions), {
    onEvent: rec.sink,
  });
  return { scenario, result, events: rec.events() };
}

describe('a real-closure scenario', () => {
  it('round-trips: import → simulate → the trace names the real store paths', async () => {
    const web = loadClosureFile('examples/closures/lab-web.json').map((p) => p.id);
    const db = loadClosureFile('examples/closures/lab-db.json').map((p) => p.id);
    const { scenario, result, events } = await recorded('examples/real-closure.json');
    expect(result.success).toBe(true);
    expect(new Set([...scenario.closure.paths()].map((p) => p.id))).toEqual(new Set([...web, ...db]));
    const sent = new Set(events.flatMap((e) => (e.type === 'transfer-started' ? e.paths : [])));
    expect(sent).toEqual(new Set([...web, ...db]));
    const trace = events.map(toJsonLine).join('');
    for (const p of [...web, ...db]) expect(trace).toContain(p);
    // Hosts of one role want exactly that role's file: 48 web hosts of 64, the rest db.
    const roles = [...scenario.roleOf.values()];
    expect(roles.filter((r) => r === 'web')).toHaveLength(48);
    for (const [h, role] of scenario.roleOf) {
      expect(new Set(scenario.fleet.wants.get(h))).toEqual(new Set(role === 'web' ? web : db));
    }
    expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds);
  });

  it('two public closures as two roles on three regions: every host gets its own; the TCP window costs time', async () => {
    const newer = loadClosureFile('examples/closures/hello-2.12.1.json').map((p) => p.id);
    const older = loadClosureFile('examples/closures/hello-2.10-bash-5.1.json').map((p) => p.id);
    const { scenario, result } = await recorded('examples/public-closures.json');
    expect(scenario.spec.tcpWindow).toBe(256 * 1024);
    expect(result.success).toBe(true);
    // The two share no store path (other glibc builds): 10 paths, half the hosts each.
    expect(scenario.closure.size).toBe(10);
    expect([...scenario.roleOf.values()].filter((r) => r === 'hello-2.12')).toHaveLength(30);
    for (const [h, role] of scenario.roleOf) {
      expect(new Set(scenario.fleet.wants.get(h))).toEqual(new Set(role === 'hello-2.12' ? newer : older));
    }
    expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds);
    // Without the window the WAN copies run at their links' share; the bound does not count the window.
    const free = buildScenario({ ...scenario.spec, tcpWindow: undefined }, 'examples/public-closures.json', {
      baseDir: 'examples',
    });
    const uncapped = await runScenario(free, getStrategy(scenario.spec.strategy));
    expect(uncapped.success).toBe(true);
    expect(uncapped.makespanSeconds).toBeLessThan(result.makespanSeconds);
    expect(free.lowerBound.seconds).toBe(scenario.lowerBound.seconds);
  });

  it('is deterministic: the same scenario gives the same trace', async () => {
    const a = await recorded('examples/explicit-topology.json');
    const b = await recorded('examples/explicit-topology.json');
    expect(a.events.map(toJsonLine).join('')).toBe(b.events.map(toJsonLine).join(''));
    expect(a.result.success).toBe(true);
    // The slow host bounds the run: 32.7 MB over 20 Mbit/s.
    expect(a.result.lowerBound.seconds).toBeGreaterThanOrEqual(32_696_176 / 2.5e6);
  });
});

describe('scenario files with real closures and explicit topologies', () => {
  const topology = {
    preset: 'custom',
    switches: [{ id: 's' }],
    hosts: [
      { host: 'deployer', switch: 's' },
      { host: 'h1', switch: 's', uplink: '100mbit' },
    ],
  };

  it('parses both, and a synthetic closure is still the default', () => {
    const s = parseScenario({ topology, closure: { file: 'x.json' } });
    expect(s.closure).toEqual({ kind: 'real', roles: [{ file: 'x.json' }], assignment: 'round-robin' });
    expect(parseScenario({ topology: { preset: 'flat', hosts: 2 } }).closure).toMatchObject({
      totalMB: 1000,
    });
  });

  it.each([
    [
      'a role file that is not a string',
      { topology: { preset: 'flat', hosts: 2 }, closure: { roles: [{ file: 3 }] } },
      'x.json.closure.roles[0].file',
    ],
    [
      'a bad host share',
      { topology: { preset: 'flat', hosts: 2 }, closure: { roles: [{ file: 'a', hosts: 2 }] } },
      'x.json.closure.roles[0].hosts',
    ],
    [
      'a host rate with an unknown unit',
      { topology: { ...topology, hosts: [{ host: 'h', switch: 's', uplink: '12furlongs' }] } },
      'x.json.topology.hosts[0].uplink',
    ],
    [
      'a link without a bandwidth',
      { topology: { ...topology, links: [{ from: 's', to: 's', latency: 0 }] } },
      'x.json.topology.links[0].bandwidth',
    ],
  ])('rejects %s when parsing, naming the field', (_, input, where) => {
    expect(configError(() => parseScenario(input, 'x.json')).where).toBe(where);
  });

  it('names the field of a topology error found when building', () => {
    const spec = parseScenario(
      { topology: { ...topology, hosts: [{ host: 'h', switch: 'nowhere' }] } },
      'x.json',
    );
    expect(configError(() => buildScenario(spec, 'x.json')).where).toBe('x.json.topology.hosts[0].switch');
  });

  it('names the closure file (not the scenario) for an error inside it', () => {
    const spec = parseScenario({ topology, closure: { file: 'closures/missing.json' } }, 'x.json');
    expect(configError(() => buildScenario(spec, 'x.json', { baseDir: 'examples' })).where).toMatch(
      /examples\/closures\/missing\.json$/,
    );
  });

  it('seeds and failures name the hosts of an explicit topology', () => {
    const spec = parseScenario(
      {
        topology,
        closure: { file: 'closures/hello-2.12.1.json' },
        failures: { kind: 'kill-host', host: 'nope', atRound: 0 },
      },
      'x.json',
    );
    expect(configError(() => buildScenario(spec, 'x.json', { baseDir: 'examples' })).where).toMatch(
      /^x\.json\.failures/,
    );
  });
});
