/**
 * What callers hand the stage runner, checked: its options once before anything starts, and each task's
 * outcome as it settles (a JavaScript caller may return anything, or throw).
 */
import { ConfigError } from '../core/errors.js';
import type { RunStagesOptions, StageOutcome } from './dagTypes.js';

export function validate(o: RunStagesOptions): void {
  if (!isList(o.hosts)) throw new ConfigError('must be an array of host names', 'hosts');
  const hostSeen = new Set<string>();
  o.hosts.forEach((h, i) => {
    if (typeof h !== 'string' || h === '') throw new ConfigError('must be a non-empty string', `hosts[${i}]`);
    if (hostSeen.has(h)) throw new ConfigError(`duplicate host "${h}"`, `hosts[${i}]`);
    hostSeen.add(h);
  });
  if (!isList(o.stages) || o.stages.length === 0) {
    throw new ConfigError('at least one stage is needed', 'stages');
  }
  const stageSeen = new Set<string>();
  o.stages.forEach((s, i) => {
    const where = `stages[${i}]`;
    if (typeof s.name !== 'string' || s.name === '')
      throw new ConfigError('must be a non-empty string', `${where}.name`);
    if (stageSeen.has(s.name)) throw new ConfigError(`duplicate stage "${s.name}"`, `${where}.name`);
    stageSeen.add(s.name);
    if (s.limit !== undefined && !(Number.isSafeInteger(s.limit) && s.limit > 0)) {
      throw new ConfigError(
        `must be a positive integer (or left out for no limit), got ${String(s.limit)}`,
        `${where}.limit`,
      );
    }
    if (typeof s.run !== 'function') throw new ConfigError('must be a function', `${where}.run`);
    if (s.gate !== undefined && typeof s.gate !== 'function')
      throw new ConfigError('must be a function', `${where}.gate`);
  });
  if (o.now !== undefined && typeof o.now !== 'function') throw new ConfigError('must be a function', 'now');
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function')
    throw new ConfigError('must be a function', 'onEvent');
}

/** `Array.isArray` without its `any[]` narrowing (the options are typed; this guards JS callers). */
function isList(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

/** A thrown value as a failed outcome: its message, the value itself as the cause. */
export function failure(error: unknown): Extract<StageOutcome, { kind: 'failed' }> {
  return { kind: 'failed', error: error instanceof Error ? error.message : String(error), cause: error };
}

/** Guards against JavaScript callers (or `as` casts) returning something that is not an outcome. */
export function normalise(o: StageOutcome): StageOutcome {
  const v = o as unknown;
  if (typeof v === 'object' && v !== null && 'kind' in v) {
    if (o.kind === 'ok') return o;
    if (o.kind === 'skip-rest' && typeof o.reason === 'string') return o;
    if (o.kind === 'failed' && typeof o.error === 'string') return o;
  }
  return { kind: 'failed', error: `the stage returned an invalid outcome: ${describe(v)}`, cause: v };
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
