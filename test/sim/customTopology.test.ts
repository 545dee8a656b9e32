import { describe, expect, it } from 'vitest';
import { buildCustomTopology, customTopologySchema } from '../../src/sim/customTopology.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { configError } from '../helpers/errors.js';

const base = () => ({
  preset: 'custom',
  switches: [{ id: 'core' }, { id: 'tor-a', group: 'rack-a' }],
  links: [{ from: 'tor-a', to: 'core', bandwidth: '1gbit', latency: '1ms' }],
  hosts: [
    { host: 'deployer', switch: 'core' },
    { host: 'a-1', switch: 'tor-a', uplink: '100mbit', downlink: '200mbit', latency: '2ms' },
    { host: 'a-2', switch: 'tor-a', maxSends: 2 },
  ],
});
type Spec = ReturnType<typeof base> & Record<string, unknown>;
const build = (edit: (s: Spec) => void = () => {}) => {
  const s = base() as Spec;
  edit(s);
  return buildCustomTopology(customTopologySchema.parse(s), 'topology');
};

describe('explicit topologies', () => {
  it('builds hosts with their own rates (units parsed) and defaults, and the links between switches', () => {
    const { hosts, topology } = build();
    expect(hosts.map((h) => [h.id, h.role, h.uplink, h.downlink, h.maxSends])).toEqual([
      ['deployer', 'deployer', 125e6, 125e6, 64],
      ['a-1', 'target', 12.5e6, 25e6, 1],
      ['a-2', 'target', 125e6, 125e6, 2],
    ]);
    const route = topology.route('deployer', 'a-1')!;
    expect(route.bottleneck).toBe(125e6);
    expect(route.latency).toBeCloseTo(1e-4 * 0 + 1e-3 + 2e-3, 9);
    expect(topology.groupOf('a-2')).toBe('rack-a');
  });

  it.each<[string, (s: Spec) => void, string]>([
    ['a link to an unknown switch', (s) => void (s.links[0]!.to = 'nowhere'), 'topology.links[0].to'],
    ['a host on an unknown switch', (s) => void (s.hosts[1]!.switch = 'nowhere'), 'topology.hosts[1].switch'],
    ['a duplicate switch', (s) => void s.switches.push({ id: 'core' }), 'topology.switches[2].id'],
    ['a duplicate host', (s) => void s.hosts.push({ host: 'a-1', switch: 'core' }), 'topology.hosts[3].host'],
    [
      'two deployers',
      (s) => void s.hosts.push({ host: 'd2', switch: 'core', role: 'deployer' } as never),
      'topology.hosts[3].role',
    ],
    ['no target', (s) => void (s.hosts = [s.hosts[0]!]), 'topology.hosts'],
    [
      'a disconnected host',
      (s) => void (s.switches.push({ id: 'island' }), s.hosts.push({ host: 'lost', switch: 'island' })),
      'topology.hosts[3].switch',
    ],
    [
      'a host the deployer cannot reach (one-way link towards the core)',
      (s) => void ((s.links[0] as Record<string, unknown>)['duplex'] = false),
      'topology.hosts[1].switch',
    ],
    ['a duplicate link', (s) => void s.links.push({ ...s.links[0]! }), 'topology'],
  ])('rejects %s, naming it', (_, edit, where) => {
    expect(configError(() => build(edit)).where).toBe(where);
  });

  it('rejects a bad rate through the units parser', () => {
    expect(
      customTopologySchema.safeParse({
        ...base(),
        hosts: [{ host: 'a', switch: 'core', uplink: '12furlongs' }],
      }).success,
    ).toBe(false);
  });

  it("a host's importRate caps its downlink (the smaller of the two), the others keep theirs", () => {
    const { hosts } = build((s) => {
      Object.assign(s.hosts[1]!, { importRate: '10MB/s' }); // below its 200 Mbit/s downlink
      Object.assign(s.hosts[2]!, { importRate: '1GB/s' }); // above its 1 Gbit/s
    });
    expect(hosts.map((h) => [h.id, h.uplink, h.downlink])).toEqual([
      ['deployer', 125e6, 125e6],
      ['a-1', 12.5e6, 10e6],
      ['a-2', 125e6, 125e6],
    ]);
  });

  it("with the scenario's importRate too, the smaller wins; the run and the lower bound both obey it", async () => {
    const scenario = (hostRate: string, globalRate?: string) => {
      const topology = base();
      Object.assign(topology.hosts[2]!, { importRate: hostRate });
      const closure = { totalMB: 100, paths: 10, roles: 1, perHost: false };
      return buildScenario(
        parseScenario({ topology, closure, strategy: 'push-parallel', ...(globalRate ? { importRate: globalRate } : {}) }),
      );
    };
    const down = (sc: ReturnType<typeof scenario>) => sc.fleet.hosts.map((h) => h.downlink);
    expect(down(scenario('25MB/s'))).toEqual([125e6, 25e6, 25e6]);
    expect(down(scenario('25MB/s', '50MB/s'))).toEqual([50e6, 25e6, 25e6]);
    expect(down(scenario('25MB/s', '20MB/s'))).toEqual([20e6, 20e6, 20e6]);
    // a-2 imports 100 MB at 25 MB/s in 4 s (+ 1 ms latency), whatever its 1 Gbit/s link; a-1's 200 Mbit/s
    // downlink is 25 MB/s too (+ 3 ms). With a rate above its link, a-2 takes the 100 MB/s of the deployer's
    // uplink a-1 leaves (all 125 MB/s for the 2 ms before a-1's copy arrives): 1.0005 s.
    const sc = scenario('25MB/s');
    const r = await runScenario(sc, getStrategy('push-parallel'));
    expect(r.finishTimes.get('a-2')).toBeCloseTo(4.001, 6);
    expect(r.makespanSeconds).toBeCloseTo(4.003, 6);
    expect(sc.lowerBound.seconds).toBeCloseTo(4, 6);
    const fast = await runScenario(scenario('1GB/s'), getStrategy('push-parallel'));
    expect(fast.finishTimes.get('a-2')).toBeCloseTo(1.0005, 6);
  });

  it('rejects a bad per-host importRate, naming the entry', () => {
    const topology = base();
    Object.assign(topology.hosts[1]!, { importRate: '0' });
    expect(configError(() => parseScenario({ topology }, 'x.json')).where).toBe('x.json.topology.hosts[1].importRate');
  });
});
