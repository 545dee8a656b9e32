/**
 * The trace derivations against the coordinator's own result: whatever runCascade reports must be
 * rebuildable from its events alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCascade } from '../../src/core/coordinator.js';
import type { PlanView, Proposal, Strategy } from '../../src/core/strategy.js';
import type { FailureCause, HostId, Transfer } from '../../src/core/types.js';
import {
  cascadeTree,
  cascadeTreeAscii,
  completionCurve,
  hostFinishTimes,
  hostSummaries,
  roundSnapshots,
  transferSpans,
} from '../../src/trace/derive.js';
import { parseJsonLines, toJsonLines, traceSha256 } from '../../src/trace/jsonl.js';
import { toPerfetto } from '../../src/trace/perfetto.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { ScriptedExecutor } from '../helpers/fakeExecutor.js';
import { chainClosure, simpleFleet } from '../helpers/fleets.js';
import { flatTopology } from '../helpers/flatTopology.js';

/** Whole-closure doubling: every idle holder serves one pending host nobody serves yet. */
const doubling: Strategy = {
  name: 'test-doubling',
  plan(view: PlanView): Proposal[] {
    const out: Proposal[] = [];
    const taken = new Set<HostId>();
    const targets = view.pending().filter((h) => view.canReceive(h) && view.incoming(h).size === 0);
    for (const h of view.fleet.hosts) {
      if (!view.canSend(h.id)) continue;
      const to = targets.find((t) => !taken.has(t) && view.holdsAll(h.id, view.missing(t)));
      if (to === undefined) continue;
      out.push({ from: h.id, to, paths: [...view.missing(to)] });
      taken.add(to);
    }
    return out;
  },
};

const runArb = fc.record({
  n: fc.integer({ min: 1, max: 12 }),
  mode: fc.constantFrom('round' as const, 'eager' as const),
  sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  /** Per transfer id: 0 = ok, 1 = transient failure, 2 = permanent failure of the receiver. */
  fates: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 40, maxLength: 40 }),
});

async function run(n: number, mode: 'round' | 'eager', sizes: number[], fates: number[]) {
  const { closure, paths } = chainClosure(sizes);
  const fleet = simpleFleet(n, paths);
  const fate = (t: Transfer): { duration: number; cause?: FailureCause } => {
    const f = fates[t.id % fates.length]!;
    const duration = t.bytes + (t.id % 3) * 0.25;
    if (f === 1)
      return {
        duration,
        cause: { kind: 'transient', code: 'copy-failed', host: t.to, message: 'broke, "off"' },
      };
    if (f === 2)
      return { duration, cause: { kind: 'permanent', code: 'unreachable', host: t.to, message: 'no route' } };
    return { duration };
  };
  const rec = new TraceRecorder();
  const result = await runCascade({
    fleet,
    closure,
    topology: flatTopology(fleet.hosts),
    strategy: doubling,
    executor: new ScriptedExecutor(fate),
    mode,
    onEvent: rec.sink,
  });
  return { result, events: rec.events() };
}

describe('trace of a real coordinator run', () => {
  it('rebuilds finish times, counts, tree and spans from the events', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async ({ n, mode, sizes, fates }) => {
        const { result, events } = await run(n, mode, sizes, fates);
        expect(hostFinishTimes(events)).toEqual(new Map(result.finishTimes));

        const curve = completionCurve(events);
        expect(curve[curve.length - 1]!.done).toBe(result.hostsDone);
        for (let i = 1; i < curve.length; i++) {
          expect(curve[i]!.t).toBeGreaterThan(curve[i - 1]!.t);
          expect(curve[i]!.done).toBeGreaterThanOrEqual(curve[i - 1]!.done);
        }

        const spans = transferSpans(events);
        expect(spans).toHaveLength(result.transfersStarted);
        expect(spans.filter((s) => s.outcome === 'failed')).toHaveLength(result.transfersFailed);
        expect(spans.reduce((a, s) => a + s.deliveredBytes, 0)).toBe(result.bytesTransferred);

        // Every done host appears exactly once in the ASCII tree, under a host that was done earlier; failed
        // hosts come after it, under a header.
        const tree = cascadeTree(events);
        const lines = cascadeTreeAscii(events).trimEnd().split('\n');
        const failedLines = result.hostsFailed === 0 ? 0 : 1 + result.hostsFailed;
        expect(lines).toHaveLength(1 + result.hostsDone + failedLines); // the deployer + done + failed hosts
        for (const [child, parent] of tree.parent) {
          const parentDone = hostFinishTimes(events).get(parent) ?? 0;
          expect(parentDone).toBeLessThanOrEqual(result.finishTimes.get(child)!);
        }
        const statuses = hostSummaries(events).filter((h) => h.target);
        expect(statuses.filter((h) => h.status === 'done')).toHaveLength(result.hostsDone);
        expect(statuses.filter((h) => h.status === 'failed')).toHaveLength(result.hostsFailed);
        expect(statuses.filter((h) => h.status === 'unreached')).toHaveLength(result.hostsUnreached);

        if (mode === 'round') expect(roundSnapshots(events)).toHaveLength(result.rounds);

        const xs = toPerfetto(events).traceEvents.filter(
          (e) => e.ph === 'X' && e.cat?.startsWith('transfer'),
        );
        expect(xs).toHaveLength(spans.length);
        expect(xs.every((e) => Number.isInteger(e.ts) && Number.isInteger(e.dur) && (e.dur ?? -1) >= 0)).toBe(
          true,
        );

        const text = toJsonLines(events);
        expect(toJsonLines(parseJsonLines(text, 'run.jsonl'))).toBe(text);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same trace hash for the same run', async () => {
    const a = await run(9, 'round', [2, 3], [0, 1, 0, 0, 2, 0]);
    const b = await run(9, 'round', [2, 3], [0, 1, 0, 0, 2, 0]);
    expect(traceSha256(a.events)).toBe(traceSha256(b.events));
    const c = await run(9, 'round', [2, 3], [0, 0, 0, 0, 2, 0]);
    expect(traceSha256(c.events)).not.toBe(traceSha256(a.events));
  });
});
