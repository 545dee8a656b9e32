import { DirectedGraph } from 'graphology';
import { ClosureGraph } from '../../../src/core/closure.js';
import type { Link, Route, Topology } from '../../../src/core/topology.js';
import type { Host, HostId, PathId, Transfer } from '../../../src/core/types.js';
import { EventQueue } from '../../../src/sim/eventQueue.js';
import type { NetEvent, NetworkModel } from '../../../src/sim/network/model.js';

/** A switch-to-switch link of a test topology. */
export interface SimpleLinkSpec {
  readonly from: string;
  readonly to: string;
  readonly bandwidth: number;
  readonly latency?: number;
  /** Also add the reverse direction (same bandwidth and latency). */
  readonly both?: boolean;
}

/** Options of {@link simpleTopology}. */
export interface SimpleTopologyOptions {
  readonly hosts: readonly HostId[];
  /** Switch each host hangs off (default: all on `sw`). */
  readonly attach?: Readonly<Record<HostId, string>>;
  readonly links?: readonly SimpleLinkSpec[];
  /** One-way latency of each host's access port (a route pays two). Default 0. */
  readonly accessLatency?: number;
}

/**
 * A tiny Topology for simulator tests: hosts on switches, directed switch links with bandwidth and
 * latency, fewest-hop routes (ties by link insertion order). Host access ports are graph edges but not
 * route links (the network models add host up/downlinks themselves).
 */
export function simpleTopology(opts: SimpleTopologyOptions): Topology {
  const graph = new DirectedGraph();
  const access = opts.accessLatency ?? 0;
  const links = new Map<string, Link>();
  const out = new Map<string, Link[]>();
  const switchOf = (h: HostId): string => opts.attach?.[h] ?? 'sw';
  const addSwitch = (s: string): void => {
    if (!graph.hasNode(s)) graph.addNode(s, { kind: 'switch' });
    if (!out.has(s)) out.set(s, []);
  };
  for (const h of opts.hosts) {
    const s = switchOf(h);
    addSwitch(s);
    graph.addNode(h, { kind: 'host' });
    graph.addEdgeWithKey(`${h}->${s}`, h, s, { latency: access });
    graph.addEdgeWithKey(`${s}->${h}`, s, h, { latency: access });
  }
  const addLink = (from: string, to: string, bandwidth: number, latency: number): void => {
    addSwitch(from);
    addSwitch(to);
    const id = `${from}->${to}`;
    const link: Link = { id, from, to, bandwidth, latency, pricePerGB: 0 };
    links.set(id, link);
    out.get(from)!.push(link);
    graph.addEdgeWithKey(id, from, to, { bandwidth, latency });
  };
  for (const l of opts.links ?? []) {
    addLink(l.from, l.to, l.bandwidth, l.latency ?? 0);
    if (l.both === true) addLink(l.to, l.from, l.bandwidth, l.latency ?? 0);
  }
  const hostSet = new Set(opts.hosts);
  const cache = new Map<string, Route | null>();

  const route = (a: HostId, b: HostId): Route | null => {
    if (!hostSet.has(a) || !hostSet.has(b)) return null;
    const key = `${a}\u0000${b}`;
    if (cache.has(key)) return cache.get(key)!;
    const sa = switchOf(a);
    const sb = switchOf(b);
    // BFS over switches (fewest hops).
    const prev = new Map<string, Link | null>([[sa, null]]);
    const queue = [sa];
    for (let i = 0; i < queue.length && !prev.has(sb); i++) {
      for (const l of out.get(queue[i]!)!) {
        if (!prev.has(l.to)) {
          prev.set(l.to, l);
          queue.push(l.to);
        }
      }
    }
    let r: Route | null = null;
    if (prev.has(sb)) {
      const path: Link[] = [];
      for (let l = prev.get(sb)!; l !== null; l = prev.get(l.from)!) path.unshift(l);
      r = {
        links: path.map((l) => l.id),
        latency: 2 * access + path.reduce((s, l) => s + l.latency, 0),
        bottleneck: path.reduce((m, l) => Math.min(m, l.bandwidth), Infinity),
        pricePerByte: 0,
      };
    }
    cache.set(key, r);
    return r;
  };

  return {
    name: 'custom',
    graph,
    route,
    link: (id) => {
      const l = links.get(id);
      if (l === undefined) throw new Error(`no link ${id}`);
      return l;
    },
    groupOf: (h) => (opts.attach === undefined ? undefined : switchOf(h)),
  };
}

/** Hosts `h0..h{n-1}` with the given up/downlink (bytes/s). */
export function makeHosts(n: number, uplink: number, downlink = uplink): Host[] {
  return Array.from({ length: n }, (_, i) => host(`h${i}`, uplink, downlink));
}

/** One target host. */
export function host(id: HostId, uplink: number, downlink = uplink): Host {
  return { id, role: 'target', uplink, downlink, maxSends: 1000, maxReceives: 1000, tags: [] };
}

/** A chain closure `p0 ← p1 ← …` (each references the previous) with the given NAR sizes. */
export function chainClosure(sizes: readonly number[], prefix = 'p'): ClosureGraph {
  return new ClosureGraph(
    sizes.map((narSize, i) => ({
      id: `${prefix}${i}`,
      narSize,
      references: i === 0 ? [] : [`${prefix}${i - 1}`],
    })),
  );
}

/** A transfer of the given paths (bytes summed from `closure`). */
export function transfer(
  closure: ClosureGraph,
  id: number,
  from: HostId,
  to: HostId,
  paths: readonly PathId[],
  round = 0,
): Transfer {
  return { id, from, to, paths, bytes: closure.bytes(paths), round };
}

/** Drives a network model alone: its own queue and clock, no executor. */
export class ModelDriver {
  readonly queue = new EventQueue<NetEvent>();
  readonly model: NetworkModel;
  now = 0;

  constructor(make: (queue: EventQueue<NetEvent>) => NetworkModel) {
    this.model = make(this.queue);
  }

  /** Starts a batch now; transfers get their route from `topology`. */
  start(
    topology: Topology,
    batch: ReadonlyArray<{ id: number; from: HostId; to: HostId; bytes: number; maxRate?: number }>,
  ): void {
    this.model.start(
      batch.map((t) => ({ ...t, route: topology.route(t.from, t.to)! })),
      this.now,
    );
  }

  /** Advances to the next completion; returns it, or undefined when nothing is left. */
  step(): { id: number; at: number } | undefined {
    for (;;) {
      this.model.flush(this.now);
      const e = this.queue.pop();
      if (e === undefined) return undefined;
      if (e.time < this.now) throw new Error(`time went backwards: ${e.time} < ${this.now}`);
      this.now = e.time;
      const id = this.model.handle(e.payload, this.now);
      if (id !== undefined) return { id, at: this.now };
    }
  }

  /** Runs to the end; completion time per transfer id. */
  runAll(): Map<number, number> {
    const done = new Map<number, number>();
    for (let c = this.step(); c !== undefined; c = this.step()) done.set(c.id, c.at);
    return done;
  }
}
