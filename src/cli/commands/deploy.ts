import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import type { EventSink } from '../../core/events.js';
import { DEPLOY_ACTIONS, parseDeployAction } from '../../deploy/actions.js';
import { defaultStateDir } from '../../deploy/build.js';
import { deploy } from '../../deploy/pipeline.js';
import { stageNames } from '../../deploy/stages.js';
import { planDeploy, planText } from '../../deploy/plan.js';
import { getStrategy } from '../../strategies/registry.js';
import type { RealHost } from '../../fleet/realFleet.js';
import { type RolloutOptions, parseCountOrShare } from '../../deploy/rollout.js';
import { selectHosts } from '../../deploy/select.js';
import { withFlagNames } from '../flagErrors.js';
import { JsonlFileSink } from '../../trace/jsonl.js';
import { printReport, progressFor } from '../deployProgress.js';
import { loadDeploySource, type SourceFlags, withSourceFlags } from '../deploySource.js';
import { parseStrategyOptions } from '../scenarioFlags.js';
import { type RemoteFlags, withRemoteFlags, withRemoteRun } from '../remoteFlags.js';

interface DeployArgs extends RemoteFlags, SourceFlags {
  action?: string;
  'dry-run': boolean;
  builders: boolean;
  rollback: boolean;
  keys: boolean;
  reboot: boolean;
  'reboot-timeout': number;
  batch?: string;
  'max-failures'?: string;
  canary?: string;
  'rollback-on-health-failure': boolean;
  'confirm-timeout': number;
  copy: string;
  strategy: string;
  'strategy-option'?: string[];
  parallel: number;
  'eval-jobs': number;
  'build-jobs': number;
  'build-on-target': boolean;
  'substitute-on-destination': boolean;
  force: boolean;
  'force-replace-unknown-profiles': boolean;
  'fail-fast': boolean;
  report?: string;
  trace?: string;
  json: boolean;
  'state-dir'?: string;
}

/**
 * `nix-cascade deploy [ACTION]`: a fleet (from a flake, or a fleet file with built toplevels) to a new
 * configuration: eval → check → build → copy (cascade or push) → activate, every host in the report.
 * Exit 0 when every host ended well, 1 when any failed, 2 for bad input (then nothing was touched).
 */
export const deployCommand: CommandModule<object, DeployArgs> = {
  command: 'deploy [action]',
  describe: 'Deploy a NixOS / nix-darwin fleet: eval, build, copy (cascade or push), activate',
  builder: (y) =>
    withSourceFlags(withRemoteFlags(y))
      .positional('action', {
        type: 'string',
        describe: `What to do: ${DEPLOY_ACTIONS.join(', ')} [switch; boot with --reboot]`,
      })
      .option('copy', { type: 'string', choices: ['cascade', 'push'], default: 'cascade' })
      .option('strategy', {
        type: 'string',
        default: 'swarm',
        describe: 'Cascade strategy (see `nix-cascade strategies`)',
      })
      .option('strategy-option', {
        type: 'string',
        array: true,
        describe: 'Strategy option key=value (repeatable)',
      })
      .option('parallel', {
        alias: 'p',
        type: 'number',
        default: 10,
        describe: 'Push copies and activations at once',
      })
      .option('eval-jobs', {
        type: 'number',
        default: 1,
        describe: 'Evaluator processes at once (hosts split among them)',
      })
      .option('build-jobs', { type: 'number', default: 10, describe: 'Local builds at once' })
      .option('build-on-target', {
        type: 'boolean',
        default: false,
        describe: 'Every host builds its own system',
      })
      .option('substitute-on-destination', {
        type: 'boolean',
        default: false,
        describe: 'Hosts try their own substituters first',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Activate hosts that already run the new system',
      })
      .option('force-replace-unknown-profiles', { type: 'boolean', default: false })
      .option('fail-fast', {
        type: 'boolean',
        default: false,
        describe: 'Stop starting work at the first failure',
      })
      .option('keep-going', {
        type: 'boolean',
        describe: "One host's failure never stops the others (the default; colmena's flag)",
      })
      .conflicts('fail-fast', 'keep-going')
      .option('report', { type: 'string', describe: 'Write the deploy report as JSON' })
      .option('trace', { type: 'string', describe: "Write the cascade's events as JSON Lines" })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print exactly one JSON object (the report)',
      })
      .option('state-dir', {
        type: 'string',
        describe: 'Where build GC roots are kept [~/.local/state/nix-cascade]',
      })
      .option('builders', {
        type: 'boolean',
        default: true,
        describe:
          "Build through the fleet's healthy remote builders; --no-builders builds on the deployer only",
      })
      .option('rollback', {
        type: 'boolean',
        default: true,
        describe:
          'Magic rollback for switch and test: hosts return to their previous system unless confirmed',
      })
      .option('keys', {
        type: 'boolean',
        default: true,
        describe: "Upload the hosts' deployment.keys around the activation (--no-keys: leave them)",
      })
      .option('reboot', {
        type: 'boolean',
        default: false,
        describe:
          'Reboot each host after boot / switch and wait for it on its new system (the action defaults to boot)',
      })
      .option('reboot-timeout', {
        type: 'number',
        default: 300,
        describe: 'Seconds a rebooting host has to come back',
      })
      .option('batch', {
        type: 'string',
        describe: 'Activate in waves of N hosts or P% of them (copying still cascades fleet-wide first)',
      })
      .option('max-failures', {
        type: 'string',
        describe: 'Stop before the next wave once N (or P%) hosts failed [never; 1 with --canary]',
      })
      .option('canary', {
        type: 'string',
        describe: 'Hosts (as --on) activated first, alone',
      })
      .option('rollback-on-health-failure', {
        type: 'boolean',
        default: false,
        describe: 'A host whose health checks fail returns to the system it ran before',
      })
      .option('confirm-timeout', {
        type: 'number',
        default: 30,
        describe: 'Seconds to reach a host again over a fresh ssh connection after its activation',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Say what would happen and predict the copy; change nothing (same as `nix-cascade plan`)',
      }) as Argv<DeployArgs>,
  handler: async (a) => {
    // colmena's rule: --reboot makes `boot` the default action.
    const action = parseDeployAction(a.action ?? (a.reboot ? 'boot' : 'switch'));
    if (a.reboot && action !== 'boot' && action !== 'switch')
      throw new ConfigError(`--reboot goes with boot or switch, not ${action}`, '--reboot');
    if (!(a['reboot-timeout'] > 0))
      throw new ConfigError(`must be a positive number, got ${a['reboot-timeout']}`, '--reboot-timeout');
    const strategy =
      a.copy === 'cascade' ? getStrategy(a.strategy, parseStrategyOptions(a['strategy-option'])) : undefined;
    for (const [flag, v] of [
      ['--parallel', a.parallel],
      ['--eval-jobs', a['eval-jobs']],
      ['--build-jobs', a['build-jobs']],
      ['--confirm-timeout', a['confirm-timeout']],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`must be a positive integer, got ${v}`, flag);
    }
    const trace = a.trace === undefined ? undefined : new JsonlFileSink(a.trace);
    await withRemoteRun(a, async (remote) => {
      try {
        const { flake, fleet, broken } = await loadDeploySource(a, remote);
        if (a['dry-run']) {
          const plan = await planDeploy({
            fleet,
            ...(flake !== undefined ? { flake } : {}),
            broken,
            remote,
            strategy: strategy ?? getStrategy('swarm'),
            parallel: a.parallel,
            evalJobs: a['eval-jobs'],
            force: a.force,
          });
          process.stdout.write(a.json ? `${JSON.stringify(plan)}\n` : planText(plan));
          return;
        }
        const rollout = rolloutOf(a, fleet.hosts);
        const sink: EventSink | undefined = trace?.sink;
        const hosts = [...broken.keys(), ...fleet.hosts.map((h) => h.id)];
        const progress = progressFor(
          hosts,
          stageNames(action, { hosts: fleet.hosts, uploadKeys: a.keys, reboot: a.reboot }).length,
          a.json,
        );
        const report = await deploy({
          action,
          fleet,
          ...(flake !== undefined ? { flake } : {}),
          broken,
          remote,
          copy: a.copy as 'cascade' | 'push',
          ...(strategy ? { strategy } : {}),
          parallel: a.parallel,
          evalJobs: a['eval-jobs'],
          buildJobs: a['build-jobs'],
          useBuilders: a.builders,
          rollback: a.rollback,
          uploadKeys: a.keys,
          reboot: a.reboot,
          rebootTimeout: a['reboot-timeout'],
          ...(rollout ? { rollout } : {}),
          rollbackOnHealthFailure: a['rollback-on-health-failure'],
          confirmSeconds: a['confirm-timeout'],
          buildOnTarget: a['build-on-target'],
          substituteOnDestination: a['substitute-on-destination'],
          checkSigs: a['check-sigs'],
          force: a.force,
          forceReplaceUnknownProfiles: a['force-replace-unknown-profiles'],
          failFast: a['fail-fast'],
          stateDir: a['state-dir'] ?? defaultStateDir(),
          ...(progress ? { onProgress: progress.onProgress } : {}),
          ...(sink ? { onCascadeEvent: sink } : {}),
        });
        progress?.stop();
        printReport(report, a);
      } finally {
        trace?.close();
      }
    });
  },
};

/** `nix-cascade plan [ACTION]`: `deploy --dry-run`. */
export const planCommand: CommandModule<object, DeployArgs> = {
  ...deployCommand,
  command: 'plan [action]',
  describe:
    'What a deploy would do, and the predicted copy time of push and of the strategy; changes nothing',
  handler: (a) => deployCommand.handler({ ...a, 'dry-run': true }),
};

/** The staged rollout the flags ask for, or undefined (every host at once). @throws ConfigError for a bad flag. */
function rolloutOf(a: DeployArgs, hosts: readonly RealHost[]): RolloutOptions | undefined {
  if (a.batch === undefined && a['max-failures'] === undefined && a.canary === undefined) return undefined;
  const canary =
    a.canary === undefined
      ? undefined
      : withFlagNames(new Map([['--on', '--canary']]), () =>
          selectHosts(
            hosts.map((h) => ({ name: h.id, tags: h.tags })),
            a.canary,
          ),
        );
  return {
    ...(a.batch !== undefined ? { batch: parseCountOrShare(a.batch, '--batch') } : {}),
    ...(a['max-failures'] !== undefined
      ? { maxFailures: parseCountOrShare(a['max-failures'], '--max-failures') }
      : {}),
    ...(canary !== undefined ? { canary } : {}),
  };
}
