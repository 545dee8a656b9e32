/**
 * `SharedBits.idleHolders` (kept across eager plan calls as hosts are re-read) against a recount of the
 * idle senders, and the rule `SwarmPlan` skips pops by: a shared path has a free holder in a call exactly
 * when some idle sender or some busy free sender (`FreeSenders.busyFree`) holds it.
 */
import { describe, it } from 'vitest';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

/**
 * At every call: the kept counts; then the free senders collected with a drawn slowest receiver (any
 * `minDown` splits them the same way), split into idle and busy ones, and the rule against them.
 */
const checkIdleHolders =
  (seed: number): SwarmCallCheck =>
  (run, view, call, problems) => {
    const hosts = run.hosts(view);
    const { bits, free } = hosts;
    const n = hosts.ids.length;
    const idle = [...Array(n).keys()].filter((i) => free.isIdle(i));
    run.shared.forEach((_, b) => {
      const count = idle.filter((i) => bits.holds(i, b)).length;
      if (bits.idleHolders(b) !== count)
        problems.push(`bit ${b}: ${bits.idleHolders(b)} counted, ${count} idle`);
      const held = (bits.idleHeld[b >>> 5]! & (1 << (b & 31))) !== 0;
      if (held !== count > 0) problems.push(`bit ${b}: idleHeld ${held}, ${count} idle holders`);
    });
    const minDown = [0, 1e6, 1e7, 1e8, Infinity][(seed + call) % 5]!;
    free.collect(minDown, hosts.uplink, hosts.sending);
    const busyFree = new Set(free.busyFree);
    for (const i of busyFree)
      if (free.isIdle(i)) problems.push(`${hosts.ids[i]}: a busy free sender is idle`);
    const inMask = [...run.sendOrderPos].filter((_, r) => free.isFree(r)).sort((a, b) => a - b);
    const expected = [...idle, ...busyFree].sort((a, b) => a - b);
    if (inMask.join() !== expected.join())
      problems.push(`free ${inMask.join()} ≠ idle + busy free ${expected.join()}`);
    run.shared.forEach((_, b) => {
      const anyFree = inMask.some((i) => bits.holds(i, b));
      const byRule = bits.idleHolders(b) > 0 || [...busyFree].some((i) => bits.holds(i, b));
      if (anyFree !== byRule) problems.push(`bit ${b}: a free holder ${anyFree}, by the counts ${byRule}`);
    });
  };

describe('SharedBits.idleHolders', () => {
  it('counts the idle senders holding each shared path; with the busy free ones they give every free holder', () => {
    assertAtEagerSwarmCalls(checkIdleHolders, { permanentFailures: true });
  });
});
