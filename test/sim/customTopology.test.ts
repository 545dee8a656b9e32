import { describe, expect, it } from 'vitest';
import { buildCustomTopology, customTopologySchema } from '../../src/sim/customTopology.js';
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
});
