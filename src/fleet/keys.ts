import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/**
 * Secrets with colmena's option names (`deployment.keys.<name>`): exactly one of `text`, `keyFile` (a file
 * on the deployer) or `keyCommand` (argv run on the deployer, its stdout the content); written on the host
 * to `destDir/name` with `user`, `group` and `permissions`, before (`pre-activation`, the default) or after
 * (`post-activation`) the activation. Colmena's read-only `path` is accepted and ignored.
 */

/** A key's file name: one path component, no dot files that could be taken for the upload's temporaries. */
const keyName = z
  .string()
  .regex(/^[A-Za-z0-9_@+=-][A-Za-z0-9_.@+=-]*$/, 'a file name: letters, digits, _ . @ + = - (no /)');
const account = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, 'a user or group name');

/** One key as a fleet file (or `nix/eval.nix`) states it. */
export const keySchema = z
  .strictObject({
    name: keyName.optional(),
    text: z.string().nullable().optional(),
    keyFile: z.string().min(1).nullable().optional(),
    keyCommand: z.array(z.string().min(1)).min(1).nullable().optional(),
    destDir: z
      .string()
      .regex(/^\/[A-Za-z0-9_.@+=/-]*$/, 'an absolute directory path without spaces')
      .refine((d) => !d.split('/').includes('..'), 'no .. component')
      .default('/run/keys'),
    path: z.string().optional(),
    user: account.default('root'),
    group: account.default('root'),
    permissions: z
      .string()
      .regex(/^[0-7]{3,4}$/, 'an octal mode such as 0600')
      .default('0600'),
    uploadAt: z.enum(['pre-activation', 'post-activation']).default('pre-activation'),
  })
  .refine(
    (k) => [k.text, k.keyFile, k.keyCommand].filter((v) => v !== undefined && v !== null).length === 1,
    'give exactly one of text, keyFile, keyCommand',
  );

/** Where a key's content comes from. Only `text` holds the secret itself (in memory, never logged). */
export type KeySource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

/** A key to upload to one host. */
export interface DeploymentKey {
  /** The file name under {@link destDir}. */
  readonly name: string;
  readonly source: KeySource;
  readonly destDir: string;
  readonly user: string;
  readonly group: string;
  /** Octal, e.g. `0600`. */
  readonly permissions: string;
  readonly uploadAt: 'pre-activation' | 'post-activation';
}

/**
 * The keys of one node, from its parsed `keys` record (attribute name = default file name).
 * @throws ConfigError naming `where.<attr>` for a name that is not a plain file name, or two keys on one file.
 */
export function keysOf(
  raw: Readonly<Record<string, z.infer<typeof keySchema>>>,
  where: string,
): DeploymentKey[] {
  const seen = new Map<string, string>();
  return Object.entries(raw).map(([attr, k]) => {
    const name = k.name ?? attr;
    if (!keyName.safeParse(name).success)
      throw new ConfigError(
        `key file name "${name}" is not a plain file name (set name = "…")`,
        `${where}.${attr}`,
      );
    const file = `${k.destDir.replace(/\/+$/, '')}/${name}`;
    const other = seen.get(file);
    if (other !== undefined)
      throw new ConfigError(`writes the same file as key "${other}" (${file})`, `${where}.${attr}`);
    seen.set(file, attr);
    const source: KeySource =
      k.text !== undefined && k.text !== null
        ? { kind: 'text', text: k.text }
        : k.keyFile !== undefined && k.keyFile !== null
          ? { kind: 'file', path: k.keyFile }
          : { kind: 'command', argv: k.keyCommand! };
    return {
      name,
      source,
      destDir: k.destDir,
      user: k.user,
      group: k.group,
      permissions: k.permissions,
      uploadAt: k.uploadAt,
    };
  });
}
