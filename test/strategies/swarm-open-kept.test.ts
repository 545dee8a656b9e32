/**
 * What `SwarmHosts` keeps of its open receivers for the next plan call, checked on the run `swarm` plans
 * with: every record's receive time left is the view's, its per-call fields are back at their starting
 * values (`touch`), and the kept slowest downlink and most receive time left equal a fold over the list.
 */
import { describe, it } from 'vitest';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

const checkOpen: SwarmCallCheck = (run, view, _call, problems) => {
  const hosts = run.hosts(view);
  // The tier `SwarmPlan` ranks with in eager mode without groups.
  const open = hosts.openReceivers(run.receiverTier ?? 0);
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
