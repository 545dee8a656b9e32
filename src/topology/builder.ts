import { ConfigError } from '../core/errors.js';
import type { Link } from '../core/topology.js';
import type { HostId } from '../core/types.js';
import { GraphTopology } from './graph.js';
import { type LinkOptions, type SwitchInfo, checkLink, isNonNegative } from './parts.js';

/**
 * Builds a {@link GraphTopology} step by step, checking each step. Presets and {@link topologyFromSpec}
 * use it; call {@link TopologyBuilder.build} once at the end.
 */
export class TopologyBuilder {
  readonly #switches: SwitchInfo[] = [];
  readonly #switchIds = new Set<string>();
  readonly #links: Link[] = [];
  readonly #linkIds = new Set<string>();
  /** Hosts as columns (see HostColumns): no object per host. */
  readonly #hostIndex = new Map<HostId, number>();
  readonly #hostIds: HostId[] = [];
  readonly #hostSwitches: string[] = [];
  readonly #hostLatency: number[] = [];
  #hostGroups: (string | undefined)[] | undefined;

  /**
   * Adds a switch or router; `group` is the rack/region its hosts belong to.
   * @throws ConfigError for a duplicate node id.
   */
  addSwitch(id: string, group?: string): this {
    this.#checkNewNode(id);
    this.#switchIds.add(id);
    this.#switches.push(group === undefined ? { id } : { id, group });
    return this;
  }

  /**
   * Adds the inter-switch link `from->to`, and `to->from` with the same options when `duplex` (default).
   * @throws ConfigError for an unknown switch, a duplicate link or an invalid option.
   */
  addLink(from: string, to: string, options: LinkOptions, duplex = true): this {
    for (const [s, t] of duplex ? [[from, to] as const, [to, from] as const] : [[from, to] as const]) {
      const id = `${s}->${t}`;
      if (!this.#switchIds.has(s) || !this.#switchIds.has(t)) {
        throw new ConfigError(`link "${id}" joins an unknown switch`, 'topology');
      }
      if (this.#linkIds.has(id)) throw new ConfigError(`duplicate link "${id}"`, 'topology');
      const pricePerGB = options.pricePerGB ?? 0;
      checkLink(id, s, t, options.bandwidth, options.latency, pricePerGB);
      this.#linkIds.add(id);
      this.#links.push({
        id,
        from: s,
        to: t,
        bandwidth: options.bandwidth,
        latency: options.latency,
        pricePerGB,
      });
    }
    return this;
  }

  /**
   * Attaches `host` to `switchId` by an access edge pair with `latency` seconds each way.
   * @param group - overrides the switch's group for this host.
   * @throws ConfigError for an unknown switch, a duplicate node or an invalid latency.
   */
  attachHost(host: HostId, switchId: string, latency: number, group?: string): this {
    if (!this.#switchIds.has(switchId)) {
      throw new ConfigError(`host "${host}" attaches to unknown switch "${switchId}"`, 'topology');
    }
    this.#checkNewNode(host);
    if (!isNonNegative(latency))
      throw new ConfigError(`host "${host}" has invalid access latency ${String(latency)}`, 'topology');
    const i = this.#hostIds.length;
    this.#hostIndex.set(host, i);
    this.#hostIds.push(host);
    this.#hostSwitches.push(switchId);
    this.#hostLatency.push(latency);
    if (group !== undefined) {
      this.#hostGroups ??= new Array<string | undefined>(i).fill(undefined);
      this.#hostGroups[i] = group;
    } else if (this.#hostGroups !== undefined) this.#hostGroups.push(undefined);
    return this;
  }

  /** The finished topology (the builder must not be used afterwards). */
  build(name: string): GraphTopology {
    const hosts = {
      index: this.#hostIndex,
      ids: this.#hostIds,
      switches: this.#hostSwitches,
      up: this.#hostLatency,
      down: this.#hostLatency,
      groups: this.#hostGroups,
    };
    return new GraphTopology(name, { switches: this.#switches, links: this.#links, hosts });
  }

  #checkNewNode(id: string): void {
    if (id.length === 0) throw new ConfigError('a topology node needs a non-empty id', 'topology');
    if (this.#switchIds.has(id) || this.#hostIndex.has(id)) {
      throw new ConfigError(`duplicate topology node "${id}"`, 'topology');
    }
  }
}
