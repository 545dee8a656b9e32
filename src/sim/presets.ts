import { z } from 'zod';
import { HOST_DEFAULTS } from '../core/defaults.js';
import { adoptHostIndex } from '../core/hostIndex.js';
import { deriveRng, type Rng } from '../core/random.js';
import type { Host, HostId, HostRole } from '../core/types.js';
import { rateDistributionSchema, sample, seededShuffle, type Distribution } from './synth/distributions.js';
import { parseSpec } from '../core/parseSpec.js';
import { durationSchema, rateSchema } from '../units/units.js';
import { GraphTopology, TopologyBuilder } from '../topology/index.js';

/**
 * Network presets: a fleet of hosts with drawn uplinks/downlinks and the topology they sit on, from one
 * small spec and a seed. Same spec + seed ⇒ identical hosts and graph.
 *
 * Defaults (documented here once; every one can be overridden in the spec):
 * - hosts: targets `host-1…host-N`, zero-padded to the width of N (`host-001…host-100`) so lexical order
 *   is numeric order; fleet order is `deployer`, then `cache` (when asked for), then the targets.
 * - targets: 1 Gbit/s (125e6 B/s) up and down, `maxSends` 1 and `maxReceives` 1 (one `nix copy` out and
 *   one in at a time: the reference's model, and what makes round counts comparable).
 * - deployer: 1 Gbit/s like a target (so cascades are compared against a deployer no faster than any
 *   host), `maxSends` 64 (push-parallel needs k copies at once), `maxReceives` 1.
 * - cache (optional): 1 Gbit/s, `maxSends` 64.
 * - access latency 0.1 ms per direction (so host-to-host on one switch is 0.2 ms one-way).
 */

/** The preset names, as the CLI and scenario files spell them. */
export const NETWORK_PRESETS = ['flat', 'racks', 'regions', 'heavy-tailed', 'homelab'] as const;
/** One of {@link NETWORK_PRESETS}. */
export type NetworkPreset = (typeof NETWORK_PRESETS)[number];

/** 1 Gbit/s in bytes per second. */
export const GIGABIT = HOST_DEFAULTS.rate;
const DEFAULT_ACCESS_LATENCY = 1e-4;

/** The deployer's and the cache's own settings: they serve many copies at once. */
const serverSchema = z.strictObject({
  uplink: rateSchema.default(GIGABIT),
  downlink: rateSchema.default(GIGABIT),
  maxSends: z.int().min(1).default(HOST_DEFAULTS.server.maxSends),
  maxReceives: z.int().min(1).default(HOST_DEFAULTS.server.maxReceives),
});

/**
 * Most target hosts a scenario may have: ten times the largest fleet measured (`bench/sim-scale.ts`:
 * 100,000 hosts in under 1 GiB), so a typo such as `--hosts 1e9` is an error, not an out-of-memory crash.
 */
export const MAX_HOSTS = 1_000_000;

const common = {
  /** Number of TARGET hosts (the deployer and cache come on top). */
  hosts: z.int().min(1).max(MAX_HOSTS),
  /** Target uplinks (bytes/s); a bare rate such as `"1gbit"` means constant. Default per preset. */
  uplink: rateDistributionSchema.optional(),
  /** Target downlinks; default: equal to each host's drawn uplink (heavy-tailed: 4×). */
  downlink: rateDistributionSchema.optional(),
  maxSends: z.int().min(1).default(HOST_DEFAULTS.target.maxSends),
  maxReceives: z.int().min(1).default(HOST_DEFAULTS.target.maxReceives),
  /** One-way latency of each host's access edge, per direction. */
  accessLatency: durationSchema.default(DEFAULT_ACCESS_LATENCY),
  deployer: serverSchema.prefault({}),
  /** A binary-cache host (role `cache`); absent = none. */
  cache: serverSchema.optional(),
};

/** Topology fields every preset takes (`preset` included); the rest belong to one preset. */
export const COMMON_TOPOLOGY_KEYS: ReadonlySet<string> = new Set(['preset', ...Object.keys(common)]);

/** zod schema of {@link NetworkSpec}: one object per preset, discriminated by `preset`. */
export const networkSpecSchema = z.discriminatedUnion('preset', [
  z.strictObject({ preset: z.literal('flat'), ...common }),
  z.strictObject({
    preset: z.literal('racks'),
    ...common,
    /** Number of racks; default ceil(hosts / 32). Targets fill racks in blocks (rack 1 first). */
    racks: z.int().min(1).optional(),
    /** Rack uplink = hostsPerRack × mean target uplink ÷ oversubscription. */
    oversubscription: z.number().positive().finite().default(4),
    /** Explicit ToR↔core bandwidth, overriding the oversubscription rule. */
    rackUplink: rateSchema.optional(),
    /** One-way latency of a ToR↔core link. */
    rackLinkLatency: durationSchema.default(1e-4),
    /** Where the deployer (and cache) sit: on the core switch (default) or in rack 1. */
    deployerPlacement: z.enum(['core', 'rack']).default('core'),
  }),
  z.strictObject({
    preset: z.literal('regions'),
    ...common,
    regions: z.int().min(1).default(3),
    /** Inter-region (WAN) link bandwidth, each direction: default 100 Mbit/s. */
    wanBandwidth: rateSchema.default(12.5e6),
    /** One-way WAN latency. */
    wanLatency: durationSchema.default(0.05),
    /** Cross-region egress price per GB. */
    wanPricePerGB: z.number().finite().min(0).default(0.02),
    /** `round-robin`: host i in region i mod R; `blocks`: contiguous runs. The deployer is in region 1. */
    placement: z.enum(['round-robin', 'blocks']).default('round-robin'),
  }),
  z.strictObject({
    preset: z.literal('heavy-tailed'),
    ...common,
    /** Downlink = factor × uplink when `downlink` is not given. */
    downlinkFactor: z.number().positive().finite().default(4),
  }),
  z.strictObject({
    preset: z.literal('homelab'),
    ...common,
    /** Fraction of targets on Wi-Fi (chosen by a seeded shuffle); the rest are wired. */
    wifiFraction: z.number().min(0).max(1).default(0.6),
    wifiUplink: rateDistributionSchema.default({ kind: 'uniform', min: 3.75e6, max: 10e6 }),
    wifiDownlink: rateDistributionSchema.default({ kind: 'uniform', min: 3.75e6, max: 10e6 }),
    /** One-way access latency of a Wi-Fi host (per direction). */
    wifiLatency: durationSchema.default(2e-3),
    /** The access point's shared link to the router (all Wi-Fi traffic crosses it): default 300 Mbit/s. */
    wifiBackhaul: rateSchema.default(37.5e6),
  }),
]);

/** A validated network spec (output of {@link networkSpecSchema}). */
export type NetworkSpec = z.output<typeof networkSpecSchema>;
/** What a scenario file may write for a network spec (input of {@link networkSpecSchema}). */
export type NetworkSpecInput = z.input<typeof networkSpecSchema>;

/** The result of {@link generateNetwork}. */
export interface GeneratedNetwork {
  /** Fleet order: deployer, cache (if any), targets. */
  readonly hosts: Host[];
  readonly topology: GraphTopology;
}

/** Target host ids `host-1…host-N`, zero-padded to the width of N so lexical order is numeric order. */
export function targetHostIds(count: number): HostId[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `host-${String(i + 1).padStart(width, '0')}`);
}

const PRESET_UPLINK: Record<NetworkPreset, Distribution> = {
  flat: { kind: 'constant', value: GIGABIT },
  racks: { kind: 'constant', value: GIGABIT },
  regions: { kind: 'constant', value: GIGABIT },
  // Most hosts near 25 Mbit/s, a few up to 10 Gbit/s (alpha 1.2: a little heavier than 80/20).
  'heavy-tailed': { kind: 'pareto', min: 3.125e6, alpha: 1.2, max: 1.25e9 },
  homelab: { kind: 'constant', value: GIGABIT },
};

interface HostDraft {
  id: HostId;
  role: HostRole;
  uplink: number;
  downlink: number;
  maxSends: number;
  maxReceives: number;
  tags: readonly string[];
  site?: string;
  rack?: string;
}

/**
 * Tag arrays shared by every host that has them: a million hosts then hold three arrays, not a million
 * (frozen, as hosts are never changed).
 */
const NO_TAGS: readonly string[] = Object.freeze([]);
const WIFI_TAGS: readonly string[] = Object.freeze(['wifi']);
const WIRED_TAGS: readonly string[] = Object.freeze(['wired']);

/** A fresh host of a draft, fields in the canonical order. */
function copyOf(d: HostDraft): Host {
  const host: Host = {
    id: d.id,
    role: d.role,
    uplink: d.uplink,
    downlink: d.downlink,
    maxSends: d.maxSends,
    maxReceives: d.maxReceives,
    tags: d.tags,
    ...(d.site !== undefined ? { site: d.site } : {}),
    ...(d.rack !== undefined ? { rack: d.rack } : {}),
  };
  return host;
}

/**
 * The host of a target's draft. A draft with neither site nor rack is used as it is: `drawTargets` made it
 * with exactly a host's fields in the canonical order, so it is as small as a copy (80 bytes), and making
 * no copy saves 1,000,000 short-lived objects at the largest fleets.
 */
function finish(d: HostDraft): Host {
  return d.site === undefined && d.rack === undefined ? d : copyOf(d);
}

/** Draws each target's uplink and downlink from per-field streams (host i's draws never shift). */
function drawTargets(
  ids: readonly HostId[],
  spec: NetworkSpec,
  up: Distribution,
  down: Distribution | ((uplink: number) => number),
  upRng: Rng,
  downRng: Rng,
): HostDraft[] {
  return ids.map((id) => {
    const uplink = sample(up, upRng);
    const downlink = typeof down === 'function' ? down(uplink) : sample(down, downRng);
    return {
      id,
      role: 'target',
      uplink,
      downlink,
      maxSends: spec.maxSends,
      maxReceives: spec.maxReceives,
      tags: NO_TAGS,
    };
  });
}

/**
 * Generates the hosts and topology of a preset network.
 *
 * - `flat`: one switch `switch`, everyone on it.
 * - `racks`: ToR switches `tor-01…` (groups `rack-01…`, `Host.rack` set) joined to `core`; targets fill
 *   racks in blocks; rack uplinks oversubscribed; deployer and cache on the core (or in rack 1).
 * - `regions`: one switch per region `region-1…` (group and `Host.site`), a full mesh of thin, slow, priced
 *   WAN links; deployer and cache in region 1.
 * - `heavy-tailed`: one switch; Pareto uplinks, downlink 4× uplink.
 * - `homelab`: wired hosts on `router`, Wi-Fi hosts (tag `wifi`, higher latency, 30–80 Mbit/s) on
 *   `wifi-ap`, whose shared backhaul to the router all Wi-Fi traffic crosses; groups `wired` / `wifi`.
 *
 * Randomness: streams `network/uplink`, `network/downlink`, `network/wifi`, `network/wifi-uplink`,
 * `network/wifi-downlink` under `seed`.
 * @param spec - a validated spec (parse input with {@link networkSpecSchema} or {@link parseNetworkSpec}).
 */
export function generateNetwork(spec: NetworkSpec, seed: number | string): GeneratedNetwork {
  const ids = targetHostIds(spec.hosts);
  const upRng = deriveRng(seed, 'network/uplink');
  const downRng = deriveRng(seed, 'network/downlink');
  const up = spec.uplink ?? PRESET_UPLINK[spec.preset];
  let down: Distribution | ((uplink: number) => number) = spec.downlink ?? ((u: number) => u);
  if (spec.preset === 'heavy-tailed' && spec.downlink === undefined) {
    const factor = spec.downlinkFactor;
    down = (u: number) => u * factor;
  }
  const deployer: HostDraft = { id: 'deployer', role: 'deployer', ...spec.deployer, tags: NO_TAGS };
  const cache: HostDraft | undefined = spec.cache && {
    id: 'cache',
    role: 'cache',
    ...spec.cache,
    tags: NO_TAGS,
  };
  const seeds = cache ? [deployer, cache] : [deployer];
  const b = new TopologyBuilder();
  const lat = spec.accessLatency;
  let targets: HostDraft[];

  switch (spec.preset) {
    case 'flat':
    case 'heavy-tailed': {
      targets = drawTargets(ids, spec, up, down, upRng, downRng);
      b.addSwitch('switch');
      for (const h of [...seeds, ...targets]) b.attachHost(h.id, 'switch', lat);
      break;
    }
    case 'racks': {
      targets = drawTargets(ids, spec, up, down, upRng, downRng);
      const racks = Math.min(spec.racks ?? Math.ceil(spec.hosts / 32), spec.hosts);
      const perRack = Math.ceil(spec.hosts / racks);
      const width = String(racks).length < 2 ? 2 : String(racks).length;
      const rackName = (r: number) => `rack-${String(r + 1).padStart(width, '0')}`;
      const torName = (r: number) => `tor-${String(r + 1).padStart(width, '0')}`;
      const meanUp = targets.reduce((s, h) => s + h.uplink, 0) / targets.length;
      const rackUplink = spec.rackUplink ?? (perRack * meanUp) / spec.oversubscription;
      b.addSwitch('core');
      for (let r = 0; r < racks; r++) {
        b.addSwitch(torName(r), rackName(r));
        b.addLink(torName(r), 'core', { bandwidth: rackUplink, latency: spec.rackLinkLatency });
      }
      for (const s of seeds) {
        if (spec.deployerPlacement === 'rack') {
          s.rack = rackName(0);
          b.attachHost(s.id, torName(0), lat);
        } else {
          b.attachHost(s.id, 'core', lat);
        }
      }
      targets.forEach((h, i) => {
        const r = Math.floor(i / perRack);
        h.rack = rackName(r);
        b.attachHost(h.id, torName(r), lat);
      });
      break;
    }
    case 'regions': {
      targets = drawTargets(ids, spec, up, down, upRng, downRng);
      const n = spec.regions;
      const width = String(n).length;
      const region = (r: number) => `region-${String(r + 1).padStart(width, '0')}`;
      for (let r = 0; r < n; r++) b.addSwitch(region(r), region(r));
      const wan = { bandwidth: spec.wanBandwidth, latency: spec.wanLatency, pricePerGB: spec.wanPricePerGB };
      for (let r = 0; r < n; r++) for (let q = r + 1; q < n; q++) b.addLink(region(r), region(q), wan);
      for (const s of seeds) {
        s.site = region(0);
        b.attachHost(s.id, region(0), lat);
      }
      const perRegion = Math.ceil(spec.hosts / n);
      targets.forEach((h, i) => {
        const r = spec.placement === 'round-robin' ? i % n : Math.floor(i / perRegion);
        h.site = region(r);
        b.attachHost(h.id, region(r), lat);
      });
      break;
    }
    case 'homelab': {
      const wifiCount = Math.round(spec.hosts * spec.wifiFraction);
      const wifi = new Set(seededShuffle(ids, deriveRng(seed, 'network/wifi')).slice(0, wifiCount));
      const wifiUp = deriveRng(seed, 'network/wifi-uplink');
      const wifiDown = deriveRng(seed, 'network/wifi-downlink');
      targets = ids.map((id) => {
        if (!wifi.has(id)) return drawTargets([id], spec, up, down, upRng, downRng)[0]!;
        const uplink = sample(spec.wifiUplink, wifiUp);
        const downlink = sample(spec.wifiDownlink, wifiDown);
        const role: HostRole = 'target';
        return {
          id,
          role,
          uplink,
          downlink,
          maxSends: spec.maxSends,
          maxReceives: spec.maxReceives,
          tags: WIFI_TAGS,
        };
      });
      b.addSwitch('router', 'wired');
      b.addSwitch('wifi-ap', 'wifi');
      b.addLink('wifi-ap', 'router', { bandwidth: spec.wifiBackhaul, latency: 5e-4 });
      for (const s of seeds) b.attachHost(s.id, 'router', lat);
      for (const h of targets) {
        if (wifi.has(h.id)) b.attachHost(h.id, 'wifi-ap', spec.wifiLatency);
        else {
          h.tags = WIRED_TAGS;
          b.attachHost(h.id, 'router', lat);
        }
      }
      break;
    }
  }
  const hosts: Host[] = seeds.map(copyOf);
  for (const h of targets) hosts.push(finish(h));
  const topology = b.build(spec.preset);
  // Hosts were attached in fleet order: the fleet's host index is the topology's (one map, not two).
  adoptHostIndex(hosts, topology.hostIds, topology.hostIndex);
  return { hosts, topology };
}

/**
 * Validates a network spec (e.g. from a scenario file or CLI flags) and fills in the defaults.
 * @throws ConfigError naming the first bad field, e.g. `network.racks`.
 */
export function parseNetworkSpec(input: unknown, where = 'network'): NetworkSpec {
  return parseSpec(networkSpecSchema, input, where);
}
