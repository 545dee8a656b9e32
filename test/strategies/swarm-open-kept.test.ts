/**
 * What `SwarmHosts` keeps of its open receivers for the next plan call, checked on the run `swarm` plans
 * with: the list is the sorted open receivers, every record's receive time left is the view's, its per-call fields are back at their starting
 * values (`touch`), and the kept slowest downlink and most receive time left equal a fold over the list.
 */
import { describe, it } from 'vitest';
import { before } from '../../src/strategies/_internals/swarm-receiver.js';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

const checkOpen: SwarmCallCheck = (run, view, _call, problems) => {
  const hosts = run.hosts(view);
  // The tier `SwarmPlan` ranks with in eager mode without groups.
  const list = hosts.openReceivers(run.receiverTier ?? 0);
  const open = Array.from({ length: list.length }, (_, k) => list.at(k));
  let maxLeft = 0;
  let minDown = Infinity;
  for (const r of open) {
    maxLeft = Math.max(maxLeft, r.left);
    minDown = Math.min(minDown, hosts.downlink[r.pos]!);
    // Receive time left as the view gives it (kept from the missed shared paths' bits where it can be).
    const left = run.missingBytes(view, r.id) / view.host(r.id).downlink;
    if (r.left !== left) problems.push(`${r.id}: ${r.left} s left kept, ${left} s by the view`);
    if (r.slots !== hosts.recvLeft[r.pos] || r.planned !== undefined || r.pace !== undefined)
      problems.push(
        `${r.id}: slots ${r.slots} (of ${hosts.recvLeft[r.pos]}), planned ${r.planned?.size}, pace ${r.pace}`,
      );
  }
  // The list a sort of the open receivers gives (the order is total).
  const want = [...hosts.pendingPositions()].filter((i) => hosts.recvLeft[i]! > 0);
  const got = open.map((r) => r.pos);
  const positions = [...list.positions.subarray(0, open.length)];
  if (positions.join() !== got.join()) problems.push(`open positions ${positions.join()} ≠ ${got.join()}`);
  if (
    got
      .slice()
      .sort((x, y) => x - y)
      .join() !== want.join()
  )
    problems.push(`open ${got.join()} ≠ ${want.join()}`);
  for (let k = 1; k < open.length; k++)
    if (before(open[k - 1]!, open[k]!) >= 0) problems.push(`open out of order at ${k}`);
  if (!Object.is(hosts.openMaxLeft, maxLeft))
    problems.push(`most time left ${hosts.openMaxLeft} kept, ${maxLeft} folded`);
  if (hosts.openMinDown !== minDown)
    problems.push(`slowest downlink ${hosts.openMinDown} kept, ${minDown} folded`);
};

describe('SwarmHosts.openReceivers across plan calls', () => {
  it('hands every call fresh per-call fields and the list’s kept extremes', () => {
    assertAtEagerSwarmCalls(() => checkOpen, { permanentFailures: true, sameRun: true });
  });
});
