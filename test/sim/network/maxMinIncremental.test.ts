import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/core/topology.js';
import type { Host } from '../../../src/core/types.js';
import { FlowModel } from '../../../src/sim/network/flowModel.js';
import { maxMinFairRates } from '../../../src/sim/network/maxMin.js';
import { host, ModelDriver, simpleTopology } from '../helpers/simpleTopology.js';

/**
 * The flow model recomputes rates only for what an event touched (the connected component of flows
 * sharing resources with it). After every step of a random sequence of starts, removals, completions and
 * capacity changes, its rates must equal a from-scratch max-min over all flows, and that from-scratch
 * solution must itself be max-min fair.
 */

const RATE = fc.double({ min: 1, max: 1000, noNaN: true });
const TOLERANCE = 1e-9;

interface Net {
  readonly hosts: Host[];
  readonly topology: Topology;
}

/** Hosts on 1–3 racks behind a core switch; each rack link has its own bandwidth per direction. */
const netArb = fc
  .record({
    racks: fc.integer({ min: 1, max: 3 }),
    hosts: fc.array(
      fc.record({
        uplink: RATE,
        downlink: RATE,
        // What the host can import (CPU, disk) caps its downlink, as a scenario's `importRate` does.
        importRate: fc.option(RATE, { nil: undefined }),
        rack: fc.nat(),
      }),
      { minLength: 2, maxLength: 8 },
    ),
    rackLinks: fc.array(fc.record({ up: RATE, down: RATE }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ racks, hosts, rackLinks }): Net => {
    const fleet = hosts.map((h, i) =>
      host(`h${i}`, h.uplink, Math.min(h.downlink, h.importRate ?? Infinity)),
    );
    const attach: Record<string, string> = {};
    hosts.forEach((h, i) => (attach[`h${i}`] = `rack${h.rack % racks}`));
    const links = rackLinks.slice(0, racks === 1 ? 0 : racks).flatMap((l, r) => [
      { from: `rack${r}`, to: 'core', bandwidth: l.up },
      { from: 'core', to: `rack${r}`, bandwidth: l.down },
    ]);
    return { hosts: fleet, topology: simpleTopology({ hosts: fleet.map((h) => h.id), attach, links }) };
  });

type Op =
  | {
      readonly kind: 'start';
      readonly from: number;
      readonly to: number;
      readonly bytes: number;
      readonly maxRate: number | undefined;
    }
  | { readonly kind: 'remove'; readonly pick: number }
  | { readonly kind: 'factor'; readonly host: number; readonly factor: number }
  | { readonly kind: 'complete' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('start' as const),
      from: fc.nat(),
      to: fc.nat(),
      bytes: fc.double({ min: 1, max: 1e4, noNaN: true }),
      // A TCP window ÷ RTT: the flow's own cap.
      maxRate: fc.option(RATE, { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('factor' as const),
      host: fc.nat(),
      factor: fc.constantFrom(0.1, 0.37, 1, 2.5),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'complete' as const }) },
);

interface Live {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly maxRate: number;
}

/** Every flow's resources (uplink 2i, downlink 2i+1, then links) and their current capacities. */
function system(
  net: Net,
  factors: readonly number[],
  live: readonly Live[],
): { flowRes: number[][]; capacity: number[]; caps: number[] } {
  const capacity: number[] = [];
  net.hosts.forEach((h, i) => capacity.push(h.uplink * factors[i]!, h.downlink * factors[i]!));
  const linkIndex = new Map<string, number>();
  const flowRes = live.map((f) => {
    const res = [2 * f.from, 2 * f.to + 1];
    for (const id of net.topology.route(net.hosts[f.from]!.id, net.hosts[f.to]!.id)!.links) {
      let r = linkIndex.get(id);
      if (r === undefined) {
        r = capacity.length;
        capacity.push(net.topology.link(id).bandwidth);
        linkIndex.set(id, r);
      }
      if (!res.includes(r)) res.push(r);
    }
    return res;
  });
  return { flowRes, capacity, caps: live.map((f) => f.maxRate) };
}

/**
 * Max-min fairness: no resource over capacity, no flow over its cap, and every flow either at its cap or
 * on a saturated resource where no other flow gets more.
 */
function expectMaxMinFair(
  flowRes: number[][],
  capacity: number[],
  caps: number[],
  rates: Float64Array,
): void {
  const load = capacity.map(() => 0);
  const most = capacity.map(() => 0);
  flowRes.forEach((res, f) => {
    expect(rates[f]!).toBeGreaterThan(0);
    expect(rates[f]!).toBeLessThanOrEqual(caps[f]! * (1 + TOLERANCE));
    for (const r of res) {
      load[r] = load[r]! + rates[f]!;
      most[r] = Math.max(most[r]!, rates[f]!);
    }
  });
  capacity.forEach((c, r) => expect(load[r]!).toBeLessThanOrEqual(c * (1 + TOLERANCE)));
  flowRes.forEach((res, f) => {
    const rate = rates[f]!;
    const atCap = rate >= caps[f]! * (1 - TOLERANCE);
    const bottleneck = res.some(
      (r) => load[r]! >= capacity[r]! * (1 - TOLERANCE) && rate >= most[r]! * (1 - TOLERANCE),
    );
    expect(atCap || bottleneck, `flow ${f} (rate ${rate}) has no bottleneck`).toBe(true);
  });
}

describe('incremental max-min in the flow model', () => {
  it('after every start, removal, completion and capacity change, rates equal a from-scratch max-min of all flows', () => {
    fc.assert(
      fc.property(netArb, fc.array(opArb, { minLength: 1, maxLength: 40 }), (net, ops) => {
        const d = new ModelDriver((q) => new FlowModel(net.hosts, net.topology, q));
        const n = net.hosts.length;
        const factors = net.hosts.map(() => 1);
        let live: Live[] = [];
        let nextId = 0;
        for (const op of ops) {
          if (op.kind === 'start') {
            const from = op.from % n;
            const to = (from + 1 + (op.to % (n - 1))) % n;
            const id = nextId++;
            const maxRate = op.maxRate ?? Infinity;
            d.start(net.topology, [
              { id, from: net.hosts[from]!.id, to: net.hosts[to]!.id, bytes: op.bytes, maxRate },
            ]);
            live.push({ id, from, to, maxRate });
          } else if (op.kind === 'remove') {
            if (live.length === 0) continue;
            const gone = live[op.pick % live.length]!;
            d.model.remove(gone.id, d.now);
            live = live.filter((f) => f !== gone);
          } else if (op.kind === 'factor') {
            factors[op.host % n] = op.factor;
            d.model.setHostFactor(net.hosts[op.host % n]!.id, op.factor, d.now);
          } else {
            // The next completion, and every other one due at the same instant (flows left with less than
            // DONE_EPSILON_BYTES are finishing now: they no longer hold a rate).
            const done = new Set<number>();
            for (let c = d.step(); c !== undefined;) {
              done.add(c.id);
              d.model.flush(d.now);
              c = d.queue.peek()?.time === d.now ? d.step() : undefined;
            }
            live = live.filter((f) => !done.has(f.id));
          }
          d.model.flush(d.now);

          expect(d.model.size).toBe(live.length);
          const { flowRes, capacity, caps } = system(net, factors, live);
          const full = maxMinFairRates(flowRes, capacity, caps);
          expectMaxMinFair(flowRes, capacity, caps, full);
          live.forEach((f, i) => {
            const rate = d.model.rate(f.id);
            expect(Math.abs(rate - full[i]!), `flow ${f.id}: ${rate} vs ${full[i]}`).toBeLessThanOrEqual(
              full[i]! * TOLERANCE,
            );
          });
        }
      }),
    );
  });
});
