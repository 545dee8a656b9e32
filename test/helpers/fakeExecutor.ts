import type { Executor } from '../../src/core/executor.js';
import type { FailureCause, Outcome, PathId, Transfer, TransferId } from '../../src/core/types.js';

/** Decides a transfer's fate in {@link ScriptedExecutor}. */
export interface Fate {
  readonly duration: number;
  readonly cause?: FailureCause;
  readonly delivered?: readonly PathId[];
}

/**
 * A deterministic executor for core tests: each transfer takes `fate(t).duration` seconds of virtual time
 * and then finishes or fails as `fate` says. Outcomes pop in (time, start order).
 */
export class ScriptedExecutor implements Executor {
  #now = 0;
  #seq = 0;
  readonly #queue: Array<{ at: number; seq: number; t: Transfer; fate: Fate; cancelled: boolean }> = [];
  readonly started: Transfer[] = [];

  constructor(private readonly fate: (t: Transfer) => Fate = (t) => ({ duration: t.bytes })) {}

  get active(): number {
    return this.#queue.length;
  }

  now(): number {
    return this.#now;
  }

  start(batch: readonly Transfer[]): void {
    for (const t of batch) {
      this.started.push(t);
      const fate = this.fate(t);
      this.#queue.push({ at: this.#now + fate.duration, seq: this.#seq++, t, fate, cancelled: false });
    }
    this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  cancel(id: TransferId): void {
    const e = this.#queue.find((q) => q.t.id === id);
    if (e && !e.cancelled) {
      e.cancelled = true;
      e.at = this.#now;
      this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    }
  }

  /** Times `next` was called (the coordinator calls `nextSync` instead when an executor has it). */
  nextCalls = 0;

  next(): Promise<Outcome> {
    this.nextCalls++;
    try {
      return Promise.resolve(this.take());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** The next outcome in (time, start order). */
  protected take(): Outcome {
    const e = this.#queue.shift();
    if (!e) throw new Error('next() with nothing active');
    this.#now = Math.max(this.#now, e.at);
    if (e.cancelled) {
      return {
        transfer: e.t.id,
        ok: false,
        at: this.#now,
        cause: { kind: 'transient', code: 'cancelled', host: e.t.to, message: 'cancelled' },
      };
    }
    if (e.fate.cause) {
      return { transfer: e.t.id, ok: false, at: this.#now, cause: e.fate.cause, delivered: e.fate.delivered ?? [] };
    }
    return { transfer: e.t.id, ok: true, at: this.#now };
  }
}

/** {@link ScriptedExecutor} with the optional synchronous `nextSync` (as the simulator has it). */
export class SyncScriptedExecutor extends ScriptedExecutor {
  /** Times `nextSync` was called. */
  syncCalls = 0;

  nextSync(): Outcome {
    this.syncCalls++;
    return this.take();
  }
}
