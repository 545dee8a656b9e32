import { RunState } from '../../../src/core/state.js';
import { deriveRng } from '../../../src/core/random.js';
import type { RunMode, Strategy } from '../../../src/core/strategy.js';
import type { HostId, Transfer } from '../../../src/core/types.js';
import { validatePlan } from './validate.js';
import type { World } from './world.js';

/** What happens to a started transfer in {@link miniRun}. */
export type Fate = 'ok' | 'transient' | 'permanent' | { readonly transient: true; readonly deliveredFraction: number };

/** Options of {@link miniRun}. */
export interface MiniRunOptions {
  readonly mode?: RunMode;
  /** Decides each transfer's fate (default: all succeed). */
  readonly fate?: (t: Transfer, attempt: number) => Fate;
  /** Hosts killed (marked failed) before the first plan. */
  readonly killed?: readonly HostId[];
  readonly maxCalls?: number;
  /** Transient failures after which a target is given up. */
  readonly maxAttemptsPerHost?: number;
}

/** The outcome of {@link miniRun}. */
export interface MiniRunResult {
  readonly state: RunState;
  /** Plan calls that started at least one transfer. */
  readonly rounds: number;
  readonly transfers: readonly Transfer[];
  /** Every rule violation seen, with the call number. */
  readonly violations: readonly string[];
  readonly time: number;
  readonly stuck: boolean;
}

/**
 * A small stand-in coordinator over the real RunState: validates every batch with {@link validatePlan}
 * (and skips invalid proposals so the run goes on), runs transfers with duration latency + bytes ÷ link
 * rate (no contention), in round mode (barrier) or eager mode (re-plan after each outcome).
 */
export function miniRun(strategy: Strategy, world: World, o: MiniRunOptions = {}): MiniRunResult {
  const mode = o.mode ?? 'round';
  const state = new RunState(world.fleet, world.closure, world.topology, mode, deriveRng(1, 'strategy'));
  for (const k of o.killed ?? []) state.markFailed(k);
  const violations: string[] = [];
  const transfers: Transfer[] = [];
  const running: { t: Transfer; end: number; seq: number }[] = [];
  let rounds = 0;
  let calls = 0;
  let seq = 0;
  let now = 0;
  const maxCalls = o.maxCalls ?? 10_000;
  const finish = (r: { t: Transfer; end: number }): void => {
    const t = r.t;
    state.endTransfer(t);
    const fate = state.isFailed(t.to) ? 'permanent' : (o.fate?.(t, state.attempts(t.from, t.to)) ?? 'ok');
    if (fate === 'ok') {
      if (!state.isFailed(t.to)) state.deliverAll(t.to, t.paths);
    } else if (fate === 'permanent') {
      state.markFailed(t.to);
    } else {
      // A broken-off copy keeps the paths imported before the break (a prefix in topological order).
      if (fate !== 'transient') {
        for (const p of t.paths.slice(0, Math.floor(t.paths.length * fate.deliveredFraction))) state.deliver(t.to, p);
        state.deliverAll(t.to, []);
      }
      if (state.recordFailedAttempt(t.from, t.to) >= (o.maxAttemptsPerHost ?? 5)) {
        state.markFailed(t.to);
      }
    }
  };
  let stuck = false;
  while (state.pending().length > 0 && calls < maxCalls) {
    state.now = now;
    state.round = calls;
    const plan = strategy.plan(state);
    calls++;
    const bad = validatePlan(state, strategy, plan);
    if (bad.length > 0) {
      violations.push(...bad.map((b) => `call ${calls - 1}: ${b}`));
      break;
    }
    for (const p of plan) {
      const t: Transfer = {
        id: transfers.length,
        from: p.from,
        to: p.to,
        paths: world.closure.sortTopologically(p.paths),
        bytes: world.closure.bytes(p.paths),
        round: calls - 1,
      };
      transfers.push(t);
      state.startTransfer(t);
      const route = world.topology.route(t.from, t.to)!;
      running.push({ t, end: now + route.latency + t.bytes / state.linkRate(t.from, t.to), seq: seq++ });
    }
    if (plan.length > 0) rounds++;
    if (running.length === 0) {
      stuck = true;
      break;
    }
    running.sort((a, b) => a.end - b.end || a.seq - b.seq);
    if (mode === 'round') {
      now = Math.max(now, ...running.map((r) => r.end));
      for (const r of running.splice(0)) finish(r);
    } else {
      const r = running.shift()!;
      now = Math.max(now, r.end);
      finish(r);
    }
  }
  return { state, rounds, transfers, violations, time: now, stuck };
}
