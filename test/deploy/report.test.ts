/** The deploy report: every host with its outcome, whatever stage it stopped at. */
import { describe, expect, it } from 'vitest';
import { runStages } from '../../src/deploy/dag.js';
import type { Stage, StageOutcome } from '../../src/deploy/dagTypes.js';
import { deployReport, reportText } from '../../src/deploy/report.js';
import { gcRootOf, defaultStateDir } from '../../src/deploy/build.js';

const TOP = '/nix/store/0f5374m24ywvwsffg97jb5krm660zkwl-nixos-system-a';

function stage(name: string, outcome: (host: string) => StageOutcome): Stage {
  return { name, run: (host) => Promise.resolve(outcome(host)) };
}

describe('deployReport', () => {
  it('maps each host to activated, unchanged, failed at STAGE; settings that never evaluated are failed at eval', async () => {
    let t = 0;
    const dag = await runStages({
      hosts: ['ok', 'same', 'nobuild', 'noactivate'],
      now: () => t++,
      stages: [
        stage('eval', () => ({ kind: 'ok', output: { toplevel: { outPath: TOP } } })),
        stage('check', (h) => (h === 'same' ? { kind: 'skip-rest', reason: 'unchanged' } : { kind: 'ok' })),
        stage('build', (h) =>
          h === 'nobuild' ? { kind: 'failed', error: "error: builder for 'x.drv' failed" } : { kind: 'ok' },
        ),
        stage('copy', () => ({ kind: 'ok', output: { bytesReceived: 1234 } })),
        stage('activate', (h) =>
          h === 'noactivate'
            ? { kind: 'failed', error: 'exit 1: boom' }
            : { kind: 'ok', detail: 'activated; reboot required' },
        ),
      ],
    });
    const r = deployReport('switch', dag, new Map([['broken', 'error: bad host']]), undefined);
    const by = Object.fromEntries(r.hosts.map((h) => [h.host, h]));
    expect(by['broken']).toMatchObject({ outcome: 'failed', stage: 'eval', error: 'error: bad host' });
    expect(by['ok']).toMatchObject({
      outcome: 'activated',
      toplevel: TOP,
      bytesReceived: 1234,
      rebootRequired: true,
    });
    expect(by['same']).toMatchObject({ outcome: 'unchanged', bytesReceived: 0 });
    expect(by['nobuild']).toMatchObject({ outcome: 'failed', stage: 'build' });
    expect(by['noactivate']).toMatchObject({ outcome: 'failed', stage: 'activate', error: 'exit 1: boom' });
    expect(r.totals).toMatchObject({ hosts: 5, activated: 1, unchanged: 1, failed: 3 });
    expect(r.success).toBe(false);
    expect(by['ok']!.stages.map((s) => s.stage)).toEqual(['eval', 'check', 'build', 'copy', 'activate']);
    expect(by['ok']!.stages.every((s) => typeof s.seconds === 'number' && s.seconds > 0)).toBe(true);
    const text = reportText(r);
    expect(text).toMatch(/nobuild\s+failed at build/);
    expect(text).toContain("error: builder for 'x.drv' failed");
    expect(text).toContain('switch: 5 hosts: 1 activated, 1 unchanged, 3 failed');
  });

  it('says what each host runs at the end: new, old (untouched or rolled back) or unknown (interrupted)', async () => {
    const abort = new AbortController();
    let release: () => void = () => undefined;
    const dag = await runStages({
      hosts: ['done', 'same', 'back', 'cut', 'later'],
      signal: abort.signal,
      stages: [
        stage('check', (h) => (h === 'same' ? { kind: 'skip-rest', reason: 'unchanged' } : { kind: 'ok' })),
        {
          name: 'activate',
          limit: 4,
          run: (h, sc) => {
            if (h === 'done') return Promise.resolve({ kind: 'ok' });
            if (h === 'back')
              return Promise.resolve({
                kind: 'failed',
                error: 'exit 1',
                cause: { rollback: 'rolled back (x)' },
              });
            if (h === 'cut') {
              // Ctrl-C while this one activates: it fails because of the abort.
              queueMicrotask(() => abort.abort());
              return new Promise((resolve) => {
                release = () => resolve({ kind: 'failed', error: 'cancelled' });
                sc.signal.addEventListener('abort', () => release());
              });
            }
            return new Promise(() => undefined); // never reached: the run stops first
          },
          gate: (h) => (h === 'later' ? new Promise(() => undefined) : Promise.resolve()),
        },
      ],
    });
    const r = deployReport('switch', dag, new Map(), undefined);
    const by = Object.fromEntries(r.hosts.map((h) => [h.host, h.system]));
    expect(by).toEqual({ done: 'new', same: 'new', back: 'old', cut: 'unknown', later: 'old' });
    const text = reportText(r);
    expect(text).toContain('now on the new system: done, same');
    expect(text).toContain('still on the old one: back, later');
    expect(text).toContain('unknown (interrupted or failed activation): cut');
    // Actions that activate nothing say nothing of it.
    expect(deployReport('push', dag, new Map(), undefined).hosts.every((h) => h.system === undefined)).toBe(
      true,
    );
  });

  it('build and push name their own outcomes; a run with only good hosts succeeds', async () => {
    for (const [action, outcome] of [
      ['build', 'built'],
      ['push', 'pushed'],
    ] as const) {
      const dag = await runStages({ hosts: ['a'], stages: [stage('eval', () => ({ kind: 'ok' }))] });
      const r = deployReport(action, dag, new Map(), undefined);
      expect(r.hosts[0]!.outcome).toBe(outcome);
      expect(r.success).toBe(true);
    }
  });
});

describe('GC roots', () => {
  it('one per host under the state dir, and a host name cannot leave it', () => {
    expect(gcRootOf('/s', 'web-01')).toBe('/s/gcroots/web-01');
    for (const name of ['../../etc/passwd', '..', '.hidden', 'a/b']) {
      const leaf = gcRootOf('/s', name).slice('/s/gcroots/'.length);
      expect(leaf).not.toContain('/');
      expect(leaf.startsWith('.')).toBe(false);
    }
    expect(defaultStateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/nix-cascade');
    expect(defaultStateDir({ HOME: '/home/op' })).toBe('/home/op/.local/state/nix-cascade');
  });
});
