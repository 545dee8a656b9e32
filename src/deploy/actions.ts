import { ConfigError } from '../core/errors.js';

/**
 * What `nix-cascade deploy ACTION` does, with colmena's goal names: `switch` [default], `boot`, `test`,
 * `dry-activate` activate (each as NixOS' `switch-to-configuration` does), `build` stops after the build,
 * `push` builds and copies and activates nothing.
 */
export const DEPLOY_ACTIONS = ['switch', 'boot', 'test', 'dry-activate', 'build', 'push'] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];

/** The actions that run something on the host after the copy. */
export type ActivationAction = Extract<DeployAction, 'switch' | 'boot' | 'test' | 'dry-activate'>;

/** @throws ConfigError listing the actions for anything else. */
export function parseDeployAction(value: string): DeployAction {
  if ((DEPLOY_ACTIONS as readonly string[]).includes(value)) return value as DeployAction;
  throw new ConfigError(`unknown action "${value}" (try: ${DEPLOY_ACTIONS.join(', ')})`, 'action');
}

/** Whether the action copies the closure to the host (everything but `build`). */
export function copies(action: DeployAction): boolean {
  return action !== 'build';
}

/** The activation it runs, or undefined for `build` and `push`. */
export function activationOf(action: DeployAction): ActivationAction | undefined {
  return action === 'build' || action === 'push' ? undefined : action;
}

/** `switch` and `boot` make the new system the profile's current generation; `test` and `dry-activate` do not. */
export function setsProfile(action: ActivationAction): boolean {
  return action === 'switch' || action === 'boot';
}
