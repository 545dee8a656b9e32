import type { HostId } from '../core/types.js';
import { classifyFailure, tailLines } from './classify.js';
import { type RemoteContext, defaultRemoteContext } from './context.js';
import { NIX_FLAGS } from './commands.js';
import { mapLimit, runCommand } from './process.js';
import { type RemoteHosts, type SshTarget, nixSshOpts, sshCommand, storeUri } from './ssh.js';

const PROBE_SEPARATOR = '@@nix-cascade-probe@@';
/** Runs on the host: Nix's settings, the user's groups, free space of the store's filesystem. */
const PROBE_SCRIPT = [
  `nix ${NIX_FLAGS.join(' ')} show-config --json`,
  `echo ${PROBE_SEPARATOR}`,
  'id -Gn',
  `echo ${PROBE_SEPARATOR}`,
  // A host whose store was never opened has no /nix/store yet (the first nix-daemon creates it).
  'df -kP /nix/store 2>/dev/null || df -kP /nix 2>/dev/null || df -kP /',
].join('; ');

/** Options of {@link checkHealth}. */
export interface HealthOptions {
  /** Bytes each host must be able to store (the closure size); the free-space check needs it. */
  readonly requiredBytes?: number;
  /** Per host, when hosts want different closures (wins over `requiredBytes`). */
  readonly requiredBytesOf?: (host: HostId) => number;
  /** Hosts probed at once. @defaultValue `16` */
  readonly concurrency?: number;
}

/** One host's health: each check's verdict and, when unhealthy, why. */
export interface HealthReport {
  readonly host: HostId;
  readonly healthy: boolean;
  /** One sentence per failed check, saying what to fix. Empty when healthy. */
  readonly reasons: readonly string[];
  readonly sshReachable: boolean;
  readonly storeAnswers: boolean;
  /** Whether the ssh user may import unsigned paths (is in trusted-users); undefined when not checked. */
  readonly trusted: boolean | undefined;
  /** Free bytes on the filesystem of /nix/store; undefined when not checked. */
  readonly freeBytes: number | undefined;
  readonly requiredBytes: number | undefined;
  /** Seconds the `ssh … true` round trip took. */
  readonly sshSeconds: number | undefined;
}

/**
 * Whether `user` (with `groups`) is in Nix's `trusted-users` list (`*` = everyone, `@g` = group g).
 */
export function isTrustedUser(
  trustedUsers: readonly string[],
  user: string,
  groups: readonly string[],
): boolean {
  return trustedUsers.some(
    (t) => t === '*' || t === user || (t.startsWith('@') && groups.includes(t.slice(1))),
  );
}

/** Parses `df -kP` output: available bytes on the one filesystem listed. */
export function parseDfAvailable(stdout: string): number | undefined {
  const line = stdout.trim().split('\n')[1];
  const kb = line?.trim().split(/\s+/)[3];
  return kb !== undefined && /^\d+$/.test(kb) ? Number(kb) * 1024 : undefined;
}

/** `trusted-users` from `nix show-config --json` (value may be a list or a space-separated string). */
export function parseTrustedUsers(stdout: string): string[] | undefined {
  try {
    const j = JSON.parse(stdout) as Record<string, { value?: unknown } | undefined>;
    const v = j['trusted-users']?.value;
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  } catch {
    // Not JSON: fall through.
  }
  return undefined;
}

/** Probes one host: ssh, store, trust, free space. Never throws for an unhealthy host. */
export async function checkHost(
  host: SshTarget,
  ctx: RemoteContext = defaultRemoteContext(),
  options: HealthOptions = {},
): Promise<HealthReport> {
  const strict = ctx.strictHostKeyChecking;
  const timeoutMs = ctx.timeouts.probe * 1000;
  const run = ctx.run(ctx.timeouts.probe);
  // Through the run's multiplexer, so the probe also opens the master connection every later step rides
  // (the reference's connection pre-warming, for free).
  ctx.mux?.activate();
  const via = ctx.mux ? ctx.mux.local(host) : host;
  const reasons: string[] = [];
  const ssh = (remote: string[]) =>
    runCommand({ file: 'ssh', args: sshCommand(via, strict, remote), env: {} }, run);
  const report = (extra: Partial<HealthReport>): HealthReport => ({
    host: host.id,
    healthy: reasons.length === 0,
    reasons,
    sshReachable: false,
    storeAnswers: false,
    trusted: undefined,
    freeBytes: undefined,
    requiredBytes: options.requiredBytes,
    sshSeconds: undefined,
    ...extra,
  });

  // One ssh session answers reachability, trust and free space together: on a loaded machine every
  // extra handshake costs seconds. The script is a constant; nothing from the fleet is put into it.
  const t0 = performance.now();
  const probe = await ssh(['sh', '-c', PROBE_SCRIPT]);
  const sshSeconds = (performance.now() - t0) / 1000;
  const parts = probe.stdout.split(PROBE_SEPARATOR);
  if (!probe.ok && parts.length < 3) {
    const cause = classifyFailure(
      { exitCode: probe.exitCode, stderr: probe.stderr, timedOut: probe.timedOut, cancelled: false },
      { from: host.id, to: host.id, timeoutSeconds: timeoutMs / 1000 },
    );
    reasons.push(`ssh ${host.user}@${host.address} fails (${cause.code}): ${cause.message}`);
    return report({});
  }

  const store = await runCommand(
    {
      file: 'nix',
      args: [...NIX_FLAGS, 'store', 'ping', '--store', storeUri(via)],
      env: { NIX_SSHOPTS: nixSshOpts(via, strict) },
    },
    run,
  );
  if (!store.ok)
    reasons.push(
      `the Nix store does not answer over ssh-ng (is nix-daemon on its PATH?): ${tailLines(store.stderr, 3)}`,
    );

  const [configOut = '', idsOut = '', dfOut = ''] = parts;
  let trusted: boolean | undefined;
  const trustedUsers = parseTrustedUsers(configOut.trim());
  if (trustedUsers === undefined) {
    reasons.push(`cannot read trusted-users (nix show-config failed): ${tailLines(probe.stderr, 2)}`);
  } else {
    trusted = isTrustedUser(trustedUsers, host.user, idsOut.trim().split(/\s+/));
    if (!trusted)
      reasons.push(
        `user ${host.user} is not in trusted-users (${trustedUsers.join(' ')}), so it may not import paths: add it to trusted-users in nix.conf`,
      );
  }
  const freeBytes = parseDfAvailable(dfOut.trim());
  if (freeBytes === undefined) {
    reasons.push(`cannot read free space of /nix/store: ${tailLines(probe.stderr, 2)}`);
  } else if (options.requiredBytes !== undefined && freeBytes < options.requiredBytes) {
    reasons.push(
      `only ${freeBytes} bytes free on /nix/store, ${options.requiredBytes} needed: collect garbage (nix-collect-garbage) or grow the disk`,
    );
  }
  return report({ sshReachable: true, storeAnswers: store.ok, trusted, freeBytes, sshSeconds });
}

/** Probes every target of the fleet in parallel (at most `concurrency` at once); fleet order. */
export async function checkHealth(
  fleet: RemoteHosts,
  ctx: RemoteContext = defaultRemoteContext(),
  options: HealthOptions = {},
): Promise<HealthReport[]> {
  return mapLimit(fleet.hosts, options.concurrency ?? 16, (h) => {
    const requiredBytes = options.requiredBytesOf?.(h.id) ?? options.requiredBytes;
    return checkHost(h, ctx, requiredBytes === undefined ? {} : { requiredBytes });
  });
}
