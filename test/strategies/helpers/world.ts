import { DirectedGraph } from 'graphology';
import { ClosureGraph } from '../../../src/core/closure.js';
import type { Route, Topology } from '../../../src/core/topology.js';
import type { Fleet, Host, HostId, PathId, StorePath } from '../../../src/core/types.js';

/** Knobs of the tiny test topology: everything optional, defaults are one flat switch. */
export interface TestTopologyOptions {
  readonly groupOf?: (h: HostId) => string | undefined;
  /** Route bottleneck between two hosts (default Infinity). */
  readonly bottleneck?: (from: HostId, to: HostId) => number;
  readonly latency?: (from: HostId, to: HostId) => number;
  readonly pricePerByte?: (from: HostId, to: HostId) => number;
  /** Pairs without any route. */
  readonly noRoute?: (from: HostId, to: HostId) => boolean;
}

/** A Topology without a graph behind it, for strategy unit tests. */
export function testTopology(o: TestTopologyOptions = {}): Topology {
  const cache = new Map<string, Route | null>();
  return {
    name: 'custom',
    graph: new DirectedGraph(),
    route(from, to) {
      const key = `${from}\u0000${to}`;
      let r = cache.get(key);
      if (r === undefined) {
        r = o.noRoute?.(from, to)
          ? null
          : {
              links: [],
              latency: o.latency?.(from, to) ?? 0,
              bottleneck: o.bottleneck?.(from, to) ?? Infinity,
              pricePerByte: o.pricePerByte?.(from, to) ?? 0,
            };
        cache.set(key, r);
      }
      return r;
    },
    link(id) {
      throw new Error(`no link ${id}`);
    },
    groupOf: (h) => o.groupOf?.(h),
  };
}

/** A host with test defaults (1 MB/s links, one send and one receive at a time). */
export function host(id: HostId, over: Partial<Host> = {}): Host {
  return {
    id,
    role: 'target',
    uplink: 1e6,
    downlink: 1e6,
    maxSends: 1,
    maxReceives: 1,
    tags: [],
    ...over,
  };
}

/** A closure of `n` paths `p0…` where p_i references p_{i-1} (a chain), each `size` bytes. */
export function chainPaths(n: number, size = 1e6, prefix = 'p'): StorePath[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    narSize: size,
    references: i === 0 ? [] : [`${prefix}${i - 1}`],
  }));
}

/** A world for a strategy run: fleet, closure, topology. */
export interface World {
  readonly fleet: Fleet;
  readonly closure: ClosureGraph;
  readonly topology: Topology;
}

/** Options of {@link flatWorld}. */
export interface FlatWorldOptions {
  readonly targets: number;
  readonly paths?: number;
  readonly maxSends?: number;
  readonly maxReceives?: number;
  readonly deployerMaxSends?: number;
  readonly topology?: TestTopologyOptions;
}

/**
 * `targets` equal targets `t0…` wanting one chain closure, then a `deployer` holding all of it
 * (fleet order: targets first, as the coordinator's events list them).
 */
export function flatWorld(o: FlatWorldOptions): World {
  const paths = chainPaths(o.paths ?? 3);
  const ids = paths.map((p) => p.id);
  const hosts: Host[] = [];
  const wants = new Map<HostId, readonly PathId[]>();
  for (let i = 0; i < o.targets; i++) {
    const id = `t${i}`;
    hosts.push(host(id, { maxSends: o.maxSends ?? 1, maxReceives: o.maxReceives ?? 1 }));
    wants.set(id, ids);
  }
  hosts.push(host('deployer', { role: 'deployer', maxSends: o.deployerMaxSends ?? o.maxSends ?? 1 }));
  return {
    fleet: { hosts, wants, initialHave: new Map([['deployer', ids]]) },
    closure: new ClosureGraph(paths),
    topology: testTopology(o.topology),
  };
}
