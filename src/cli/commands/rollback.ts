import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { ROLLBACK_STAGES, rollbackFleet } from '../../deploy/rollbackFleet.js';
import { printReport, progressFor } from '../deployProgress.js';
import { loadDeploySource, type SourceFlags, withSourceFlags } from '../deploySource.js';
import { type RemoteFlags, withRemoteFlags, withRemoteRun } from '../remoteFlags.js';

interface RollbackArgs extends RemoteFlags, SourceFlags {
  parallel: number;
  'fail-fast': boolean;
  report?: string;
  json: boolean;
}

/**
 * `nix-cascade rollback [--on …]`: every selected host back to its previous system generation, activated,
 * with a deploy's report. Exit 0 when every host rolled back, 1 when any failed, 2 for bad input.
 */
export const rollbackCommand: CommandModule<object, RollbackArgs> = {
  command: 'rollback',
  describe: 'Return hosts to their previous system generation and activate it',
  builder: (y) =>
    withSourceFlags(withRemoteFlags(y))
      .option('parallel', { alias: 'p', type: 'number', default: 10, describe: 'Hosts at once' })
      .option('fail-fast', { type: 'boolean', default: false, describe: 'Stop at the first failure' })
      .option('report', { type: 'string', describe: 'Write the report as JSON' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print exactly one JSON object',
      }) as Argv<RollbackArgs>,
  handler: async (a) => {
    if (!Number.isInteger(a.parallel) || a.parallel < 1)
      throw new ConfigError(`must be a positive integer, got ${a.parallel}`, '--parallel');
    await withRemoteRun(a, async (remote) => {
      const { fleet, broken } = await loadDeploySource(a, remote);
      const progress = progressFor(
        fleet.hosts.map((h) => h.id),
        ROLLBACK_STAGES.length,
        a.json,
      );
      const report = await rollbackFleet({
        fleet,
        broken,
        remote,
        parallel: a.parallel,
        failFast: a['fail-fast'],
        ...(progress ? { onProgress: progress.onProgress } : {}),
      });
      progress?.stop();
      printReport(report, a);
    });
  },
};
