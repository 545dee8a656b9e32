import { ConfigError } from '../core/errors.js';
import type { HostId } from '../core/types.js';

/**
 * Staged rollouts: activation goes wave by wave (copying may still cascade fleet-wide first). Canary hosts
 * form the first wave, alone; the rest follow in fleet order, `batch` at a time. A wave opens when every
 * host of the one before has finished (activated, failed, or dropped out earlier); once `maxFailures`
 * hosts have failed, no further wave opens and its hosts are left untouched (`skipped (rollout stopped)`).
 */

/** Why a host whose wave never opened is skipped. */
export const ROLLOUT_STOPPED = 'rollout stopped';

/** A count or a share of the selected hosts: `3` or `25%`. */
export type CountOrShare = { readonly count: number } | { readonly percent: number };

/** Parses `N` (a positive integer) or `P%` (0 < P ≤ 100). @throws ConfigError naming `flag`. */
export function parseCountOrShare(value: string, flag: string): CountOrShare {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (m) {
    const percent = Number(m[1]);
    if (percent > 0 && percent <= 100) return { percent };
  } else if (/^\d+$/.test(value.trim()) && Number(value) >= 1) {
    return { count: Number(value) };
  }
  throw new ConfigError(`must be a positive integer or a percentage such as 25%, got "${value}"`, flag);
}

/** How many of `total` hosts a count or share means: a share rounds up, so it is never 0. */
export function resolveCount(c: CountOrShare, total: number): number {
  return 'count' in c ? c.count : Math.max(1, Math.ceil((c.percent / 100) * total));
}

/** Options of a staged rollout. */
export interface RolloutOptions {
  /** Hosts per wave after the canaries. Undefined: all of them in one wave. */
  readonly batch?: CountOrShare;
  /** Stop before the next wave once this many hosts have failed. Undefined: never (1 with canaries). */
  readonly maxFailures?: CountOrShare;
  /** Hosts activated first, alone. */
  readonly canary?: readonly HostId[];
}

/** The waves, in order: the canaries, then the rest in fleet order, `batch` at a time. */
export function planWaves(hosts: readonly HostId[], o: RolloutOptions): HostId[][] {
  const canary = new Set(o.canary ?? []);
  for (const c of canary)
    if (!hosts.includes(c))
      throw new ConfigError(`canary "${c}" is not among the selected hosts`, '--canary');
  const rest = hosts.filter((h) => !canary.has(h));
  const size = o.batch === undefined ? rest.length : resolveCount(o.batch, hosts.length);
  const waves: HostId[][] = canary.size > 0 ? [hosts.filter((h) => canary.has(h))] : [];
  for (let i = 0; i < rest.length; i += size) waves.push(rest.slice(i, i + size));
  return waves;
}

/** The rollout's state during a deploy: the activation stage's gate, fed with each host's end. */
export class Rollout {
  private readonly waveOf = new Map<HostId, number>();
  private readonly left: Array<Set<HostId>>;
  private readonly waiting: Array<Array<() => void>>;
  private readonly maxFailures: number;
  private open = 0;
  private failures = 0;
  private stoppedAfter: number | undefined;

  constructor(hosts: readonly HostId[], o: RolloutOptions) {
    const waves = planWaves(hosts, o);
    waves.forEach((w, i) => w.forEach((h) => this.waveOf.set(h, i)));
    this.left = waves.map((w) => new Set(w));
    this.waiting = waves.map(() => []);
    this.maxFailures =
      o.maxFailures !== undefined
        ? resolveCount(o.maxFailures, hosts.length)
        : (o.canary?.length ?? 0) > 0
          ? 1
          : Infinity;
    this.skipEmpty();
  }

  /** The waves' sizes (for the report's notes). */
  get waves(): number[] {
    return this.left.map((_, i) => [...this.waveOf.values()].filter((w) => w === i).length);
  }

  /** Resolves when the host's wave is open (or the rollout stopped: then {@link stopped} says so). */
  gate(host: HostId): Promise<void> {
    const w = this.waveOf.get(host) ?? 0;
    if (w <= this.open || this.stoppedAfter !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiting[w]!.push(resolve));
  }

  /** Whether the host's wave was never opened because the rollout stopped. */
  stopped(host: HostId): boolean {
    return this.stoppedAfter !== undefined && (this.waveOf.get(host) ?? 0) > this.stoppedAfter;
  }

  /** After which wave the rollout stopped, with the failures then; undefined while it goes on. */
  get stop(): { readonly afterWave: number; readonly failures: number } | undefined {
    return this.stoppedAfter === undefined
      ? undefined
      : { afterWave: this.stoppedAfter, failures: this.failures };
  }

  /** A host's deploy ended (any stage, any outcome). */
  finished(host: HostId, failed: boolean): void {
    const w = this.waveOf.get(host);
    if (w === undefined || !this.left[w]!.delete(host)) return;
    if (failed) this.failures++;
    this.skipEmpty();
  }

  /** Opens the next waves while the open one is finished; stops instead once too many failed. */
  private skipEmpty(): void {
    while (
      this.stoppedAfter === undefined &&
      this.open < this.left.length &&
      this.left[this.open]!.size === 0
    ) {
      if (this.open + 1 >= this.left.length) return;
      if (this.failures >= this.maxFailures) {
        this.stoppedAfter = this.open;
        for (const ws of this.waiting) for (const resolve of ws.splice(0)) resolve();
        return;
      }
      this.open++;
      for (const resolve of this.waiting[this.open]!.splice(0)) resolve();
    }
  }
}
