import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../core/errors.js';
import type { EventSink } from '../core/events.js';
import { COMMON_TOPOLOGY_KEYS, NETWORK_PRESETS, parseScenario, type ScenarioSpec } from '../sim/index.js';
import { TraceHasher } from '../trace/jsonl.js';
import { withFlagNames } from './flagErrors.js';

/** The flags `simulate` and `compare` share: a scenario file and/or preset flags that override it. */
export interface ScenarioFlags {
  scenario?: string | undefined;
  hosts?: number | undefined;
  topology?: string | undefined;
  'closure-mb'?: number | undefined;
  paths?: number | undefined;
  roles?: number | undefined;
  seed?: string | undefined;
  network?: string | undefined;
  mode?: string | undefined;
  'failure-rate'?: number | undefined;
  'seed-fraction'?: number | undefined;
  uplink?: string | undefined;
  'max-sends'?: number | undefined;
  'setup-seconds'?: number | undefined;
  'per-path-seconds'?: number | undefined;
  'import-rate'?: string | undefined;
  'tcp-window'?: string | undefined;
  'closure-from'?: string[] | undefined;
}

/** How a command words `--mode` (compare adds `both`); default: round or eager, round by default. */
export interface ModeFlagOptions {
  readonly choices: readonly string[];
  readonly describe: string;
}

const MODE_FLAG: ModeFlagOptions = {
  choices: ['round', 'eager'],
  describe: 'Coordinator mode [default: round]',
};

/** Registers the scenario flags on a command. No yargs defaults: unset flags leave the file alone. */
export function scenarioOptions<T>(y: Argv<T>, mode: ModeFlagOptions = MODE_FLAG): Argv<T & ScenarioFlags> {
  return y
    .option('scenario', { type: 'string', describe: 'Scenario file (JSON); flags below override its fields' })
    .option('hosts', { type: 'number', describe: 'Number of target hosts [default: 100]' })
    .option('topology', {
      type: 'string',
      choices: [...NETWORK_PRESETS],
      describe: 'Topology preset [default: flat]',
    })
    .option('closure-mb', {
      type: 'number',
      describe: 'Size of each host closure in MB (10^6 bytes) [default: 1000]',
    })
    .option('paths', { type: 'number', describe: 'Store paths per host closure [default: 60]' })
    .option('roles', {
      type: 'number',
      describe: 'Host roles with different closures (1 = every host wants the same) [default: 1]',
    })
    .option('seed', { type: 'string', describe: 'Root seed of every random draw [default: 1]' })
    .option('network', {
      type: 'string',
      choices: ['round', 'flow'],
      describe: 'Network model [default: flow]',
    })
    .option('mode', { type: 'string', choices: mode.choices, describe: mode.describe })
    .option('failure-rate', {
      type: 'number',
      describe: 'Probability that a transfer fails transiently (0..1)',
    })
    .option('seed-fraction', {
      type: 'number',
      describe: 'Fraction of targets that already hold their closure (0..1)',
    })
    .option('uplink', {
      type: 'string',
      describe: 'Uplink (and downlink) of every target, e.g. 1gbit, 100MB/s',
    })
    .option('max-sends', { type: 'number', describe: 'Concurrent sends per target host [default: 1]' })
    .option('closure-from', {
      type: 'string',
      array: true,
      describe:
        'Real closure, one role per value: a closure JSON file (nix path-info --json --recursive, or a list of ' +
        "{name, narSize, references}) or a /nix/store path read from the deployer's store",
    })
    .option('setup-seconds', {
      type: 'number',
      describe:
        'Fixed cost of every transfer before bytes move (ssh + nix copy start; see bench/lab.ts) [default: 0]',
    })
    .option('per-path-seconds', {
      type: 'number',
      describe: 'Cost of every store path a transfer carries, on top of --setup-seconds [default: 0]',
    })
    .option('import-rate', {
      type: 'string',
      describe: 'Most a host can import (CPU, disk), e.g. 80MB/s: caps every downlink [default: no cap]',
    })
    .option('tcp-window', {
      type: 'string',
      describe: 'TCP window, e.g. 4MiB: caps each transfer at window / RTT (2 x route latency) [default: no cap]',
    });
}

/** The default synthetic fleet of the main job: 100 hosts on a 1 Gbit/s LAN wanting one 1 GB closure. */
export const DEFAULT_SCENARIO = {
  topology: { preset: 'flat', hosts: 100 },
  closure: { totalMB: 1000, paths: 60, roles: 1, perHost: false },
} as const;

/**
 * Builds the validated scenario from `--scenario FILE` (or the default synthetic fleet) and flag overrides,
 * with where it came from (for `buildScenario`'s messages).
 * @throws ConfigError naming the flag, or the file and field.
 */
export function scenarioFromFlags(f: ScenarioFlags): {
  spec: ScenarioSpec;
  where: string;
  input: ScenarioInput;
} {
  const input = scenarioInputFromFlags(f);
  return { spec: parseScenarioInput(input), where: input.where, input };
}

/**
 * Validates what {@link scenarioInputFromFlags} merged, with the scenario schema alone (one validator per
 * setting); an error about a field a flag set names the flag.
 * @throws ConfigError naming the flag, or the file and field.
 */
export function parseScenarioInput(input: ScenarioInput): ScenarioSpec {
  return withFlagNames(input.flags, () => parseScenario(input.raw, input.where));
}

/** A scenario object merged from a file and flags, not validated yet. */
export interface ScenarioInput {
  readonly raw: Record<string, unknown>;
  /** The file it came from, or `scenario`: the prefix of error locations. */
  readonly where: string;
  /** The `--scenario` file, if any (relative closure files are next to it). */
  readonly file: string | undefined;
  /** Full error location (`scenario.topology.hosts`) → the flag that set it (`--hosts`). */
  readonly flags: ReadonlyMap<string, string>;
}

/**
 * The unvalidated scenario object {@link scenarioFromFlags} parses, and where it came from (for messages):
 * for a command that must see what the file itself sets before parsing fills in defaults.
 * @throws ConfigError naming the flag or the file.
 */
export function scenarioInputFromFlags(f: ScenarioFlags): ScenarioInput {
  let raw: Record<string, unknown>;
  const where = f.scenario ?? 'scenario';
  if (f.scenario !== undefined) {
    let text: string;
    try {
      text = readFileSync(f.scenario, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read scenario file: ${(err as Error).message}`, f.scenario);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`not valid JSON: ${(err as Error).message}`, f.scenario);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError('a scenario file holds one JSON object', f.scenario);
    }
  } else {
    raw = structuredClone(DEFAULT_SCENARIO);
  }
  const topology = { ...(raw['topology'] as Record<string, unknown> | undefined) };
  const closure = { ...(raw['closure'] as Record<string, unknown> | undefined) };
  const flags = new Map<string, string>();
  const set = (obj: Record<string, unknown>, field: string, flag: string, v: unknown): void => {
    if (v === undefined) return;
    obj[field.slice(field.lastIndexOf('.') + 1)] = v;
    flags.set(`${where}.${field}`, flag);
  };
  if (topology['preset'] === 'custom') {
    if (f.topology === undefined) {
      // An explicit topology lists its hosts with their links: a preset flag has nothing to set.
      for (const [flag, v] of [
        ['--hosts', f.hosts],
        ['--uplink', f.uplink],
        ['--max-sends', f['max-sends']],
      ] as const) {
        if (v !== undefined)
          throw new ConfigError(`${where} has an explicit topology: set it per host there`, flag);
      }
    } else for (const key of Object.keys(topology)) if (key !== 'preset') delete topology[key];
  }
  set(topology, 'topology.hosts', '--hosts', f.hosts);
  if (f.topology !== undefined && f.topology !== topology['preset']) {
    // Another preset: the file's preset-only fields (a racks file's `oversubscription`) do not apply to it.
    for (const key of Object.keys(topology)) if (!COMMON_TOPOLOGY_KEYS.has(key)) delete topology[key];
    topology['preset'] = f.topology;
  }
  set(topology, 'topology.uplink', '--uplink', f.uplink);
  set(topology, 'topology.downlink', '--uplink', f.uplink);
  set(topology, 'topology.maxSends', '--max-sends', f['max-sends']);
  if (f['closure-from'] !== undefined) {
    for (const key of Object.keys(closure)) delete closure[key];
    Object.assign(closure, closureFromFlag(f['closure-from']));
    f['closure-from'].forEach((_, i) => {
      flags.set(`${where}.closure.roles[${i}].file`, '--closure-from');
      flags.set(`${where}.closure.roles[${i}].storePath`, '--closure-from');
    });
  }
  if (isRealClosure(closure)) {
    // Sizes, path counts and roles are the real graph's own.
    for (const [flag, v] of [
      ['--closure-mb', f['closure-mb']],
      ['--paths', f.paths],
      ['--roles', f.roles],
    ] as const) {
      if (v !== undefined)
        throw new ConfigError('sets a synthetic closure, but the closure is a real graph', flag);
    }
  }
  set(closure, 'closure.totalMB', '--closure-mb', f['closure-mb']);
  set(closure, 'closure.paths', '--paths', f.paths);
  set(closure, 'closure.roles', '--roles', f.roles);
  if (f.roles !== undefined && f.roles > 1 && closure['perHost'] === false) delete closure['perHost'];
  raw['topology'] = topology;
  raw['closure'] = closure;
  if (f.seed !== undefined) raw['seed'] = /^-?\d+$/.test(f.seed) ? Number(f.seed) : f.seed;
  set(raw, 'network', '--network', f.network);
  set(raw, 'mode', '--mode', f.mode);
  set(raw, 'setupSeconds', '--setup-seconds', f['setup-seconds']);
  set(raw, 'perPathSeconds', '--per-path-seconds', f['per-path-seconds']);
  set(raw, 'importRate', '--import-rate', f['import-rate']);
  set(raw, 'tcpWindow', '--tcp-window', f['tcp-window']);
  const rate = f['failure-rate'];
  if (rate !== undefined && rate !== 0) {
    const existing = raw['failures'];
    const list = existing === undefined ? [] : Array.isArray(existing) ? (existing as unknown[]) : [existing];
    flags.set(`${where}.failures[${list.length}].probability`, '--failure-rate');
    raw['failures'] = [...list, { kind: 'random', probability: rate }];
  }
  if (f['seed-fraction'] !== undefined) {
    raw['seeds'] = { kind: 'fraction', fraction: f['seed-fraction'] };
    flags.set(`${where}.seeds.fraction`, '--seed-fraction');
  }
  return { raw, where, file: f.scenario, flags };
}

/** True when a scenario's raw `closure` names real closure graphs (`file`, or roles that are objects). */
function isRealClosure(closure: Record<string, unknown>): boolean {
  const roles = closure['roles'];
  return closure['file'] !== undefined || (Array.isArray(roles) && roles.some((r) => typeof r === 'object'));
}

/** Hashes a run's JSON Lines trace as it streams by, without keeping it. */
export function hashingSink(): { sink: EventSink; digest: () => string } {
  const hasher = new TraceHasher();
  return { sink: hasher.sink, digest: () => hasher.digest() };
}

/** Parses repeated `--strategy-option key=value` flags (values are JSON when they parse, else strings). */
export function parseStrategyOptions(list: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError(`expected key=value, got "${item}"`, '--strategy-option');
    const value = item.slice(eq + 1);
    try {
      out[item.slice(0, eq)] = JSON.parse(value) as unknown;
    } catch {
      out[item.slice(0, eq)] = value;
    }
  }
  return out;
}

/**
 * The store path a `--closure-from` value names, or undefined for a closure file: a value ending in `.json`
 * is a file; one under `/nix/store/` is a store path; a link into the store (`/run/current-system`, a
 * `result` symlink) is the store path it points to. Anything else is a closure file.
 */
export function storePathArg(value: string): string | undefined {
  if (value.endsWith('.json')) return undefined;
  if (value.startsWith('/nix/store/')) return value;
  let real: string;
  try {
    real = realpathSync(value);
  } catch {
    return undefined; // a missing file: reading it names it
  }
  return real.startsWith('/nix/store/') ? real : undefined;
}

/**
 * The scenario's `closure` for `--closure-from` values: one role per value, in the order given.
 * @throws ConfigError naming `--closure-from` when it is given without a value.
 */
export function closureFromFlag(values: readonly string[]): {
  roles: Array<{ file: string } | { storePath: string }>;
} {
  if (values.length === 0 || values.some((v) => v === '')) {
    throw new ConfigError('needs a closure file or a store path', '--closure-from');
  }
  return {
    roles: values.map((v) => {
      const storePath = storePathArg(v);
      return storePath === undefined ? { file: resolve(v) } : { storePath };
    }),
  };
}
