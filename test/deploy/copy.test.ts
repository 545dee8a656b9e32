import { describe, expect, it } from 'vitest';
import type { CascadeEvent, EventSink } from '../../src/core/events.js';
import type { RunResult } from '../../src/core/coordinator.js';
import type { RealCascadeResult } from '../../src/executor/cascade.js';
import { CascadeCopy } from '../../src/deploy/copy.js';
import type { StageOutcome } from '../../src/deploy/dagTypes.js';

/** A cascade that the test drives: it records its wants and ends when told. */
function fakeCascade() {
  const calls: Array<Map<string, readonly string[]>> = [];
  let emit: EventSink = () => {};
  let end: (r: RealCascadeResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const start = (wants: ReadonlyMap<string, readonly string[]>, onEvent: EventSink) => {
    calls.push(new Map(wants));
    emit = onEvent;
    return new Promise<RealCascadeResult>((resolve, reject) => {
      end = resolve;
      fail = reject;
    });
  };
  return {
    calls,
    start,
    emit: (e: CascadeEvent) => emit(e),
    end: (r: RealCascadeResult) => end(r),
    fail: (e: Error) => fail(e),
  };
}

function result(over: Partial<RunResult>, rest: Partial<RealCascadeResult> = {}): RealCascadeResult {
  const run = {
    strategy: 'swarm',
    reason: 'complete',
    failed: [],
    makespanSeconds: 1,
    bytesTransferred: 0,
    transfersStarted: 0,
    ...over,
  } as unknown as RunResult;
  return {
    result: run,
    closure: [],
    unhealthy: [],
    verified: new Map(),
    storeErrors: new Map(),
    perHostSeconds: new Map(),
    fleet: { hosts: [], initialHave: new Map(), wants: new Map() },
    ...rest,
  };
}

const settled = async <T>(p: Promise<T>): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 10))]);

describe('CascadeCopy: one whole-fleet cascade behind a barrier', () => {
  it('starts once, after every expected host arrived or left, with the arrived hosts’ own roots', async () => {
    const c = fakeCascade();
    const copy = new CascadeCopy(['a', 'b', 'c'], c.start);
    const a = copy.arrive('a', '/nix/store/aaa-sys-a');
    expect(c.calls).toHaveLength(0);
    copy.leave('b'); // failed its build
    expect(c.calls).toHaveLength(0);
    const cc = copy.arrive('c', '/nix/store/ccc-sys-c');
    copy.leave('a'); // a host-finished for a host that already arrived changes nothing
    expect(c.calls).toEqual([
      new Map([
        ['a', ['/nix/store/aaa-sys-a']],
        ['c', ['/nix/store/ccc-sys-c']],
      ]),
    ]);
    // Each host is released by its own host-done, with the bytes it received, before the run ends.
    c.emit({ type: 'transfer-finished', t: 1, id: 1, from: 'deployer', to: 'c', bytes: 500 });
    c.emit({ type: 'host-done', t: 1, host: 'c' });
    expect(await settled(cc)).toMatchObject({ kind: 'ok', output: { bytesReceived: 500 } });
    expect(await settled(a)).toBe('pending');
    c.end(
      result(
        {},
        {
          verified: new Map([
            ['a', true],
            ['c', true],
          ]),
        },
      ),
    );
    // a held everything already: no host-done, verified at the end.
    expect(await a).toMatchObject({ kind: 'ok', output: { bytesReceived: 0 } });
    await copy.ended();
    expect(copy.result?.result.strategy).toBe('swarm');
  });

  it('hosts that never completed fail with the cascade’s reason: failed, left out, not verified', async () => {
    const c = fakeCascade();
    const copy = new CascadeCopy(['a', 'b', 'c', 'd'], c.start);
    const got = ['a', 'b', 'c', 'd'].map((h) => copy.arrive(h, `/nix/store/${h}${h}${h}-sys`));
    c.end(
      result(
        {
          reason: 'no-progress',
          failed: [
            {
              host: 'a',
              code: 'unreachable',
              kind: 'permanent',
              message: 'ssh: connect refused',
              server: 'deployer',
              at: 1,
            },
          ],
        },
        {
          unhealthy: [
            {
              host: 'b',
              healthy: false,
              reasons: ['disk full'],
            } as unknown as RealCascadeResult['unhealthy'][number],
          ],
          verified: new Map([['c', false]]),
        },
      ),
    );
    const [a, b, cc, d] = (await Promise.all(got)) as Array<Extract<StageOutcome, { kind: 'failed' }>>;
    expect(a).toMatchObject({ kind: 'failed' });
    expect(a!.error).toContain('unreachable');
    expect(b!.error).toContain('disk full');
    expect(cc!.kind).toBe('failed');
    expect(d!.kind).toBe('failed');
  });

  it('a cascade that cannot run fails every arrived host with its error, and keeps it', async () => {
    const c = fakeCascade();
    const copy = new CascadeCopy(['a'], c.start);
    const a = copy.arrive('a', '/nix/store/aaa-sys');
    c.fail(new Error('nix path-info failed'));
    expect(await a).toMatchObject({ kind: 'failed' });
    expect(copy.error).toBe('nix path-info failed');
  });

  it('never starts when no host arrives', () => {
    const c = fakeCascade();
    const copy = new CascadeCopy(['a', 'b'], c.start);
    copy.leave('a');
    copy.leave('b');
    expect(c.calls).toHaveLength(0);
  });
});
