import { dirname } from 'node:path';
import { ConfigError } from '../core/errors.js';
import {
  buildScenario,
  storePathRoots,
  type Scenario,
  type ScenarioSources,
  type ScenarioSpec,
} from '../sim/index.js';
import type { closureInfo } from '../remote/store.js';
import { withFlagNames } from './flagErrors.js';
import type { ScenarioInput } from './scenarioFlags.js';

/**
 * Building the scenario `simulate` and `compare` run: real closures are read from their files and from the
 * deployer's store first; and the facts of a built scenario that reports print.
 */

/**
 * Where a validated scenario's real closures come from: relative closure files next to the scenario file
 * (the working directory without one), and the closure of each `storePath` role read with
 * `nix path-info --json --recursive` from the deployer's store.
 * @param input - what the spec was parsed from (its file, and the fields flags set).
 * @throws ConfigError naming the role (or `--closure-from`) when a store path is not in the local store.
 * @throws ExecutorError when nix cannot be run.
 */
export async function scenarioSources(spec: ScenarioSpec, input: ScenarioInput): Promise<ScenarioSources> {
  const { where, file: scenarioFile } = input;
  const storeClosures = new Map<string, Awaited<ReturnType<typeof closureInfo>>>();
  const closure = spec.closure;
  const roots = 'kind' in closure ? storePathRoots(closure) : [];
  if (roots.length > 0 && 'kind' in closure) {
    // Loaded only here: the store module brings process handling (execa), which a closure read from
    // files does not need and every `simulate` would otherwise load.
    const { closureInfo: readClosure } = await import('../remote/store.js');
    for (const root of roots) {
      if (storeClosures.has(root)) continue;
      const i = closure.roles.findIndex((r) => r.storePath === root);
      try {
        storeClosures.set(root, await readClosure([root]));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const message = err.where === undefined ? err.message : err.message.slice(err.where.length + 2);
        const field = `${where}.closure.roles[${i}].storePath`;
        withFlagNames(input.flags, () => {
          throw new ConfigError(message, field, { cause: err });
        });
      }
    }
  }
  return { baseDir: scenarioFile === undefined ? process.cwd() : dirname(scenarioFile), storeClosures };
}

/**
 * Builds a validated scenario as `simulate` and `compare` run it: real closures read from their files
 * and the deployer's store first (see {@link scenarioSources}).
 */
export async function buildCliScenario(spec: ScenarioSpec, input: ScenarioInput): Promise<Scenario> {
  return buildScenario(spec, input.where, await scenarioSources(spec, input));
}

/**
 * What a scenario's fleet and closure are, for reports: its topology's name and target count, and its
 * closure's size and path count (the union of every want set), with the role names of a real closure.
 */
export function scenarioFacts(scenario: Scenario): {
  topology: string;
  hosts: number;
  closureMB: number;
  paths: number;
  closureText: string;
} {
  const { spec } = scenario;
  const hosts = scenario.fleet.hosts.filter((h) => h.role === 'target').length;
  if (!('kind' in spec.closure) && spec.topology.preset !== 'custom') {
    const text = `${spec.closure.totalMB} MB closure in ${spec.closure.paths} paths`;
    return {
      topology: spec.topology.preset,
      hosts,
      closureMB: spec.closure.totalMB,
      paths: spec.closure.paths,
      closureText: text,
    };
  }
  const bytes = scenario.closure.bytes([...scenario.closure.paths()].map((p) => p.id));
  const closureMB = Math.round(bytes / 1e3) / 1e3;
  const roles = [...new Set(scenario.roleOf.values())];
  const real = 'kind' in spec.closure ? `real closure (${roles.join(', ')}): ` : '';
  return {
    topology: spec.topology.preset,
    hosts,
    closureMB,
    paths: scenario.closure.size,
    closureText: `${real}${closureMB} MB in ${scenario.closure.size} paths`,
  };
}
