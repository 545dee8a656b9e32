import { ConfigError } from '../core/errors.js';

/**
 * What `nix-cascade deploy ACTION` does, with colmena's goal names: `switch` [default], `boot`, `test`,
 * `dry-activate` activate (each as NixOS' `switch-to-configuration` does), `build` stops after the build,
 * `push` builds and copies and activates nothing, `keys` uploads the hosts' secrets and nothing else.
 */
export const DEPLOY_ACTIONS = ['switch', 'boot', 'test', 'dry-activate', 'build', 'push', 'keys'] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];

/** The actions that run something on the host after the copy. */
export type ActivationAction = Extract<DeployAction, 'switch' | 'boot' | 'test' | 'dry-activate'>;

/** @throws ConfigError listing the actions for anything else. */
export function parseDeployAction(value: string): DeployAction {
  if ((DEPLOY_ACTIONS as readonly string[]).includes(value)) return value as DeployAction;
  throw new ConfigError(`unknown action "${value}" (try: ${DEPLOY_ACTIONS.join(', ')})`, 'action');
}

/** Whether the action copies the closure to the host (everything but `build` and `keys`). */
export function copies(action: DeployAction): boolean {
  return action !== 'build' && action !== 'keys';
}

/** Whether the action uploads keys around its activation (`switch`, `boot`, `test`, as colmena's do). */
export function uploadsKeys(action: DeployAction): boolean {
  return action === 'switch' || action === 'boot' || action === 'test';
}

/** The activation it runs, or undefined for `build` and `push`. */
export function activationOf(action: DeployAction): ActivationAction | undefined {
  return action === 'build' || action === 'push' || action === 'keys' ? undefined : action;
}

/** `switch` and `boot` make the new system the profile's current generation; `test` and `dry-activate` do not. */
export function setsProfile(action: ActivationAction): boolean {
  return action === 'switch' || action === 'boot';
}
