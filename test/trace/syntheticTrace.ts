import type { CascadeEvent } from '../../src/core/events.js';
import type { HostInfo } from '../../src/trace/chartData.js';

/** `host-00042` for `n` hosts: zero-padded so names sort like numbers. */
export function hostName(i: number, n: number): string {
  return `host-${String(i + 1).padStart(Math.max(3, String(n).length), '0')}`;
}

/**
 * A doubling cascade built directly as events, cheap at any size: in round r every holder (the deployer
 * and the hosts done so far) sends the whole closure to one new host; each copy takes 1 s, plus a
 * per-host jitter so finish times differ inside a round. `n = 0` gives a run with no target.
 */
export function doublingTrace(n: number, mode: 'round' | 'eager' = 'round', bytes = 1e9): CascadeEvent[] {
  const hosts = Array.from({ length: n }, (_, i) => hostName(i, n));
  const events: CascadeEvent[] = [
    {
      type: 'run-started',
      t: 0,
      strategy: 'doubling',
      mode,
      hosts: ['deployer', ...hosts],
      targets: hosts,
      seeds: ['deployer'],
      alreadyDone: [],
      bytesWanted: n * bytes,
    },
  ];
  const holders = ['deployer'];
  let next = 0;
  let t = 0;
  let id = 0;
  let round = 0;
  while (next < n) {
    events.push({ type: 'round-started', t, round });
    const batch: { from: string; to: string; id: number; end: number }[] = [];
    for (const from of [...holders]) {
      if (next >= n) break;
      const to = hosts[next]!;
      const end = t + 1 + (next % 7) / 100;
      batch.push({ from, to, id, end });
      events.push({
        type: 'transfer-started',
        t,
        round,
        id,
        from,
        to,
        bytes,
        paths: ['/nix/store/a', '/nix/store/b'],
      });
      id++;
      next++;
    }
    batch.sort((a, b) => a.end - b.end || a.id - b.id);
    for (const b of batch) {
      events.push({ type: 'transfer-finished', t: b.end, id: b.id, from: b.from, to: b.to, bytes });
      events.push({ type: 'host-done', t: b.end, host: b.to });
      holders.push(b.to);
    }
    t = batch[batch.length - 1]!.end;
    events.push({ type: 'round-finished', t, round });
    round++;
  }
  events.push({
    type: 'run-finished',
    t,
    reason: 'complete',
    hostsDone: n,
    hostsFailed: 0,
    hostsUnreached: 0,
    rounds: round,
    bytesTransferred: n * bytes,
  });
  return events;
}

/** Fleet facts for {@link doublingTrace}: racks of 32 hosts, uplinks of 1 GB/s (one copy a second). */
export function doublingHosts(n: number): Map<string, HostInfo> {
  const m = new Map<string, HostInfo>([['deployer', { role: 'deployer', uplink: 1e9 }]]);
  for (let i = 0; i < n; i++) {
    m.set(hostName(i, n), {
      role: 'target',
      group: `rack-${String(Math.floor(i / 32) + 1).padStart(3, '0')}`,
      uplink: 1e9,
    });
  }
  return m;
}
