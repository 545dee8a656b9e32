/**
 * Basic facts of a run's events: its start and end events and the fleet order of its hosts.
 */
import type { CascadeEvent, RunFinishedEvent, RunStartedEvent } from '../core/events.js';
import type { HostId } from '../core/types.js';

/** The `run-started` event, if the trace has one. */
export function runStarted(events: readonly CascadeEvent[]): RunStartedEvent | undefined {
  for (const e of events) if (e.type === 'run-started') return e;
  return undefined;
}

/** The last `run-finished` event, if the trace has one. */
export function runFinished(events: readonly CascadeEvent[]): RunFinishedEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'run-finished') return e;
  }
  return undefined;
}

/**
 * Fleet order of every host the trace mentions: the `run-started` host list first, then any other host
 * in order of first appearance (so a malformed or partial trace still sorts deterministically).
 */
export function hostOrder(events: readonly CascadeEvent[]): Map<HostId, number> {
  const order = new Map<HostId, number>();
  const see = (h: HostId): void => {
    if (!order.has(h)) order.set(h, order.size);
  };
  const start = runStarted(events);
  if (start) for (const h of start.hosts) see(h);
  for (const e of events) {
    switch (e.type) {
      case 'transfer-started':
      case 'transfer-finished':
        see(e.from);
        see(e.to);
        break;
      case 'transfer-failed':
        see(e.from);
        see(e.to);
        see(e.host);
        break;
      case 'host-done':
      case 'host-failed':
        see(e.host);
        break;
      default:
        break;
    }
  }
  return order;
}

/** Sorts hosts by fleet order (hosts unknown to `order` last, by name). */
export function sortHosts(hosts: Iterable<HostId>, order: ReadonlyMap<HostId, number>): HostId[] {
  const rank = (h: HostId): number => order.get(h) ?? Number.MAX_SAFE_INTEGER;
  return [...hosts].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
