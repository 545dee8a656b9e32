import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowModel } from '../../src/sim/network/flowModel.js';
import { maxMinFairRates } from '../../src/sim/network/maxMin.js';
import { ModelDriver, host, makeHosts, simpleTopology } from './helpers/simpleTopology.js';

const MB = 1e6;

/** Max-min optimality: capacities hold, and each flow has a saturated resource where it is the largest. */
function checkMaxMin(
  usage: ReadonlyArray<{ capacity: number; flows: ReadonlyArray<{ id: number; rate: number }> }>,
  flowIds: readonly number[],
): void {
  const bottlenecked = new Set<number>();
  for (const r of usage) {
    const sum = r.flows.reduce((s, f) => s + f.rate, 0);
    expect(sum).toBeLessThanOrEqual(r.capacity * (1 + 1e-9));
    if (sum >= r.capacity * (1 - 1e-9)) {
      const max = Math.max(...r.flows.map((f) => f.rate));
      for (const f of r.flows) if (f.rate >= max * (1 - 1e-9)) bottlenecked.add(f.id);
    }
  }
  for (const id of flowIds) expect(bottlenecked.has(id), `flow ${id} has no bottleneck`).toBe(true);
}

describe('maxMinFairRates', () => {
  it('solves the classic shared-link case exactly', () => {
    // Resources: 0 = link L (10), 1 = B's downlink (2). A crosses L; B crosses L and its downlink.
    const rates = maxMinFairRates([[0], [0, 1]], [10, 2]);
    expect(Array.from(rates)).toEqual([8, 2]);
  });

  it('gives Infinity to a flow without finite resources', () => {
    expect(Array.from(maxMinFairRates([[], [0]], [Infinity]))).toEqual([Infinity, Infinity]);
  });

  it("honours a flow's own cap inside max-min: what a capped flow cannot use goes to the others", () => {
    // Three flows on one link of 12: alone they would get 4 each; flow 0 is capped at 1.
    expect(Array.from(maxMinFairRates([[0], [0], [0]], [12], [1, Infinity, Infinity]))).toEqual([1, 5.5, 5.5]);
    // A cap above the fair share changes nothing; a cap is the rate of a flow without finite resources.
    expect(Array.from(maxMinFairRates([[0], [0]], [12], [7, Infinity]))).toEqual([6, 6]);
    expect(Array.from(maxMinFairRates([[], [0]], [Infinity], [3, 4]))).toEqual([3, 4]);
    // The classic case with B capped at 1 instead of its downlink's 2: A takes the 9 left on L.
    expect(Array.from(maxMinFairRates([[0], [0, 1]], [10, 2], [Infinity, 1]))).toEqual([9, 1]);
  });

  it('with caps: feasible, no flow above its cap, and max-min optimal on random instances', () => {
    const instance = fc.integer({ min: 1, max: 6 }).chain((nr) =>
      fc.record({
        capacity: fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: nr, maxLength: nr }),
        flows: fc.array(
          fc.record({
            res: fc.uniqueArray(fc.integer({ min: 0, max: nr - 1 }), { minLength: 1, maxLength: nr }),
            cap: fc.option(fc.double({ min: 0.01, max: 1000, noNaN: true }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 16 },
        ),
      }),
    );
    fc.assert(
      fc.property(instance, ({ capacity, flows }) => {
        const caps = flows.map((f) => f.cap ?? Infinity);
        const rates = maxMinFairRates(
          flows.map((f) => f.res),
          capacity,
          caps,
        );
        // A flow at its cap is bottlenecked by it: model the cap as a private resource for the check.
        const usage = [
          ...capacity.map((c, r) => ({
            capacity: c,
            flows: flows.flatMap((f, i) => (f.res.includes(r) ? [{ id: i, rate: rates[i]! }] : [])),
          })),
          ...caps.flatMap((c, i) => (c < Infinity ? [{ capacity: c, flows: [{ id: i, rate: rates[i]! }] }] : [])),
        ];
        for (const rate of rates) expect(rate).toBeGreaterThan(0);
        checkMaxMin(
          usage,
          flows.map((_, i) => i),
        );
      }),
    );
  });

  it('is feasible and max-min optimal on random instances', () => {
    const instance = fc.integer({ min: 1, max: 8 }).chain((nr) =>
      fc.record({
        capacity: fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), {
          minLength: nr,
          maxLength: nr,
        }),
        flows: fc.array(
          fc.uniqueArray(fc.integer({ min: 0, max: nr - 1 }), { minLength: 1, maxLength: nr }),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
      }),
    );
    fc.assert(
      fc.property(instance, ({ capacity, flows }) => {
        const rates = maxMinFairRates(flows, capacity);
        const usage = capacity.map((c, r) => ({
          capacity: c,
          flows: flows.flatMap((res, f) => (res.includes(r) ? [{ id: f, rate: rates[f]! }] : [])),
        }));
        for (const rate of rates) expect(rate).toBeGreaterThan(0);
        checkMaxMin(
          usage,
          flows.map((_, f) => f),
        );
      }),
    );
  });
});

describe('FlowModel', () => {
  it('k flows sharing one uplink U each finish at latency + b·k / U', () => {
    for (const k of [1, 2, 3, 7]) {
      const U = 100 * MB;
      const hosts = makeHosts(k + 1, U, 10 * U);
      const topo = simpleTopology({ hosts: hosts.map((h) => h.id), accessLatency: 0.01 });
      const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
      const b = 20 * MB;
      d.start(
        topo,
        Array.from({ length: k }, (_, i) => ({ id: i, from: 'h0', to: `h${i + 1}`, bytes: b })),
      );
      const done = d.runAll();
      expect(done.size).toBe(k);
      for (const at of done.values()) expect(at).toBeCloseTo(0.02 + (b * k) / U, 9);
    }
  });

  it('one seed with a 100 MB/s uplink sends 10 MB to 31 receivers in ≈ 3.1 s', () => {
    const hosts = [host('seed', 100 * MB), ...makeHosts(31, 100 * MB)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id), accessLatency: 0.0005 });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(
      topo,
      Array.from({ length: 31 }, (_, i) => ({ id: i, from: 'seed', to: `h${i}`, bytes: 10 * MB })),
    );
    const done = d.runAll();
    const makespan = Math.max(...done.values());
    expect(Math.abs(makespan - 3.1) / 3.1).toBeLessThan(0.01);
  });

  it('shared link with different bottlenecks: exact rates, then the survivor speeds up', () => {
    // A: a1 → a2 and B: b1 → b2 both cross link s1 → s2 (10); b2's downlink is 2.
    const hosts = [host('a1', 100), host('b1', 100), host('a2', 100), host('b2', 100, 2)];
    const topo = simpleTopology({
      hosts: hosts.map((h) => h.id),
      attach: { a1: 's1', b1: 's1', a2: 's2', b2: 's2' },
      links: [{ from: 's1', to: 's2', bandwidth: 10 }],
    });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      { id: 0, from: 'a1', to: 'a2', bytes: 100 },
      { id: 1, from: 'b1', to: 'b2', bytes: 10 },
    ]);
    d.model.flush(0);
    expect(d.model.rate(0)).toBe(8);
    expect(d.model.rate(1)).toBe(2);
    expect(d.step()).toEqual({ id: 1, at: 5 });
    expect(d.model.progress(0, 5)).toBeCloseTo(40, 9);
    d.model.flush(5);
    expect(d.model.rate(0)).toBe(10);
    // 60 bytes left at 10 B/s.
    expect(d.step()).toEqual({ id: 0, at: 11 });
  });

  it('when a flow ends the others speed up (hand-computed completion times)', () => {
    const hosts = [host('s', 30), ...makeHosts(3, 1000)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      { id: 1, from: 's', to: 'h0', bytes: 10 },
      { id: 2, from: 's', to: 'h1', bytes: 20 },
      { id: 3, from: 's', to: 'h2', bytes: 30 },
    ]);
    const done = d.runAll();
    expect(done.get(1)).toBeCloseTo(1, 12);
    expect(done.get(2)).toBeCloseTo(1 + 10 / 15, 12);
    expect(done.get(3)).toBeCloseTo(2, 12);
  });

  it("a flow's maxRate bounds it inside max-min: the other flow on the uplink gets the rest, then all of it", () => {
    const hosts = [host('s', 10), ...makeHosts(2, 1000)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      { id: 0, from: 's', to: 'h0', bytes: 4, maxRate: 2 },
      { id: 1, from: 's', to: 'h1', bytes: 40 },
    ]);
    d.model.flush(0);
    expect([d.model.rate(0), d.model.rate(1)]).toEqual([2, 8]);
    expect(d.step()).toEqual({ id: 0, at: 2 });
    d.model.flush(2);
    expect(d.model.rate(1)).toBe(10);
    expect(d.step()).toEqual({ id: 1, at: 4.4 }); // 16 bytes by 2 s, 24 left at 10 B/s
  });

  it('a transfer waits its route latency before it shares bandwidth', () => {
    // A (same switch, latency 0) and B (crosses a 1 s link) from the same 10 B/s uplink.
    const hosts = [host('s', 10), host('a', 1000), host('b', 1000)];
    const topo = simpleTopology({
      hosts: hosts.map((h) => h.id),
      attach: { s: 's1', a: 's1', b: 's2' },
      links: [{ from: 's1', to: 's2', bandwidth: 1e9, latency: 1 }],
    });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      { id: 0, from: 's', to: 'a', bytes: 20 },
      { id: 1, from: 's', to: 'b', bytes: 5 },
    ]);
    expect(d.model.progress(1, 0.5)).toBe(0);
    const done = d.runAll();
    expect(done.get(1)).toBeCloseTo(2, 12); // 5 bytes at 5 B/s after arriving at 1 s
    expect(done.get(0)).toBeCloseTo(2.5, 12); // 10 + 5 delivered by 2 s, 5 left at 10 B/s
  });

  it('removing a flow early returns its progress and frees its share', () => {
    const hosts = [host('s', 10), ...makeHosts(2, 1000)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      { id: 0, from: 's', to: 'h0', bytes: 100 },
      { id: 1, from: 's', to: 'h1', bytes: 100 },
    ]);
    d.model.flush(0);
    d.now = 4; // nothing happens before 20 s, so the clock may jump
    expect(d.model.remove(1, 4)).toBeCloseTo(20, 9);
    // Flow 0 has 80 left, now alone at 10 B/s.
    expect(d.step()).toEqual({ id: 0, at: 12 });
  });

  it('a straggler factor slows the host from the moment it is set', () => {
    const hosts = makeHosts(2, 10);
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id) });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [{ id: 0, from: 'h0', to: 'h1', bytes: 100 }]);
    d.model.flush(0);
    d.now = 5;
    d.model.setHostFactor('h0', 0.5, 5);
    expect(d.step()).toEqual({ id: 0, at: 15 });
  });

  it('finishes simultaneous flows at the same instant, zero-byte flows after their latency', () => {
    const hosts = [host('s', 100), ...makeHosts(4, 100)];
    const topo = simpleTopology({ hosts: hosts.map((h) => h.id), accessLatency: 0.125 });
    const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
    d.start(topo, [
      ...Array.from({ length: 3 }, (_, i) => ({ id: i, from: 's', to: `h${i}`, bytes: 100 })),
      { id: 9, from: 'h3', to: 'h0', bytes: 0 },
    ]);
    const done = d.runAll();
    expect(done.get(9)).toBe(0.25);
    for (let i = 0; i < 3; i++) expect(done.get(i)).toBeCloseTo(0.25 + 3, 9);
  });

  it('rates stay feasible and max-min optimal, and no transfer beats its solo time, under random churn', () => {
    const spec = fc.record({
      ups: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 6, maxLength: 6 }),
      downs: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 6, maxLength: 6 }),
      linkBw: fc.integer({ min: 1, max: 60 }),
      batches: fc.array(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 5 }),
            to: fc.integer({ min: 0, max: 5 }),
            bytes: fc.integer({ min: 0, max: 300 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        { minLength: 1, maxLength: 5 },
      ),
    });
    fc.assert(
      fc.property(spec, ({ ups, downs, linkBw, batches }) => {
        const hosts = ups.map((u, i) => host(`h${i}`, u, downs[i]));
        const topo = simpleTopology({
          hosts: hosts.map((h) => h.id),
          attach: { h0: 's1', h1: 's1', h2: 's1', h3: 's2', h4: 's2', h5: 's2' },
          links: [{ from: 's1', to: 's2', bandwidth: linkBw, latency: 0.1, both: true }],
        });
        const d = new ModelDriver((q) => new FlowModel(hosts, topo, q));
        const solo = new Map<number, { start: number; min: number }>();
        let id = 0;
        const done = new Map<number, number>();
        for (const batch of batches) {
          const ts = batch
            .filter((t) => t.from !== t.to)
            .map((t) => ({ id: id++, from: `h${t.from}`, to: `h${t.to}`, bytes: t.bytes }));
          d.start(topo, ts);
          for (const t of ts) {
            const r = topo.route(t.from, t.to)!;
            const rate = Math.min(ups[Number(t.from.slice(1))]!, downs[Number(t.to.slice(1))]!, r.bottleneck);
            solo.set(t.id, { start: d.now, min: r.latency + t.bytes / rate });
          }
          d.model.flush(d.now);
          const usage = (d.model as FlowModel).resourceUsage();
          checkMaxMin(usage, [...new Set(usage.flatMap((u) => u.flows.map((f) => f.id)))]);
          const c = d.step(); // let one transfer end between batches
          if (c !== undefined) done.set(c.id, c.at);
        }
        for (const [k, at] of d.runAll()) done.set(k, at);
        expect(done.size).toBe(id);
        for (const [k, at] of done) {
          const s = solo.get(k)!;
          expect(at).toBeGreaterThanOrEqual(s.start + s.min - 1e-9);
        }
      }),
    );
  });
});
