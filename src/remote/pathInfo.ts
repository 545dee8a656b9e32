import { z } from 'zod';
import { ExecutorError } from '../core/errors.js';

/** One entry of `nix path-info --json` (Nix 2.8: an array; invalid paths come as `{path, valid: false}`). */
export interface PathInfoEntry {
  readonly path: string;
  readonly valid: boolean;
  readonly narSize: number;
  readonly references: readonly string[];
}

const entry = z.looseObject({
  path: z.string(),
  valid: z.boolean().optional(),
  narSize: z.number().optional(),
  references: z.array(z.string()).optional(),
});

/**
 * Parses `nix path-info --json` output. Accepts Nix 2.8's array form and the newer object form keyed by
 * path (where an invalid path maps to null).
 *
 * @throws ExecutorError when the output is not path-info JSON.
 */
export function parsePathInfo(stdout: string): PathInfoEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new ExecutorError(`nix path-info printed something that is not JSON: ${stdout.slice(0, 200)}`);
  }
  const items: unknown[] = Array.isArray(raw)
    ? raw
    : raw !== null && typeof raw === 'object'
      ? Object.entries(raw as Record<string, unknown>).map(([path, v]) =>
          v === null ? { path, valid: false } : { path, ...(v as object) },
        )
      : [];
  return items.map((item) => {
    const r = entry.safeParse(item);
    if (!r.success)
      throw new ExecutorError(`unexpected nix path-info entry: ${JSON.stringify(item).slice(0, 200)}`);
    const valid = r.data.valid !== false && r.data.narSize !== undefined;
    return { path: r.data.path, valid, narSize: r.data.narSize ?? 0, references: r.data.references ?? [] };
  });
}
