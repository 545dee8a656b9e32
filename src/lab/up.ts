// Long file: not yet split along its seams (issue 17 tracks it); kept whole until then so its traces stay byte-identical.
import { writeRebootEmulation } from './reboot.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ExecutorError } from '../core/errors.js';
import { nixConfText } from '../remote/nixEnv.js';
import { parseRate, tcRate } from '../units/units.js';
import { runCommand } from '../remote/process.js';
import { sshCommand } from '../remote/ssh.js';
import { validateFilePath } from '../remote/validate.js';
import { labDown } from './down.js';
import { cmdlineOf } from './proc.js';
import { type LabHostRecord, type LabState, readLabState, writeLabState } from './state.js';
import { requireLabCapabilities, sys } from './sys.js';

/** Options of {@link labUp}. */
export interface LabUpOptions {
  /** Number of hosts (1..200). */
  readonly hosts: number;
  /** Absolute directory holding every lab file (stores, keys, configs, lab.json); created if missing. */
  readonly dir: string;
  /** Per-host uplink limit, tc syntax (`100mbit`); unshaped when absent. */
  readonly uplink?: string;
  /** Per-host downlink limit. */
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
 * Runs inside the host's private mount namespace: its own /nix, its own /run (where an activation points
 * `/run/current-system`, as NixOS does; sshd's privilege-separation directory is made in it), and root's
 * ~/.bashrc masked by /dev/null. bash sources ~/.bashrc for every ssh command, and a developer's rc (pyenv,
 * nvm, …) can cost seconds per connection, dwarfing the copies; a lab host models a clean server. None of
 * the mounts is visible outside.
 */
const SSHD_SCRIPT =
  'mount --bind "$1" /nix && mount --bind "$5" /run && mkdir -p /run/sshd && ' +
  '{ [ ! -f "$4" ] || mount --bind /dev/null "$4"; } && mkdir -p /usr/local/sbin && ' +
  // The emulated reboot (src/lab/reboot.ts): its `reboot` first on PATH, its own boot id.
  'mount --bind "$6" /usr/local/sbin && mount --bind "$7" /proc/sys/kernel/random/boot_id && ' +
  'exec "$2" -D -e -f "$3"';
/** The rc file masked in every lab host (the lab logs in as root). */
const ROOT_BASHRC = '/root/.bashrc';

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
  const up = options.uplink !== undefined ? tcRate(parseRate(options.uplink, 'uplink')) : undefined;
  const down = options.downlink !== undefined ? tcRate(parseRate(options.downlink, 'downlink')) : undefined;
  if (options.latency !== undefined && !/^\d+(\.\d+)?(us|ms|s)$/.test(options.latency)) {
    throw new ConfigError(`must look like 2ms, got ${JSON.stringify(options.latency)}`, 'latency');
  }
  const deployerUp =
    options.deployerUplink !== undefined
      ? tcRate(parseRate(options.deployerUplink, 'deployerUplink'))
      : undefined;
  const shaped =
    up !== undefined || down !== undefined || deployerUp !== undefined || options.latency !== undefined;
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
    await sys('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `nix-cascade-lab-${id}`,
      '-f',
      state.keyFile,
    ]);
    await sys('ip', ['link', 'add', state.bridge, 'type', 'bridge']);
    state.links.push(state.bridge);
    writeLabState(state);
    await sys('ip', ['addr', 'add', `${state.bridgeAddress}/24`, 'dev', state.bridge]);
    await sys('ip', ['link', 'set', state.bridge, 'up']);
    if (deployerUp !== undefined) await shape((a) => sys('tc', a), state.bridge, deployerUp, undefined);

    const knownHosts: string[] = [];
    for (let n = 1; n <= options.hosts; n++) {
      const host = await addHost(state, n, octet, {
        up,
        down,
        latency: options.latency,
        requireSigs: options.requireSigs ?? true,
        sshd: tools['sshd']!,
      });
      const pub = readFileSync(join(host.dir, 'etc', 'ssh_host_ed25519_key.pub'), 'utf8')
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .join(' ');
      knownHosts.push(`${host.address} ${pub}`);
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

/** A third octet for 10.213.X.0/24 that no route or address on the machine uses yet. */
async function freeOctet(id: string): Promise<number> {
  const used =
    (await sys('ip', ['-4', 'route', 'show', 'table', 'all'])) + (await sys('ip', ['-4', 'addr', 'show']));
  const start = (parseInt(id, 36) % 250) + 1;
  for (let i = 0; i < 250; i++) {
    const x = ((start + i - 1) % 250) + 1;
    if (!used.includes(`10.213.${x}.`)) return x;
  }
  throw new ExecutorError('no free 10.213.X.0/24 subnet for the lab');
}

interface HostSetup {
  readonly up: string | undefined;
  readonly down: string | undefined;
  readonly latency: string | undefined;
  readonly requireSigs: boolean;
  readonly sshd: string;
}

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
  const etc = join(hostDir, 'etc');
  mkdirSync(host.nixDir, { recursive: true });
  mkdirSync(etc, { recursive: true });
  writeFileSync(
    join(etc, 'nix.conf'),
    nixConfText({ 'require-sigs': s.requireSigs ? 'true' : 'false', 'trusted-users': 'root' }),
  );
  await sys('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `${state.id}-${name}`,
    '-f',
    join(etc, 'ssh_host_ed25519_key'),
  ]);
  writeFileSync(join(etc, 'authorized_keys'), readFileSync(`${state.keyFile}.pub`));
  writeFileSync(
    host.sshdConfig,
    [
      `ListenAddress ${host.address}:22`,
      `HostKey ${join(etc, 'ssh_host_ed25519_key')}`,
      `AuthorizedKeysFile ${join(etc, 'authorized_keys')}`,
      `PidFile ${join(hostDir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PrintMotd no',
      'MaxStartups 100:30:200',
      'MaxSessions 100',
      // SetEnv takes no newlines, so the offline settings live in a nix.conf under NIX_CONF_DIR.
      `SetEnv NIX_CONF_DIR=${etc}`,
      '',
    ].join('\n'),
  );

  await sys('ip', ['netns', 'add', host.netns]);
  state.netns.push(host.netns);
  state.mounts.push({ kind: 'netns', target: `/run/netns/${host.netns}`, source: 'nsfs' });
  writeLabState(state);
  await sys('ip', ['link', 'add', host.vethOuter, 'type', 'veth', 'peer', 'name', host.vethInner]);
  state.links.push(host.vethOuter);
  writeLabState(state);
  await sys('ip', ['link', 'set', host.vethInner, 'netns', host.netns]);
  await sys('ip', ['link', 'set', host.vethOuter, 'master', state.bridge]);
  await sys('ip', ['link', 'set', host.vethOuter, 'up']);
  const inNs = (args: string[]) => sys('ip', ['netns', 'exec', host.netns, ...args]);
  await inNs(['ip', 'link', 'set', 'lo', 'up']);
  await inNs(['ip', 'addr', 'add', `${host.address}/24`, 'dev', host.vethInner]);
  await inNs(['ip', 'link', 'set', host.vethInner, 'up']);
  // Uplink: what leaves the host (inner end); downlink: what the bridge sends it (outer end).
  if (s.up !== undefined || s.latency !== undefined)
    await shape((a) => inNs(['tc', ...a]), host.vethInner, s.up, s.latency);
  if (s.down !== undefined || s.latency !== undefined)
    await shape((a) => sys('tc', a), host.vethOuter, s.down, s.latency);

  const runDir = join(host.dir, 'run');
  mkdirSync(runDir, { recursive: true });
  const reboot = writeRebootEmulation(host.dir, s.sshd, host.sshdConfig);
  const log = openSync(join(host.dir, 'sshd.log'), 'a');
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      host.netns,
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      SSHD_SCRIPT,
      'sh',
      host.nixDir,
      s.sshd,
      host.sshdConfig,
      ROOT_BASHRC,
      runDir,
      reboot.sbin,
      reboot.bootId,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new ExecutorError(`could not start sshd for ${name}`);
  // Every program in the chain execs the next, so this pid becomes the sshd listener itself.
  state.pids.push({ pid, marker: host.sshdConfig, what: `sshd of ${name}` });
  host.sshdPid = pid;
  state.mounts.push({ kind: 'private-ns', target: '/nix', source: host.nixDir, pid });
  writeLabState(state);
  return host;
}

async function shape(
  tc: (args: string[]) => Promise<string>,
  dev: string,
  rate: string | undefined,
  latency: string | undefined,
): Promise<void> {
  if (rate !== undefined) {
    await tc([
      'qdisc',
      'replace',
      'dev',
      dev,
      'root',
      'handle',
      '1:',
      'tbf',
      'rate',
      rate,
      'burst',
      '64kb',
      'latency',
      '50ms',
    ]);
  }
  if (latency !== undefined) {
    const parent = rate !== undefined ? ['parent', '1:1', 'handle', '10:'] : ['root', 'handle', '1:'];
    try {
      await tc(['qdisc', 'add', 'dev', dev, ...parent, 'netem', 'delay', latency]);
    } catch (e) {
      throw new ExecutorError(
        `--latency needs the kernel's netem qdisc (sch_netem), which this machine lacks: ${(e as Error).message}`,
      );
    }
  }
}

/** Waits until every host's sshd accepts the deployer's key (or fails naming the host and its log). */
async function waitForSsh(state: LabState): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (const h of state.hosts) {
    for (;;) {
      const target = {
        id: h.name,
        address: h.address,
        user: 'root',
        port: 22,
        identityFile: state.keyFile,
        knownHostsFile: state.knownHostsFile,
        options: ['ConnectTimeout=2', 'KexAlgorithms=curve25519-sha256'],
      };
      const r = await runCommand(
        { file: 'ssh', args: sshCommand(target, true, ['true']), env: {} },
        { timeoutMs: 5000 },
      );
      if (r.ok) break;
      if (h.sshdPid !== undefined && cmdlineOf(h.sshdPid) === undefined) {
        throw new ExecutorError(`sshd of ${h.name} exited: ${readTail(join(h.dir, 'sshd.log'))}`);
      }
      if (performance.now() > deadline)
        throw new ExecutorError(
          `sshd of ${h.name} does not answer: ${r.stderr.trim()} ${readTail(join(h.dir, 'sshd.log'))}`,
        );
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

function writeFleetFile(state: LabState): void {
  const nodes: Record<string, unknown> = {};
  for (const h of state.hosts) {
    nodes[h.name] = {
      targetHost: h.address,
      targetUser: 'root',
      targetPort: 22,
      tags: ['lab'],
      system: `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux`,
      profileType: 'nixos',
      buildOnTarget: false,
      ...(state.shaping.uplink ? { uplink: state.shaping.uplink } : {}),
      ...(state.shaping.downlink ? { downlink: state.shaping.downlink } : {}),
    };
  }
  const fleet = {
    nodes,
    builders: {},
    flakeUri: '.',
    deployer: {
      name: 'deployer',
      ...(state.shaping.deployerUplink ? { uplink: state.shaping.deployerUplink } : {}),
    },
    // Classic curve25519 key exchange: the post-quantum default costs ~0.4 s of CPU per connection,
    // which dominates small lab copies on a 2-core machine.
    defaults: {
      ssh: {
        identityFile: state.keyFile,
        knownHostsFile: state.knownHostsFile,
        options: ['KexAlgorithms=curve25519-sha256'],
      },
    },
  };
  writeFileSync(state.fleetFile, `${JSON.stringify(fleet, null, 2)}\n`);
}
