import { writeRebootEmulation } from './reboot.js';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorError } from '../core/errors.js';
import { nixConfText } from '../remote/nixEnv.js';
import { runCommand } from '../remote/process.js';
import { sshCommand } from '../remote/ssh.js';
import { hostKeyFile, keygen } from './keys.js';
import { cmdlineOf } from './proc.js';
import { type LabHostRecord, type LabState, writeLabState } from './state.js';

/**
 * Each lab host's sshd: its files (nix.conf, host key, authorized_keys, sshd_config), its start inside
 * the host's namespaces over its own /nix, and the wait until every host accepts the deployer's key.
 */

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
 * Writes `host`'s files: its store directory, a nix.conf with the offline settings, its host key, the
 * deployer's key as authorized, and its sshd_config.
 */
export async function writeHostFiles(
  state: LabState,
  host: LabHostRecord,
  requireSigs: boolean,
): Promise<void> {
  const etc = join(host.dir, 'etc');
  mkdirSync(host.nixDir, { recursive: true });
  mkdirSync(etc, { recursive: true });
  writeFileSync(
    join(etc, 'nix.conf'),
    nixConfText({ 'require-sigs': requireSigs ? 'true' : 'false', 'trusted-users': 'root' }),
  );
  await keygen(hostKeyFile(etc), `${state.id}-${host.name}`);
  writeFileSync(join(etc, 'authorized_keys'), readFileSync(`${state.keyFile}.pub`));
  writeFileSync(
    host.sshdConfig,
    [
      `ListenAddress ${host.address}:22`,
      `HostKey ${hostKeyFile(etc)}`,
      `AuthorizedKeysFile ${join(etc, 'authorized_keys')}`,
      `PidFile ${join(host.dir, 'sshd.pid')}`,
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
}

/**
 * Starts `host`'s sshd (the binary `sshd`) in its network namespace and a private mount namespace, and
 * records its pid and mount in the lab state.
 * @throws ExecutorError when it cannot be started.
 */
export function startSshd(state: LabState, host: LabHostRecord, sshd: string): void {
  const runDir = join(host.dir, 'run');
  mkdirSync(runDir, { recursive: true });
  const reboot = writeRebootEmulation(host.dir, sshd, host.sshdConfig);
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
      sshd,
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
  if (pid === undefined) throw new ExecutorError(`could not start sshd for ${host.name}`);
  // Every program in the chain execs the next, so this pid becomes the sshd listener itself.
  state.pids.push({ pid, marker: host.sshdConfig, what: `sshd of ${host.name}` });
  host.sshdPid = pid;
  state.mounts.push({ kind: 'private-ns', target: '/nix', source: host.nixDir, pid });
  writeLabState(state);
}

/** Waits until every host's sshd accepts the deployer's key (or fails naming the host and its log). */
export async function waitForSsh(state: LabState): Promise<void> {
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
