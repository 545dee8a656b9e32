import { ClosureGraph } from '../../src/core/closure.js';
import type { Fleet, Host, HostId, PathId, StorePath } from '../../src/core/types.js';

/** A host with sensible test defaults (1 byte/s links, one send and one receive at a time). */
export function host(id: HostId, over: Partial<Host> = {}): Host {
  return { id, role: 'target', uplink: 1, downlink: 1, maxSends: 1, maxReceives: 1, tags: [], ...over };
}

/** A chain closure p0 <- p1 <- … (each references the previous), sizes given. */
export function chainClosure(sizes: readonly number[]): { closure: ClosureGraph; paths: PathId[] } {
  const paths: StorePath[] = sizes.map((narSize, i) => ({
    id: `/nix/store/${String(i).padStart(32, '0')}-p${i}`,
    narSize,
    references: i === 0 ? [] : [`/nix/store/${String(i - 1).padStart(32, '0')}-p${i - 1}`],
  }));
  return { closure: new ClosureGraph(paths), paths: paths.map((p) => p.id) };
}

/** One deployer holding `paths`, `n` targets all wanting `paths`. */
export function simpleFleet(n: number, paths: readonly PathId[], over: Partial<Host> = {}): Fleet {
  const targets = Array.from({ length: n }, (_, i) => host(`host-${String(i + 1).padStart(3, '0')}`, over));
  const deployer = host('deployer', { ...over, role: 'deployer' });
  return {
    hosts: [deployer, ...targets],
    initialHave: new Map([['deployer', paths]]),
    wants: new Map(targets.map((t) => [t.id, paths])),
  };
}
