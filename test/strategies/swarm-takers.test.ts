/**
 * `SwarmHosts.openTakers` (kept across eager plan calls as hosts are re-read) against a recount of the open
 * receivers' bit sets at every call, over random fleets with failures; and `takersByPath` and `forEachTake`
 * against `takes`.
 */
import { describe, it } from 'vitest';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

/**
 * Checks `openTakers` against a recount of the open receivers, and `takersByPath` and `forEachTake` against
 * `takes`.
 */
const checkTakers: SwarmCallCheck = (run, view, _call, problems) => {
  const hosts = run.hosts(view);
  const list = hosts.openReceivers(0);
  const open = Array.from({ length: list.length }, (_, k) => list.at(k));
  run.shared.forEach((_, b) => {
    const count = open.filter((r) => hosts.takes(r.pos, b)).length;
    if (hosts.bits.openTakers(b) !== count)
      problems.push(`bit ${b}: ${hosts.bits.openTakers(b)} counted, ${count} open`);
  });
  // Each path's row of takers by fleet position against each host's own takes bits.
  const rw = hosts.bits.rankWords;
  run.shared.forEach((_, b) => {
    for (let i = 0; i < hosts.ids.length; i++) {
      const bit = (hosts.bits.takersByPath[b * rw + (i >>> 5)]! & (1 << (i & 31))) !== 0;
      if (bit !== hosts.takes(i, b)) problems.push(`bit ${b}, ${hosts.ids[i]}: takersByPath ${bit}`);
    }
  });
  for (const r of open) {
    const bits: number[] = [];
    hosts.bits.forEachTake(r.pos, (b) => bits.push(b));
    const want = run.shared.map((_, b) => b).filter((b) => hosts.takes(r.pos, b));
    if (bits.join() !== want.join()) problems.push(`${r.id}: forEachTake ${bits.join()} ≠ ${want.join()}`);
  }
};

describe('SwarmHosts.openTakers', () => {
  it('equals the open receivers that take each shared path, at every eager call', () => {
    assertAtEagerSwarmCalls(() => checkTakers, { permanentFailures: false });
  });
});
