import { z } from 'zod';
import { adoptHostIndex } from '../core/hostIndex.js';
import { HOST_DEFAULTS } from '../core/defaults.js';
import { ConfigError } from '../core/errors.js';
import type { Host } from '../core/types.js';
import { HOST_ROLES } from '../core/vocabulary.js';
import { GraphTopology, topologyFromSpec, topologySpecSchema } from '../topology/index.js';
import { rateSchema } from '../units/units.js';

/**
 * An explicit topology in a scenario file (`"preset": "custom"`): the user's own switches, the links between
 * them (bandwidth and latency, each direction unless `duplex: false`) and every host with its switch and
 * its own uplink and downlink. Rates and durations take the units of `src/units` (`"100mbit"`, `"2ms"`).
 *
 * ```json
 * "topology": { "preset": "custom",
 *   "switches": [{ "id": "core" }, { "id": "tor-a", "group": "rack-a" }],
 *   "links": [{ "from": "tor-a", "to": "core", "bandwidth": "10gbit", "latency": "0.1ms" }],
 *   "hosts": [{ "host": "deployer", "switch": "core", "role": "deployer" },
 *             { "host": "web-1", "switch": "tor-a", "uplink": "1gbit", "latency": "0.1ms" }] }
 * ```
 *
 * Hosts: `role` defaults to `deployer` for a host named `deployer`, else `target`; `uplink` defaults to
 * 1 Gbit/s, `downlink` to the uplink, capped at the host's `importRate` if it has one (what its CPU and disk
 * can import: concurrent copies to it share it; the scenario's `importRate` still applies, the smaller
 * wins); `maxSends`/`maxReceives` to the preset defaults (targets 1/1, the
 * deployer and a cache 64/1). Fleet order is the order of `hosts`. Checked, each error naming the entry:
 * a link or host naming an unknown switch, a duplicate id, more than one deployer, no target, and a host
 * that cannot reach every other host and be reached from it (a disconnected part of the network).
 */

const hostEntrySchema = z.strictObject({
  ...topologySpecSchema.shape.hosts.element.shape,
  role: z.enum(HOST_ROLES).optional(),
  uplink: rateSchema.default(HOST_DEFAULTS.rate),
  downlink: rateSchema.optional(),
  /** What this host can import (CPU, disk): caps its downlink, as the scenario's `importRate` caps every host's. */
  importRate: rateSchema.optional(),
  maxSends: z.int().min(1).optional(),
  maxReceives: z.int().min(1).optional(),
  tags: z.array(z.string().min(1)).default([]),
  site: z.string().min(1).optional(),
  rack: z.string().min(1).optional(),
});

/** zod schema of {@link CustomTopologySpec}. */
export const customTopologySchema = z.strictObject({
  preset: z.literal('custom'),
  ...topologySpecSchema.shape,
  hosts: z.array(hostEntrySchema).min(1),
});

/** A validated explicit topology. */
export type CustomTopologySpec = z.output<typeof customTopologySchema>;

/** Pre-checks with the entry's index, so an error names `topology.links[2].to` rather than the whole topology. */
function checkNames(spec: CustomTopologySpec, where: string): void {
  const switches = new Map<string, number>();
  spec.switches.forEach((s, i) => {
    if (switches.has(s.id)) throw new ConfigError(`duplicate switch "${s.id}"`, `${where}.switches[${i}].id`);
    switches.set(s.id, i);
  });
  spec.links.forEach((l, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!switches.has(l[end])) {
        throw new ConfigError(
          `link ${l.from} -> ${l.to} names unknown switch "${l[end]}"`,
          `${where}.links[${i}].${end}`,
        );
      }
    }
  });
  const hosts = new Set<string>();
  let deployers = 0;
  spec.hosts.forEach((h, i) => {
    const at = `${where}.hosts[${i}]`;
    if (hosts.has(h.host) || switches.has(h.host))
      throw new ConfigError(`duplicate node "${h.host}"`, `${at}.host`);
    hosts.add(h.host);
    if (!switches.has(h.switch)) {
      throw new ConfigError(`host "${h.host}" attaches to unknown switch "${h.switch}"`, `${at}.switch`);
    }
    if (roleOf(h) === 'deployer' && ++deployers > 1) {
      throw new ConfigError(`host "${h.host}" is a second deployer (a fleet has one)`, `${at}.role`);
    }
  });
  if (!spec.hosts.some((h) => roleOf(h) === 'target')) {
    throw new ConfigError('the topology has no target host', `${where}.hosts`);
  }
}

function roleOf(h: CustomTopologySpec['hosts'][number]): Host['role'] {
  return h.role ?? (h.host === 'deployer' ? 'deployer' : 'target');
}

/**
 * The hosts and topology of an explicit topology.
 * @param where - the topology's location for errors, e.g. `scenario.json.topology`.
 * @throws ConfigError naming the entry (see the module comment).
 */
export function buildCustomTopology(
  spec: CustomTopologySpec,
  where = 'topology',
): { hosts: Host[]; topology: GraphTopology } {
  checkNames(spec, where);
  let topology: GraphTopology;
  try {
    topology = topologyFromSpec(spec);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(err.message.replace(/^topology: /, ''), where, { cause: err });
  }
  const hosts = spec.hosts.map((h): Host => {
    const role = roleOf(h);
    const limits = role === 'target' ? HOST_DEFAULTS.target : HOST_DEFAULTS.server;
    return {
      id: h.host,
      role,
      uplink: h.uplink,
      downlink: Math.min(h.downlink ?? h.uplink, h.importRate ?? Infinity),
      maxSends: h.maxSends ?? limits.maxSends,
      maxReceives: h.maxReceives ?? limits.maxReceives,
      tags: h.tags,
      ...(h.site !== undefined ? { site: h.site } : {}),
      ...(h.rack !== undefined ? { rack: h.rack } : {}),
    };
  });
  // Every host reaches the first host and is reached from it: then every pair is connected both ways.
  const first = hosts[0]!.id;
  hosts.forEach((h, i) => {
    const cut =
      topology.route(first, h.id) === null
        ? `from "${first}"`
        : topology.route(h.id, first) === null
          ? `to "${first}"`
          : undefined;
    if (cut !== undefined) {
      throw new ConfigError(`host "${h.id}" is disconnected: no route ${cut}`, `${where}.hosts[${i}].switch`);
    }
  });
  adoptHostIndex(hosts, topology.hostIds, topology.hostIndex);
  return { hosts, topology };
}
