import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { bytesSchema } from '../units/units.js';

/**
 * A local flake without inputs whose hosts have the shape nixpkgs' `nixosSystem` (and nix-darwin's
 * `darwinSystem`) returns: `config.system.build.toplevel` a real derivation built offline by /bin/sh,
 * `config.deployment` with colmena's option names, and a real `bin/switch-to-configuration` (darwin:
 * `activate`) that records its action and toplevel in `/nix/var/nix-cascade-lab/activations.log` and,
 * like the real one, points `/run/current-system` at the toplevel — inside the lab host it runs on (its
 * /nix and /run are private). The deploy pipeline's lab tests and benchmark deploy it exactly as a NixOS
 * fleet. The flake itself is the constant `nix/lab/flake.nix`; what varies is the `lab.json` beside it.
 */

/** The constant flake every lab flake is. */
export const LAB_FLAKE_NIX = fileURLToPath(new URL('../../nix/lab/flake.nix', import.meta.url));

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a host or role name ([A-Za-z0-9_-])');

const hostSchema = z.strictObject({
  name,
  /** Its role: hosts of one role share that role's base closure. */
  role: name,
  profileType: z.enum(['nixos', 'nix-darwin']).default('nixos'),
  /** `config.deployment`: colmena's option names, as a flake would set them. */
  deployment: z.record(z.string(), z.unknown()).default({}),
  /** Its toplevel throws when evaluated. */
  brokenEval: z.boolean().default(false),
  /** Its toplevel's builder fails. */
  brokenBuild: z.boolean().default(false),
  /** The exit code of its activation script (100: switched, reboot needed). */
  activationExit: z.int().min(0).max(255).default(0),
  /**
   * The pid of the host's sshd listener (the lab's `sshdPid`): every activation script of the host
   * resumes it (`kill -CONT`) first, so an older system's activation undoes a `locksOut` one.
   */
  sshdPid: z.int().positive().nullable().default(null),
  /** Its `switch` / `test` stops its sshd listener (`kill -STOP`): a configuration that locks the deployer out. */
  locksOut: z.boolean().default(false),
  /** `config.nixpkgs.hostPlatform.system`; null leaves the attribute out. */
  hostPlatform: z.string().nullable().default('x86_64-linux'),
});

/** What a lab flake contains (written as its `lab.json`). */
export const labFlakeSpecSchema = z.strictObject({
  system: z.string().default('x86_64-linux'),
  /** Part of every derivation, so two labs (or test runs) never share store paths. */
  salt: z.string().min(1),
  /** The configuration's generation: changing it changes every host's toplevel (a new deploy). */
  generation: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -'),
  /** Blob content: `zero` (compresses away) or `random` (real bytes on the wire). */
  fill: z.enum(['zero', 'random']).default('random'),
  /** Per role, its shared base: that many store paths (a chain) of that many bytes in all. */
  roles: z.record(
    name,
    z.strictObject({ paths: z.int().min(0).max(1000), sizeBytes: bytesSchema.transform(Math.round) }),
  ),
  hosts: z.array(hostSchema).min(1),
  /** `nixCascade.builders`: the fleet's remote builders (the fleet file's `builders` format). */
  builders: z.record(z.string(), z.unknown()).default({}),
  /** `nixCascade.deployer`: the deployer's link rates (the fleet file's `deployer` format). */
  deployer: z.record(z.string(), z.unknown()).optional(),
  /** `nixCascade.meta` (colmena's `meta`: `allowApplyAll`). */
  meta: z.strictObject({ allowApplyAll: z.boolean() }).optional(),
});

/** The input of {@link writeLabFlake} (defaults filled in). */
export type LabFlakeSpec = z.input<typeof labFlakeSpecSchema>;

/**
 * Writes a lab flake into `dir`: the constant `flake.nix` and the validated `lab.json`.
 * @throws ConfigError naming the field, for a bad spec (unknown role, duplicate host, bad name).
 */
export function writeLabFlake(dir: string, spec: LabFlakeSpec): void {
  const parsed = labFlakeSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.message, `lab flake ${issue.path.join('.')}`);
  }
  const s = parsed.data;
  const seen = new Set<string>();
  s.hosts.forEach((h, i) => {
    if (h.locksOut && h.sshdPid === null)
      throw new ConfigError('locksOut needs the sshd pid to stop', `lab flake hosts[${i}].sshdPid`);
    if (seen.has(h.name)) throw new ConfigError(`duplicate host "${h.name}"`, `lab flake hosts[${i}].name`);
    seen.add(h.name);
    if (!(h.role in s.roles))
      throw new ConfigError(
        `unknown role "${h.role}" (roles: ${Object.keys(s.roles).join(', ')})`,
        `lab flake hosts[${i}].role`,
      );
  });
  mkdirSync(dir, { recursive: true });
  copyFileSync(LAB_FLAKE_NIX, join(dir, 'flake.nix'));
  writeFileSync(join(dir, 'lab.json'), `${JSON.stringify(s, null, 2)}\n`);
}
