import { batchScratch } from './batchScratch.js';
import type { ClosureGraph } from './closure.js';
import { StrategyError } from './errors.js';
import type { RunState } from './state.js';
import type { Proposal, Strategy } from './strategy.js';
import type { PathId, Transfer } from './types.js';

/**
 * What one batch learns about a path list once, however many proposals carry it (a whole-closure strategy
 * sends one list to thousands of receivers): its set, topological order and bytes, and which have sets and
 * want sets were already checked against it. Valid for one batch only: the state does not change while
 * a batch is checked, and a strategy may reuse its arrays in later calls.
 */
interface ListFacts {
  readonly set: ReadonlySet<PathId>;
  readonly sorted: readonly PathId[];
  readonly bytes: number;
  /** Have sets known to hold every path of the list. */
  readonly heldBy: Set<ReadonlySet<PathId>>;
  /** Want sets the list equals. */
  readonly equals: Set<ReadonlySet<PathId>>;
}

/**
 * Checks a batch of proposals against the rules every strategy must follow and turns it into transfers
 * (ids from `firstId` on, paths in topological order). The batch is all-or-nothing: one bad proposal
 * rejects it before anything starts. Proposals carrying the same path array share their transfer's sorted
 * path array, and what holds for the array is checked once per batch.
 * @throws StrategyError naming the strategy, the round, the proposal and the rule it broke.
 */
export function validateProposals(
  proposals: readonly Proposal[],
  state: RunState,
  strategy: Strategy,
  firstId: number,
): Transfer[] {
  const { closure } = state;
  // Sends and receives proposed per host in this batch, and the paths already proposed to a receiver (its
  // first list as is, a set only from a second proposal on: a whole-closure round proposes once to each of
  // 500,000 receivers). Kept by fleet position in the fleet's batch scratch, which the strategy's plan call
  // used just before (its stamp retires those entries): no map per batch.
  const b = batchScratch(state.hosts);
  const epoch = ++b.stamp;
  const lists = new Map<readonly PathId[], ListFacts>();
  const out: Transfer[] = [];
  // One closure for the whole batch, naming the proposal being checked: one per proposal cost 500,000
  // allocations a round.
  let p = proposals[0]!;
  const reject = (why: string): never => {
    throw new StrategyError(why, strategy.name, state.round, p);
  };
  for (p of proposals) {
    const fi = state.positionOf(p.from);
    if (fi < 0) reject(`unknown sender "${p.from}"`);
    const ti = state.positionOf(p.to);
    if (ti < 0) reject(`unknown receiver "${p.to}"`);
    if (p.from === p.to) reject('sender and receiver are the same host');
    if (state.isFailedAt(fi)) reject(`sender "${p.from}" has failed`);
    if (state.isRetiredAt(fi)) reject(`sender "${p.from}" is no longer a source (its copies kept failing)`);
    if (state.isFailedAt(ti)) reject(`receiver "${p.to}" has failed`);
    if (p.paths.length === 0) reject('no paths');
    const s = (b.sendStamp[fi] === epoch ? b.sends[fi]! : 0) + 1;
    const maxSends = state.hostAt(fi).maxSends;
    if (state.sendingAt(fi) + s > maxSends) {
      reject(`sender "${p.from}" would exceed its limit of ${maxSends} concurrent sends`);
    }
    const seenTo = b.receiveStamp[ti] === epoch;
    const r = (seenTo ? b.receives[ti]! : 0) + 1;
    const maxReceives = state.hostAt(ti).maxReceives;
    if (state.receivingAt(ti) + r > maxReceives) {
      reject(`receiver "${p.to}" would exceed its limit of ${maxReceives} concurrent receives`);
    }
    let facts = lists.get(p.paths);
    if (!facts) lists.set(p.paths, (facts = listFacts(p.paths, closure, reject)));
    const earlier = seenTo ? b.lists[ti] : undefined;
    const mine = earlier === undefined || earlier instanceof Set ? earlier : new Set(earlier);
    const wants = state.wantAt(ti);
    const fromHave = state.haveAt(fi);
    const toHave = state.haveAt(ti);
    const incoming = state.incomingAt(ti);
    if (!facts.heldBy.has(fromHave)) {
      for (const path of p.paths) if (!fromHave.has(path)) reject(`sender does not hold "${path}"`);
      facts.heldBy.add(fromHave);
    }
    // A whole want set sent to a host holding none of it is closed by construction (want sets are).
    const wholeWant =
      toHave.size === 0 && incoming.size === 0 && mine === undefined && equalsWant(facts, p.paths, wants);
    if (!wholeWant) {
      for (const path of p.paths) {
        if (toHave.has(path)) reject(`receiver already holds "${path}" (it would be sent again)`);
        if (incoming.has(path) || mine?.has(path)) reject(`"${path}" is already on its way to the receiver`);
        if (!strategy.relays && !wants.has(path)) {
          reject(`receiver does not want "${path}" and the strategy does not relay`);
        }
        for (const ref of closure.get(path).references) {
          if (!toHave.has(ref) && !facts.set.has(ref)) {
            reject(
              `"${path}" references "${ref}", which the receiver neither holds nor gets in the same transfer`,
            );
          }
        }
      }
    }
    if (mine) for (const path of p.paths) mine.add(path);
    b.lists[ti] = mine ?? p.paths;
    b.sends[fi] = s;
    b.sendStamp[fi] = epoch;
    b.receives[ti] = r;
    b.receiveStamp[ti] = epoch;
    state.notePositions(firstId + out.length, fi, ti);
    out.push({
      id: firstId + out.length,
      from: p.from,
      to: p.to,
      paths: facts.sorted,
      bytes: facts.bytes,
      round: state.round,
    });
  }
  return out;
}

/** Checks a path list (known paths, none twice) and derives its facts. */
function listFacts(
  paths: readonly PathId[],
  closure: ClosureGraph,
  reject: (why: string) => never,
): ListFacts {
  const set = new Set<PathId>();
  for (const path of paths) {
    if (!closure.has(path)) reject(`unknown store path "${path}"`);
    if (set.has(path)) reject(`path "${path}" listed twice`);
    set.add(path);
  }
  // Frozen: transfers share it, and the trace encoder may then encode it once (see toJsonLine).
  const sorted = Object.freeze(closure.sortTopologically(paths));
  return { set, sorted, bytes: closure.bytes(sorted), heldBy: new Set(), equals: new Set() };
}

/** Whether the list holds exactly the paths of `wants` (it has no duplicates). */
function equalsWant(facts: ListFacts, paths: readonly PathId[], wants: ReadonlySet<PathId>): boolean {
  if (facts.equals.has(wants)) return true;
  if (paths.length !== wants.size || !paths.every((x) => wants.has(x))) return false;
  facts.equals.add(wants);
  return true;
}
