import { z } from 'zod';
import type { SshTarget } from '../remote/ssh.js';

/**
 * Remote builders as mkFleet declares them (`builders.<name>`, the reference's `Builder`, camelCase):
 * where they are, how many jobs they take, how fast they are, what they build. The deploy pipeline probes
 * them with `health` and writes the healthy ones into a Nix machines file (`nix build --builders @FILE`).
 */

/** One machines-file field: no whitespace, or it would split the line. */
const word = z.string().regex(/^\S+$/, 'a machines-file field: no spaces');

export const builderSchema = z.strictObject({
  /** Hostname or address; default the builder's name. */
  host: word.optional(),
  user: word.default('root'),
  maxJobs: z.int().min(1).default(1),
  /** Higher is preferred (Nix's speed factor). */
  speedFactor: z.int().min(1).default(1),
  systems: z.array(word).min(1).default(['x86_64-linux']),
  features: z.array(word).default([]),
  /** The ssh identity file the builder accepts. */
  sshKey: word.nullable().default(null),
  protocol: z.enum(['ssh-ng', 'ssh']).default('ssh-ng'),
  /**
   * The builder's host key as Nix's machines file wants it: base64 of its `ssh-ed25519 AAAA…` line.
   * Absent: ssh checks it against the deployer's own known_hosts.
   */
  publicHostKey: word.nullable().default(null),
  /** A known_hosts file the health probe checks the builder's key against. */
  knownHostsFile: z.string().min(1).nullable().default(null),
});

/** One builder of the fleet. */
export interface RemoteBuilder {
  readonly name: string;
  readonly host: string;
  readonly user: string;
  readonly maxJobs: number;
  readonly speedFactor: number;
  readonly systems: readonly string[];
  readonly features: readonly string[];
  readonly sshKey: string | null;
  readonly protocol: 'ssh-ng' | 'ssh';
  readonly publicHostKey: string | null;
  readonly knownHostsFile: string | null;
}

/** The builders of a parsed fleet file, in name order. */
export function buildersOf(raw: Readonly<Record<string, z.output<typeof builderSchema>>>): RemoteBuilder[] {
  return Object.keys(raw)
    .sort()
    .map((name) => {
      const b = raw[name]!;
      return { name, ...b, host: b.host ?? name };
    });
}

/** The builder as an ssh target, for `health`'s probes. */
export function builderTarget(b: RemoteBuilder): SshTarget {
  return {
    id: b.name,
    address: b.host,
    user: b.user,
    port: 22,
    options: [],
    ...(b.sshKey !== null ? { identityFile: b.sshKey } : {}),
    ...(b.knownHostsFile !== null ? { knownHostsFile: b.knownHostsFile } : {}),
  };
}

/**
 * Nix's machines-file text: one line per builder, fastest first, `URI SYSTEMS KEY JOBS SPEED FEATURES
 * MANDATORY HOSTKEY` with `-` for what is empty.
 */
export function machinesFile(builders: readonly RemoteBuilder[]): string {
  const dash = (s: string | null | readonly string[]): string =>
    s === null || s.length === 0 ? '-' : typeof s === 'string' ? s : s.join(',');
  return [...builders]
    .sort((a, b) => b.speedFactor - a.speedFactor || a.name.localeCompare(b.name))
    .map((b) =>
      [
        `${b.protocol}://${b.user}@${b.host}`,
        dash(b.systems),
        dash(b.sshKey),
        String(b.maxJobs),
        String(b.speedFactor),
        dash(b.features),
        '-',
        dash(b.publicHostKey),
      ].join(' '),
    )
    .map((l) => `${l}\n`)
    .join('');
}
