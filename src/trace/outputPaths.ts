import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * Creates `dir` and its missing parents, one level at a time. Node's `mkdirSync(…, { recursive: true })`
 * spins forever where a parent exists but refuses new entries (`/proc/x`); here that is an error.
 * @throws ConfigError naming `where` when `dir` or a parent exists as a file, or cannot be created.
 */
export function ensureDirectory(dir: string, where: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(at).isDirectory();
    } catch {
      isDir = undefined;
    }
    if (isDir === false) throw new ConfigError(`${at} exists and is not a directory`, where);
    if (isDir === true || dirname(at) === at) break;
    missing.unshift(at);
    at = dirname(at);
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      throw new ConfigError(`cannot create directory ${d}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, where, { cause: err });
    }
  }
}

/**
 * Checks before a long run that `file` can be written (creating it empty), so a bad output path fails at
 * once rather than after the run.
 * @throws ConfigError naming `where`.
 */
export function ensureWritableFile(file: string, where: string): void {
  try {
    closeSync(openSync(file, 'w'));
  } catch (err) {
    throw new ConfigError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, where, { cause: err });
  }
}
