import { DirectedGraph } from 'graphology';
import { ConfigError } from '../core/errors.js';
import type { Link, Route, Topology } from '../core/topology.js';
import type { HostId } from '../core/types.js';
import {
  type HostAttachment,
  type HostColumns,
  type SwitchInfo,
  type TopologyEdgeAttributes,
  type TopologyGraph,
  type TopologyNodeAttributes,
  type TopologyParts,
  checkLink,
  isHostColumns,
  isNonNegative,
} from './parts.js';
import { SwitchGraph, type CoreRoute } from './switchGraph.js';

/**
 * A {@link Topology} as a graphology graph: hosts are leaves hanging off exactly one switch; switches (and
 * routers) are joined by directed links with bandwidth, latency and price (routing: {@link SwitchGraph}).
 */

/** Routes kept per core route and access latencies, so hosts with equal latencies share one object. */
const ROUTES_PER_CORE = 64;

/**
 * A {@link Topology}: hosts hanging off switches, switches joined by directed links.
 *
 * Routes: host a's switch → least-latency switch path (Dijkstra as graphology-shortest-path runs it, ties
 * broken by insertion order) → host b's switch. `links` are the inter-switch link ids crossed, `latency`
 * includes both access edges, `bottleneck` is the least link bandwidth (Infinity without links) and
 * `pricePerByte` is Σ pricePerGB / 1e9. Routes are cached per switch pair, so route() is O(1) amortised.
 *
 * `graph` is the graphology graph of it all (hosts with `kind: 'host'`, switches with `kind: 'switch'`,
 * edges keyed `${from}->${to}`). Built by {@link TopologyBuilder}, it is materialised on first access:
 * routing never needs it, and 100,000 host nodes with 200,000 access edges cost more than a second to
 * insert into graphology, which a simulation run that never looks at them should not pay.
 */
export class GraphTopology implements Topology {
  readonly name: string;
  #graph: TopologyGraph | undefined;
  readonly #parts: Pick<TopologyParts, 'switches' | 'links'>;
  /**
   * Hosts by position (insertion order): id → position, and per position the switch index, the access
   * latencies and a group override. Columns, not an object per host: a flat LAN of 1,000,000 hosts keeps
   * one map and a few arrays.
   */
  readonly #hostIndex: ReadonlyMap<HostId, number>;
  readonly #hostIds: readonly HostId[];
  readonly #switchOf: Int32Array;
  readonly #up: Float64Array;
  readonly #down: Float64Array;
  readonly #groups: readonly (string | undefined)[] | undefined;
  readonly #switches: SwitchGraph;
  /** Route objects per core route, keyed by `up` then `down` latency (bounded: see ROUTES_PER_CORE). */
  readonly #routeObjects = new Map<object, Map<number, Map<number, Route>>>();
  #routeObjectCount = 0;
  #priced: boolean | undefined;
  #lastCore: CoreRoute | undefined;
  #lastUp = NaN;
  #lastDown = NaN;
  #lastObject: Route | undefined;
  /** The last pair asked for: strategies ask for one edge's route and rate in a row. */
  #lastFrom: HostId | undefined;
  #lastTo: HostId | undefined;
  #lastRoute: Route | null = null;

  /**
   * Prefer {@link TopologyBuilder} or {@link GraphTopology.fromGraph}.
   * @param graph - the graph these parts came from, if any (kept as `graph` instead of rebuilding one).
   * @throws ConfigError for duplicate or unknown nodes, badly keyed links or invalid attributes.
   */
  constructor(name: string, parts: TopologyParts, graph?: TopologyGraph) {
    this.name = name;
    this.#parts = { switches: parts.switches, links: parts.links };
    this.#graph = graph;
    this.#switches = new SwitchGraph(parts.switches, parts.links);
    const cols = isHostColumns(parts.hosts) ? parts.hosts : columnsOf(parts.hosts);
    const n = cols.ids.length;
    this.#hostIndex = cols.index;
    this.#hostIds = cols.ids;
    this.#switchOf = new Int32Array(n);
    this.#up = Float64Array.from(cols.up);
    this.#down = cols.down === cols.up ? this.#up : Float64Array.from(cols.down);
    this.#groups = cols.groups;
    for (let i = 0; i < n; i++) {
      const host = cols.ids[i]!;
      const sw = cols.switches[i]!;
      const switchIndex = this.#switches.indexOf(sw);
      if (switchIndex === undefined) {
        throw new ConfigError(`host "${host}" attaches to unknown switch "${sw}"`, 'topology');
      }
      if (this.#switches.indexOf(host) !== undefined)
        throw new ConfigError(`host "${host}" has a switch's name`, 'topology');
      if (!isNonNegative(cols.up[i]) || !isNonNegative(cols.down[i])) {
        throw new ConfigError(`host "${host}" has an invalid access latency`, 'topology');
      }
      this.#switchOf[i] = switchIndex;
    }
  }

  /** Host ids in insertion order (position = index), and the id → position map; neither may be changed. */
  get hostIds(): readonly HostId[] {
    return this.#hostIds;
  }

  get hostIndex(): ReadonlyMap<HostId, number> {
    return this.#hostIndex;
  }

  /**
   * A topology over an existing graphology graph (nodes `kind: 'host' | 'switch'`, optional `group`; each
   * host attached to exactly one switch by edges both ways carrying `latency`; inter-switch edges carrying
   * `bandwidth`, `latency`, optional `pricePerGB`; every edge keyed `${from}->${to}`). The graph must not
   * change afterwards: routes are cached.
   * @throws ConfigError naming the bad node or edge.
   */
  static fromGraph(name: string, graph: TopologyGraph): GraphTopology {
    const switches: SwitchInfo[] = [];
    const links: Link[] = [];
    const hosts = new Map<HostId, HostAttachment>();
    graph.forEachNode((node, attrs) => {
      if (attrs.kind === 'switch') {
        switches.push(attrs.group === undefined ? { id: node } : { id: node, group: attrs.group });
      } else if (attrs.kind !== 'host') {
        throw new ConfigError(
          `node "${node}" has kind ${String(attrs.kind)} (expected host or switch)`,
          'topology',
        );
      }
    });
    for (const sw of switches) {
      graph.forEachOutEdge(sw.id, (key, attrs, from, to, _fromAttrs, toAttrs) => {
        if (toAttrs.kind !== 'switch') return; // an access edge: checked with its host
        const pricePerGB = attrs.pricePerGB ?? 0;
        checkLink(key, from, to, attrs.bandwidth, attrs.latency, pricePerGB);
        links.push({ id: key, from, to, bandwidth: attrs.bandwidth!, latency: attrs.latency, pricePerGB });
      });
    }
    graph.forEachNode((node, attrs) => {
      if (attrs.kind !== 'host') return;
      let sw: string | undefined;
      let up = 0;
      let count = 0;
      graph.forEachOutEdge(node, (key, edge, _from, to, _fa, toAttrs) => {
        if (toAttrs.kind !== 'switch') {
          throw new ConfigError(`edge "${key}" joins two hosts; hosts attach to switches`, 'topology');
        }
        if (key !== `${node}->${to}`)
          throw new ConfigError(`edge "${key}" must be keyed "${node}->${to}"`, 'topology');
        sw = to;
        up = edge.latency;
        count++;
      });
      if (count !== 1 || sw === undefined) {
        throw new ConfigError(
          `host "${node}" must attach to exactly one switch (has ${count} uplinks)`,
          'topology',
        );
      }
      const backKey = `${sw}->${node}`;
      if (graph.inDegree(node) !== 1 || !graph.hasEdge(backKey)) {
        throw new ConfigError(
          `host "${node}" needs exactly one edge back from its switch "${sw}", keyed "${backKey}"`,
          'topology',
        );
      }
      const down = graph.getEdgeAttribute(backKey, 'latency');
      hosts.set(
        node,
        attrs.group === undefined ? { switch: sw, up, down } : { switch: sw, up, down, group: attrs.group },
      );
    });
    return new GraphTopology(name, { switches, links, hosts }, graph);
  }

  /**
   * The graphology graph: switches, then hosts, each host followed by its access edges `host->switch` and
   * `switch->host` (attribute `latency`); inter-switch edges carry `bandwidth`, `latency`, `pricePerGB`.
   * Built on first access when the topology came from a {@link TopologyBuilder}.
   */
  get graph(): TopologyGraph {
    this.#graph ??= this.#materialise();
    return this.#graph;
  }

  /** Whether any inter-switch link has a price (access edges never do). */
  hasPrices(): boolean {
    this.#priced ??= this.#parts.links.some((l) => l.pricePerGB > 0);
    return this.#priced;
  }

  /** Host ids, in insertion order. */
  hosts(): IterableIterator<HostId> {
    return this.#hostIndex.keys();
  }

  /** Switch ids, in insertion order. */
  switches(): readonly string[] {
    return this.#switches.ids;
  }

  /** Every inter-switch link (access edges excluded), grouped by source switch in insertion order. */
  links(): IterableIterator<Link> {
    return this.#switches.links();
  }

  /** True when `host` is a host of this topology. */
  hasHost(host: HostId): boolean {
    return this.#hostIndex.has(host);
  }

  /**
   * The switch `host` hangs off.
   * @throws ConfigError for an unknown host.
   */
  switchOf(host: HostId): string {
    return this.#switches.ids[this.#switchOf[this.#port(host)]!]!;
  }

  /** @throws ConfigError for an unknown host. */
  groupOf(host: HostId): string | undefined {
    const i = this.#port(host);
    return this.#groups?.[i] ?? this.#parts.switches[this.#switchOf[i]!]!.group;
  }

  /**
   * An inter-switch link, or an access edge (`host->switch`, `switch->host`: bandwidth Infinity, since
   * a host's own bandwidth is `Host.uplink`/`downlink`, and no price).
   * @throws ConfigError for an unknown link id.
   */
  link(id: string): Link {
    const l = this.#switches.link(id);
    if (l !== undefined) return l;
    const arrow = id.indexOf('->');
    if (arrow > 0) {
      const from = id.slice(0, arrow);
      const to = id.slice(arrow + 2);
      const up = this.#hostIndex.get(from);
      if (up !== undefined && this.#switches.ids[this.#switchOf[up]!] === to) {
        return { id, from, to, bandwidth: Infinity, latency: this.#up[up]!, pricePerGB: 0 };
      }
      const down = this.#hostIndex.get(to);
      if (down !== undefined && this.#switches.ids[this.#switchOf[down]!] === from) {
        return { id, from, to, bandwidth: Infinity, latency: this.#down[down]!, pricePerGB: 0 };
      }
    }
    throw new ConfigError(`unknown link "${id}"`, 'topology');
  }

  /**
   * The route from host `from` to host `to`, or null when their switches are not connected. A host's route
   * to itself is empty with zero latency.
   * @throws ConfigError for an unknown host.
   */
  route(from: HostId, to: HostId): Route | null {
    if (from === this.#lastFrom && to === this.#lastTo) return this.#lastRoute;
    const a = this.#port(from);
    const b = this.#port(to);
    if (from === to) return { links: [], latency: 0, bottleneck: Infinity, pricePerByte: 0 };
    const route = this.routeAt(a, b);
    this.#lastFrom = from;
    this.#lastTo = to;
    this.#lastRoute = route;
    return route;
  }

  /** {@link GraphTopology.route} between the hosts at positions `a` and `b` of `hostIndex` (distinct). */
  routeAt(a: number, b: number): Route | null {
    const core = this.#switches.route(this.#switchOf[a]!, this.#switchOf[b]!);
    if (core === null) return null;
    const up = this.#up[a]!;
    const down = this.#down[b]!;
    // Hosts on a flat LAN share one latency pair: the last route object answers most questions.
    if (core === this.#lastCore && up === this.#lastUp && down === this.#lastDown) return this.#lastObject!;
    const route = this.#routeObject(core, up, down);
    this.#lastCore = core;
    this.#lastUp = up;
    this.#lastDown = down;
    this.#lastObject = route;
    return route;
  }

  /**
   * The route over `core` between hosts with access latencies `up` and `down`: one shared, frozen object per
   * distinct triple (routes are immutable), so a 1,000,000-host run does not allocate a route per question.
   * Past {@link ROUTES_PER_CORE} latency pairs per core route (hosts with individual latencies), fresh
   * objects.
   */
  #routeObject(core: CoreRoute, up: number, down: number): Route {
    let byUp = this.#routeObjects.get(core);
    if (!byUp) this.#routeObjects.set(core, (byUp = new Map<number, Map<number, Route>>()));
    let byDown = byUp.get(up);
    const hit = byDown?.get(down);
    if (hit) return hit;
    const route: Route = Object.freeze({
      links: core.links,
      latency: up + core.latency + down,
      bottleneck: core.bottleneck,
      pricePerByte: core.pricePerByte,
    });
    if (this.#routeObjectCount >= ROUTES_PER_CORE * (this.#routeObjects.size + 1)) return route;
    if (!byDown) byUp.set(up, (byDown = new Map<number, Route>()));
    byDown.set(down, route);
    this.#routeObjectCount++;
    return route;
  }

  #materialise(): TopologyGraph {
    const g: TopologyGraph = new DirectedGraph<TopologyNodeAttributes, TopologyEdgeAttributes>();
    for (const sw of this.#parts.switches) {
      g.addNode(sw.id, sw.group === undefined ? { kind: 'switch' } : { kind: 'switch', group: sw.group });
    }
    for (const l of this.#parts.links) {
      g.addDirectedEdgeWithKey(l.id, l.from, l.to, {
        bandwidth: l.bandwidth,
        latency: l.latency,
        pricePerGB: l.pricePerGB,
      });
    }
    const switchIds = this.#switches.ids;
    for (let i = 0; i < this.#hostIds.length; i++) {
      const host = this.#hostIds[i]!;
      const at = switchIds[this.#switchOf[i]!]!;
      const group = this.#groups?.[i];
      g.addNode(host, group === undefined ? { kind: 'host' } : { kind: 'host', group });
      g.addDirectedEdgeWithKey(`${host}->${at}`, host, at, { latency: this.#up[i]! });
      g.addDirectedEdgeWithKey(`${at}->${host}`, at, host, { latency: this.#down[i]! });
    }
    return g;
  }

  /** The host's position. @throws ConfigError for an unknown host. */
  #port(host: HostId): number {
    const p = this.#hostIndex.get(host);
    if (p === undefined) throw new ConfigError(`unknown host "${host}"`, 'topology');
    return p;
  }
}

/** The column form of a host map (attachments in its order). */
function columnsOf(hosts: ReadonlyMap<HostId, HostAttachment>): HostColumns {
  const index = new Map<HostId, number>();
  const ids: HostId[] = [];
  const switches: string[] = [];
  const up: number[] = [];
  const down: number[] = [];
  let groups: (string | undefined)[] | undefined;
  for (const [host, at] of hosts) {
    if (at.group !== undefined) groups ??= new Array<string | undefined>(ids.length).fill(undefined);
    groups?.push(at.group);
    index.set(host, ids.length);
    ids.push(host);
    switches.push(at.switch);
    up.push(at.up);
    down.push(at.down);
  }
  return { index, ids, switches, up, down, groups };
}
