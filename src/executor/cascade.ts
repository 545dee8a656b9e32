import { HOST_DEFAULTS } from '../core/defaults.js';
import { ClosureGraph } from '../core/closure.js';
import { type RunResult, runCascade } from '../core/coordinator.js';
import type { EventSink } from '../core/events.js';
import type { RunMode, Strategy } from '../core/strategy.js';
import type { Fleet, Host, HostId, PathId, StorePath } from '../core/types.js';
import { type RemoteContext, type RemoteContextOptions, openRemoteContext } from '../remote/context.js';
import { TopologyBuilder } from '../topology/index.js';
import type { Topology } from '../core/topology.js';
import { closureInfo, discoverHave } from '../remote/store.js';
import { type HealthReport, checkHealth } from '../remote/health.js';
import { NixCopyExecutor } from './nixCopyExecutor.js';
import type { RealFleet } from '../fleet/realFleet.js';

/**
 * The core {@link Fleet} of a real fleet for one run: the deployer first, then the targets in file order;
 * every target wants `closure` (one list for all, or each host's own); have sets as discovered.
 */
export function coreFleet(
  fleet: RealFleet,
  closure: readonly PathId[] | ReadonlyMap<HostId, readonly PathId[]>,
  have: ReadonlyMap<HostId, readonly PathId[]>,
  exclude: ReadonlySet<HostId> = new Set(),
): Fleet {
  const d = fleet.deployer;
  const hosts: Host[] = [
    {
      id: d.id,
      role: 'deployer',
      uplink: d.uplink ?? HOST_DEFAULTS.rate,
      downlink: d.downlink ?? HOST_DEFAULTS.rate,
      maxSends: d.maxSends ?? HOST_DEFAULTS.server.maxSends,
      maxReceives: HOST_DEFAULTS.server.maxReceives,
      tags: [],
    },
    ...fleet.hosts
      .filter((h) => !exclude.has(h.id))
      .map((h): Host => ({
        id: h.id,
        role: 'target',
        uplink: h.uplink ?? HOST_DEFAULTS.rate,
        downlink: h.downlink ?? HOST_DEFAULTS.rate,
        maxSends: h.maxSends ?? HOST_DEFAULTS.target.maxSends,
        maxReceives: h.maxReceives ?? HOST_DEFAULTS.target.maxReceives,
        tags: h.tags,
      })),
  ];
  const initialHave = new Map<HostId, readonly PathId[]>();
  for (const h of hosts) initialHave.set(h.id, have.get(h.id) ?? []);
  const wants = new Map<HostId, readonly PathId[]>();
  for (const h of hosts) {
    if (h.role === 'target')
      wants.set(
        h.id,
        Array.isArray(closure)
          ? closure
          : ((closure as ReadonlyMap<HostId, readonly PathId[]>).get(h.id) ?? []),
      );
  }
  return { hosts, initialHave, wants };
}

/** A flat LAN: every host on one switch, no extra latency (the real network is what it is). */
export function flatTopology(fleet: Fleet): Topology {
  const b = new TopologyBuilder().addSwitch('lan');
  for (const h of fleet.hosts) b.attachHost(h.id, 'lan', 0);
  return b.build('flat');
}

/** Options of {@link runRealCascade}. */
export interface RealCascadeOptions extends RemoteContextOptions {
  readonly fleet: RealFleet;
  readonly strategy: Strategy;
  /**
   * Store paths to deliver (with their closures), in the deployer's store: one list for every target, or
   * each target's own roots (the deploy pipeline: each host its toplevel). A target absent from the map
   * wants nothing and takes no part.
   */
  readonly paths: readonly PathId[] | ReadonlyMap<HostId, readonly PathId[]>;
  /** @defaultValue `'round'` */
  readonly mode?: RunMode;
  readonly checkSigs?: boolean;
  readonly pull?: boolean;
  readonly substituteOnDestination?: boolean;
  /** Probe every host first and leave the unhealthy ones out of the run. @defaultValue `true` */
  readonly healthCheck?: boolean;
  readonly maxAttemptsPerHost?: number;
  readonly onEvent?: EventSink;
  /**
   * The run's remote context, shared by health probes, have-set discovery, the copies and the final check
   * (the caller closes it). Without it one is opened from the {@link RemoteContextOptions} given here
   * (multiplexed by default) and closed at the end.
   */
  readonly remote?: RemoteContext;
}

/** A real run's result: the coordinator's, plus what was checked around it. */
export interface RealCascadeResult {
  readonly result: RunResult;
  readonly closure: readonly StorePath[];
  /** Hosts left out because they were unhealthy, with their reports. */
  readonly unhealthy: readonly HealthReport[];
  /**
   * Per target: whether `nix-store --check-validity` found every path of the closure there afterwards (false
   * also when its store could not be asked: see `storeErrors`). Empty when the run was cancelled.
   */
  readonly verified: ReadonlyMap<HostId, boolean>;
  /**
   * Hosts whose store could not be asked, with the error: before the run (planned as holding nothing) or
   * after it (not verified).
   */
  readonly storeErrors: ReadonlyMap<HostId, { readonly when: 'before' | 'after'; readonly error: string }>;
  /** Per target: wall seconds from the start until it held everything (absent if it never did). */
  readonly perHostSeconds: ReadonlyMap<HostId, number>;
  /**
   * The run as the coordinator saw it at the start: the hosts that took part (deployer first), what each
   * wanted and what each already held. A simulator run of the same fleet starts from it.
   */
  readonly fleet: Fleet;
}

/**
 * Whether the only thing wrong with a host is too little free space for the whole closure: it may already
 * hold part of it, so the space it needs is known only after discovery.
 */
function shortOfSpaceOnly(r: HealthReport): boolean {
  const reachable = r.sshReachable && r.storeAnswers && r.trusted !== false;
  return (
    reachable &&
    r.reasons.length === 1 &&
    r.freeBytes !== undefined &&
    r.requiredBytes !== undefined &&
    r.freeBytes < r.requiredBytes
  );
}

/**
 * Runs one strategy on real hosts: reads the closure from the deployer's store, probes health (unhealthy
 * hosts are left out, not fatal, even all of them: the result then lists them), discovers what each host
 * already holds, runs the coordinator with a {@link NixCopyExecutor}, then verifies every host's store. A
 * host short of space for the whole closure stays in when it has room for what it lacks. Cancelling
 * (`signal`) stops whichever step runs and skips the verification.
 *
 * @throws ConfigError for bad paths (malformed, or not in the deployer's store) or options.
 */
export async function runRealCascade(o: RealCascadeOptions): Promise<RealCascadeResult> {
  const ctx = o.remote ?? openRemoteContext(o);
  try {
    const perHost = !isPathList(o.paths);
    const rootsOf = (h: HostId): readonly PathId[] =>
      isPathList(o.paths) ? o.paths : (o.paths.get(h) ?? []);
    const fleet: RealFleet = perHost
      ? { ...o.fleet, hosts: o.fleet.hosts.filter((h) => rootsOf(h.id).length > 0) }
      : o.fleet;
    const roots = isPathList(o.paths) ? o.paths : [...new Set([...o.paths.values()].flat())];
    const info = await closureInfo(roots, ctx);
    const graph = new ClosureGraph(info);
    const closures = new Map(fleet.hosts.map((h) => [h.id, graph.closureOf(rootsOf(h.id))]));
    const reports =
      o.healthCheck === false
        ? []
        : await checkHealth(fleet, ctx, { requiredBytesOf: (h) => graph.bytes(closures.get(h)!) });
    const unhealthy = reports.filter((r) => !r.healthy && !shortOfSpaceOnly(r));
    const excluded = new Set(unhealthy.map((r) => r.host));
    const candidates: RealFleet = { ...fleet, hosts: fleet.hosts.filter((h) => !excluded.has(h.id)) };
    return await runWith(o, ctx, {
      candidates,
      graph,
      closures,
      all: graph.closureOf(roots),
      info,
      unhealthy,
      shortOfSpace: reports.filter(shortOfSpaceOnly),
    });
  } finally {
    if (o.remote === undefined) await ctx.close();
  }
}

function isPathList(p: RealCascadeOptions['paths']): p is readonly PathId[] {
  return Array.isArray(p);
}

/** What {@link runRealCascade} learnt before the run: the closure and who is healthy enough to take part. */
interface Prepared {
  readonly candidates: RealFleet;
  readonly graph: ClosureGraph;
  /** Each candidate's want set (its roots' closure). */
  readonly closures: ReadonlyMap<HostId, readonly PathId[]>;
  /** Every path any candidate wants: what the deployer holds and discovery asks about. */
  readonly all: readonly PathId[];
  readonly info: readonly StorePath[];
  readonly unhealthy: readonly HealthReport[];
  readonly shortOfSpace: readonly HealthReport[];
}

async function runWith(o: RealCascadeOptions, ctx: RemoteContext, p: Prepared): Promise<RealCascadeResult> {
  const { candidates, graph, closures, all, info, shortOfSpace } = p;
  const storeErrors = new Map<HostId, { when: 'before' | 'after'; error: string }>();
  const before = await discoverHave(candidates, all, ctx);
  const { have } = before;
  for (const [h, error] of before.errors) storeErrors.set(h, { when: 'before', error });
  // Short of space for the whole closure: in only with room for what it lacks.
  const unhealthy = [...p.unhealthy];
  for (const r of shortOfSpace) {
    const held = new Set(have.get(r.host) ?? []);
    const needed = graph.bytes(closures.get(r.host)!.filter((p) => !held.has(p)));
    if (r.freeBytes! >= needed) continue;
    unhealthy.push({
      ...r,
      requiredBytes: needed,
      reasons: [
        `only ${r.freeBytes} bytes free on /nix/store, ${needed} needed for the paths it lacks: collect garbage (nix-collect-garbage) or grow the disk`,
      ],
    });
  }
  const out = new Set(unhealthy.map((r) => r.host));
  const live: RealFleet = { ...candidates, hosts: candidates.hosts.filter((h) => !out.has(h.id)) };
  // The deployer must hold what it is to send (closureInfo already proved that; path-info may have been
  // answered for a different store only if the environment is odd).
  have.set(o.fleet.deployer.id, [...all]);
  const fleet = coreFleet(live, closures, have);
  const executor = new NixCopyExecutor({
    fleet: live,
    mode: o.pull ? 'pull' : 'push',
    ...(o.checkSigs !== undefined ? { checkSigs: o.checkSigs } : {}),
    ...(o.substituteOnDestination !== undefined
      ? { substituteOnDestination: o.substituteOnDestination }
      : {}),
    remote: ctx,
  });
  let result: RunResult;
  try {
    result = await runCascade({
      fleet,
      closure: graph,
      topology: flatTopology(fleet),
      strategy: o.strategy,
      executor,
      mode: o.mode ?? 'round',
      ...(o.maxAttemptsPerHost !== undefined ? { maxAttemptsPerHost: o.maxAttemptsPerHost } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } finally {
    await executor.close();
  }
  const verified = new Map<HostId, boolean>();
  if (result.reason !== 'cancelled') {
    const after = await discoverHave(live, all, ctx);
    for (const [h, error] of after.errors) storeErrors.set(h, { when: 'after', error });
    for (const h of live.hosts) {
      const held = new Set(after.have.get(h.id) ?? []);
      verified.set(h.id, !after.errors.has(h.id) && closures.get(h.id)!.every((path) => held.has(path)));
    }
  }
  const perHostSeconds = new Map<HostId, number>(result.finishTimes);
  return { result, closure: info, unhealthy, verified, storeErrors, perHostSeconds, fleet };
}
