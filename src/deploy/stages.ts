import type { RealHost } from '../fleet/realFleet.js';
import { type DeployAction, activationOf, copies, uploadsKeys } from './actions.js';
import type { Stage } from './dagTypes.js';
import { ROLLOUT_STOPPED, type Rollout } from './rollout.js';

/** Which stages a deploy runs, in which order, and the rollout's wave gate in front of one of them. */

/** `stage` behind the rollout's wave gate; a host whose wave never opens is `skipped (rollout stopped)`. */
export function inWaves(stage: Stage, rollout: Rollout): Stage {
  return {
    ...stage,
    gate: (host) => rollout.gate(host),
    run: (host, sc) =>
      rollout.stopped(host)
        ? Promise.resolve({ kind: 'skip-rest', reason: ROLLOUT_STOPPED })
        : stage.run(host, sc),
  };
}

/** A stage of the deploy pipeline. */
export type DeployStageName =
  'eval' | 'check' | 'build' | 'copy' | 'keys' | 'activate' | 'reboot' | 'post-keys' | 'health';

/** What decides which stages a deploy has besides its action. */
export interface StageChoice {
  /** The selected hosts: their keys and health checks add stages. */
  readonly hosts?: readonly RealHost[];
  /** @defaultValue true */
  readonly uploadKeys?: boolean;
  /** `--reboot` (with `boot` or `switch`). */
  readonly reboot?: boolean;
}

/**
 * The stages an action runs, in order: `build` needs no check, copy or activation; `push` no activation;
 * `keys` only uploads keys. `switch`, `boot` and `test` upload pre-activation keys just before activating
 * and post-activation keys after, when some host has such keys and `uploadKeys` is on; `--reboot` reboots
 * right after the activation; `switch` and `test` end with the health checks when some host has any.
 */
export function stageNames(action: DeployAction, choice: StageChoice = {}): DeployStageName[] {
  if (action === 'keys') return ['keys'];
  const hosts = choice.hosts ?? [];
  const keysAround = (choice.uploadKeys ?? true) && uploadsKeys(action);
  const some = (at: string): boolean =>
    keysAround && hosts.some((h) => h.keys.some((k) => k.uploadAt === at));
  return [
    'eval',
    ...(action !== 'build' ? (['check'] as const) : []),
    'build',
    ...(copies(action) ? (['copy'] as const) : []),
    ...(some('pre-activation') ? (['keys'] as const) : []),
    ...(activationOf(action) !== undefined ? (['activate'] as const) : []),
    ...(choice.reboot === true && (action === 'boot' || action === 'switch') ? (['reboot'] as const) : []),
    ...(some('post-activation') ? (['post-keys'] as const) : []),
    ...((action === 'switch' || action === 'test' || (action === 'boot' && choice.reboot === true)) &&
    hosts.some((h) => h.healthChecks.length > 0)
      ? (['health'] as const)
      : []),
  ];
}
