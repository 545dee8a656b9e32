import type { Argv, CommandModule } from 'yargs';
import { closureInfo } from '../../remote/store.js';
import { checkHealth } from '../../remote/health.js';
import { loadFleetFile } from '../../fleet/fleetFile.js';
import { openRemoteContext } from '../../remote/context.js';
import { formatBytes, parseBytes } from '../../units/units.js';

interface HealthArgs {
  fleet: string;
  json: boolean;
  'required-bytes'?: string;
  'strict-host-keys': boolean;
  paths?: string[];
}

/** `nix-cascade health --fleet F`: probes every host; exit 1 when any is unhealthy. */
export const healthCommand: CommandModule<object, HealthArgs> = {
  command: 'health',
  describe: 'Probe every host: ssh reachable, remote store answers, user trusted, free space on /nix/store',
  builder: (y) =>
    y
      .option('fleet', {
        type: 'string',
        demandOption: true,
        describe: 'Fleet file (mkFleet JSON + ssh settings)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON array' })
      .option('required-bytes', {
        type: 'string',
        describe: 'Closure size each host must have room for: bytes, or with a unit (5GB, 800MiB)',
      })
      .option('paths', {
        type: 'string',
        array: true,
        describe: "Store paths in the deployer's store: each host must have room for their closure",
      })
      .option('strict-host-keys', {
        type: 'boolean',
        default: true,
        describe:
          'Check ssh host keys; --no-strict-host-keys trusts any machine answering on the address (risky)',
      }) as Argv<HealthArgs>,
  handler: async (a) => {
    const flag = a['required-bytes'];
    let required = flag === undefined ? undefined : parseBytes(flag, '--required-bytes');
    const fleet = loadFleetFile(a.fleet);
    if (a.paths !== undefined && a.paths.length > 0) {
      const info = await closureInfo(a.paths);
      required = Math.max(
        required ?? 0,
        info.reduce((sum, p) => sum + p.narSize, 0),
      );
    }
    const remote = openRemoteContext({ strictHostKeyChecking: a['strict-host-keys'], multiplex: false });
    const reports = await checkHealth(
      fleet,
      remote,
      required !== undefined ? { requiredBytes: required } : {},
    );
    if (a.json) {
      process.stdout.write(`${JSON.stringify(reports)}\n`);
    } else {
      const w = reports.reduce((m, r) => Math.max(m, r.host.length), 4);
      process.stdout.write(`${'host'.padEnd(w)}  status     ssh  store  trusted  free\n`);
      for (const r of reports) {
        const yes = (b: boolean | undefined) => (b === undefined ? '?' : b ? 'yes' : 'no');
        const free = r.freeBytes === undefined ? '?' : formatBytes(r.freeBytes, 1);
        process.stdout.write(
          `${r.host.padEnd(w)}  ${(r.healthy ? 'healthy' : 'UNHEALTHY').padEnd(9)}  ${yes(r.sshReachable).padEnd(3)}  ${yes(r.storeAnswers).padEnd(5)}  ${yes(r.trusted).padEnd(7)}  ${free}\n`,
        );
        for (const reason of r.reasons) process.stdout.write(`${' '.repeat(w)}    - ${reason}\n`);
      }
    }
    if (reports.some((r) => !r.healthy)) process.exitCode = 1;
  },
};
