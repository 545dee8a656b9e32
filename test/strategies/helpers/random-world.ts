import { ClosureGraph } from '../../../src/core/closure.js';
import { deriveRng, hashDraw } from '../../../src/core/random.js';
import type { Host, HostId, PathId, StorePath } from '../../../src/core/types.js';
import { host, testTopology, type World } from './world.js';

/** Shape parameters of {@link randomWorld}; everything else is drawn from `seed`. */
export interface RandomWorldParams {
  readonly seed: number;
  readonly targets: number;
  readonly paths: number;
  /** Want classes (roles); 0 = every target gets its own extras on top of its role. */
  readonly roles: number;
  readonly perHostExtras: boolean;
  readonly maxSends: number;
  readonly maxReceives: number;
  readonly groups: number;
  readonly cache: boolean;
  readonly partialTarget: boolean;
  readonly noRouteFraction: number;
}

/**
 * A small random fleet: a random reference DAG, a shared base plus per-role (and optionally per-host)
 * extras as want sets, a deployer holding everything, optionally a cache holding a closed part and a
 * target that starts with a closed part, random link speeds, groups with paid crossings, missing routes.
 */
export function randomWorld(p: RandomWorldParams): World {
  const rng = deriveRng(p.seed, 'world');
  const int = (n: number): number => Math.floor(rng() * n);
  const paths: StorePath[] = [];
  for (let i = 0; i < p.paths; i++) {
    const refs = new Set<PathId>();
    const k = i === 0 ? 0 : int(3);
    for (let j = 0; j < k; j++) refs.add(`p${int(i)}`);
    paths.push({ id: `p${i}`, narSize: 1 + int(5_000_000), references: [...refs] });
  }
  const closure = new ClosureGraph(paths);
  const ids = paths.map((x) => x.id);
  const closed = (roots: PathId[]): PathId[] => closure.closureOf(roots);
  const base = closed(ids.filter(() => rng() < 0.3));
  const roleWants = Array.from({ length: Math.max(1, p.roles) }, () =>
    closed([...base, ...ids.filter(() => rng() < 0.2)]),
  );
  const hosts: Host[] = [];
  const wants = new Map<HostId, readonly PathId[]>();
  const initialHave = new Map<HostId, readonly PathId[]>();
  for (let i = 0; i < p.targets; i++) {
    const id = `t${i}`;
    hosts.push(
      host(id, {
        uplink: [1e6, 5e6, 2e7][int(3)]!,
        downlink: [1e6, 5e6, 2e7][int(3)]!,
        maxSends: 1 + int(p.maxSends),
        maxReceives: 1 + int(p.maxReceives),
      }),
    );
    let want = roleWants[i % roleWants.length]!;
    if (p.perHostExtras) want = closed([...want, ids[int(ids.length)]!]);
    if (want.length === 0) want = closed([ids[int(ids.length)]!]);
    wants.set(id, want);
  }
  hosts.push(host('deployer', { role: 'deployer', uplink: 2e7, maxSends: 1 + int(p.maxSends) }));
  initialHave.set('deployer', ids);
  if (p.cache) {
    hosts.push(host('cache', { role: 'cache', uplink: 5e7, maxSends: 1 + int(4) }));
    initialHave.set('cache', closed(ids.filter(() => rng() < 0.4)));
  }
  if (p.partialTarget && p.targets > 0) {
    const want = wants.get('t0')!;
    initialHave.set('t0', closed(want.filter(() => rng() < 0.4)));
  }
  const group = new Map(hosts.map((h) => [h.id, `g${int(Math.max(1, p.groups))}`]));
  const g = (h: HostId): string | undefined => (p.groups <= 1 ? undefined : group.get(h));
  const topology = testTopology({
    groupOf: g,
    bottleneck: (a, b) => (g(a) === g(b) ? Infinity : 2e6),
    latency: (a, b) => (g(a) === g(b) ? 0.001 : 0.05),
    pricePerByte: (a, b) => (g(a) === g(b) ? 0 : 1e-9),
    noRoute: (a, b) => a !== 'deployer' && hashDraw(p.seed, 'route', a, b) < p.noRouteFraction,
  });
  return { fleet: { hosts, wants, initialHave }, closure, topology };
}
