import { randomBytes } from 'node:crypto';
import type { EventSink } from '../core/events.js';
import type { Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { runRealCascade } from '../executor/cascade.js';
import type { RealFleet, RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { queryValidity } from '../remote/store.js';
import { type DeployAction, activationOf } from './actions.js';
import { type KeyPhase, keysAt, uploadKeys } from './keys.js';
import { type CurrentSystem, queryCurrentSystem } from './activate.js';
import { guardedActivation } from './guarded.js';
import { runHealthChecks } from './health.js';
import { rebootAndWait } from './reboot.js';
import { revertTo } from './rollback.js';
import { Rollout, type RolloutOptions } from './rollout.js';
import { healthyBuilders, unknownProfile } from './preflight.js';
import { inWaves, stageNames } from './stages.js';
import { buildLocally, buildOnTarget } from './build.js';
import { CascadeCopy, ClosureSizes, pushClosure } from './copy.js';
import { runStages } from './dag.js';
import type { DagEvent, Stage, StageOutcome } from './dagTypes.js';
import { type Toplevel, evaluateToplevels } from './eval.js';
import { type DeployReport, deployReport } from './report.js';

/**
 * `nix-cascade deploy`: eval → check → build → copy → activate for every selected host, as a DAG with a
 * limit per stage (one host activates while others still copy). Stages that an action does not need are
 * left out: `build` stops after the build; `push` copies and activates nothing.
 */

/** Options of {@link deploy}. */
export interface DeployOptions {
  readonly action: DeployAction;
  /** The selected hosts (already validated and selected: see `selectHosts`). */
  readonly fleet: RealFleet;
  /**
   * The flake the hosts come from: their toplevels are evaluated and built. Undefined: every host's
   * `toplevel` comes from the fleet file, already built, and eval and build only check it is there.
   */
  readonly flake?: string;
  /** Hosts whose deployment settings did not even evaluate, with Nix's error: reported as failed at eval. */
  readonly broken?: ReadonlyMap<HostId, string>;
  readonly remote: RemoteContext;
  /** `push`: the deployer sends each host its closure; `cascade` (default): one whole-fleet run of `strategy`. */
  readonly copy?: 'cascade' | 'push';
  /** The cascade's strategy (required for `copy: 'cascade'`). */
  readonly strategy?: Strategy;
  /** Push copies and activations at once (colmena's `--parallel`). @defaultValue 10 */
  readonly parallel?: number;
  /** Evaluator processes at once. @defaultValue 1 (the whole selection in one call) */
  readonly evalJobs?: number;
  /** Local builds at once. @defaultValue 10 */
  readonly buildJobs?: number;
  /** Every host builds on itself, as if each set `deployment.buildOnTarget`. */
  readonly buildOnTarget?: boolean;
  readonly substituteOnDestination?: boolean;
  /** Require signatures on import. @defaultValue true */
  readonly checkSigs?: boolean;
  /**
   * Magic rollback for `switch` and `test` (see rollback.ts): a watchdog on each host returns it to its
   * previous system when the activation fails or is not confirmed in time. @defaultValue true
   */
  readonly rollback?: boolean;
  /** Seconds to confirm a good activation over a fresh connection. @defaultValue 30 */
  readonly confirmSeconds?: number;
  /** Names this deploy's watchdog markers on the hosts. @defaultValue random */
  readonly deployId?: string;
  /** Upload the hosts' `deployment.keys` around the activation (colmena's `--no-keys` turns it off). @defaultValue true */
  readonly uploadKeys?: boolean;
  /** Reboot each host after its activation (`boot`, `switch`) and wait for it. @defaultValue false */
  readonly reboot?: boolean;
  /** Seconds a rebooting host has to come back on its new system. @defaultValue 300 */
  readonly rebootTimeout?: number;
  /** Waves of activation (`--batch`, `--max-failures`, `--canary`). Undefined: every host at once. */
  readonly rollout?: RolloutOptions;
  /** A host whose health checks fail returns to the system it ran before. @defaultValue false */
  readonly rollbackOnHealthFailure?: boolean;
  /** Activate hosts that already run the new system. */
  readonly force?: boolean;
  /** Replace a system profile the deployer does not know, whatever the host's `replaceUnknownProfiles`. */
  readonly forceReplaceUnknownProfiles?: boolean;
  readonly failFast?: boolean;
  /**
   * Use the fleet's remote builders (those `health` finds working) for local builds. @defaultValue true
   */
  readonly useBuilders?: boolean;
  /** Where GC roots of builds (and the generated machines file) are kept (see `defaultStateDir`). */
  readonly stateDir: string;
  /** Progress of the stages. */
  readonly onProgress?: (e: DagEvent) => void;
  /** The cascade's events (the trace). */
  readonly onCascadeEvent?: EventSink;
  readonly now?: () => number;
}

/** The outputs a host's stages hand each other. */
interface Evaluated {
  readonly toplevel: Toplevel | { readonly drvPath: undefined; readonly outPath: PathId };
}

/** Runs the deploy and reports every host, whatever stage it stopped at; it does not throw for a host's failure. */
export async function deploy(o: DeployOptions): Promise<DeployReport> {
  const ctx = o.remote;
  const hosts = new Map(o.fleet.hosts.map((h) => [h.id, h]));
  const parallel = o.parallel ?? 10;
  const copyMode = o.copy ?? 'cascade';
  const activation = activationOf(o.action);
  // `build` builds on the deployer whatever the host says: there is nothing to copy it to.
  const onTarget = (h: RealHost): boolean =>
    o.action !== 'build' && (o.buildOnTarget === true || h.buildOnTarget);

  // One evaluation for the whole selection, started by the first host's eval task (so its time is the
  // stage's), awaited by all.
  let evaluations: ReturnType<typeof evaluateToplevels> | undefined;
  const evaluationsOnce = (): ReturnType<typeof evaluateToplevels> =>
    (evaluations ??= evaluateToplevels(o.flake!, [...hosts.keys()], ctx, { jobs: o.evalJobs ?? 1 }));
  const evalStage: Stage = {
    name: 'eval',
    run: async (id) => {
      const host = hosts.get(id)!;
      if (o.flake === undefined) {
        if (host.toplevel === undefined)
          return { kind: 'failed', error: 'the fleet file names no toplevel for it (mkFleet writes one)' };
        return ok({ toplevel: { drvPath: host.drvPath, outPath: host.toplevel } }, host.toplevel);
      }
      const r = (await evaluationsOnce()).get(id)!;
      return r.ok ? ok({ toplevel: r.toplevel }, r.toplevel.outPath) : { kind: 'failed', error: r.error };
    },
  };

  const checkStage: Stage = {
    name: 'check',
    limit: parallel,
    run: async (id, sc) => {
      const host = hosts.get(id)!;
      const { outPath } = evaluated(sc.outputs).toplevel;
      const q = await queryCurrentSystem(host, ctx);
      if (!q.ok) return { kind: 'failed', error: q.error };
      if (q.current.running === outPath && !o.force && o.action !== 'push')
        return { kind: 'skip-rest', reason: 'unchanged' };
      const refusal = await unknownProfile(host, q.current, o.forceReplaceUnknownProfiles === true, ctx);
      if (refusal !== undefined) return { kind: 'failed', error: refusal };
      return { kind: 'ok', output: q.current, detail: describeCurrent(q.current) };
    },
  };

  const rollback =
    o.rollback === false
      ? undefined
      : { confirmSeconds: o.confirmSeconds ?? 30, deployId: o.deployId ?? randomBytes(8).toString('hex') };
  const notes: string[] = [];
  let machines: Promise<string | undefined> | undefined;
  const machinesOnce = (): Promise<string | undefined> =>
    (machines ??=
      o.useBuilders === false || o.fleet.builders.length === 0
        ? Promise.resolve(undefined)
        : healthyBuilders(o.fleet, o.stateDir, ctx, notes));

  const buildStage: Stage = {
    name: 'build',
    limit: o.buildJobs ?? 10,
    run: async (id, sc) => {
      const host = hosts.get(id)!;
      const { drvPath, outPath } = evaluated(sc.outputs).toplevel;
      if (drvPath === undefined) {
        // From a fleet file: already built; it must be in the deployer's store to be copied.
        const held = await queryValidity('local', [outPath], ctx, ctx.run(ctx.timeouts.local));
        if (held.valid?.length === 1) return { kind: 'ok', detail: 'already built' };
        return { kind: 'failed', error: `${outPath} is not in the deployer's store: build it first` };
      }
      const r = onTarget(host)
        ? await buildOnTarget(host, drvPath, outPath, ctx, { checkSigs: o.checkSigs ?? true })
        : await buildLocally(id, drvPath, outPath, ctx, {
            stateDir: o.stateDir,
            machinesFile: await machinesOnce(),
          });
      return r.ok
        ? { kind: 'ok', detail: onTarget(host) ? 'built on target' : 'built' }
        : { kind: 'failed', error: r.error };
    },
  };

  const sizes = new ClosureSizes(ctx);
  const cascade =
    copyMode === 'cascade'
      ? new CascadeCopy(
          [...hosts.keys()].filter((id) => !onTarget(hosts.get(id)!)),
          (wants, onEvent) =>
            runRealCascade({
              fleet: o.fleet,
              strategy: o.strategy!,
              paths: wants,
              mode: 'eager',
              ...(o.checkSigs !== undefined ? { checkSigs: o.checkSigs } : {}),
              ...(o.substituteOnDestination !== undefined
                ? { substituteOnDestination: o.substituteOnDestination }
                : {}),
              onEvent,
              remote: ctx,
            }),
          o.onCascadeEvent,
        )
      : undefined;
  const copyStage: Stage = {
    name: 'copy',
    ...(cascade === undefined ? { limit: parallel } : {}),
    run: async (id, sc) => {
      const host = hosts.get(id)!;
      const { outPath } = evaluated(sc.outputs).toplevel;
      if (onTarget(host)) return { kind: 'ok', detail: 'built on target' };
      if (cascade !== undefined) return cascade.arrive(id, outPath);
      return pushClosure(host, outPath, ctx, sizes, {
        checkSigs: o.checkSigs ?? true,
        substituteOnDestination: o.substituteOnDestination ?? false,
      });
    },
  };

  const activationStage: Stage = {
    name: 'activate',
    limit: parallel,
    run: async (id, sc) => {
      const host = hosts.get(id)!;
      const { outPath } = evaluated(sc.outputs).toplevel;
      const current = sc.outputs.get('check') as CurrentSystem | undefined;
      return guardedActivation(host, outPath, activation!, current, ctx, rollback);
    },
  };

  const keysStage = (name: 'keys' | 'post-keys', phase: KeyPhase): Stage => ({
    name,
    limit: parallel,
    run: async (id) => {
      const host = hosts.get(id)!;
      const keys = keysAt(host, phase);
      if (keys.length === 0) return { kind: 'ok', detail: 'no keys' };
      const r = await uploadKeys(host, keys, ctx);
      return r.ok ? { kind: 'ok', detail: r.detail } : { kind: 'failed', error: r.error };
    },
  });

  const healthStage: Stage = {
    name: 'health',
    limit: parallel,
    run: async (id, sc) => {
      const host = hosts.get(id)!;
      const r = await runHealthChecks(host, ctx);
      if (r.ok) return { kind: 'ok', detail: r.detail };
      const before = sc.outputs.get('check') as CurrentSystem | undefined;
      if (
        !o.rollbackOnHealthFailure ||
        before === undefined ||
        (activation !== 'switch' && activation !== 'test')
      )
        return { kind: 'failed', error: r.error };
      const back = await revertTo(host, before, activation, ctx);
      return back.ok
        ? { kind: 'failed', error: r.error, cause: { rollback: 'rolled back (health check failed)' } }
        : { kind: 'failed', error: `${r.error}\nrolling back failed too: ${back.error}` };
    },
  };

  const rebootStage: Stage = {
    name: 'reboot',
    limit: parallel,
    run: async (id, sc) => {
      const { outPath } = evaluated(sc.outputs).toplevel;
      const before = sc.outputs.get('check') as CurrentSystem;
      const r = await rebootAndWait(hosts.get(id)!, outPath, before, ctx, o.rebootTimeout ?? 300);
      return r.ok ? { kind: 'ok', detail: r.detail } : { kind: 'failed', error: r.error };
    },
  };

  const all = {
    eval: evalStage,
    check: checkStage,
    build: buildStage,
    copy: copyStage,
    keys: keysStage('keys', o.action === 'keys' ? 'all' : 'pre-activation'),
    activate: activationStage,
    reboot: rebootStage,
    'post-keys': keysStage('post-keys', 'post-activation'),
    health: healthStage,
  };
  const names = stageNames(o.action, {
    hosts: o.fleet.hosts,
    ...(o.uploadKeys !== undefined ? { uploadKeys: o.uploadKeys } : {}),
    ...(o.reboot !== undefined ? { reboot: o.reboot } : {}),
  });
  const rollout =
    o.rollout !== undefined && activation !== undefined
      ? new Rollout([...hosts.keys()], o.rollout)
      : undefined;
  // The rollout's wave gate stands before the first stage that changes the host after the copy.
  const gated = names.findIndex((n) => n === 'keys' || n === 'activate');
  const stages = names.map((n, i) =>
    rollout !== undefined && i === gated && o.action !== 'keys' ? inWaves(all[n], rollout) : all[n],
  );
  if (rollout !== undefined) notes.push(`rollout in waves of ${rollout.waves.join(', ')} hosts`);

  const dag = await runStages({
    hosts: [...hosts.keys()],
    stages,
    ...(o.failFast !== undefined ? { failFast: o.failFast } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(o.now ? { now: o.now } : {}),
    onEvent: (e) => {
      // A host that finished before its copy (failed, unchanged) will not join the cascade.
      if (e.type === 'host-finished') {
        cascade?.leave(e.host);
        rollout?.finished(e.host, e.result.outcome === 'failed');
      }
      o.onProgress?.(e);
    },
  });
  await cascade?.ended();
  const stop = rollout?.stop;
  if (stop !== undefined)
    notes.push(`rollout stopped after wave ${stop.afterWave + 1}: ${stop.failures} hosts had failed`);
  return deployReport(o.action, dag, o.broken ?? new Map(), cascade?.result, notes);
}

function ok(output: Evaluated, detail: string): StageOutcome {
  return { kind: 'ok', output, detail };
}

function evaluated(outputs: ReadonlyMap<string, unknown>): Evaluated {
  return outputs.get('eval') as Evaluated;
}

function describeCurrent(c: CurrentSystem): string {
  return c.running === undefined ? 'no running system' : `running ${c.running}`;
}
