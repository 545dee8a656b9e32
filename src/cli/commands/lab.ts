import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { buildSyntheticClosure, labDown, labStatus, labUp } from '../../lab/index.js';

/** Where `lab` commands keep the lab unless told otherwise. */
export const DEFAULT_LAB_DIR = '/tmp/nix-cascade-lab';

interface LabArgs {
  dir: string;
  hosts?: number;
  uplink?: string;
  downlink?: string;
  'deployer-uplink'?: string;
  latency?: string;
  'size-mb'?: number;
  paths?: number;
  seed?: string;
  purge?: boolean;
  json?: boolean;
}

const withDir = <T>(y: Argv<T>) =>
  y.option('dir', {
    type: 'string',
    default: DEFAULT_LAB_DIR,
    describe: 'Lab directory (stores, keys, fleet.json, lab.json)',
  });

const up: CommandModule<object, LabArgs> = {
  command: 'up',
  describe: 'Start N lab hosts (network + mount namespaces, own /nix and sshd each); needs root',
  builder: (y) =>
    withDir(y)
      .option('hosts', { type: 'number', default: 6, describe: 'Number of hosts' })
      .option('uplink', {
        type: 'string',
        describe:
          'Per-host uplink limit, e.g. 100mbit (tc tbf), or a list given to h1, h2, … in turn: 20mbit,80mbit',
      })
      .option('downlink', {
        type: 'string',
        describe: 'Per-host downlink limit (one rate or a list, as --uplink)',
      })
      .option('deployer-uplink', {
        type: 'string',
        describe:
          "The deployer's own uplink limit (shapes the lab bridge's egress; peer traffic is not affected)",
      })
      .option('latency', {
        type: 'string',
        describe: 'Added latency per direction, e.g. 2ms (needs sch_netem)',
      }) as Argv<LabArgs>,
  handler: async (a) => {
    const s = await labUp({
      hosts: a.hosts ?? 6,
      dir: a.dir,
      ...(a.uplink !== undefined ? { uplink: a.uplink } : {}),
      ...(a.downlink !== undefined ? { downlink: a.downlink } : {}),
      ...(a['deployer-uplink'] !== undefined ? { deployerUplink: a['deployer-uplink'] } : {}),
      ...(a.latency !== undefined ? { latency: a.latency } : {}),
    });
    process.stdout.write(
      `lab ${s.id} up in ${s.dir}: ${s.hosts.length} hosts on ${s.subnet}\nfleet file: ${s.fleetFile}\n`,
    );
    for (const h of s.hosts)
      process.stdout.write(`  ${h.name}  ${h.address}  sshd pid ${h.sshdPid ?? '?'}\n`);
  },
};

const closure: CommandModule<object, LabArgs> = {
  command: 'closure',
  describe:
    "Build an offline synthetic NixOS-like closure in the deployer's store; prints its top-level path",
  builder: (y) =>
    withDir(y)
      .option('size-mb', {
        type: 'number',
        default: 64,
        describe: 'Total closure size in MB (10^6 bytes, as --closure-mb everywhere)',
      })
      .option('paths', { type: 'number', default: 40, describe: 'Store paths in the closure' })
      .option('seed', { type: 'string', default: '0', describe: 'Shapes the DAG and names the paths' }),
  handler: async (a) => {
    const mb = a['size-mb'] ?? 64;
    if (!(mb > 0 && Number.isFinite(mb)))
      throw new ConfigError(`must be a positive number of MB, got ${mb}`, '--size-mb');
    const r = await buildSyntheticClosure({
      // The CLI speaks MB (10^6 bytes) everywhere; the builder takes MiB.
      sizeMb: (mb * 1e6) / 2 ** 20,
      paths: a.paths ?? 40,
      seed: a.seed ?? '0',
    });
    process.stdout.write(`${r.toplevel}\n`);
  },
};

const status: CommandModule<object, LabArgs> = {
  command: 'status',
  describe: 'Show the lab in --dir and which of its hosts are alive',
  builder: (y) => withDir(y).option('json', { type: 'boolean', default: false }),
  handler: async (a) => {
    const s = await labStatus(a.dir);
    if (a.json) {
      process.stdout.write(
        `${JSON.stringify({ status: s.state?.status ?? 'none', id: s.state?.id, hosts: s.hosts })}\n`,
      );
      return;
    }
    if (!s.state) {
      process.stdout.write(`no lab in ${a.dir}\n`);
      return;
    }
    process.stdout.write(
      `lab ${s.state.id} (${s.state.status}) in ${s.state.dir}, subnet ${s.state.subnet}\n`,
    );
    for (const h of s.hosts) {
      process.stdout.write(
        `  ${h.name}  ${h.address}  sshd ${h.sshdRunning ? `running (pid ${h.sshdPid})` : 'stopped'}  netns ${h.netnsPresent ? 'present' : 'gone'}\n`,
      );
    }
  },
};

const down: CommandModule<object, LabArgs> = {
  command: 'down',
  describe: 'Stop exactly the processes the lab started and remove its namespaces and links (safe twice)',
  builder: (y) =>
    withDir(y).option('purge', {
      type: 'boolean',
      default: false,
      describe: 'Also delete the lab directory',
    }),
  handler: async (a) => {
    const r = await labDown(a.dir, { purge: a.purge ?? false });
    if (!r.found) {
      process.stdout.write(`no lab in ${a.dir}\n`);
      return;
    }
    process.stdout.write(
      `stopped ${r.killed.length} process(es), deleted ${r.netnsDeleted.length} namespace(s) and ${r.linksDeleted.length} link(s)\n`,
    );
    if (r.leftovers.length > 0) {
      process.stderr.write(`still present: ${r.leftovers.join(', ')}\n`);
      process.exitCode = 1;
    }
  },
};

/** `nix-cascade lab up|closure|status|down`: the multi-host test bed on one machine. */
export const labCommand: CommandModule<object, object> = {
  command: 'lab',
  describe: 'A real multi-host test bed on this machine (namespaces, own /nix and sshd per host)',
  builder: (y) =>
    y
      .command(up)
      .command(closure)
      .command(status)
      .command(down)
      .demandCommand(1, 'Name a lab command: up, closure, status or down.'),
  handler: () => undefined,
};
