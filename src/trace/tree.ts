/**
 * The cascade tree (who completed whom) and its text exports, like the reference's `CascadeTrace`:
 * box-drawing ASCII and Graphviz DOT, both deterministic.
 */
import type { CascadeEvent, HostFailedEvent } from '../core/events.js';
import type { HostId, TransferId } from '../core/types.js';
import { hostOrder, runStarted, sortHosts } from './run.js';

/** The cascade tree of a run (or of its first rounds). */
export interface CascadeTree {
  /** Hosts in fleet order, for sorting. */
  readonly order: ReadonlyMap<HostId, number>;
  /** Hosts that held paths at the start. */
  readonly seeds: ReadonlySet<HostId>;
  /** Child → parent: the sender of the last transfer that delivered to the child before it was done. */
  readonly parent: ReadonlyMap<HostId, HostId>;
  /** Child → round of that transfer. */
  readonly round: ReadonlyMap<HostId, number>;
  /** Hosts done (at the start or during the run, within the rounds considered). */
  readonly done: ReadonlySet<HostId>;
  /** Hosts that failed (within the rounds considered), with their cause. */
  readonly failed: ReadonlyMap<HostId, { readonly code: HostFailedEvent['code']; readonly message: string }>;
}

/**
 * Builds the cascade tree: each host that became done is the child of the sender of the last transfer
 * that delivered paths to it (for path-level strategies several senders contribute; the last one counts).
 *
 * @param uptoRound keep only hosts completed by transfers of rounds `≤ uptoRound`, and failures that
 *   happened by then. `undefined`, or a round the trace does not have, means the whole run.
 */
export function cascadeTree(events: readonly CascadeEvent[], uptoRound?: number): CascadeTree {
  const start = runStarted(events);
  const order = hostOrder(events);
  const seeds = new Set<HostId>(start?.seeds ?? []);
  const done = new Set<HostId>(start?.alreadyDone ?? []);
  const parent = new Map<HostId, HostId>();
  const roundOf = new Map<HostId, number>();
  const failed = new Map<HostId, { code: HostFailedEvent['code']; message: string }>();

  const rounds = new Set<number>();
  for (const e of events)
    if (e.type === 'transfer-started' || e.type === 'round-started') rounds.add(e.round);
  const limit = uptoRound !== undefined && rounds.has(uptoRound) ? uptoRound : Infinity;

  const transferRound = new Map<TransferId, number>();
  const lastSender = new Map<HostId, { from: HostId; round: number }>();
  let current = 0;
  for (const e of events) {
    switch (e.type) {
      case 'round-started':
        current = e.round;
        break;
      case 'transfer-started':
        current = Math.max(current, e.round);
        transferRound.set(e.id, e.round);
        break;
      case 'transfer-finished':
        lastSender.set(e.to, { from: e.from, round: transferRound.get(e.id) ?? current });
        break;
      case 'transfer-failed':
        if (e.delivered.length > 0)
          lastSender.set(e.to, { from: e.from, round: transferRound.get(e.id) ?? current });
        break;
      case 'host-done': {
        if (done.has(e.host)) break;
        const by = lastSender.get(e.host);
        if (by && by.round > limit) break;
        done.add(e.host);
        if (by) {
          parent.set(e.host, by.from);
          roundOf.set(e.host, by.round);
        }
        break;
      }
      case 'host-failed':
        if (current <= limit && !failed.has(e.host)) failed.set(e.host, { code: e.code, message: e.message });
        break;
      default:
        break;
    }
  }
  return { order, seeds, parent, round: roundOf, done, failed };
}

/** Roots and sorted children of a tree; hosts caught in a parent cycle become roots so none is lost. */
function treeShape(tree: CascadeTree): { roots: HostId[]; children: Map<HostId, HostId[]> } {
  const children = new Map<HostId, HostId[]>();
  for (const [child, p] of tree.parent) {
    let list = children.get(p);
    if (!list) children.set(p, (list = []));
    list.push(child);
  }
  for (const [p, list] of children) children.set(p, sortHosts(list, tree.order));
  const members = new Set<HostId>([...tree.seeds, ...tree.done]);
  const roots = sortHosts(
    [...members].filter((h) => !tree.parent.has(h)),
    tree.order,
  );
  // A parent cycle (two partial seeds completing each other) has no root; adopt its first host.
  const reached = new Set<HostId>();
  const mark = (h: HostId): void => {
    const stack = [h];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (reached.has(x)) continue;
      reached.add(x);
      for (const c of children.get(x) ?? []) stack.push(c);
    }
  };
  for (const r of roots) mark(r);
  for (const h of sortHosts(tree.parent.keys(), tree.order)) {
    if (!reached.has(h)) {
      roots.push(h);
      mark(h);
    }
  }
  return { roots, children };
}

function nodeLabel(tree: CascadeTree, h: HostId): string {
  const r = tree.round.get(h);
  const tags = [
    ...(tree.seeds.has(h) ? ['seed'] : []),
    ...(r !== undefined ? [`r${r}`] : []),
    ...(tree.failed.has(h) ? [`failed: ${tree.failed.get(h)!.code}`] : []),
  ];
  return tags.length === 0 ? h : `${h} (${tags.join(', ')})`;
}

/**
 * The cascade tree as box-drawing text, like the reference's `CascadeTrace::to_ascii`: roots (seeds and
 * hosts done without a sender) at the left, children sorted in fleet order, labels `host (r<round>)` and
 * `deployer (seed)`, a failed host's with `failed: <code>`; failed hosts that never completed come last,
 * under their own heading. Deterministic. An empty trace gives "".
 *
 * @example
 * deployer (seed)
 * ├── host-001 (r0)
 * │   └── host-003 (r1)
 * └── host-002 (r1)
 */
export function cascadeTreeAscii(events: readonly CascadeEvent[], round?: number): string {
  if (events.length === 0) return '';
  const tree = cascadeTree(events, round);
  const { roots, children } = treeShape(tree);
  const lines: string[] = [];
  const visited = new Set<HostId>();
  // Iterative DFS: 100k-host cascades are deep enough (sequential push) to overflow recursion.
  const stack: { host: HostId; prefix: string; connector: string; childPrefix: string }[] = [];
  for (let i = roots.length - 1; i >= 0; i--)
    stack.push({ host: roots[i]!, prefix: '', connector: '', childPrefix: '' });
  while (stack.length > 0) {
    const { host, prefix, connector, childPrefix } = stack.pop()!;
    if (visited.has(host)) continue;
    visited.add(host);
    lines.push(`${prefix}${connector}${nodeLabel(tree, host)}`);
    const kids = (children.get(host) ?? []).filter((c) => !visited.has(c));
    for (let i = kids.length - 1; i >= 0; i--) {
      const last = i === kids.length - 1;
      stack.push({
        host: kids[i]!,
        prefix: prefix + childPrefix,
        connector: last ? '└── ' : '├── ',
        childPrefix: last ? '    ' : '│   ',
      });
    }
  }
  // Failed hosts outside the tree (never done: no parent) still belong in the picture.
  const lost = sortHosts(
    [...tree.failed.keys()].filter((h) => !visited.has(h)),
    tree.order,
  );
  if (lost.length > 0) lines.push('failed before completing:', ...lost.map((h) => `  ${nodeLabel(tree, h)}`));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Quotes a Graphviz ID. */
function dotId(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The cascade tree as a Graphviz digraph, like the reference's `CascadeTrace::to_dot`: seeds
 * `shape=box`, failed hosts `color=red`, edges parent → child labelled `r<round>`. Nodes and edges in
 * fleet order, so the text is deterministic. An empty trace gives `digraph cascade {\n}\n`.
 */
export function cascadeTreeDot(events: readonly CascadeEvent[], round?: number): string {
  if (events.length === 0) return 'digraph cascade {\n}\n';
  const tree = cascadeTree(events, round);
  const nodes = sortHosts(new Set([...tree.seeds, ...tree.done, ...tree.failed.keys()]), tree.order);
  const out = ['digraph cascade {', '  rankdir=TB;'];
  for (const h of nodes) {
    const attrs = [`label=${dotId(nodeLabel(tree, h))}`];
    if (tree.seeds.has(h)) attrs.unshift('shape=box');
    // The label already says `failed: <code>`.
    if (tree.failed.has(h)) attrs.push('color=red', 'fontcolor=red');
    out.push(`  ${dotId(h)} [${attrs.join(', ')}];`);
  }
  for (const child of sortHosts(tree.parent.keys(), tree.order)) {
    const p = tree.parent.get(child)!;
    out.push(`  ${dotId(p)} -> ${dotId(child)} [label=${dotId(`r${tree.round.get(child) ?? 0}`)}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
