/**
 * Trace format versions (issue 21): the coordinator writes one in the header, a reader refuses a newer
 * one with its own error class, and a trace from before versioning still reads.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, TraceVersionError } from '../../src/core/errors.js';
import { TRACE_VERSION } from '../../src/core/events.js';
import { buildScenario, parseScenario, runScenario } from '../../src/sim/scenario.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { parseJsonLines, toJsonLines } from '../../src/trace/jsonl.js';
import { TraceRecorder } from '../../src/trace/recorder.js';

async function trace(): Promise<string> {
  const rec = new TraceRecorder();
  const scenario = buildScenario(parseScenario({ seed: 2, topology: { preset: 'flat', hosts: 6 }, network: 'round' }));
  await runScenario(scenario, getStrategy('log2-fanout'), { onEvent: rec.sink });
  return toJsonLines(rec.events());
}

describe('trace format version', () => {
  it('is written in the header line, right after the type', async () => {
    const text = await trace();
    expect(text.startsWith(`{"type":"run-started","version":${TRACE_VERSION},`)).toBe(true);
    expect(parseJsonLines(text, 'mem.jsonl')[0]).toMatchObject({ type: 'run-started', version: TRACE_VERSION });
  });

  it('refuses a newer version with TraceVersionError (a ConfigError), naming the line', async () => {
    const text = (await trace()).replace(`"version":${TRACE_VERSION}`, `"version":${TRACE_VERSION + 1}`);
    let error: unknown;
    try {
      parseJsonLines(text, 'new.jsonl');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TraceVersionError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as TraceVersionError).version).toBe(TRACE_VERSION + 1);
    expect((error as TraceVersionError).where).toBe('new.jsonl:1');
  });

  it('reads a trace from before versioning, and rejects a version that is not a positive integer', async () => {
    const text = await trace();
    const old = text.replace(`"version":${TRACE_VERSION},`, '');
    expect(parseJsonLines(old, 'old.jsonl')).toHaveLength(parseJsonLines(text, 'mem.jsonl').length);
    const bad = text.replace(`"version":${TRACE_VERSION}`, '"version":0');
    expect(() => parseJsonLines(bad, 'bad.jsonl')).toThrow(ConfigError);
    expect(() => parseJsonLines(bad, 'bad.jsonl')).not.toThrow(TraceVersionError);
  });
});
