import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { CascadeEvent } from '../../src/core/events.js';
import {
  JsonlFileSink,
  parseJsonLines,
  readTraceFile,
  toJsonLines,
  traceSha256,
} from '../../src/trace/jsonl.js';
import { smallCascade } from './fixture.js';

describe('JSON Lines', () => {
  it('writes one newline-terminated JSON object per event', () => {
    const text = toJsonLines(smallCascade());
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(smallCascade().length);
    expect(JSON.parse(lines[0]!)).toEqual(smallCascade()[0]);
    expect(toJsonLines([])).toBe('');
  });

  it('round-trips byte for byte', () => {
    const text = toJsonLines(smallCascade());
    const back = parseJsonLines(text, 'mem.jsonl');
    expect(back).toEqual(smallCascade());
    expect(toJsonLines(back)).toBe(text);
    expect(toJsonLines(smallCascade())).toBe(text);
  });

  it('hashes the JSON Lines bytes, and one changed event changes the hash', () => {
    const events = smallCascade();
    const sha = traceSha256(events);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(traceSha256(smallCascade())).toBe(sha);
    const changed: CascadeEvent[] = [...events];
    changed[3] = {
      type: 'transfer-finished',
      t: 1.000001,
      id: 0,
      from: 'deployer',
      to: 'host-001',
      bytes: 100,
    };
    expect(traceSha256(changed)).not.toBe(sha);
  });

  it.each([
    ['not JSON', '{"type":"host-done",'],
    ['an unknown event type', '{"type":"host-exploded","t":1,"host":"a"}'],
    ['a missing field', '{"type":"host-done","t":1}'],
    ['a wrong field type', '{"type":"host-done","t":"1","host":"a"}'],
    ['an extra field', '{"type":"host-done","t":1,"host":"a","x":2}'],
    ['an unknown failure code', '{"type":"host-failed","t":1,"host":"a","code":"boom","message":""}'],
  ])('rejects %s with a ConfigError naming file and line', (_what, bad) => {
    const text = `${toJsonLines(smallCascade().slice(0, 2))}${bad}\n`;
    expect(() => parseJsonLines(text, 'run.jsonl')).toThrow(ConfigError);
    try {
      parseJsonLines(text, 'run.jsonl');
    } catch (err) {
      expect((err as ConfigError).where).toBe('run.jsonl:3');
    }
  });

  it('reads a trace file, and a missing file is a ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-jsonl-'));
    const file = join(dir, 'a.jsonl');
    writeFileSync(file, toJsonLines(smallCascade()));
    expect(readTraceFile(file)).toEqual(smallCascade());
    expect(() => readTraceFile(join(dir, 'missing.jsonl'))).toThrow(ConfigError);
  });
});

describe('JsonlFileSink', () => {
  it('streams the same bytes and hash as toJsonLines / traceSha256', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-sink-'));
    const file = join(dir, 'run.jsonl');
    const sink = new JsonlFileSink(file, { bufferSize: 100 }); // small buffer: several flushes
    for (const e of smallCascade()) sink.sink(e);
    expect(() => sink.sha256()).toThrow(Error);
    sink.close();
    sink.close();
    expect(readFileSync(file, 'utf8')).toBe(toJsonLines(smallCascade()));
    expect(sink.sha256()).toBe(traceSha256(smallCascade()));
    expect(sink.count).toBe(smallCascade().length);
    expect(() => sink.sink(smallCascade()[0]!)).toThrow(Error);
  });

  it('appends when asked, and rejects a bad buffer size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-sink-'));
    const file = join(dir, 'run.jsonl');
    const [first, second] = smallCascade();
    const a = new JsonlFileSink(file);
    a.sink(first!);
    a.close();
    const b = new JsonlFileSink(file, { append: true });
    b.sink(second!);
    b.close();
    expect(readFileSync(file, 'utf8')).toBe(toJsonLines([first!, second!]));
    expect(() => new JsonlFileSink(join(dir, 'x.jsonl'), { bufferSize: -1 })).toThrow(ConfigError);
    expect(() => new JsonlFileSink(join(dir, 'no', 'such', 'dir.jsonl'))).toThrow(ConfigError);
  });
});
