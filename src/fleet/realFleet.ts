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
  /** mkFleet's remote builders, passed through untouched (the deploy pipeline reads them). */
  readonly builders: Readonly<Record<string, unknown>>;
}

/** The host named `id`, or undefined. */
export function findHost(fleet: RealFleet, id: HostId): RealHost | undefined {
  return fleet.hosts.find((h) => h.id === id);
}
