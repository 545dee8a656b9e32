import type { PlanView, Strategy } from '../core/strategy.js';
import type { HostId, PathId } from '../core/types.js';
import { PlanContext, StrategyMemory } from './_internals/context.js';
import { checkKeys, intOption, type RawOptions } from './_internals/options.js';
import { partialFallback } from './_internals/paths.js';
import { pickSource } from './_internals/pick.js';

/** Options of `level-tree`. */
export interface LevelTreeOptions {
  /**
   * Children per tree node (F).
   * @defaultValue 2
   */
  readonly fanout: number;
}

/** Failed attempts on a tree edge after which the child is served by any holder (fewest failures first). */
const TREE_EDGE_RETRIES = 2;

/** Default of {@link LevelTreeOptions.fanout}. */
export const LEVEL_TREE_DEFAULT_FANOUT = 2;

/**
 * The heap-shaped F-ary forest: one per want class (targets with equal want sets, like the reference's
 * grouping by toplevel), rooted at the seeds that hold the class's whole want set at the start. Nodes are
 * numbered roots first, then the class's targets in fleet order; the parent of node R+k is node ⌊k/F⌋, so
 * with one seed the tree is the classic heap (parent(i) = ⌊(i−1)/F⌋) over fleet order — no assumption that
 * host ids are 0..n.
 */
function buildParents(view: PlanView, ctx: PlanContext, fanout: number): Map<HostId, HostId> {
  const parent = new Map<HostId, HostId>();
  const { info } = ctx;
  const seeds = info.seeds.filter((s) => !view.isFailed(s));
  // One tree per shared want set: hosts that differ only in their private paths (per-host toplevel and
  // configuration) share a tree; each gets its private rest from a seed.
  const trees = new Map<string, HostId[]>();
  const keyOf = new Map<readonly PathId[], string>();
  for (const t of info.targets) {
    const want = info.wantArray(t)!;
    let key = keyOf.get(want);
    if (key === undefined) {
      key = want.filter((p) => !info.isPrivate(p)).sort().join('\n');
      keyOf.set(want, key);
    }
    let members = trees.get(key);
    if (!members) trees.set(key, (members = []));
    members.push(t);
  }
  for (const members of trees.values()) {
    const want = info.wantArray(members[0]!)!;
    let roots = seeds.filter((s) => view.holdsAll(s, want));
    if (roots.length === 0) roots = seeds;
    const rootSet = new Set(roots);
    const nodes = [...roots, ...members.filter((m) => !rootSet.has(m))];
    for (let k = roots.length; k < nodes.length; k++) {
      parent.set(nodes[k]!, nodes[Math.floor((k - roots.length) / fanout)]!);
    }
  }
  return parent;
}

/**
 * `level-tree` (reference name, its default): an F-ary tree filled one level per round — a node sends to
 * its F children as soon as it holds the closure (all at once when its `maxSends` ≥ F). With one seed and
 * F = 2, n targets need ⌈log₂(n+2)⌉−1 rounds: 14 targets → 3, 15 targets → 4 (the reference's "15 nodes →
 * 3 rounds" counts the seed among the 15). A child whose parent failed is re-routed to the nearest live
 * ancestor; a child waits while its parent is still receiving. When the tree edge is unusable (no route,
 * failed twice) or no ancestor can serve it, any holder with a free slot serves it (fewest
 * failed attempts first).
 * @throws ConfigError for an unknown option or a `fanout` that is not an integer ≥ 1.
 */
export function levelTree(options?: RawOptions): Strategy {
  const o = checkKeys('level-tree', options, ['fanout']);
  const fanout = intOption('level-tree', o, 'fanout', LEVEL_TREE_DEFAULT_FANOUT, 1);
  const memory = new StrategyMemory();
  let parents: Map<HostId, HostId> | undefined;
  return {
    name: 'level-tree',
    plan(view) {
      const ctx = new PlanContext(view, memory);
      parents ??= buildParents(view, ctx, fanout);
      const tree = parents;
      const free = (h: HostId): boolean => ctx.sendLeft(h) > 0;
      for (const t of ctx.wholeReceivers()) {
        let a = tree.get(t);
        let useAny = a === undefined;
        while (a !== undefined) {
          if (view.isFailed(a)) {
            a = tree.get(a);
            if (a === undefined) useAny = true;
            continue;
          }
          if (ctx.canServeWhole(a, t)) {
            if (!ctx.edgeOk(a, t) || view.attempts(a, t) >= TREE_EDGE_RETRIES) useAny = true;
            else if (free(a)) ctx.propose(a, t, ctx.wholePaths(a, t));
            break; // served, or wait for the parent's free slot
          }
          const up = tree.get(a);
          if (up === undefined) {
            useAny = true; // a root that cannot serve this receiver
            break;
          }
          // The parent is still receiving: wait for it, unless its copies have failed. A cut-off parent is
          // given up only after maxAttemptsPerHost tries (× a connect timeout each), so waiting for it held its
          // whole subtree for 50 s while every other holder idled; its children go further up meanwhile.
          if (!memory.holdsShared(view, a) && view.failedAttempts(a) === 0) break;
          a = up; // a done ancestor lacking what t misses, or a failing one: ask further up
        }
        if (!useAny) continue;
        const s = pickSource(ctx, ctx.sourcesFor(t), t, free);
        if (s !== undefined) ctx.propose(s, t, ctx.wholePaths(s, t));
      }
      partialFallback(ctx);
      return ctx.proposals;
    },
  };
}
