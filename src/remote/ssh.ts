import { ConfigError } from '../core/errors.js';
import type { HostId } from '../core/types.js';
import { shellJoin } from './quote.js';
import {
  validateAddress,
  validateFilePath,
  validatePort,
  validateSshOption,
  validateUser,
} from './validate.js';

/** How to reach one real host over SSH. Built from the fleet file, validated by {@link validateSshTarget}. */
export interface SshTarget {
  /** The fleet's name for the host. */
  readonly id: HostId;
  /** Hostname, IPv4 or IPv6 address. */
  readonly address: string;
  /** @defaultValue `'root'` (Nix imports need a trusted user) */
  readonly user: string;
  /** @defaultValue `22` */
  readonly port: number;
  /** Private key file (`ssh -i`). */
  readonly identityFile?: string;
  /** Known-hosts file (`UserKnownHostsFile`); the user's default when absent. */
  readonly knownHostsFile?: string;
  /** Extra `-o Key=Value` options. */
  readonly options: readonly string[];
}

/**
 * The hosts remote steps talk to: the deployer (its local store, no address) and the targets, in fleet
 * order. A `RealFleet` is one; remote plumbing needs no more of it.
 */
export interface RemoteHosts {
  readonly deployer: { readonly id: HostId };
  readonly hosts: readonly SshTarget[];
}

/** @returns the target itself. @throws ConfigError naming `where.<field>` for any bad field. */
export function validateSshTarget(t: SshTarget, where: string): SshTarget {
  validateAddress(t.address, `${where}.address`);
  validateUser(t.user, `${where}.user`);
  validatePort(t.port, `${where}.port`);
  if (t.identityFile !== undefined) validateFilePath(t.identityFile, `${where}.identityFile`);
  if (t.knownHostsFile !== undefined) validateFilePath(t.knownHostsFile, `${where}.knownHostsFile`);
  t.options.forEach((o, i) => validateSshOption(o, `${where}.options[${i}]`));
  return t;
}

/**
 * The ssh option words for `target`, identical for a direct `ssh` call and for `NIX_SSHOPTS` (which Nix
 * splits on whitespace, hence no spaces in any word). `BatchMode=yes` so nothing ever waits for a password
 * prompt; host keys are checked unless `strictHostKeyChecking` is explicitly false.
 */
export function sshOptionArgs(target: SshTarget, strictHostKeyChecking: boolean): string[] {
  const args: string[] = [];
  if (target.port !== 22) args.push('-p', String(target.port));
  if (target.identityFile !== undefined) args.push('-i', target.identityFile, '-o', 'IdentitiesOnly=yes');
  if (target.knownHostsFile !== undefined) args.push('-o', `UserKnownHostsFile=${target.knownHostsFile}`);
  args.push('-o', `StrictHostKeyChecking=${strictHostKeyChecking ? 'yes' : 'no'}`);
  args.push('-o', 'BatchMode=yes');
  // A dead peer must fail the transfer, not hang it until the transfer timeout.
  args.push('-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3');
  for (const o of target.options) args.push('-o', o);
  return args;
}

/** `NIX_SSHOPTS` value for `target`: the option words joined by single spaces (Nix splits on whitespace). */
export function nixSshOpts(target: SshTarget, strictHostKeyChecking: boolean): string {
  const words = sshOptionArgs(target, strictHostKeyChecking);
  for (const w of words) {
    if (/\s/.test(w))
      throw new ConfigError(`ssh option word contains whitespace: ${JSON.stringify(w)}`, target.id);
  }
  return words.join(' ');
}

/** `user@address` as ssh takes it (IPv6 addresses bare: ssh parses `user@::1`). */
export function sshDestination(target: SshTarget): string {
  return `${target.user}@${target.address}`;
}

/** The Nix store URI for `target`: `ssh-ng://user@host` (the port travels in `NIX_SSHOPTS`). */
export function storeUri(target: SshTarget): string {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  return `ssh-ng://${target.user}@${host}`;
}

/**
 * The argument array for `ssh <opts> user@host -- <remote command>`. The remote command is an argument
 * array too; it is POSIX-quoted here into the single string ssh hands to the remote shell.
 */
export function sshCommand(
  target: SshTarget,
  strictHostKeyChecking: boolean,
  remote: readonly string[],
): string[] {
  return [...sshOptionArgs(target, strictHostKeyChecking), sshDestination(target), '--', shellJoin(remote)];
}
