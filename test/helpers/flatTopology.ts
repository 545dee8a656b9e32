import { DirectedGraph } from 'graphology';
import type { Link, Route, Topology } from '../../src/core/topology.js';
import type { Host } from '../../src/core/types.js';

/** A one-switch LAN for core tests: every route has no links, `latency` seconds and the given price. */
export function flatTopology(hosts: readonly Host[], latency = 0, pricePerByte = 0): Topology {
  const graph = new DirectedGraph();
  graph.addNode('switch', { kind: 'switch' });
  for (const h of hosts) {
    graph.addNode(h.id, { kind: 'host' });
    graph.addEdgeWithKey(`${h.id}->switch`, h.id, 'switch', { latency: latency / 2 });
    graph.addEdgeWithKey(`switch->${h.id}`, 'switch', h.id, { latency: latency / 2 });
  }
  const route: Route = { links: [], latency, bottleneck: Infinity, pricePerByte };
  return {
    name: 'flat',
    graph,
    route: (a, b) => (graph.hasNode(a) && graph.hasNode(b) ? route : null),
    link: (id): Link => {
      throw new Error(`no link ${id}`);
    },
    groupOf: () => undefined,
  };
}
