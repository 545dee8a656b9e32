/**
 * `SharedBits` (each host's shared paths held and taken, kept across eager plan calls from the paths in
 * flight to it and proposed to it when it is re-read) and the copies in flight per path against the view, for every host at every eager call
 * of random fleets with failures.
 */
import { describe, it } from 'vitest';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

const checkBits: SwarmCallCheck = (run, view, _call, problems) => {
  const hosts = run.hosts(view);
  hosts.ids.forEach((id, i) => {
    const missing = view.missing(id);
    const incoming = view.incoming(id);
    run.shared.forEach((p, b) => {
      if (hosts.holds(i, b) !== view.has(id, p)) problems.push(`${id} ${p}: holds ${hosts.holds(i, b)}`);
      const takes = missing.has(p) && !incoming.has(p);
      if (hosts.takes(i, b) !== takes) problems.push(`${id} ${p}: takes ${hosts.takes(i, b)}`);
    });
  });
  // Copies in flight to pending hosts, per path (kept by bit for the shared ones).
  const pending = view.pending();
  for (const p of run.paths) {
    const flying = pending.filter((t) => view.incoming(t).has(p)).length;
    if (hosts.flyingOf(p) !== flying) problems.push(`${p}: ${hosts.flyingOf(p)} in flight kept, ${flying}`);
  }
};

describe('SharedBits', () => {
  it('hold what each host holds and takes, at every eager call', () => {
    assertAtEagerSwarmCalls(() => checkBits, { permanentFailures: true, sameRun: true });
  });

  // Another run plans: nothing is proposed through the checked one, so paths arrive that its records never
  // planned, and a re-read must find them by walking the missing set.
  it('hold the same when paths come that the kept run did not propose', () => {
    assertAtEagerSwarmCalls(() => checkBits, { permanentFailures: true });
  });
});
