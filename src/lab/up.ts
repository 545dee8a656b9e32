import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ExecutorError } from '../core/errors.js';
import { parseRate, tcRate } from '../units/units.js';
import { validateFilePath } from '../remote/validate.js';
import { labDown } from './down.js';
import { writeFleetFile } from './fleetFile.js';
import { keygen, knownHostLine } from './keys.js';
import { addBridge, addHostNetwork, freeOctet, type LinkShaping } from './network.js';
import { startSshd, waitForSsh, writeHostFiles } from './sshd.js';
import { hostRate, type LabHostRecord, type LabState, readLabState, writeLabState } from './state.js';
import { requireLabCapabilities } from './sys.js';

/** Options of {@link labUp}. */
export interface LabUpOptions {
  /** Number of hosts (1..200). */
  readonly hosts: number;
  /** Absolute directory holding every lab file (stores, keys, configs, lab.json); created if missing. */
  readonly dir: string;
  /**
   * Per-host uplink limit, tc syntax (`100mbit`), or a comma-separated list given to h1, h2, … in turn
   * (`20mbit,40mbit`: odd hosts 20, even hosts 40); unshaped when absent.
   */
  readonly uplink?: string;
  /** Per-host downlink limit, one rate or a list as for `uplink`. */
  readonly downlink?: string;
  /**
   * The deployer's own uplink limit (tc on the bridge device, which carries only traffic the root
   * namespace sends; host-to-host traffic is bridged past it). Unshaped when absent.
   */
  readonly deployerUplink?: string;
  /** Added one-way latency per direction (`2ms`); needs the kernel's sch_netem. */
  readonly latency?: string;
  /** Lab id: 1-6 lowercase letters/digits, prefixes every namespace and link. @defaultValue random */
  readonly id?: string;
  /** Hosts refuse unsigned paths unless the copy says `--no-check-sigs`. @defaultValue `true` */
  readonly requireSigs?: boolean;
}

/**
 * Brings up a lab: N hosts, each a network namespace on the lab's own bridge (10.213.X.0/24, X chosen so
 * no route on the machine uses it) with its own mount namespace, its own /nix (DIR/hN/nix) and its own
 * sshd; optionally shaped with tc. Writes DIR/fleet.json, the deployer's key and known_hosts, and
 * DIR/lab.json recording every pid, namespace, link and mount. On any failure, what was made is torn
 * down again before the error is thrown.
 *
 * @throws ConfigError for bad options; ExecutorError when a capability is missing or a step fails.
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 200) {
    throw new ConfigError(`must be an integer in 1..200, got ${String(options.hosts)}`, 'hosts');
  }
  const dir = validateFilePath(options.dir, 'dir').replace(/\/+$/, '');
  const id = options.id ?? randomBytes(3).toString('hex').slice(0, 4);
  if (!/^[a-z0-9]{1,6}$/.test(id))
    throw new ConfigError(`must be 1-6 lowercase letters or digits, got ${JSON.stringify(id)}`, 'id');
  const up = tcRates(options.uplink, 'uplink');
  const down = tcRates(options.downlink, 'downlink');
  if (options.latency !== undefined && !/^\d+(\.\d+)?(us|ms|s)$/.test(options.latency)) {
    throw new ConfigError(`must look like 2ms, got ${JSON.stringify(options.latency)}`, 'latency');
  }
  const deployerUp =
    options.deployerUplink !== undefined
      ? tcRate(parseRate(options.deployerUplink, 'deployerUplink'))
      : undefined;
  const shaped =
    up.length > 0 || down.length > 0 || deployerUp !== undefined || options.latency !== undefined;
  const tools = requireLabCapabilities([
    'ip',
    'unshare',
    'sshd',
    'ssh',
    'ssh-keygen',
    'nix',
    'nix-daemon',
    'mount',
    ...(shaped ? ['tc'] : []),
  ]);
  if (!existsSync('/nix'))
    throw new ExecutorError(
      '/nix does not exist (each lab host bind-mounts its own store over it): run scripts/install-system-deps.sh',
    );

  const prior = readLabState(dir);
  if (prior && prior.status !== 'down')
    throw new ExecutorError(
      `a lab (id ${prior.id}) is ${prior.status} in ${dir}: run \`nix-cascade lab down --dir ${dir}\` first`,
    );

  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  const octet = await freeOctet(id);
  const subnet = `10.213.${octet}.0/24`;
  const state: LabState = {
    version: 1,
    id,
    dir,
    status: 'starting',
    subnet,
    bridge: `nc${id}br`,
    bridgeAddress: `10.213.${octet}.1`,
    fleetFile: join(dir, 'fleet.json'),
    keyFile: join(dir, 'deployer_key'),
    knownHostsFile: join(dir, 'known_hosts'),
    shaping: {
      ...(options.deployerUplink ? { deployerUplink: options.deployerUplink } : {}),
      ...(options.uplink ? { uplink: options.uplink } : {}),
      ...(options.downlink ? { downlink: options.downlink } : {}),
      ...(options.latency ? { latency: options.latency } : {}),
    },
    hosts: [],
    pids: [],
    netns: [],
    links: [],
    mounts: [],
  };
  writeLabState(state);
  try {
    await keygen(state.keyFile, `nix-cascade-lab-${id}`);
    await addBridge(state, deployerUp);

    const knownHosts: string[] = [];
    for (let n = 1; n <= options.hosts; n++) {
      const host = await addHost(state, n, octet, {
        up: hostRate(up, n),
        down: hostRate(down, n),
        latency: options.latency,
        requireSigs: options.requireSigs ?? true,
        sshd: tools['sshd']!,
      });
      knownHosts.push(knownHostLine(host));
    }
    writeFileSync(state.knownHostsFile, `${knownHosts.join('\n')}\n`);
    writeFleetFile(state);
    await waitForSsh(state);
    state.status = 'up';
    writeLabState(state);
    return state;
  } catch (err) {
    await labDown(dir).catch(() => undefined);
    throw err;
  }
}

/** The tc rates of a one-rate-or-list option (none when absent). @throws ConfigError naming a bad entry. */
function tcRates(spec: string | undefined, where: string): string[] {
  if (spec === undefined) return [];
  return spec
    .split(',')
    .map((r, i) => tcRate(parseRate(r.trim(), spec.includes(',') ? `${where}[${i}]` : where)));
}

interface HostSetup extends LinkShaping {
  readonly requireSigs: boolean;
  readonly sshd: string;
}

/**
 * Adds lab host `hN`: its record in the state, its files and keys, its namespace and links, and its sshd
 * (in this order, each step recorded as it is made, so a failure tears down exactly what exists).
 */
async function addHost(state: LabState, n: number, octet: number, s: HostSetup): Promise<LabHostRecord> {
  const name = `h${n}`;
  const hostDir = join(state.dir, name);
  const host: LabHostRecord = {
    name,
    address: `10.213.${octet}.${10 + n}`,
    netns: `nc${state.id}-${name}`,
    vethOuter: `nc${state.id}${name}b`,
    vethInner: `nc${state.id}${name}i`,
    dir: hostDir,
    nixDir: join(hostDir, 'nix'),
    sshdConfig: join(hostDir, 'etc', 'sshd_config'),
  };
  state.hosts.push(host);
  await writeHostFiles(state, host, s.requireSigs);
  await addHostNetwork(state, host, s);
  startSshd(state, host, s.sshd);
  return host;
}
