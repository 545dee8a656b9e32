import { ConfigError } from '../core/errors.js';
import type { Topology } from '../core/topology.js';
import type { FailureCode, FailureKind, Host, HostId } from '../core/types.js';
import { explicitKey, FailureSchedule, type FailureRule } from './failureSchedule.js';
import { failureSpecSchema, type FailureSpec } from './failureSpec.js';

/** Compiling a failure spec: validation against the fleet (and topology), and the flattened rule list. */

/** Options of {@link compileFailureSchedule}. */
export interface CompileFailuresOptions {
  /** The fleet: every host a schedule names must be one of these. */
  readonly hosts: ReadonlyArray<Host | HostId>;
  /** When given, partition ends may also be topology nodes (switches), and access links are recognised. */
  readonly topology?: Topology;
  /** Field path for error messages. @defaultValue `'failures'` */
  readonly field?: string;
}

const PERMANENT_CODES: ReadonlySet<FailureCode> = new Set(['host-killed', 'unreachable', 'ssh-handshake']);

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
  return s;
}

/**
 * Validates a failure spec (unknown input, e.g. from a scenario file) and compiles it.
 *
 * @throws ConfigError naming the field (`failures.schedules[1].host`) for a malformed spec or a host
 *   (or partition end) that is not in the fleet (or topology).
 */
export function compileFailureSchedule(spec: unknown, options: CompileFailuresOptions): FailureSchedule {
  const field = options.field ?? 'failures';
  const parsed = failureSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(issue.message, `${field}${formatPath(issue.path)}`);
  }
  const hosts = new Set(options.hosts.map((h) => (typeof h === 'string' ? h : h.id)));
  const topo = options.topology;
  const rules: FailureRule[] = [];

  const ids = [...hosts];
  // Host names follow the fleet's size (`host-017` at 100 hosts is `host-17` at 40), so say which exist.
  const known = `the fleet's hosts: ${ids.length > 3 ? `${ids.slice(0, 2).join(', ')} … ${ids.at(-1)}` : ids.join(', ')}`;
  const needHost = (id: string, where: string): void => {
    if (!hosts.has(id)) throw new ConfigError(`unknown host "${id}" (${known})`, where);
  };
  const needNode = (id: string, where: string): void => {
    if (hosts.has(id) || topo?.graph.hasNode(id) === true) return;
    throw new ConfigError(`unknown host or topology node "${id}" (${known})`, where);
  };
  const opt = <K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } =>
    (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };

  const walk = (s: FailureSpec, where: string): void => {
    const index = rules.length;
    switch (s.kind) {
      case 'kill-host':
        needHost(s.host, `${where}.host`);
        rules.push({
          kind: 'kill-host',
          index,
          host: s.host,
          ...opt('atRound', s.atRound),
          ...opt('atTime', s.atTime),
        });
        return;
      case 'partition':
        needNode(s.a, `${where}.a`);
        needNode(s.b, `${where}.b`);
        rules.push({
          kind: 'partition',
          index,
          a: s.a,
          b: s.b,
          ...opt('atRound', s.atRound),
          ...opt('atTime', s.atTime),
          ...opt('untilTime', s.untilTime),
          connectTimeout: s.connectTimeout,
        });
        return;
      case 'random':
        rules.push({ kind: 'random', index, probability: s.probability, ...opt('seed', s.seed) });
        return;
      case 'explicit': {
        const entries = new Map<string, { code: FailureCode; kind: FailureKind; fraction: number }>();
        s.failures.forEach((e, i) => {
          needHost(e.from, `${where}.failures[${i}].from`);
          needHost(e.to, `${where}.failures[${i}].to`);
          const code = e.code ?? 'copy-failed';
          const key = explicitKey(e.round, e.from, e.to);
          // First entry wins, like everywhere else in a schedule.
          if (!entries.has(key)) {
            entries.set(key, {
              code,
              kind: e.kind ?? (PERMANENT_CODES.has(code) ? 'permanent' : 'transient'),
              fraction: e.fraction ?? 0,
            });
          }
        });
        rules.push({ kind: 'explicit', index, entries });
        return;
      }
      case 'straggler':
        needHost(s.host, `${where}.host`);
        rules.push({ kind: 'straggler', index, host: s.host, factor: s.factor, ...opt('atTime', s.atTime) });
        return;
      case 'all':
        s.schedules.forEach((c, i) => walk(c, `${where}.schedules[${i}]`));
        return;
    }
  };
  walk(parsed.data, field);
  return new FailureSchedule(rules, topo);
}
