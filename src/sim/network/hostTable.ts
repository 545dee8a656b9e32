import { ConfigError } from '../../core/errors.js';
import { firstDuplicate, hostIds, hostIndex } from '../../core/hostIndex.js';
import type { Host, HostId } from '../../core/types.js';

/**
 * Dense per-host bandwidth facts shared by the network models: fleet-order indices, nominal uplink and
 * downlink, and the straggler factor currently applied to each host.
 */
export class HostTable {
  /** Shared with the fleet's other users (see {@link hostIndex}). */
  readonly #index: ReadonlyMap<HostId, number>;
  /** Host ids in fleet order (index = position; the fleet's shared list: see `hostIds`). */
  readonly ids: readonly HostId[];
  readonly #uplink: Float64Array;
  /** `#uplink` itself while every host's downlink equals its uplink (no second 8 MB array then). */
  readonly #downlink: Float64Array;
  /** Straggler factors; allocated on the first `setFactor` (most runs have none: all 1). */
  #factor: Float64Array | undefined;

  /**
   * @param hosts - the fleet, in fleet order.
   * @param where - field path for error messages.
   * @throws ConfigError for duplicate ids or a non-positive / NaN uplink or downlink.
   */
  constructor(hosts: readonly Host[], where = 'hosts') {
    const n = hosts.length;
    const uplink = new Float64Array(n);
    let downlink: Float64Array | undefined;
    this.#index = hostIndex(hosts);
    const duplicate = firstDuplicate(hosts, this.#index);
    hosts.forEach((h, i) => {
      if (i === duplicate) throw new ConfigError(`duplicate host "${h.id}"`, `${where}[${i}].id`);
      if (!(h.uplink > 0))
        throw new ConfigError(`uplink must be > 0, got ${h.uplink}`, `${where}[${i}].uplink`);
      if (!(h.downlink > 0)) {
        throw new ConfigError(`downlink must be > 0, got ${h.downlink}`, `${where}[${i}].downlink`);
      }
      uplink[i] = h.uplink;
      if (downlink !== undefined) downlink[i] = h.downlink;
      else if (h.downlink !== h.uplink) {
        // The first host whose links differ: the hosts before it had downlink = uplink.
        downlink = new Float64Array(n);
        downlink.set(uplink.subarray(0, i));
        downlink[i] = h.downlink;
      }
    });
    this.#uplink = uplink;
    this.#downlink = downlink ?? uplink;
    this.ids = hostIds(hosts);
  }

  /** Host id → position (the fleet's shared index: see `hostIndex`). */
  get index(): ReadonlyMap<HostId, number> {
    return this.#index;
  }

  /** Number of hosts. */
  get size(): number {
    return this.ids.length;
  }

  /** @throws ConfigError for an unknown host. */
  indexOf(id: HostId): number {
    const i = this.#index.get(id);
    if (i === undefined) throw new ConfigError(`unknown host "${id}"`, 'transfer');
    return i;
  }

  /** Whether `id` is a host of the fleet. */
  has(id: HostId): boolean {
    return this.#index.has(id);
  }

  /** Uplink in bytes/s with the current straggler factor applied. */
  uplink(i: number): number {
    const f = this.#factor;
    return f === undefined ? this.#uplink[i]! : this.#uplink[i]! * f[i]!;
  }

  /** Downlink in bytes/s with the current straggler factor applied. */
  downlink(i: number): number {
    const f = this.#factor;
    return f === undefined ? this.#downlink[i]! : this.#downlink[i]! * f[i]!;
  }

  /**
   * Sets the straggler factor of host `i`.
   * @throws ConfigError unless `factor` is a finite number > 0.
   */
  setFactor(i: number, factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor)) {
      throw new ConfigError(`straggler factor must be a finite number > 0, got ${factor}`, 'factor');
    }
    (this.#factor ??= new Float64Array(this.ids.length).fill(1))[i] = factor;
  }
}
