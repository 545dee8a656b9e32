import type { AbstractGraph } from 'graphology-types';
import type { HostId } from './types.js';

/** A directed topology link between two network nodes (switches, routers, or a host's access port). */
export interface Link {
  /** `${from}->${to}`: the graphology edge key. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Bytes per second. */
  readonly bandwidth: number;
  /** One-way latency in seconds. */
  readonly latency: number;
  /** Price of carrying one gigabyte (1e9 bytes) over this link, e.g. cloud egress; 0 when free. */
  readonly pricePerGB: number;
}

/**
 * How the bytes of a host-to-host transfer travel. A host's own uplink and downlink are not links
 * here: they are `Host.uplink` / `Host.downlink`, and network models add them themselves.
 */
export interface Route {
  /** Directed link ids crossed, in order (empty when both hosts hang off the same switch). */
  readonly links: readonly string[];
  /** One-way latency in seconds, access latency of both hosts included. */
  readonly latency: number;
  /** Least bandwidth over `links` (Infinity when `links` is empty). */
  readonly bottleneck: number;
  /** Price in currency units per byte carried (sum over links). */
  readonly pricePerByte: number;
}

/**
 * The network a fleet lives on: a graphology graph whose nodes are hosts and switches. Implementations
 * (src/sim/topology) must add edges with explicit keys so iteration order, and with it every trace, is
 * deterministic.
 */
export interface Topology {
  /** Preset name (`flat`, `racks`, `regions`, `heavy-tailed`, `homelab`) or `custom`. */
  readonly name: string;
  readonly graph: AbstractGraph;
  /** The route from one host to another, or null when no path exists. Results are cached. */
  route(from: HostId, to: HostId): Route | null;
  /** @throws ConfigError for an unknown link id. */
  link(id: string): Link;
  /**
   * The host's group at the topology's coarsest thin boundary (its rack in `racks`, its region in
   * `regions`), or undefined on a flat network. Cost-aware strategies keep one copy per group crossing.
   */
  groupOf(host: HostId): string | undefined;
  /**
   * Whether some link has a price (`pricePerGB > 0`); when false, every route's `pricePerByte` is 0 and
   * callers may skip the look-up. Optional: absent means "maybe".
   */
  hasPrices?(): boolean;
  /**
   * Host id → position, when the topology indexes its hosts by position (optional). A caller holding the
   * very same map (a fleet whose index the topology's is: see `adoptHostIndex`) may ask
   * {@link Topology.routeAt} with its own positions.
   */
  readonly hostIndex?: ReadonlyMap<HostId, number>;
  /** {@link Topology.route} between the hosts at positions `from` and `to` of `hostIndex` (distinct, valid). */
  routeAt?(from: number, to: number): Route | null;
}
