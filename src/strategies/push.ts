import type { PlanView, Proposal } from '../core/strategy.js';
import type { HostId } from '../core/types.js';
import { PlanContext, type StrategyMemory } from './_internals/context.js';
import { bestPartial } from './_internals/paths.js';
import { pickSource } from './_internals/pick.js';

/**
 * The shared logic of the push baselines: only the seeds (the deployer, caches, targets that started with
 * paths) send, fleet order, with at most `k` transfers running at once across all seeds. Each receiver
 * gets everything it misses from one seed; if no seed holds all of it, the seed holding the largest closed
 * part sends that part.
 */
export function planPush(view: PlanView, memory: StrategyMemory, k: number): readonly Proposal[] {
  const ctx = new PlanContext(view, memory);
  const seeds = ctx.info.seeds.filter((s) => !view.isFailed(s));
  let budget = k;
  for (const s of seeds) budget -= view.sending(s);
  if (budget <= 0) return [];
  const isSeed = new Set<HostId>(seeds);
  for (const t of ctx.wholeReceivers()) {
    if (budget <= 0) break;
    const whole = seeds.filter((s) => ctx.canServeWhole(s, t));
    if (whole.length > 0) {
      const s = pickSource(ctx, whole, t, (h) => ctx.sendLeft(h) > 0);
      if (s === undefined) continue;
      ctx.propose(s, t, ctx.wholePaths(s, t));
      budget--;
    } else {
      const pick = bestPartial(ctx, t, (h) => isSeed.has(h));
      if (!pick) continue;
      ctx.propose(pick.from, t, pick.paths);
      budget--;
    }
  }
  return ctx.proposals;
}
