import type { HealthCheck } from './healthChecks.js';
import type { DeploymentKey } from './keys.js';
import type { RemoteBuilder } from './builders.js';
import type { HostId } from '../core/types.js';
import type { SshTarget } from '../remote/ssh.js';

/** A real target host: how to reach it and what the fleet file says about it. */
export interface RealHost extends SshTarget {
  readonly tags: readonly string[];
  /** e.g. `x86_64-linux`. */
  readonly system: string;
  readonly profileType: 'nixos' | 'nix-darwin';
  readonly buildOnTarget: boolean;
  /** Bytes per second, when the fleet file states it (strategies and bounds use it). */
  readonly uplink?: number;
  readonly downlink?: number;
  readonly maxSends?: number;
  readonly maxReceives?: number;
  /** The system toplevel the fleet file names for the host, if any (mkFleet's `toplevel`). */
  readonly toplevel?: string;
  /** The toplevel's derivation, if the fleet file names it. */
  readonly drvPath?: string;
  /**
   * Prefixed to every activation command when the ssh user is not root (colmena's option).
   * @defaultValue `['sudo', '-H', '--']` for a non-root user, `[]` for root
   */
  readonly privilegeEscalationCommand: readonly string[];
  /**
   * Activate even when the host's current system profile is not in the deployer's store (someone else
   * deployed it, or the deployer collected it). @defaultValue `true`
   */
  readonly replaceUnknownProfiles: boolean;
  /** colmena's option, kept for fleets that set it (deploying to the deployer itself). @defaultValue `false` */
  readonly allowLocalDeployment: boolean;
  /** Secrets to upload (colmena's `deployment.keys`); their content is read only when uploading. */
  readonly keys: readonly DeploymentKey[];
  /** Checks run after the activation (morph's `deployment.healthChecks`, plus `tcp`). */
  readonly healthChecks: readonly HealthCheck[];
}

/** The machine running nix-cascade: it copies from its own local store, so it has no address. */
export interface RealDeployer {
  readonly id: HostId;
  readonly uplink?: number;
  readonly downlink?: number;
  readonly maxSends?: number;
}

/** A fleet of real machines, in fleet order, as loaded from a fleet file. */
export interface RealFleet {
  readonly deployer: RealDeployer;
  /** Targets in fleet order (the order of `nodes` in the file). */
  readonly hosts: readonly RealHost[];
  readonly flakeUri: string;
  /** mkFleet's remote builders, in name order (the deploy pipeline probes and uses them). */
  readonly builders: readonly RemoteBuilder[];
  /** colmena's `meta.allowApplyAll`: false refuses a deploy without an explicit host selection. */
  readonly allowApplyAll: boolean;
}

/** The host named `id`, or undefined. */
export function findHost(fleet: RealFleet, id: HostId): RealHost | undefined {
  return fleet.hosts.find((h) => h.id === id);
}
