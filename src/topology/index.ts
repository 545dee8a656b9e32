/**
 * Topologies: the graphology-backed implementation of the core `Topology` interface, shared by the
 * simulator and the real executor. One job per file: the parts and their checks (`parts`), routing between
 * switches (`switchGraph`, `dijkstraHeap`), the topology itself (`graph`), step-by-step construction
 * (`builder`) and hand-written topologies in scenario files (`spec`).
 */
export { GraphTopology } from './graph.js';
export { TopologyBuilder } from './builder.js';
export { topologySpecSchema, topologyFromSpec, type TopologySpec } from './spec.js';
export type {
  HostAttachment,
  LinkOptions,
  SwitchInfo,
  TopologyEdgeAttributes,
  TopologyGraph,
  TopologyNodeAttributes,
  TopologyParts,
} from './parts.js';
