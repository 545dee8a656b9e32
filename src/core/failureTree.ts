import { hostIndex } from './hostIndex.js';
import type { Fleet, HostId } from './types.js';
import type { FailureKind, HostFailureCode } from './vocabulary.js';

/** A target that ended the run out of it, and why. */
export interface HostFailure {
  readonly host: HostId;
  readonly code: HostFailureCode;
  readonly kind: FailureKind;
  readonly message: string;
  /** The host that was serving it when it failed (undefined when it died while sending). */
  readonly server: HostId | undefined;
  readonly at: number;
}

/**
 * The failure tree: failed hosts grouped under the host that tried to serve them, and those under the
 * cascade path that reached them, up to the seeds. Inner nodes without `failure` are hosts that did fine.
 */
export interface FailureTreeNode {
  readonly host: HostId;
  readonly failure?: HostFailure;
  readonly children: readonly FailureTreeNode[];
}

interface MutableNode {
  host: HostId;
  failure?: HostFailure;
  children: Map<HostId, MutableNode>;
}

/**
 * Groups failed hosts under their server, and servers under the cascade path that reached them; roots and
 * children in fleet order.
 * @param parent - receiver → sender of the transfer that last completed paths on it (the cascade tree).
 */
export function buildFailureTree(
  fleet: Fleet,
  failed: readonly HostFailure[],
  parent: Pick<ReadonlyMap<HostId, HostId>, 'get'>,
): FailureTreeNode[] {
  if (failed.length === 0) return [];
  const failedBy = new Map(failed.map((f) => [f.host, f]));
  // A failed host hangs under its last server; others under the host that completed them.
  const up = (host: HostId): HostId | undefined => failedBy.get(host)?.server ?? parent.get(host);
  // Guards against cycles in the parent map (a host served by a host it served earlier).
  const onChain = (start: HostId, target: HostId): boolean => {
    const seen = new Set<HostId>();
    for (let h: HostId | undefined = start; h !== undefined && !seen.has(h); h = up(h)) {
      if (h === target) return true;
      seen.add(h);
    }
    return false;
  };
  const roots = new Map<HostId, MutableNode>();
  const nodes = new Map<HostId, MutableNode>();
  const nodeOf = (host: HostId): MutableNode => {
    let n = nodes.get(host);
    if (n) return n;
    n = { host, children: new Map() };
    nodes.set(host, n);
    const above = up(host);
    if (above === undefined || above === host || onChain(above, host)) roots.set(host, n);
    else nodeOf(above).children.set(host, n);
    return n;
  };
  for (const f of failed) nodeOf(f.host).failure = f;
  const order = hostIndex(fleet.hosts);
  const byFleetOrder = (a: MutableNode, b: MutableNode): number => order.get(a.host)! - order.get(b.host)!;
  const freeze = (n: MutableNode): FailureTreeNode => {
    const children = [...n.children.values()].sort(byFleetOrder).map(freeze);
    return n.failure ? { host: n.host, failure: n.failure, children } : { host: n.host, children };
  };
  return [...roots.values()].sort(byFleetOrder).map(freeze);
}
