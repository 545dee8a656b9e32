import { ConfigError } from './errors.js';
import type { PathId, StorePath } from './types.js';

/**
 * The store-path reference DAG of a run: every path any host has or wants.
 * Built once, immutable; closures are computed over it.
 */
export class ClosureGraph {
  readonly #paths = new Map<PathId, StorePath>();
  /** Position of each path in a topological order (references first). */
  readonly #order = new Map<PathId, number>();

  /**
   * @param paths - every store path; references must name paths in the list and form no cycle.
   * @throws ConfigError naming the path when a reference is unknown, a size is invalid, or there is a cycle.
   */
  constructor(paths: Iterable<StorePath>) {
    for (const p of paths) {
      if (this.#paths.has(p.id)) throw new ConfigError(`duplicate store path "${p.id}"`, 'closure');
      if (!Number.isFinite(p.narSize) || p.narSize < 0) {
        throw new ConfigError(`store path "${p.id}" has invalid narSize ${p.narSize}`, 'closure');
      }
      this.#paths.set(p.id, p);
    }
    for (const p of this.#paths.values()) {
      for (const r of p.references) {
        if (!this.#paths.has(r)) {
          throw new ConfigError(`store path "${p.id}" references unknown path "${r}"`, 'closure');
        }
        if (r === p.id) throw new ConfigError(`store path "${p.id}" references itself`, 'closure');
      }
    }
    this.#topoSort();
  }

  /** Number of store paths. */
  get size(): number {
    return this.#paths.size;
  }

  /** All paths, in topological order (every path after its references). */
  *paths(): IterableIterator<StorePath> {
    for (const id of this.#order.keys()) yield this.#paths.get(id)!;
  }

  has(id: PathId): boolean {
    return this.#paths.has(id);
  }

  /** @throws ConfigError if the path is unknown. */
  get(id: PathId): StorePath {
    const p = this.#paths.get(id);
    if (!p) throw new ConfigError(`unknown store path "${id}"`, 'closure');
    return p;
  }

  narSize(id: PathId): number {
    return this.get(id).narSize;
  }

  /** Sum of NAR sizes. */
  bytes(ids: Iterable<PathId>): number {
    let total = 0;
    for (const id of ids) total += this.get(id).narSize;
    return total;
  }

  /** The closure of `roots`: the roots and everything they reference, in topological order. */
  closureOf(roots: Iterable<PathId>): PathId[] {
    const seen = new Set<PathId>();
    const stack: PathId[] = [];
    for (const r of roots) {
      this.get(r);
      if (!seen.has(r)) {
        seen.add(r);
        stack.push(r);
      }
    }
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const ref of this.#paths.get(id)!.references) {
        if (!seen.has(ref)) {
          seen.add(ref);
          stack.push(ref);
        }
      }
    }
    return this.sortTopologically(seen);
  }

  /** Sorts paths so that every path comes after the ones it references (the order `nix copy` imports). */
  sortTopologically(ids: Iterable<PathId>): PathId[] {
    const list = Array.from(ids);
    for (const id of list) this.get(id);
    return list.sort((a, b) => this.#order.get(a)! - this.#order.get(b)!);
  }

  /** True when `ids` is closed: every reference of every path is itself in `ids` or in `alsoHeld`. */
  isClosed(ids: ReadonlySet<PathId>, alsoHeld?: ReadonlySet<PathId>): boolean {
    for (const id of ids) {
      for (const ref of this.get(id).references) {
        if (!ids.has(ref) && !alsoHeld?.has(ref)) return false;
      }
    }
    return true;
  }

  #topoSort(): void {
    // Iterative DFS post-order; insertion order of the input decides ties, so the order is deterministic.
    const state = new Map<PathId, 1 | 2>();
    for (const start of this.#paths.keys()) {
      if (state.has(start)) continue;
      const stack: Array<[PathId, number]> = [[start, 0]];
      state.set(start, 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const refs = this.#paths.get(top[0])!.references;
        if (top[1] < refs.length) {
          const ref = refs[top[1]++]!;
          const s = state.get(ref);
          if (s === 1) throw new ConfigError(`reference cycle through store path "${ref}"`, 'closure');
          if (s === undefined) {
            state.set(ref, 1);
            stack.push([ref, 0]);
          }
        } else {
          state.set(top[0], 2);
          this.#order.set(top[0], this.#order.size);
          stack.pop();
        }
      }
    }
  }
}
