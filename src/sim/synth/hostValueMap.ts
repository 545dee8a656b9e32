import { hostIndex } from '../../core/hostIndex.js';
import type { Host, HostId, PositionalHostMap } from '../../core/types.js';

/** Host id ↔ position, for every key a {@link HostValueMap} may hold. */
export interface HostPositions {
  /** Host id → position (0 ≤ position < length). */
  readonly index: ReadonlyMap<HostId, number>;
  readonly length: number;
  /** The host id at a position (the inverse of `index`). */
  readonly idAt: (position: number) => HostId;
}

/** The positions of a fleet's hosts, on the fleet's shared index (no new map). */
export function fleetPositions(hosts: readonly Host[]): HostPositions {
  return { index: hostIndex(hosts), length: hosts.length, idAt: (i) => hosts[i]!.id };
}

/** The positions of `ids`, on an index of their own (for callers without a fleet). */
export function idPositions(ids: readonly HostId[]): HostPositions {
  const index = new Map<HostId, number>();
  ids.forEach((id, i) => index.set(id, i));
  return { index, length: ids.length, idAt: (i) => ids[i]! };
}

/**
 * A host → value map for fleets where many hosts share few distinct values (all hosts of a role want the
 * same array, carry the same role name and the same toplevel). It keeps no hash table of its own: the
 * fleet's shared host index (see `core/hostIndex.ts`) gives a host's position, and one typed array entry
 * per position names the host's value among the distinct ones. At 1,000,000 hosts that is 1 MB (up to 4 MB
 * with many distinct values) instead of a 28 MB `Map` per map, and the scenario keeps three such maps.
 *
 * Filled with {@link HostValueMap.set}, then {@link HostValueMap.seal}ed, then read through the standard
 * `ReadonlyMap` interface; iteration is in fleet order (what a `Map` filled in fleet order gives).
 */
export class HostValueMap<V> implements PositionalHostMap<V> {
  readonly #index: ReadonlyMap<HostId, number>;
  readonly #idAt: (position: number) => HostId;
  readonly #length: number;
  /** The distinct values; `#slot[i]` is 1 + the index of position i's value here, 0 for none. */
  readonly #values: V[] = [];
  /** Value → its index in `#values` while filling (same value, same slot); dropped by `seal`. */
  #valueSlot: Map<V, number> | undefined = new Map();
  #slot: Uint8Array | Uint16Array | Uint32Array;
  #size = 0;

  /** An empty map over `positions` (several maps may share one). */
  constructor(positions: HostPositions) {
    this.#index = positions.index;
    this.#length = positions.length;
    this.#idAt = positions.idAt;
    this.#slot = new Uint8Array(positions.length);
  }

  /**
   * Sets `host`'s value (values equal by SameValueZero, e.g. one shared array, are stored once).
   * @throws RangeError for a host outside the index; TypeError once sealed.
   */
  set(host: HostId, value: V): this {
    const slots = this.#valueSlot;
    if (slots === undefined) throw new TypeError('HostValueMap is sealed');
    const i = this.#index.get(host);
    if (i === undefined || i >= this.#length) throw new RangeError(`host "${host}" is not in the index`);
    let k = slots.get(value);
    if (k === undefined) {
      k = this.#values.length;
      this.#values.push(value);
      slots.set(value, k);
      this.#widen(k + 1);
    }
    if (this.#slot[i] === 0) this.#size++;
    this.#slot[i] = k + 1;
    return this;
  }

  /**
   * Ends filling: drops the value → slot table (with a value per host, as per-host closures have, it is
   * as large as the `Map` this class replaces).
   */
  seal(): this {
    this.#valueSlot = undefined;
    return this;
  }

  /** Number of hosts with a value. */
  get size(): number {
    return this.#size;
  }

  /** The distinct values, in order of first appearance. */
  distinctValues(): readonly V[] {
    return this.#values;
  }

  /** The id → position index the map is keyed by. */
  get positions(): ReadonlyMap<HostId, number> {
    return this.#index;
  }

  valueAt(position: number): V | undefined {
    const s = this.#slot[position];
    return s === undefined || s === 0 ? undefined : this.#values[s - 1];
  }

  get(host: HostId): V | undefined {
    const i = this.#index.get(host);
    if (i === undefined || i >= this.#length) return undefined;
    const s = this.#slot[i]!;
    return s === 0 ? undefined : this.#values[s - 1];
  }

  has(host: HostId): boolean {
    const i = this.#index.get(host);
    return i !== undefined && i < this.#length && this.#slot[i] !== 0;
  }

  forEach(callback: (value: V, key: HostId, map: ReadonlyMap<HostId, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  *entries(): MapIterator<[HostId, V]> {
    const slot = this.#slot;
    for (let i = 0; i < this.#length; i++) {
      const s = slot[i]!;
      if (s !== 0) yield [this.#idAt(i), this.#values[s - 1]!];
    }
  }

  *keys(): MapIterator<HostId> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[HostId, V]> {
    return this.entries();
  }

  /** Grows the slot array's element type when `count` distinct values no longer fit it. */
  #widen(count: number): void {
    const max =
      this.#slot instanceof Uint8Array ? 0xff : this.#slot instanceof Uint16Array ? 0xffff : Infinity;
    if (count <= max) return;
    this.#slot = count <= 0xffff ? Uint16Array.from(this.#slot) : Uint32Array.from(this.#slot);
  }
}
