import { StrategyError } from './errors.js';
import type { RunState } from './state.js';
import type { Proposal, Strategy } from './strategy.js';
import type { HostId, PathId, Transfer } from './types.js';

/**
 * Checks a batch of proposals against the rules every strategy must follow and turns it into transfers
 * (ids from `firstId` on, paths in topological order). The batch is all-or-nothing: one bad proposal
 * rejects it before anything starts.
 * @throws StrategyError naming the strategy, the round, the proposal and the rule it broke.
 */
export function validateProposals(
  proposals: readonly Proposal[],
  state: RunState,
  strategy: Strategy,
  firstId: number,
): Transfer[] {
  const { closure } = state;
  const sends = new Map<HostId, number>();
  const receives = new Map<HostId, number>();
  const claimed = new Map<HostId, Set<PathId>>();
  const out: Transfer[] = [];
  for (const p of proposals) {
    const reject = (why: string): never => {
      throw new StrategyError(why, strategy.name, state.round, p);
    };
    if (!state.hasHost(p.from)) reject(`unknown sender "${p.from}"`);
    if (!state.hasHost(p.to)) reject(`unknown receiver "${p.to}"`);
    if (p.from === p.to) reject('sender and receiver are the same host');
    if (state.isFailed(p.from)) reject(`sender "${p.from}" has failed`);
    if (state.isRetired(p.from)) reject(`sender "${p.from}" is no longer a source (its copies kept failing)`);
    if (state.isFailed(p.to)) reject(`receiver "${p.to}" has failed`);
    if (p.paths.length === 0) reject('no paths');
    const s = (sends.get(p.from) ?? 0) + 1;
    if (state.sending(p.from) + s > state.host(p.from).maxSends) {
      reject(`sender "${p.from}" would exceed its limit of ${state.host(p.from).maxSends} concurrent sends`);
    }
    const r = (receives.get(p.to) ?? 0) + 1;
    if (state.receiving(p.to) + r > state.host(p.to).maxReceives) {
      reject(
        `receiver "${p.to}" would exceed its limit of ${state.host(p.to).maxReceives} concurrent receives`,
      );
    }
    let mine = claimed.get(p.to);
    if (!mine) claimed.set(p.to, (mine = new Set()));
    const inProposal = new Set<PathId>();
    for (const path of p.paths) {
      if (!closure.has(path)) reject(`unknown store path "${path}"`);
      if (inProposal.has(path)) reject(`path "${path}" listed twice`);
      inProposal.add(path);
    }
    const wants = state.want(p.to);
    const fromHave = state.have(p.from);
    const toHave = state.have(p.to);
    const incoming = state.incoming(p.to);
    // A whole want set sent to a host holding none of it is closed by construction (want sets are).
    const wholeWant =
      toHave.size === 0 &&
      incoming.size === 0 &&
      mine.size === 0 &&
      p.paths.length === wants.size &&
      p.paths.every((x) => wants.has(x));
    for (const path of p.paths) {
      if (!fromHave.has(path)) reject(`sender does not hold "${path}"`);
      if (wholeWant) continue;
      if (toHave.has(path)) reject(`receiver already holds "${path}" (it would be sent again)`);
      if (incoming.has(path) || mine.has(path)) reject(`"${path}" is already on its way to the receiver`);
      if (!strategy.relays && !wants.has(path)) {
        reject(`receiver does not want "${path}" and the strategy does not relay`);
      }
      for (const ref of closure.get(path).references) {
        if (!toHave.has(ref) && !inProposal.has(ref)) {
          reject(`"${path}" references "${ref}", which the receiver neither holds nor gets in the same transfer`);
        }
      }
    }
    for (const path of p.paths) mine.add(path);
    sends.set(p.from, s);
    receives.set(p.to, r);
    const paths = closure.sortTopologically(p.paths);
    out.push({
      id: firstId + out.length,
      from: p.from,
      to: p.to,
      paths,
      bytes: closure.bytes(paths),
      round: state.round,
    });
  }
  return out;
}
