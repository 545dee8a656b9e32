/**
 * Model-based test of the coordinator loop (issue 3), driven step by step with `fc.commands`.
 *
 * Choice: `runCascade` runs in the background in eager mode against a controllable executor whose
 * outcomes are held until a command releases one. Each command releases one outcome (ok, transient
 * failure with a delivered prefix, permanent failure of receiver or sender) and, in the same step, scripts
 * what the strategy proposes at the next plan call: a valid whole or partial proposal, or a deliberately
 * invalid one (unheld path, over a concurrency limit, to a failed host, closure violation, re-send). The
 * scripted strategy only hands out its script once every cancelled transfer has been reported, so the
 * plan happens on the state the reference model predicts.
 *
 * The reference model is plain sets: have per host, running transfers, failed hosts and each target's
 * failure streak. After every step the coordinator's live PlanView (captured by the strategy) and the
 * executor's running transfers must match the model; invalid proposals must reject the run with a
 * StrategyError after draining; nothing the receiver holds is ever started again.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCascade, type RunResult } from '../../src/core/coordinator.js';
import { StrategyError } from '../../src/core/errors.js';
import type { Executor } from '../../src/core/executor.js';
import type { PlanView, Proposal, Strategy } from '../../src/core/strategy.js';
import type { FailureCause, Fleet, HostId, Outcome, PathId, Transfer } from '../../src/core/types.js';
import { ClosureGraph } from '../../src/core/closure.js';
import { chainClosure, host } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

const MAX_ATTEMPTS = 2;
const TARGETS = ['t1', 't2', 't3', 't4'];
const chain = chainClosure([1, 2, 3]);
const CHAIN = chain.paths;
/** Held by the deployer, wanted by nobody: sending it is relaying, which the scripted strategy does not declare. */
const EXTRA = '/nix/store/ffffffffffffffffffffffffffffffff-unwanted';
const closure = new ClosureGraph([...CHAIN.map((p) => chain.closure.get(p)), { id: EXTRA, narSize: 1, references: [] }]);

function makeFleet(): Fleet {
  return {
    hosts: [host('deployer', { role: 'deployer', maxSends: 2 }), ...TARGETS.map((t) => host(t, { maxSends: 1, maxReceives: 1 }))],
    initialHave: new Map([['deployer', [...CHAIN, EXTRA]]]),
    wants: new Map(TARGETS.map((t) => [t, CHAIN])),
  };
}

/** An executor whose outcomes wait for the test to release them; cancellations report at once. */
class ControlledExecutor implements Executor {
  readonly running = new Map<number, Transfer>();
  readonly cancelled = new Set<number>();
  readonly ready: Outcome[] = [];
  readonly started: Transfer[] = [];
  waiter: ((o: Outcome) => void) | undefined;
  clock = 0;
  /** Transfers started with a path the receiver already held (read from the live view). */
  readonly resent: Array<{ id: number; path: PathId }> = [];
  view: PlanView | undefined;

  get active(): number {
    return this.running.size;
  }
  now(): number {
    return this.clock;
  }
  start(batch: readonly Transfer[]): void {
    for (const t of batch) {
      this.started.push(t);
      this.running.set(t.id, t);
      // startTransfer already ran, so `have` is the state at the start: nothing in it may travel.
      for (const p of t.paths) if (this.view?.has(t.to, p)) this.resent.push({ id: t.id, path: p });
    }
  }
  cancel(id: number): void {
    const t = this.running.get(id);
    if (!t || this.cancelled.has(id)) return;
    this.cancelled.add(id);
    this.ready.push({ transfer: id, ok: false, at: this.clock, cause: { kind: 'transient', code: 'cancelled', host: t.to, message: 'cancelled' } });
  }
  next(): Promise<Outcome> {
    const o = this.ready.shift();
    if (o) {
      this.running.delete(o.transfer);
      return Promise.resolve(o);
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
  release(o: Outcome): void {
    const w = this.waiter;
    if (!w) throw new Error('the coordinator is not waiting for an outcome');
    this.waiter = undefined;
    this.running.delete(o.transfer);
    w(o);
  }
}

/** The reference model. */
interface Model {
  have: Map<HostId, Set<PathId>>;
  running: Map<number, { from: HostId; to: HostId; paths: PathId[] }>;
  failed: Set<HostId>;
  streak: Map<HostId, number>;
  nextId: number;
  ended: boolean;
}

interface Real {
  executor: ControlledExecutor;
  strategy: { script: Proposal[] | undefined; view: PlanView | undefined };
  done: { result?: RunResult; error?: unknown } | undefined;
}

type ProposalKind =
  | 'whole'
  | 'many'
  | 'partial'
  | 'unheld'
  | 'over-limit'
  | 'to-failed'
  | 'closure'
  | 'resend'
  | 'self'
  | 'unknown-host'
  | 'unknown-path'
  | 'unwanted'
  | 'empty'
  | 'twice'
  | 'none';
const INVALID: readonly ProposalKind[] = ['unheld', 'over-limit', 'to-failed', 'closure', 'resend', 'self', 'unknown-host', 'unknown-path', 'unwanted', 'empty', 'twice'];

const missing = (m: Model, t: HostId): PathId[] => CHAIN.filter((p) => !m.have.get(t)!.has(p));
const sending = (m: Model, h: HostId): number => [...m.running.values()].filter((r) => r.from === h).length;
const receiving = (m: Model, h: HostId): number => [...m.running.values()].filter((r) => r.to === h).length;
const maxSends = (h: HostId): number => (h === 'deployer' ? 2 : 1);
const pendingTargets = (m: Model): HostId[] => TARGETS.filter((t) => !m.failed.has(t) && missing(m, t).length > 0);

/** Builds the scripted proposal of `kind` from the model, or [] when the state does not allow it. */
function buildProposal(m: Model, kind: ProposalKind, pick: number): Proposal[] {
  const rot = <T,>(xs: readonly T[]): T[] => xs.map((_, i) => xs[(i + pick) % xs.length]!);
  const free = rot(pendingTargets(m).filter((t) => receiving(m, t) === 0));
  const senders = rot(['deployer', ...TARGETS]).filter((s) => !m.failed.has(s) && sending(m, s) < maxSends(s));
  switch (kind) {
    case 'whole':
    case 'partial':
      for (const to of free) {
        const miss = missing(m, to);
        const ps = kind === 'whole' || miss.length === 1 ? miss : miss.slice(0, 1 + (pick % (miss.length - 1)));
        const from = senders.find((s) => s !== to && ps.every((p) => m.have.get(s)!.has(p)));
        if (from) return [{ from, to, paths: ps }];
      }
      return [];
    case 'many': {
      // Several valid proposals in one batch, each respecting the senders' remaining capacity.
      const out: Proposal[] = [];
      const used = new Map<HostId, number>();
      for (const to of free) {
        const miss = missing(m, to);
        const from = senders.find((s) => s !== to && sending(m, s) + (used.get(s) ?? 0) < maxSends(s) && miss.every((p) => m.have.get(s)!.has(p)));
        if (!from) continue;
        used.set(from, (used.get(from) ?? 0) + 1);
        out.push({ from, to, paths: miss });
      }
      return out;
    }
    case 'unheld':
      for (const to of free) {
        const miss = missing(m, to);
        const from = rot(TARGETS).find((s) => s !== to && !m.failed.has(s) && miss.some((p) => !m.have.get(s)!.has(p)));
        if (from) return [{ from, to, paths: miss }];
      }
      return [];
    case 'over-limit': {
      const busy = rot(['deployer', ...TARGETS]).find((s) => !m.failed.has(s) && sending(m, s) >= maxSends(s));
      const to = free.find((t) => t !== busy);
      if (busy && to) return [{ from: busy, to, paths: missing(m, to) }];
      // Two transfers to one receiver (maxReceives 1).
      if (free[0]) return [{ from: 'deployer', to: free[0], paths: missing(m, free[0]) }, { from: 'deployer', to: free[0], paths: missing(m, free[0]) }];
      return [];
    }
    case 'to-failed': {
      const to = rot(TARGETS).find((t) => m.failed.has(t));
      return to ? [{ from: 'deployer', to, paths: CHAIN.slice(0, 1) }] : [];
    }
    case 'closure': {
      const to = free.find((t) => missing(m, t).length >= 2);
      return to ? [{ from: 'deployer', to, paths: [missing(m, to).at(-1)!] }] : [];
    }
    case 'resend': {
      const to = rot(TARGETS).find((t) => !m.failed.has(t) && m.have.get(t)!.size > 0);
      return to ? [{ from: 'deployer', to, paths: [...m.have.get(to)!] }] : [];
    }
    case 'self':
      return free[0] ? [{ from: free[0], to: free[0], paths: missing(m, free[0]) }] : [];
    case 'unknown-host':
      return free[0] ? [{ from: 'ghost', to: free[0], paths: missing(m, free[0]) }] : [];
    case 'unknown-path':
      return free[0] ? [{ from: 'deployer', to: free[0], paths: ['/nix/store/00000000000000000000000000000000-nowhere'] }] : [];
    case 'unwanted':
      return free[0] ? [{ from: 'deployer', to: free[0], paths: [EXTRA] }] : [];
    case 'empty':
      return free[0] ? [{ from: 'deployer', to: free[0], paths: [] }] : [];
    case 'twice':
      // One path listed twice in a proposal.
      return free[0] ? [{ from: 'deployer', to: free[0], paths: [...missing(m, free[0]), missing(m, free[0])[0]!] }] : [];
    case 'none':
      return [];
  }
}

/** Takes `h` out of the model; its running transfers get cancelled (reported, nothing delivered). */
function failHost(m: Model, h: HostId): void {
  if (m.failed.has(h)) return;
  m.failed.add(h);
  for (const [id, r] of m.running) if (r.from === h || r.to === h) m.running.delete(id);
}

async function settle(real: Real): Promise<void> {
  for (let i = 0; i < 50 && real.done === undefined && real.executor.waiter === undefined; i++) {
    await new Promise((r) => setTimeout(r, 0));
  }
}

function compare(m: Model, real: Real): void {
  const view = real.strategy.view!;
  for (const h of ['deployer', ...TARGETS]) {
    expect([...view.have(h)].sort(), `have(${h})`).toEqual([...m.have.get(h)!].sort());
    expect(view.isFailed(h), `isFailed(${h})`).toBe(m.failed.has(h));
  }
  expect([...real.executor.running.keys()].sort()).toEqual([...m.running.keys()].sort());
  for (const [id, r] of m.running) {
    const t = real.executor.running.get(id)!;
    expect({ from: t.from, to: t.to, paths: t.paths }).toEqual(r);
  }
  expect(real.executor.resent).toEqual([]);
}

type OutcomeKind = 'ok' | 'transient' | 'perm-to' | 'perm-from';

class ReleaseCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly outcome: OutcomeKind,
    readonly deliveredN: number,
    readonly proposal: ProposalKind,
    readonly proposalPick: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return !m.ended && m.running.size > 0;
  }
  async run(m: Model, real: Real): Promise<void> {
    const ids = [...m.running.keys()];
    const id = ids[this.pick % ids.length]!;
    const tr = m.running.get(id)!;
    real.executor.clock += 1;
    const at = real.executor.clock;
    const delivered = tr.paths.slice(0, this.deliveredN % tr.paths.length);
    let outcome: Outcome;
    let cause: FailureCause | undefined;
    if (this.outcome === 'ok') outcome = { transfer: id, ok: true, at };
    else {
      cause =
        this.outcome === 'transient'
          ? { kind: 'transient', code: 'copy-failed', host: tr.to, message: 'x' }
          : { kind: 'permanent', code: 'host-killed', host: this.outcome === 'perm-to' ? tr.to : tr.from, message: 'x' };
      outcome = { transfer: id, ok: false, at, cause, delivered };
    }

    // Model: apply the outcome.
    m.running.delete(id);
    const got = outcome.ok ? tr.paths : delivered;
    for (const p of got) m.have.get(tr.to)!.add(p);
    if (got.length > 0) m.streak.set(tr.to, 0);
    if (cause?.kind === 'permanent') failHost(m, cause.host);
    else if (cause) {
      const n = (m.streak.get(tr.to) ?? 0) + 1;
      m.streak.set(tr.to, n);
      if (n >= MAX_ATTEMPTS && missing(m, tr.to).length > 0) failHost(m, tr.to);
    }
    // Model: what happens next.
    let expectEnd: 'complete' | 'no-progress' | 'strategy-error' | undefined;
    let script: Proposal[] = [];
    if (pendingTargets(m).length === 0) {
      expectEnd = 'complete';
    } else {
      // An idle plan with nothing running ends the run (no-progress); do that only now and then so most
      // sequences get deep.
      const kind = this.proposal === 'none' && m.running.size === 0 && this.proposalPick > 1 ? 'whole' : this.proposal;
      script = buildProposal(m, kind, this.proposalPick);
      if (script.length === 0 && m.running.size === 0) expectEnd = 'no-progress';
      else if (script.length > 0 && INVALID.includes(this.proposal)) expectEnd = 'strategy-error';
      else if (script.length > 0) {
        for (const p of script) m.running.set(m.nextId++, { from: p.from, to: p.to, paths: [...p.paths] });
      }
    }
    if (expectEnd !== undefined) {
      m.ended = true;
      m.running.clear();
    }

    real.strategy.script = script;
    real.executor.release(outcome);
    await settle(real);
    if (expectEnd === undefined) {
      expect(real.done?.error).toBeUndefined();
      expect(real.done, 'the run ended early').toBeUndefined();
    } else if (expectEnd === 'strategy-error') {
      expect(real.done?.error).toBeInstanceOf(StrategyError);
    } else {
      expect(real.done?.error).toBeUndefined();
      expect(real.done?.result?.reason).toBe(expectEnd);
      const r = real.done!.result!;
      expect(r.failed.map((f) => f.host).sort()).toEqual([...m.failed].sort());
      for (const f of r.failed) expect(f.code === 'retries-exhausted' || f.code === 'host-killed').toBe(true);
    }
    if (expectEnd !== undefined) expect(real.executor.active).toBe(0);
    compare(m, real);
  }
  toString(): string {
    return `release(#${this.pick} ${this.outcome} d${this.deliveredN}) then ${this.proposal}/${this.proposalPick}`;
  }
}

const commandArb = fc
  .tuple(
    fc.nat({ max: 7 }),
    fc.constantFrom<OutcomeKind>('ok', 'ok', 'ok', 'ok', 'transient', 'transient', 'transient', 'perm-to', 'perm-from'),
    fc.nat({ max: 3 }),
    fc.oneof(
      { arbitrary: fc.constantFrom<ProposalKind>('whole', 'many', 'partial'), weight: 12 },
      { arbitrary: fc.constant<ProposalKind>('none'), weight: 2 },
      { arbitrary: fc.constantFrom<ProposalKind>(...INVALID), weight: 1 },
    ),
    fc.nat({ max: 7 }),
  )
  .map(([a, b, c, d, e]) => new ReleaseCommand(a, b, c, d, e));

describe('runCascade against a reference model (fc.commands)', () => {
  it('keeps have sets, running transfers and failures in step with the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands([commandArb], { maxCommands: 40, size: 'large' }), async (cmds) => {
        const fleet = makeFleet();
        const executor = new ControlledExecutor();
        const holder: Real['strategy'] = { script: [{ from: 'deployer', to: 't1', paths: CHAIN }], view: undefined };
        const strategy: Strategy = {
          name: 'test-scripted',
          plan(view: PlanView): readonly Proposal[] {
            holder.view = view;
            executor.view = view;
            // Plan on the state the model predicts: only after every cancellation has been reported.
            if (executor.ready.length > 0 || holder.script === undefined) return [];
            const s = holder.script;
            holder.script = undefined;
            return s;
          },
        };
        const real: Real = { executor, strategy: holder, done: undefined };
        const model: Model = {
          have: new Map(fleet.hosts.map((h) => [h.id, new Set(fleet.initialHave.get(h.id) ?? [])])),
          running: new Map([[0, { from: 'deployer', to: 't1', paths: [...CHAIN] }]]),
          failed: new Set(),
          streak: new Map(),
          nextId: 1,
          ended: false,
        };
        void runCascade({ fleet, closure, topology: flatTopology(fleet.hosts), strategy, executor, mode: 'eager', maxAttemptsPerHost: MAX_ATTEMPTS }).then(
          (result) => (real.done = { result }),
          (error: unknown) => (real.done = { error }),
        );
        await settle(real);
        compare(model, real);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        // Attempts bounded: no target saw more failed attempts in a row without progress than allowed.
        for (const t of TARGETS) expect(model.streak.get(t) ?? 0).toBeLessThanOrEqual(MAX_ATTEMPTS);
        // Leave no run hanging: release whatever is still waited for as failures until the run ends.
        for (let i = 0; i < 100 && real.done === undefined; i++) {
          const id = [...executor.running.keys()].find((k) => !executor.cancelled.has(k));
          if (id === undefined || executor.waiter === undefined) break;
          holder.script = [];
          executor.release({ transfer: id, ok: false, at: executor.clock, cause: { kind: 'permanent', code: 'host-killed', host: executor.running.get(id)!.to, message: 'end' } });
          await settle(real);
        }
        expect(real.done).toBeDefined();
      }),
      { numRuns: Math.min(100, Number(process.env['FC_NUM_RUNS'] ?? 50) * 2) },
    );
  });
});
