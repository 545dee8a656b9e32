import type { DirectedGraph } from 'graphology';
import { ConfigError } from '../core/errors.js';
import type { Link } from '../core/topology.js';
import type { HostId } from '../core/types.js';

/**
 * What a topology is made of: switches, the directed links between them and where each host attaches,
 * as graphology attributes and as the plain parts a builder collects; plus the checks every way of
 * making one shares.
 */

/** Node attributes: a host (a leaf) or a switch/router. `group` names a rack or region. */
export interface TopologyNodeAttributes {
  kind: 'host' | 'switch';
  group?: string;
}

/**
 * Edge attributes. Access edges (host↔switch) carry only `latency`: a host's bandwidth is
 * `Host.uplink` / `Host.downlink`. Inter-switch links carry all three.
 */
export interface TopologyEdgeAttributes {
  /** One-way latency in seconds. */
  latency: number;
  /** Bytes per second (inter-switch links only). */
  bandwidth?: number;
  /** Price per 1e9 bytes carried (inter-switch links only). */
  pricePerGB?: number;
}

/** The graph type of a `GraphTopology`. */
export type TopologyGraph = DirectedGraph<TopologyNodeAttributes, TopologyEdgeAttributes>;

/** Options of one inter-switch link. */
export interface LinkOptions {
  /** Bytes per second (> 0). */
  readonly bandwidth: number;
  /** One-way latency in seconds (≥ 0). */
  readonly latency: number;
  /** Price per GB (1e9 bytes) carried; default 0. */
  readonly pricePerGB?: number;
}

/** A switch or router of a topology. */
export interface SwitchInfo {
  readonly id: string;
  /** The rack or region its hosts belong to (their `groupOf`), if any. */
  readonly group?: string;
}

/** Where a host attaches: its switch and the one-way latency of its access edge in each direction. */
export interface HostAttachment {
  readonly switch: string;
  /** Latency host → switch, seconds. */
  readonly up: number;
  /** Latency switch → host, seconds. */
  readonly down: number;
  /** Overrides the switch's group for this host. */
  readonly group?: string;
}

/**
 * Hosts and where they attach as parallel columns in insertion order, with their id → position map: what
 * a {@link TopologyBuilder} collects, so 1,000,000 hosts cost no object and no map entry each beyond the
 * one index. Must not change once handed to a topology.
 */
export interface HostColumns {
  /** `ids[i]` → `i`. */
  readonly index: ReadonlyMap<HostId, number>;
  readonly ids: readonly HostId[];
  /** The switch each host attaches to. */
  readonly switches: readonly string[];
  /** Latency host → switch and switch → host, seconds. */
  readonly up: readonly number[];
  readonly down: readonly number[];
  /** Group overrides by position (undefined: the switch's group); undefined when no host has one. */
  readonly groups: readonly (string | undefined)[] | undefined;
}

/** The parts a `GraphTopology` is made of (what `TopologyBuilder` collects). */
export interface TopologyParts {
  /** In insertion order. */
  readonly switches: readonly SwitchInfo[];
  /** Directed inter-switch links, ids `${from}->${to}`, in insertion order. */
  readonly links: readonly Link[];
  /** Every host, in insertion order (as a map, or as the columns a builder collects). */
  readonly hosts: ReadonlyMap<HostId, HostAttachment> | HostColumns;
}

/** Whether `hosts` is the column form. */
export function isHostColumns(hosts: TopologyParts['hosts']): hosts is HostColumns {
  return 'ids' in hosts && Array.isArray(hosts.ids);
}

/** A finite number ≥ 0. */
export function isNonNegative(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/** @throws ConfigError unless `id` is `${from}->${to}` with a bandwidth > 0 and finite latency and price ≥ 0. */
export function checkLink(
  id: string,
  from: string,
  to: string,
  bandwidth: unknown,
  latency: unknown,
  price: unknown,
): void {
  if (id !== `${from}->${to}`)
    throw new ConfigError(`link "${id}" must be keyed "${from}->${to}"`, 'topology');
  if (from === to) throw new ConfigError(`link "${id}" is a loop`, 'topology');
  if (typeof bandwidth !== 'number' || !(bandwidth > 0)) {
    throw new ConfigError(`link "${id}" needs a bandwidth > 0, got ${String(bandwidth)}`, 'topology');
  }
  if (!isNonNegative(latency))
    throw new ConfigError(`link "${id}" has invalid latency ${String(latency)}`, 'topology');
  if (!isNonNegative(price))
    throw new ConfigError(`link "${id}" has invalid pricePerGB ${String(price)}`, 'topology');
}
