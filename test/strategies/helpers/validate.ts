import type { RunState } from '../../../src/core/state.js';
import type { Proposal, Strategy } from '../../../src/core/strategy.js';
import type { HostId, PathId } from '../../../src/core/types.js';

/**
 * Every rule a proposal batch must satisfy for the coordinator to accept it (see src/core/strategy.ts and
 * the coordinator's checks). Returns the violations as readable strings; empty when the batch is valid.
 */
export function validatePlan(state: RunState, strategy: Strategy, proposals: readonly Proposal[]): string[] {
  const bad: string[] = [];
  const sends = new Map<HostId, number>();
  const receives = new Map<HostId, number>();
  const planned = new Map<HostId, Set<PathId>>();
  for (const [i, p] of proposals.entries()) {
    const at = `#${i} ${p.from}->${p.to}`;
    if (!state.hasHost(p.from) || !state.hasHost(p.to)) {
      bad.push(`${at}: unknown host`);
      continue;
    }
    if (p.from === p.to) bad.push(`${at}: sends to itself`);
    if (p.paths.length === 0) bad.push(`${at}: no paths`);
    if (new Set(p.paths).size !== p.paths.length) bad.push(`${at}: duplicate paths`);
    if (state.isFailed(p.from)) bad.push(`${at}: sender failed`);
    if (state.isFailed(p.to)) bad.push(`${at}: receiver failed`);
    if (!state.holdsAll(p.from, p.paths)) bad.push(`${at}: sender lacks paths`);
    sends.set(p.from, (sends.get(p.from) ?? 0) + 1);
    receives.set(p.to, (receives.get(p.to) ?? 0) + 1);
    if (state.sending(p.from) + sends.get(p.from)! > state.host(p.from).maxSends) bad.push(`${at}: over maxSends`);
    if (state.receiving(p.to) + receives.get(p.to)! > state.host(p.to).maxReceives) {
      bad.push(`${at}: over maxReceives`);
    }
    let pl = planned.get(p.to);
    if (!pl) planned.set(p.to, (pl = new Set()));
    const inBatch = new Set(p.paths);
    for (const path of p.paths) {
      if (!state.closure.has(path)) {
        bad.push(`${at}: unknown path ${path}`);
        continue;
      }
      if (state.has(p.to, path)) bad.push(`${at}: receiver already holds ${path}`);
      if (state.incoming(p.to).has(path)) bad.push(`${at}: ${path} already in flight`);
      if (pl.has(path)) bad.push(`${at}: ${path} proposed twice to the receiver`);
      if (!strategy.relays && !state.want(p.to).has(path)) bad.push(`${at}: receiver does not want ${path}`);
      for (const r of state.closure.get(path).references) {
        if (!state.has(p.to, r) && !inBatch.has(r)) bad.push(`${at}: ${path} sent without its reference ${r}`);
      }
    }
    for (const path of p.paths) pl.add(path);
  }
  return bad;
}
