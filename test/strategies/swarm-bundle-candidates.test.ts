/**
 * `SwarmBundler`'s candidates (the paths that may ride along in a bundle, found from the hosts' bit sets
 * and each receiver's private paths) against a filter of the receiver's missing set through the view, for
 * every pair of a holder and a pending target at every eager call of random fleets with failures.
 */
import { describe, it } from 'vitest';
import { SwarmBundler } from '../../src/strategies/_internals/swarm-bundle.js';
import { SwarmUrgency } from '../../src/strategies/_internals/swarm-urgency.js';
import { assertAtEagerSwarmCalls, type SwarmCallCheck } from './helpers/swarm-calls.js';

const checkCandidates: SwarmCallCheck = (run, view, _call, problems) => {
  const hosts = run.hosts(view);
  const bundler = new SwarmBundler(view, run, undefined, new SwarmUrgency(view, run));
  bundler.useHosts(hosts);
  const byTopo = (a: string, b: string): number => run.topo.get(a)! - run.topo.get(b)!;
  for (const to of view.pending()) {
    const incoming = view.incoming(to);
    for (const from of hosts.ids) {
      if (from === to || view.have(from).size === 0) continue;
      for (const privateOnly of [false, true]) {
        const want = [...view.missing(to)]
          .filter((q) => !incoming.has(q) && view.has(from, q) && (!privateOnly || run.owner.has(q)))
          .sort(byTopo);
        const got = bundler.candidates(from, to, privateOnly);
        if (got.join() !== want.join())
          problems.push(
            `${from} → ${to}${privateOnly ? ' (private only)' : ''}: ${got.join()} ≠ ${want.join()}`,
          );
      }
    }
  }
};

describe('SwarmBundler candidates', () => {
  it('are the paths the receiver misses, nothing brings and the sender holds, at every eager call', () => {
    assertAtEagerSwarmCalls(() => checkCandidates, { permanentFailures: true });
  });
});
