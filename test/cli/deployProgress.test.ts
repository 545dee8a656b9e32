/** The deploy's progress: plain lines when piped, a live line per host on a terminal. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { liveProgress, plainProgress } from '../../src/cli/deployProgress.js';
import type { DagEvent } from '../../src/deploy/dagTypes.js';

const events: DagEvent[] = [
  { type: 'stage-started', host: 'web-01', stage: 'copy', at: 10 },
  {
    type: 'stage-finished',
    host: 'web-01',
    stage: 'copy',
    at: 12.34,
    outcome: { kind: 'ok', detail: '2MB by cascade' },
  },
  {
    type: 'stage-finished',
    host: 'db-1',
    stage: 'build',
    at: 13,
    outcome: { kind: 'failed', error: 'error: builder failed\n> boom' },
  },
];

describe('deploy progress', () => {
  it('piped: one line per finished stage, the first line of an error', () => {
    const lines: string[] = [];
    const p = plainProgress((l) => lines.push(l), 10);
    events.forEach(p.onProgress);
    p.stop();
    expect(lines).toEqual([
      '[   2.3 s] web-01  copy  ok (2MB by cascade)\n',
      '[   3.0 s] db-1  build  FAILED: error: builder failed\n',
    ]);
  });

  it('on a terminal: a live line per host with its stage and what it said', () => {
    let out = '';
    const tty = Object.assign(
      new Writable({ write: (chunk: Buffer, _enc, cb) => ((out += chunk.toString()), cb()) }),
      {
        isTTY: true,
        columns: 120,
        rows: 40,
        cursorTo: () => true,
        moveCursor: () => true,
        clearLine: () => true,
        clearScreenDown: () => true,
      },
    ) as unknown as NodeJS.WriteStream;
    const p = liveProgress(['web-01', 'db-1'], 5, tty);
    events.forEach(p.onProgress);
    p.stop();
    expect(out).toContain('web-01');
    expect(out).toContain('ok (2MB by cascade)');
    expect(out).toContain('FAILED: error: builder failed');
    expect(out).not.toContain('> boom');
  });
});
