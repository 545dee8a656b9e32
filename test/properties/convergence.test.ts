/**
 * Convergence (issue 3): whatever preset, closure, seeds, network model, mode and strategy, replaying the
 * trace shows every non-failed target ends with its want set, only wanted paths travel, and the run
 * respects the fluid lower bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../src/core/errors.js';
import type { CascadeEvent } from '../../src/core/events.js';
import type { Fleet } from '../../src/core/types.js';
import { transferSpans } from '../../src/trace/spans.js';
import { holdsAll, replay, runRecorded, RUNS_PER_PAIR, scenarioArb, STRATEGY_MODES, targetsOf } from './helpers/scenarios.js';

/** The reference system's strategies and the push baselines copy whole want sets. */
const WHOLE_CLOSURE = ['push-sequential', 'push-parallel', 'log2-fanout', 'max-bottleneck-spanning', 'steiner-greedy', 'level-tree'];

/**
 * Whether a run must respect the lower bound: always with the flow model; with the round model (rates fixed
 * when a transfer starts, the reference's `effective_bandwidth`) only in round mode, where every transfer of
 * a round starts together. In eager mode a transfer that joins a busy host gets its share then, but the
 * running ones keep their rates, so the host can carry more than its link (a receiver with two receive
 * slots took 1.5× its downlink and finished before the bound, FC_SEED=42). The simulator test of the round
 * model pins that behaviour.
 */
function boundApplies(input: { network?: string | undefined; mode?: string | undefined }): boolean {
  return input.network !== 'round' || input.mode === 'round';
}

describe('convergence over generated scenarios and every strategy', () => {
  it.each(STRATEGY_MODES)('every target not failed holds its want set; only wanted paths are sent; successful runs respect the lower bound (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, maxReceives: [1, 2], strategy: name, mode }), async ({ input, strategy }) => {
        const { scenario, result, events } = await runRecorded(input, strategy);
        const { fleet } = scenario;
        const r = replay(fleet, events);
        const failed = new Set(result.failed.map((f) => f.host));
        let allDone = true;
        for (const t of targetsOf(fleet)) {
          const done = holdsAll(r.have.get(t), fleet.wants.get(t)!);
          allDone &&= done;
          if (failed.has(t) || result.unreached.includes(t)) continue;
          expect(done, `${t} lacks part of its want set`).toBe(true);
        }
        // Exactly its want set: nothing beyond what it held at the start and what it wants.
        for (const h of fleet.hosts) {
          const allowed = new Set([...(fleet.initialHave.get(h.id) ?? []), ...(fleet.wants.get(h.id) ?? [])]);
          for (const p of r.have.get(h.id)!) expect(allowed.has(p), `${h.id} ends with unwanted ${p}`).toBe(true);
        }
        // No registered strategy relays: a path goes only to a host that wants it.
        expect(r.unwanted).toEqual([]);
        expect(r.orphanOutcomes).toEqual([]);
        expect(r.neverEnded).toEqual([]);
        // The bound is for delivering every want set; a failed host's share may legitimately go undelivered.
        if (allDone && boundApplies(input)) expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds * (1 - 1e-9));
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it.each(STRATEGY_MODES)('without failures every run succeeds, counts each host once, and round mode needs ≤ N rounds (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ strategy: name, mode }), async ({ input, strategy }) => {
        const { scenario, result, events } = await runRecorded(input, strategy);
        const targets = targetsOf(scenario.fleet);
        const pairs = missingPairs(scenario.fleet);
        expect(result.success).toBe(true);
        expect(result.reason).toBe('complete');
        expect(result.hosts).toBe(targets.length);
        expect(result.hostsDone).toBe(targets.length);
        expect(result.failed).toEqual([]);
        expect(result.unreached).toEqual([]);
        const done = events.filter((e) => e.type === 'host-done').map((e) => e.host);
        expect(new Set(done).size).toBe(done.length);
        const r = replay(scenario.fleet, events);
        if (result.mode === 'round') {
          // Without failures every round delivers something new, so rounds ≤ the (target, path) pairs missing
          // at the start. Whole-closure strategies (every transfer carries all the receiver still misses —
          // the reference's strategies) finish a target per transfer: rounds ≤ N, the reference's property.
          // Path-level ones (swarm, multi-target) may legitimately take more rounds than targets.
          expect(result.rounds).toBeLessThanOrEqual(pairs);
          if (WHOLE_CLOSURE.includes(strategy)) {
            // A whole-closure transfer carries all the receiver misses, except from a peer when the
            // receiver has private paths (wanted by it alone, held only by seeds): then the shared part
            // comes first and the private rest follows from a seed. So at most two transfers per target.
            const per = new Map<string, number>();
            for (const e of events) if (e.type === 'transfer-started') per.set(e.to, (per.get(e.to) ?? 0) + 1);
            expect(Math.max(0, ...per.values()), `${strategy} sent a target more than two transfers`).toBeLessThanOrEqual(2);
            if (!hasPrivatePaths(scenario.fleet)) expect(r.partial, `${strategy} sent part of a want set`).toEqual([]);
          }
          if (r.partial.length === 0) expect(result.rounds).toBeLessThanOrEqual(targets.length);
        }
        for (const t of targets) expect(holdsAll(r.have.get(t), scenario.fleet.wants.get(t)!)).toBe(true);
        if (boundApplies(input)) expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds * (1 - 1e-9));
        // The time bound, both modes: without failures every transfer delivers a path its receiver lacked,
        // so transfers ≤ missing (target, path) pairs, and the run is never idle (some transfer runs at every
        // instant until the end), so the makespan is at most the sum of the transfers' durations.
        const starts = events.filter((e) => e.type === 'transfer-started');
        expect(starts.length).toBeLessThanOrEqual(pairs);
        expect(idleSeconds(events, result.makespanSeconds)).toBeLessThan(1e-9 * Math.max(1, result.makespanSeconds));
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  it.each(STRATEGY_MODES)('runScenario never throws (a StrategyError would mean a shipped strategy proposed something invalid) (%s, %s mode)', async (name, mode) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ failures: true, maxSends: [1, 3], maxReceives: [1, 3], strategy: name, mode }), async ({ input, strategy }) => {
        let error: unknown;
        try {
          await runRecorded(input, strategy);
        } catch (err) {
          error = err;
        }
        expect(error instanceof StrategyError ? `StrategyError: ${error.message}` : error).toBeUndefined();
      }),
      { numRuns: RUNS_PER_PAIR },
    );
  });

  // Found by the property above (lead: see report). The round model fixes each transfer's rate at
  // min(uplink share, downlink share, route bottleneck) and never shares a WAN link between transfers, so
  // eight parallel pushes across three regions finish before the cut term allows (0.2102 s < 0.24 s).
  it.each(['round', 'eager'] as const)('regression: parallel push across regions never beats the cut bound (round network, %s mode)', async (mode) => {
    const { result } = await runRecorded(
      {
        seed: 0,
        topology: { preset: 'regions', hosts: 8 },
        closure: { totalMB: 2, paths: 1, roles: 1, perHost: true },
        seeds: { kind: 'deployer' },
        network: 'round',
        mode,
      },
      'push-parallel',
      { k: 8 },
    );
    expect(result.success).toBe(true);
    expect(result.lowerBound.cutSeconds).toBeGreaterThan(0);
    expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBound.seconds * (1 - 1e-9));
  });
});

describe('the idle-time check', () => {
  it('measures a gap between transfers and after the last one (guards against a vacuous check)', () => {
    const ev = (type: 'transfer-started' | 'transfer-finished', id: number, t: number): CascadeEvent =>
      type === 'transfer-started'
        ? { type, t, round: 0, id, from: 'deployer', to: 'b', bytes: 1, paths: ['p'] }
        : { type, t, id, from: 'deployer', to: 'b', bytes: 1 };
    const events = [ev('transfer-started', 0, 0), ev('transfer-finished', 0, 1), ev('transfer-started', 1, 1.5), ev('transfer-finished', 1, 2)];
    expect(idleSeconds(events, 2)).toBeCloseTo(0.5);
    expect(idleSeconds(events, 3)).toBeCloseTo(1.5);
  });
});

/** True when some path is wanted by exactly one target (per-host closures). */
function hasPrivatePaths(fleet: Fleet): boolean {
  const count = new Map<string, number>();
  for (const want of fleet.wants.values()) for (const p of want) count.set(p, (count.get(p) ?? 0) + 1);
  return [...count.values()].some((n) => n === 1);
}

/** (Target, path) pairs the targets miss at the start. */
function missingPairs(fleet: Fleet): number {
  return targetsOf(fleet).reduce((n, t) => {
    const have = new Set(fleet.initialHave.get(t) ?? []);
    return n + fleet.wants.get(t)!.filter((p) => !have.has(p)).length;
  }, 0);
}

/** Seconds in [0, end] during which no transfer runs (start to finish or failure). */
function idleSeconds(events: readonly CascadeEvent[], end: number): number {
  let idle = 0;
  let covered = 0;
  // Spans come in start order.
  for (const { start, end: stop } of transferSpans(events)) {
    if (start > covered) idle += start - covered;
    covered = Math.max(covered, stop);
  }
  return idle + Math.max(0, end - covered);
}
