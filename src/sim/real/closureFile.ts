import { ConfigError } from '../../core/errors.js';
import type { PathId, StorePath } from '../../core/types.js';
import { readJsonFile } from '../jsonFile.js';

/**
 * Real closure graphs from files. Three shapes are read, told apart by their JSON:
 * - `nix path-info --json --recursive` of Nix < 2.19: an array of `{ path, narSize, references, … }`
 *   (an invalid path comes as `{ path, valid: false }`);
 * - the same of Nix ≥ 2.19: an object keyed by store path, `{ "/nix/store/…": { narSize, references, … } }`
 *   (an invalid path maps to `null`);
 * - a plain list of `{ name, narSize, references }`, where `name` is any unique id (a store path or not)
 *   and references name other entries.
 *
 * Only `narSize` (bytes, an integer ≥ 0) and `references` are used. Nix records a path that refers to
 * itself among its references: such a self-reference is dropped. A reference may also be written as a
 * store path's base name (`hash-name`, as newer Nix JSON does) when the file names it with its directory.
 * Every problem is a {@link ConfigError} whose `where` is the file and the entry (`x.json[3]`,
 * `x.json["/nix/store/…-glibc"]`), and whose message names the store path.
 */

/** One entry before checking, with where it sits in the file. */
interface RawEntry {
  readonly id: unknown;
  readonly value: unknown;
  readonly where: string;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function entriesOf(json: unknown, where: string): RawEntry[] {
  if (Array.isArray(json)) {
    return (json as unknown[]).map((value, i) => ({
      id: isObject(value) ? (value['path'] ?? value['name']) : undefined,
      value,
      where: `${where}[${i}]`,
    }));
  }
  if (isObject(json)) {
    return Object.entries(json).map(([id, value]) => ({
      id,
      value,
      where: `${where}[${JSON.stringify(id)}]`,
    }));
  }
  throw new ConfigError(
    'expected `nix path-info --json --recursive` output (an array or an object keyed by store path) ' +
      'or a list of { name, narSize, references }',
    where,
  );
}

function checkEntry(e: RawEntry): { id: PathId; narSize: number; references: string[] } {
  if (typeof e.id !== 'string' || e.id.length === 0) {
    throw new ConfigError('an entry needs a non-empty "path" (path-info) or "name" (plain list)', e.where);
  }
  const id = e.id;
  if (e.value === null || (isObject(e.value) && e.value['valid'] === false)) {
    throw new ConfigError(`store path "${id}" is not valid in the store the file was read from`, e.where);
  }
  if (!isObject(e.value)) throw new ConfigError(`store path "${id}": expected an object`, e.where);
  const size = e.value['narSize'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ConfigError(
      `store path "${id}" has narSize ${JSON.stringify(size)}: expected an integer number of bytes ≥ 0`,
      `${e.where}.narSize`,
    );
  }
  const refs = e.value['references'] ?? [];
  if (!Array.isArray(refs) || !refs.every((r): r is string => typeof r === 'string' && r.length > 0)) {
    throw new ConfigError(
      `store path "${id}": references must be a list of store paths`,
      `${e.where}.references`,
    );
  }
  return { id, narSize: size, references: refs };
}

/** The directory part of a store path (`/nix/store`), or undefined for a bare name. */
function storeDirOf(id: string): string | undefined {
  const slash = id.lastIndexOf('/');
  return slash > 0 ? id.slice(0, slash) : undefined;
}

/** @throws ConfigError naming a path on a reference cycle (self-references are already gone). */
function checkAcyclic(paths: readonly StorePath[], whereOf: ReadonlyMap<PathId, string>): void {
  const byId = new Map(paths.map((p) => [p.id, p]));
  const state = new Map<PathId, 1 | 2>();
  for (const start of paths) {
    if (state.has(start.id)) continue;
    const stack: Array<[StorePath, number]> = [[start, 0]];
    state.set(start.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top[1] < top[0].references.length) {
        const ref = top[0].references[top[1]++]!;
        if (state.get(ref) === 1) {
          throw new ConfigError(
            `reference cycle: store path "${top[0].id}" references "${ref}", which leads back to it`,
            whereOf.get(top[0].id),
          );
        }
        if (!state.has(ref)) {
          state.set(ref, 1);
          stack.push([byId.get(ref)!, 0]);
        }
      } else {
        state.set(top[0].id, 2);
        stack.pop();
      }
    }
  }
}

/**
 * Parses a closure graph from JSON (see the module comment for the shapes).
 * @param where - the file name, prefixed to every error location.
 * @returns the paths in file order, self-references dropped, references resolved to ids of the list.
 * @throws ConfigError for an invalid path, a bad size, a duplicate path, a reference to a path the file
 *   lacks, a reference cycle, or an empty closure.
 */
export function parseClosureJson(json: unknown, where: string): StorePath[] {
  const entries = entriesOf(json, where);
  const raw = entries.map(checkEntry);
  if (raw.length === 0) throw new ConfigError('the closure holds no store path', where);
  const whereOf = new Map<PathId, string>();
  raw.forEach((e, i) => {
    if (whereOf.has(e.id)) {
      throw new ConfigError(
        `duplicate store path "${e.id}" (first at ${whereOf.get(e.id)!})`,
        entries[i]!.where,
      );
    }
    whereOf.set(e.id, entries[i]!.where);
  });
  const resolve = (self: string, ref: string): PathId | undefined => {
    if (whereOf.has(ref)) return ref;
    const dir = storeDirOf(self);
    return dir !== undefined && !ref.includes('/') && whereOf.has(`${dir}/${ref}`)
      ? `${dir}/${ref}`
      : undefined;
  };
  const paths = raw.map((e): StorePath => {
    const references: PathId[] = [];
    for (const r of e.references) {
      const id = resolve(e.id, r);
      if (id === undefined) {
        throw new ConfigError(
          `store path "${e.id}" references "${r}", which the file does not hold (not a whole closure? ` +
            'use `nix path-info --json --recursive`)',
          `${whereOf.get(e.id)!}.references`,
        );
      }
      if (id !== e.id && !references.includes(id)) references.push(id);
    }
    return { id: e.id, narSize: e.narSize, references };
  });
  checkAcyclic(paths, whereOf);
  return paths;
}

/** Reads and parses a closure file. @throws ConfigError naming the file (and entry) on any problem. */
export function loadClosureFile(file: string): StorePath[] {
  return parseClosureJson(readJsonFile(file, 'closure file'), file);
}
