import { describe, expect, it } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import { fanOut, nullSink, TraceRecorder } from '../../src/trace/recorder.js';
import { smallCascade } from './fixture.js';

describe('TraceRecorder', () => {
  it('collects events in order through an unbound sink', () => {
    const rec = new TraceRecorder();
    const { sink } = rec; // must work detached from the instance
    for (const e of smallCascade()) sink(e);
    expect(rec.length).toBe(smallCascade().length);
    expect(rec.events()).toEqual(smallCascade());
    rec.clear();
    expect(rec.events()).toEqual([]);
  });
});

describe('fanOut', () => {
  it('forwards every event to every sink in argument order', () => {
    const seen: string[] = [];
    const a = (e: CascadeEvent): void => void seen.push(`a:${e.type}`);
    const b = (e: CascadeEvent): void => void seen.push(`b:${e.type}`);
    const both = fanOut(a, b);
    both({ type: 'host-done', t: 1, host: 'h' });
    both({ type: 'round-started', t: 1, round: 0 });
    expect(seen).toEqual(['a:host-done', 'b:host-done', 'a:round-started', 'b:round-started']);
  });

  it('is the sink itself for one sink and a no-op for none', () => {
    const a = (): void => undefined;
    expect(fanOut(a)).toBe(a);
    expect(fanOut()).toBe(nullSink);
  });
});
