import { builderSchema, buildersOf } from './builders.js';
import { healthChecksOf, healthChecksSchema } from './healthChecks.js';
import { keySchema, keysOf } from './keys.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseRate } from '../units/units.js';
import type { RealDeployer, RealFleet, RealHost } from './realFleet.js';
import { validateSshTarget } from '../remote/ssh.js';
import {
  validateFilePath,
  validatePort,
  validateSshOption,
  validateStorePath,
  validateUser,
} from '../remote/validate.js';

/**
 * The fleet file for real hosts: the JSON that the reference's `mkFleet` emits
 * (`{ nodes, builders, flakeUri }`), extended with per-node `ssh` settings and link rates, a `deployer`
 * entry and `defaults`. Format documented in docs/fleet-file.md.
 */

const rate = z.union([z.number().positive(), z.string().min(1)]);
const sshSchema = z.strictObject({
  identityFile: z.string().optional(),
  knownHostsFile: z.string().optional(),
  options: z.array(z.string()).optional(),
});
/** Link rates and concurrency limits, per node or as fleet defaults. */
const linkFields = {
  uplink: rate.optional(),
  downlink: rate.optional(),
  maxSends: z.number().int().positive().optional(),
  maxReceives: z.number().int().positive().optional(),
};
/**
 * colmena's `deployment.sshOptions`: raw ssh arguments. Only the ones nix-cascade can carry safely are
 * accepted (`-o Key=Value`, `-oKey=Value`, `-i FILE`); see {@link sshArgsToTarget}.
 */
const sshArgs = z.array(z.string());
/** The deploy pipeline's per-node settings, with colmena's names. */
const deployFields = {
  sshOptions: sshArgs.optional(),
  privilegeEscalationCommand: z.array(z.string().min(1)).optional(),
  replaceUnknownProfiles: z.boolean().optional(),
  allowLocalDeployment: z.boolean().optional(),
  keys: z.record(z.string(), keySchema).optional(),
  healthChecks: healthChecksSchema.optional(),
};
const nodeSchema = z.strictObject({
  targetHost: z.string().min(1).optional(),
  targetUser: z.string().min(1).optional(),
  targetPort: z.number().int().nullable().optional(),
  tags: z.array(z.string()).optional(),
  system: z.string().min(1).optional(),
  profileType: z.enum(['nixos', 'nix-darwin']).optional(),
  buildOnTarget: z.boolean().optional(),
  toplevel: z.string().nullable().optional(),
  drvPath: z.string().nullable().optional(),
  ssh: sshSchema.optional(),
  ...linkFields,
  ...deployFields,
});
const defaultsSchema = z.strictObject({
  targetUser: z.string().min(1).optional(),
  targetPort: z.number().int().optional(),
  ssh: sshSchema.optional(),
  ...linkFields,
});
const deployerSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
    .optional(),
  uplink: rate.optional(),
  downlink: rate.optional(),
  maxSends: z.number().int().positive().optional(),
});
/** Top level: mkFleet's keys; other integration configs it may carry (ansibleConfig, …) are ignored. */
const fileSchema = z.looseObject({
  nodes: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'host names: letters, digits, _ . -'),
    nodeSchema,
  ),
  builders: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'builder names: letters, digits, _ . -'),
      builderSchema,
    )
    .optional(),
  flakeUri: z.string().optional(),
  flake_uri: z.string().optional(),
  deployer: deployerSchema.optional(),
  defaults: defaultsSchema.optional(),
  /** colmena's `meta`: `allowApplyAll = false` refuses a deploy that selects no hosts explicitly. */
  meta: z.looseObject({ allowApplyAll: z.boolean().optional() }).optional(),
});

/** The parsed file, as the schema sees it. */
export type FleetFileJson = z.infer<typeof fileSchema>;

function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') ||
    '(top level)'
  );
}

/**
 * Parses and validates a fleet file's JSON text. `file` names the source in every error.
 *
 * @throws ConfigError naming the file and the field (`fleet.json: nodes.web-01.targetPort`).
 */
export function parseFleetFile(text: string, file = 'fleet file'): RealFleet {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`not valid JSON: ${(e as Error).message}`, file);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.message, `${file}: ${fieldPath(issue.path)}`);
  }
  return fromJson(parsed.data, file);
}

/** Reads and parses a fleet file. @throws ConfigError when it cannot be read or is invalid. */
export function loadFleetFile(path: string): RealFleet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read fleet file: ${(e as Error).message}`, path);
  }
  return parseFleetFile(text, path);
}

function fromJson(j: FleetFileJson, file: string): RealFleet {
  const d = j.defaults ?? {};
  const names = Object.keys(j.nodes);
  if (names.length === 0) throw new ConfigError('the fleet has no nodes', `${file}: nodes`);
  const deployerId = j.deployer?.name ?? 'deployer';
  if (names.includes(deployerId)) {
    throw new ConfigError(
      `node "${deployerId}" has the deployer's name; rename it or set deployer.name`,
      `${file}: nodes.${deployerId}`,
    );
  }
  // Defaults are checked once where they are written, so an error names `defaults.…`, not the first node.
  const dw = `${file}: defaults`;
  if (d.targetUser !== undefined) validateUser(d.targetUser, `${dw}.targetUser`);
  if (d.targetPort !== undefined) validatePort(d.targetPort, `${dw}.targetPort`);
  if (d.ssh?.identityFile !== undefined) validateFilePath(d.ssh.identityFile, `${dw}.ssh.identityFile`);
  if (d.ssh?.knownHostsFile !== undefined) validateFilePath(d.ssh.knownHostsFile, `${dw}.ssh.knownHostsFile`);
  d.ssh?.options?.forEach((o, i) => validateSshOption(o, `${dw}.ssh.options[${i}]`));
  const defaultUp = d.uplink !== undefined ? parseRate(d.uplink, `${dw}.uplink`) : undefined;
  const defaultDown = d.downlink !== undefined ? parseRate(d.downlink, `${dw}.downlink`) : undefined;
  const hosts: RealHost[] = names.map((name) => {
    const n = j.nodes[name]!;
    const where = `${file}: nodes.${name}`;
    // A node's own options by their own index (the defaults come first in the merged list).
    n.ssh?.options?.forEach((o, i) => validateSshOption(o, `${where}.ssh.options[${i}]`));
    const fromArgs = n.sshOptions ? sshArgsToTarget(n.sshOptions, `${where}.sshOptions`) : { options: [] };
    const ssh = {
      ...d.ssh,
      ...fromArgs,
      ...n.ssh,
      options: [...(d.ssh?.options ?? []), ...fromArgs.options, ...(n.ssh?.options ?? [])],
    };
    const up = n.uplink !== undefined ? parseRate(n.uplink, `${where}.uplink`) : defaultUp;
    const down = n.downlink !== undefined ? parseRate(n.downlink, `${where}.downlink`) : defaultDown;
    const maxSends = n.maxSends ?? d.maxSends;
    const maxReceives = n.maxReceives ?? d.maxReceives;
    const toplevel = n.toplevel ?? undefined;
    if (toplevel !== undefined) validateStorePath(toplevel, `${where}.toplevel`);
    const drvPath = n.drvPath ?? undefined;
    if (drvPath !== undefined) validateStorePath(drvPath, `${where}.drvPath`);
    const user = n.targetUser ?? d.targetUser ?? (n.profileType === 'nix-darwin' ? 'admin' : 'root');
    // colmena's default: `sudo -H --` in front of every activation command when the user is not root.
    const escalate = n.privilegeEscalationCommand ?? (user === 'root' ? [] : ['sudo', '-H', '--']);
    const host: RealHost = {
      id: name,
      address: n.targetHost ?? name,
      user,
      port: n.targetPort ?? d.targetPort ?? 22,
      ...(ssh.identityFile !== undefined ? { identityFile: ssh.identityFile } : {}),
      ...(ssh.knownHostsFile !== undefined ? { knownHostsFile: ssh.knownHostsFile } : {}),
      options: ssh.options,
      tags: n.tags ?? [],
      system: n.system ?? 'x86_64-linux',
      profileType: n.profileType ?? 'nixos',
      buildOnTarget: n.buildOnTarget ?? false,
      ...(up !== undefined ? { uplink: up } : {}),
      ...(down !== undefined ? { downlink: down } : {}),
      ...(maxSends !== undefined ? { maxSends } : {}),
      ...(maxReceives !== undefined ? { maxReceives } : {}),
      ...(toplevel !== undefined ? { toplevel } : {}),
      ...(drvPath !== undefined ? { drvPath } : {}),
      privilegeEscalationCommand: escalate,
      replaceUnknownProfiles: n.replaceUnknownProfiles ?? true,
      allowLocalDeployment: n.allowLocalDeployment ?? false,
      keys: keysOf(n.keys ?? {}, `${where}.keys`),
      healthChecks: healthChecksOf(n.healthChecks, n.targetHost ?? name),
    };
    // Field names in errors follow the file: targetHost, targetUser, targetPort, ssh.*.
    try {
      validateSshTarget(host, where);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const renamed = (e.where ?? where)
        .replace(/\.address$/, '.targetHost')
        .replace(/\.user$/, '.targetUser')
        .replace(/\.port$/, '.targetPort')
        .replace(/\.(identityFile|knownHostsFile|options)/, '.ssh.$1');
      throw new ConfigError(e.message.slice((e.where ?? '').length + 2), renamed, { cause: e });
    }
    return host;
  });
  const seen = new Map<string, string>();
  for (const h of hosts) {
    const key = `${h.address.toLowerCase()}:${h.port}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ConfigError(
        `has the same address and port as node "${other}" (${h.address}:${h.port}): two nodes cannot be one machine`,
        `${file}: nodes.${h.id}.targetHost`,
      );
    }
    seen.set(key, h.id);
  }
  const dj = j.deployer ?? {};
  const deployer: RealDeployer = {
    id: deployerId,
    ...(dj.uplink !== undefined ? { uplink: parseRate(dj.uplink, `${file}: deployer.uplink`) } : {}),
    ...(dj.downlink !== undefined ? { downlink: parseRate(dj.downlink, `${file}: deployer.downlink`) } : {}),
    ...(dj.maxSends !== undefined ? { maxSends: dj.maxSends } : {}),
  };
  return {
    deployer,
    hosts,
    flakeUri: j.flakeUri ?? j.flake_uri ?? '.',
    builders: buildersOf(j.builders ?? {}),
    allowApplyAll: j.meta?.allowApplyAll ?? true,
  };
}

/**
 * colmena's `sshOptions` (raw ssh arguments) as nix-cascade's ssh settings: `-o Key=Value` / `-oKey=Value`
 * become options (checked like `ssh.options`), `-i FILE` the identity file. Anything else is refused with
 * what to write instead: nix-cascade builds every ssh command itself and passes the same options to the
 * peers' nested ssh, so an argument it cannot carry must not be dropped silently.
 * @throws ConfigError naming `where[i]`.
 */
export function sshArgsToTarget(
  args: readonly string[],
  where: string,
): { identityFile?: string; options: string[] } {
  const options: string[] = [];
  let identityFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[i + 1];
      if (v === undefined) throw new ConfigError(`${a} needs a value`, `${where}[${i}]`);
      i++;
      return v;
    };
    if (a === '-o') options.push(validateSshOption(value(), `${where}[${i}]`));
    else if (a.startsWith('-o')) options.push(validateSshOption(a.slice(2), `${where}[${i}]`));
    else if (a === '-i') identityFile = validateFilePath(value(), `${where}[${i}]`);
    else {
      throw new ConfigError(
        `ssh argument ${JSON.stringify(a)} is not supported: use -o Key=Value, -i FILE, or the node's targetPort / targetUser`,
        `${where}[${i}]`,
      );
    }
  }
  return identityFile === undefined ? { options } : { identityFile, options };
}
