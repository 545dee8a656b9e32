import type { Host, HostId } from './types.js';

/**
 * One host id → fleet position index per hosts array, shared by everything that asks a question about a
 * host by id (the run state, the simulator's host table, the strategies' fleet facts, and a topology built
 * in fleet order): a 1,000,000-host run then keeps one such map instead of four, and the same id looked up
 * by each of them in turn hits memory the previous look-up just touched.
 */
const indexes = new WeakMap<readonly Host[], ReadonlyMap<HostId, number>>();
/** The ids of each hosts array in order, shared the same way (an adopted index brings its list). */
const idLists = new WeakMap<readonly Host[], readonly HostId[]>();

/**
 * Host id → position in `hosts`, built on the first call for this array and shared afterwards (the array
 * must not change after that). With duplicate ids the map has fewer entries than `hosts` (the last
 * occurrence wins); see {@link firstDuplicate}.
 */
export function hostIndex(hosts: readonly Host[]): ReadonlyMap<HostId, number> {
  let index = indexes.get(hosts);
  if (index === undefined) {
    const map = new Map<HostId, number>();
    for (let i = 0; i < hosts.length; i++) map.set(hosts[i]!.id, i);
    indexes.set(hosts, (index = map));
  }
  return index;
}

/**
 * Adopts an existing map of `ids[i]` → `i` (e.g. a topology's, built in the same order; its caller
 * vouches for that) as the index of `hosts`, when `ids` are exactly the hosts' ids in order and the map
 * has nothing else; returns whether it did. Saves building a second 1,000,000-entry map. Neither may
 * change afterwards.
 */
export function adoptHostIndex(
  hosts: readonly Host[],
  ids: readonly HostId[],
  index: ReadonlyMap<HostId, number>,
): boolean {
  if (indexes.has(hosts) || ids.length !== hosts.length || index.size !== ids.length) return false;
  for (let i = 0; i < hosts.length; i++) if (ids[i] !== hosts[i]!.id) return false;
  indexes.set(hosts, index);
  idLists.set(hosts, ids);
  return true;
}

/** The ids of `hosts` in order, built on the first call for this array (or adopted) and shared afterwards. */
export function hostIds(hosts: readonly Host[]): readonly HostId[] {
  let ids = idLists.get(hosts);
  if (ids === undefined) idLists.set(hosts, (ids = hosts.map((h) => h.id)));
  return ids;
}

/** Position of the first host whose id an earlier host already has, or -1 (cheap when there is none). */
export function firstDuplicate(hosts: readonly Host[], index: ReadonlyMap<HostId, number>): number {
  if (index.size === hosts.length) return -1;
  const seen = new Set<HostId>();
  for (let i = 0; i < hosts.length; i++) {
    const id = hosts[i]!.id;
    if (seen.has(id)) return i;
    seen.add(id);
  }
  return -1;
}
