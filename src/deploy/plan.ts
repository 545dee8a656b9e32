import { ClosureGraph } from '../core/closure.js';
import { runCascade } from '../core/coordinator.js';
import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { coreFleet, flatTopology } from '../executor/cascade.js';
import type { RealFleet, RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { mapLimit } from '../remote/process.js';
import { closureInfo, discoverHave, queryValidity } from '../remote/store.js';
import { SimExecutor } from '../sim/index.js';
import { getStrategy } from '../strategies/registry.js';
import { formatBytes, formatDuration } from '../units/units.js';
import { queryCurrentSystem } from './activate.js';
import { evaluateToplevels } from './eval.js';

/**
 * `deploy --dry-run` / `nix-cascade plan`: what a deploy would do, read-only. Per host: changed or
 * unchanged, whether its system still has to be built, how many bytes it lacks; then the simulator's
 * prediction of the copy on this fleet's real closure graph (sizes and references from the deployer's
 * store, have sets asked from each host) and link rates, for `push` and for the chosen strategy, with the
 * lower bound no schedule can beat. Nothing is built, copied or activated (evaluating a flake does write
 * its derivations to the deployer's store, as every Nix evaluation does).
 */

/**
 * The fixed cost of one real `nix copy` the prediction charges (`setupSeconds`): the lab measured
 * ≈0.18 s deployer → host and ≈0.24 s host → host with multiplexed ssh (README, "Real hosts").
 */
export const PREDICTION_SETUP_SECONDS = 0.2;

/** One host of the plan. */
export interface PlanHost {
  readonly host: HostId;
  readonly status: 'changed' | 'unchanged' | 'failed';
  readonly toplevel?: PathId;
  /** The system is not in the deployer's store yet: a deploy builds it first. */
  readonly needsBuild?: boolean;
  /** What it lacks of its closure (known once the system is built). */
  readonly lackingPaths?: number;
  readonly lackingBytes?: number;
  /** Why the plan could not read it (evaluation error, unreachable). */
  readonly error?: string;
}

/** The copy's predicted makespan, per way of copying. */
export interface CopyPrediction {
  /** Hosts covered: the changed hosts whose systems are built (the others' sizes are not known yet). */
  readonly hosts: number;
  readonly bytes: number;
  /** colmena's way: the deployer pushes, `parallel` at once. */
  readonly pushSeconds: number;
  readonly strategy: string;
  readonly strategySeconds: number;
  readonly lowerBoundSeconds: number;
}

/** The whole plan. */
export interface DeployPlan {
  readonly hosts: readonly PlanHost[];
  /** Absent when no changed host is built yet (nothing to measure), with the reason in `predictionNote`. */
  readonly prediction?: CopyPrediction;
  readonly predictionNote?: string;
}

/** Options of {@link planDeploy}. */
export interface PlanOptions {
  readonly fleet: RealFleet;
  readonly flake?: string;
  readonly broken?: ReadonlyMap<HostId, string>;
  readonly remote: RemoteContext;
  readonly strategy: Strategy;
  /** The deploy's `--parallel`: the push prediction's concurrent copies. @defaultValue 10 */
  readonly parallel?: number;
  readonly evalJobs?: number;
  /** Count hosts already running the system as changed (the deploy's `--force`). */
  readonly force?: boolean;
}

/** Reads everything a deploy would act on and predicts its copy; changes nothing. */
export async function planDeploy(o: PlanOptions): Promise<DeployPlan> {
  const ctx = o.remote;
  const parallel = o.parallel ?? 10;
  const names = o.fleet.hosts.map((h) => h.id);
  const tops = await toplevels(o, names);
  const hosts: PlanHost[] = [...(o.broken ?? new Map<HostId, string>())].map(([host, error]) => ({
    host,
    status: 'failed',
    error,
  }));
  const changed: Array<{ host: RealHost; toplevel: PathId }> = [];
  const read = await mapLimit(o.fleet.hosts, parallel, async (h): Promise<PlanHost> => {
    const top = tops.get(h.id)!;
    if (!top.ok) return { host: h.id, status: 'failed', error: top.error };
    const q = await queryCurrentSystem(h, ctx);
    if (!q.ok) return { host: h.id, status: 'failed', toplevel: top.outPath, error: q.error };
    const unchanged = q.current.running === top.outPath && o.force !== true;
    if (!unchanged) changed.push({ host: h, toplevel: top.outPath });
    return { host: h.id, status: unchanged ? 'unchanged' : 'changed', toplevel: top.outPath };
  });
  const built = new Set(
    (
      await queryValidity(
        'local',
        changed.map((c) => c.toplevel),
        ctx,
        ctx.run(ctx.timeouts.local),
      )
    ).valid ?? [],
  );
  const ready = changed.filter((c) => built.has(c.toplevel));
  const lacking = new Map<HostId, { paths: number; bytes: number }>();
  let prediction: CopyPrediction | undefined;
  if (ready.length > 0) {
    const graph = new ClosureGraph(await closureInfo([...new Set(ready.map((c) => c.toplevel))], ctx));
    const fleet: RealFleet = { ...o.fleet, hosts: ready.map((c) => c.host) };
    const closures = new Map(ready.map((c) => [c.host.id, graph.closureOf([c.toplevel])]));
    const { have } = await discoverHave(fleet, graph.closureOf(ready.map((c) => c.toplevel)), ctx);
    for (const c of ready) {
      const held = new Set(have.get(c.host.id) ?? []);
      const missing = closures.get(c.host.id)!.filter((p) => !held.has(p));
      lacking.set(c.host.id, { paths: missing.length, bytes: graph.bytes(missing) });
    }
    prediction = await predict(fleet, graph, closures, have, o.strategy, parallel);
  }
  for (const p of read) {
    const l = lacking.get(p.host);
    const needsBuild = p.status === 'changed' && !built.has(p.toplevel!);
    hosts.push({
      ...p,
      ...(p.status === 'changed' ? { needsBuild } : {}),
      ...(l ? { lackingPaths: l.paths, lackingBytes: l.bytes } : {}),
    });
  }
  const unbuilt = changed.length - ready.length;
  const note =
    changed.length === 0
      ? 'nothing to copy: no host changes'
      : unbuilt > 0
        ? `${unbuilt} changed host(s) not built yet: their closures' sizes are known only once built (\`deploy build\`); ${prediction ? 'the prediction covers the built ones' : 'no prediction'}`
        : undefined;
  return { hosts, ...(prediction ? { prediction } : {}), ...(note ? { predictionNote: note } : {}) };
}

type Toplevels = Map<
  HostId,
  { readonly ok: true; readonly outPath: PathId } | { readonly ok: false; readonly error: string }
>;

async function toplevels(o: PlanOptions, names: HostId[]): Promise<Toplevels> {
  const out: Toplevels = new Map();
  if (o.flake === undefined) {
    for (const h of o.fleet.hosts) {
      out.set(
        h.id,
        h.toplevel === undefined
          ? { ok: false, error: 'the fleet file names no toplevel for it' }
          : { ok: true, outPath: h.toplevel },
      );
    }
    return out;
  }
  const evaluated = await evaluateToplevels(o.flake, names, o.remote, { jobs: o.evalJobs ?? 1 });
  for (const [h, r] of evaluated) out.set(h, r.ok ? { ok: true, outPath: r.toplevel.outPath } : r);
  return out;
}

/** Simulates the copy twice on the real closure graph and link rates: push, and the strategy. */
async function predict(
  fleet: RealFleet,
  graph: ClosureGraph,
  closures: ReadonlyMap<HostId, readonly PathId[]>,
  have: Map<HostId, PathId[]>,
  strategy: Strategy,
  parallel: number,
): Promise<CopyPrediction> {
  have.set(fleet.deployer.id, graph.closureOf([...closures.values()].flat()));
  const simulate = (s: Strategy, f: RealFleet) => {
    const core = coreFleet(f, closures, have);
    const topology = flatTopology(core);
    return runCascade({
      fleet: core,
      closure: graph,
      topology,
      strategy: s,
      mode: 'eager',
      executor: new SimExecutor({
        hosts: core.hosts,
        topology,
        closure: graph,
        network: 'flow',
        setupSeconds: PREDICTION_SETUP_SECONDS,
      }),
    });
  };
  const push = await simulate(getStrategy('push-parallel'), {
    ...fleet,
    deployer: { ...fleet.deployer, maxSends: parallel },
  });
  const chosen = await simulate(strategy, fleet);
  return {
    hosts: closures.size,
    bytes: push.bytesTransferred,
    pushSeconds: push.makespanSeconds,
    strategy: chosen.strategy,
    strategySeconds: chosen.makespanSeconds,
    lowerBoundSeconds: chosen.lowerBound.seconds,
  };
}

/** The plan as text. */
export function planText(p: DeployPlan): string {
  const lines = p.hosts.map((h) => {
    const what =
      h.status === 'failed'
        ? `cannot deploy: ${h.error?.split('\n')[0] ?? ''}`
        : h.status === 'unchanged'
          ? 'unchanged'
          : `changes${h.needsBuild ? ', to build' : ''}${h.lackingBytes !== undefined ? `, lacks ${h.lackingPaths} paths (${formatBytes(h.lackingBytes, 1)})` : ''}`;
    return `${h.host.padEnd(Math.max(...p.hosts.map((x) => x.host.length)))}  ${what}`;
  });
  let text = `${lines.join('\n')}\n`;
  const pr = p.prediction;
  if (pr) {
    text +=
      `\npredicted copy of ${formatBytes(pr.bytes, 1)} to ${pr.hosts} host(s): ` +
      `push ${formatDuration(pr.pushSeconds, 1)}, ${pr.strategy} ${formatDuration(pr.strategySeconds, 1)}, ` +
      `lower bound ${formatDuration(pr.lowerBoundSeconds, 1)}\n`;
  }
  if (p.predictionNote) text += `${p.predictionNote}\n`;
  return text;
}
