import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builderTarget, machinesFile } from '../fleet/builders.js';
import type { RealFleet, RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { checkHealth } from '../remote/health.js';
import { queryValidity } from '../remote/store.js';
import type { CurrentSystem } from './activate.js';

/** What a deploy checks before it builds: whether a host's profile may be replaced, which builders work. */

/**
 * colmena's `replaceUnknownProfiles = false`: the host's current system profile must be a system this
 * deployer knows (it is in the deployer's store, as every system it deployed is, by its GC root).
 * @returns why the host is refused, or undefined.
 */
export async function unknownProfile(
  host: RealHost,
  current: CurrentSystem,
  force: boolean,
  ctx: RemoteContext,
): Promise<string | undefined> {
  if (host.replaceUnknownProfiles || force || current.profile === undefined) return undefined;
  const known = await queryValidity('local', [current.profile], ctx, ctx.run(ctx.timeouts.local));
  if (known.valid?.length === 1) return undefined;
  return (
    `its system profile ${current.profile} is unknown to this deployer and replaceUnknownProfiles is false ` +
    '(--force-replace-unknown-profiles replaces it)'
  );
}

/**
 * Probes the fleet's builders (ssh, store, trust) and writes the healthy ones into `STATE/machines`.
 * @returns the machines file, or undefined (build locally) when none is healthy; `notes` says which.
 */
export async function healthyBuilders(
  fleet: RealFleet,
  stateDir: string,
  ctx: RemoteContext,
  notes: string[],
): Promise<string | undefined> {
  const reports = await checkHealth(
    { deployer: fleet.deployer, hosts: fleet.builders.map(builderTarget) },
    ctx,
  );
  const healthy = fleet.builders.filter((_, i) => reports[i]!.healthy);
  for (const r of reports.filter((r) => !r.healthy))
    notes.push(`builder ${r.host} left out: ${r.reasons.join('; ')}`);
  if (healthy.length === 0) {
    notes.push('no healthy builders: building locally');
    return undefined;
  }
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'machines');
  writeFileSync(file, machinesFile(healthy));
  notes.push(`building through ${healthy.map((b) => b.name).join(', ')} (${file})`);
  return file;
}
