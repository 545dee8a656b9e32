import type { Argv } from 'yargs';
import { ConfigError } from '../core/errors.js';
import type { HostId } from '../core/types.js';
import { evaluateFleet, resolveFlakeRef } from '../deploy/eval.js';
import { selectHosts } from '../deploy/select.js';
import { loadFleetFile } from '../fleet/fleetFile.js';
import type { RealFleet } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';

/** Where `deploy` and `plan` take their hosts from, and which of them. */
export interface SourceFlags {
  flake: string;
  fleet?: string;
  on?: string;
}

/** Adds {@link SourceFlags}: `--flake REF` (default `.`) or `--fleet FILE`, and `--on`. */
export function withSourceFlags<T>(y: Argv<T>): Argv<T & SourceFlags> {
  return y
    .option('flake', {
      type: 'string',
      default: '.',
      describe: 'Flake whose nixosConfigurations / darwinConfigurations are the fleet',
    })
    .option('fleet', {
      type: 'string',
      describe: 'Fleet file with built toplevels instead of a flake (eval and build are skipped)',
    })
    .option('on', {
      type: 'string',
      describe: 'Hosts: names, globs (web-*), @tags, ranges (web[01-12]), comma-separated',
    })
    .check((a) => {
      if (a.fleet !== undefined && a.flake !== '.')
        throw new ConfigError('--flake and --fleet exclude each other', '--fleet');
      return true;
    }) as Argv<T & SourceFlags>;
}

/** The selected hosts, the flake they come from (undefined for a fleet file) and the broken ones. */
export interface DeploySource {
  readonly flake: string | undefined;
  readonly fleet: RealFleet;
  /** Selected hosts whose deployment settings did not evaluate, with Nix's error. */
  readonly broken: ReadonlyMap<HostId, string>;
}

/**
 * Reads the fleet (evaluating the flake's deployment settings, or the fleet file) and applies `--on`.
 * @throws ConfigError (exit 2, nothing touched) for a bad flake, fleet file or filter.
 */
export async function loadDeploySource(a: SourceFlags, remote: RemoteContext): Promise<DeploySource> {
  const flake = a.fleet === undefined ? resolveFlakeRef(a.flake) : undefined;
  const source =
    flake === undefined
      ? { fleet: loadFleetFile(a.fleet!), broken: new Map<string, string>() }
      : await evaluateFleet(flake, remote);
  const names = selectHosts(
    [
      ...source.fleet.hosts.map((h) => ({ name: h.id, tags: h.tags })),
      ...[...source.broken.keys()].map((name) => ({ name, tags: [] })),
    ],
    a.on,
    { allowApplyAll: source.fleet.allowApplyAll },
  );
  const chosen = new Set(names);
  return {
    flake,
    fleet: { ...source.fleet, hosts: source.fleet.hosts.filter((h) => chosen.has(h.id)) },
    broken: new Map([...source.broken].filter(([h]) => chosen.has(h))),
  };
}
