import type { FailureCause, HostId } from '../core/types.js';

/**
 * Turns how a copy process ended into a {@link FailureCause}: which host is to blame, and whether retrying
 * can help.
 */

/** What the executor knows about a finished, failed process. */
export interface ProcessEnd {
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not be started on the deployer at all (see `RunResult.spawnError`). */
  readonly spawnError?: string | undefined;
}

/** Who was involved: the receiver, the sender, and the host an outer `ssh` connected to (peer copies). */
export interface FailureContext {
  readonly from: HostId;
  readonly to: HostId;
  /** Host the outer `ssh` reached; undefined when the command ran on the deployer. */
  readonly via?: HostId;
  readonly timeoutSeconds: number;
}

/**
 * Matched only on ssh's own lines (`ssh: connect to host …`): with `--substitute-on-destination` the
 * receiver passes on its substituters' errors ("Connection refused" from a binary cache), which say nothing
 * about whether ssh reached anybody.
 */
const UNREACHABLE = [
  /connection refused/i,
  /no route to host/i,
  /connection timed out/i,
  /network is unreachable/i,
  /could not resolve hostname/i,
  /operation timed out/i,
];
const SSH_LINE = /^\s*ssh: /;
const HANDSHAKE = [
  /host key verification failed/i,
  /permission denied \(/i,
  /permission denied, please try again/i,
  /remote host identification has changed/i,
  /no matching host key type/i,
];
const UNSIGNED = /lacks a valid signature/i;

/** The last `n` non-empty lines of `text`, joined by newlines. */
export function tailLines(text: string, n = 8): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  return lines.slice(-n).join('\n');
}

/**
 * Classifies a failed copy.
 * - cancelled ⇒ `cancelled` (transient: the coordinator decided, the host is fine);
 * - timed out ⇒ transient `timeout`;
 * - ssh could not connect ⇒ permanent `unreachable`; host key or authentication refused ⇒ permanent
 *   `ssh-handshake`. The host blamed is the one ssh failed to reach: when an outer `ssh` to `via` exits with
 *   255 (ssh's own failure code) it is `via` (the sender in push mode), otherwise the host at the other end
 *   of the nested copy;
 * - the receiver refused unsigned paths ⇒ permanent `copy-failed` (retrying cannot help);
 * - anything else ⇒ transient `copy-failed`.
 */
export function classifyFailure(end: ProcessEnd, ctx: FailureContext): FailureCause {
  const detail = tailLines(end.stderr);
  const other = ctx.via === undefined ? ctx.to : ctx.via === ctx.from ? ctx.to : ctx.from;
  if (end.cancelled)
    return { kind: 'transient', code: 'cancelled', host: ctx.to, message: 'transfer cancelled' };
  if (end.timedOut) {
    return {
      kind: 'transient',
      code: 'timeout',
      host: ctx.to,
      message: `no result after ${ctx.timeoutSeconds} s${detail ? `: ${detail}` : ''}`,
    };
  }
  if (end.spawnError !== undefined) {
    return {
      kind: 'transient',
      code: 'copy-failed',
      host: ctx.to,
      message: `on the deployer: ${end.spawnError}`,
    };
  }
  if (UNSIGNED.test(end.stderr)) {
    return {
      kind: 'permanent',
      code: 'copy-failed',
      host: ctx.to,
      message:
        `${ctx.to} refused unsigned store paths (its nix.conf has require-sigs = true): sign them with ` +
        `\`nix store sign --key-file …\` and trust the key on the hosts, or pass --no-check-sigs for a fleet ` +
        `you trust end to end: ${detail}`,
    };
  }
  const outerLost = ctx.via !== undefined && end.exitCode === 255;
  const blame = outerLost ? ctx.via : other;
  // Where the failing ssh ran: a nested hop runs on `via`, not on the deployer.
  const from = ctx.via !== undefined && !outerLost ? ` (from ${ctx.via})` : '';
  const sshLines = end.stderr.split(/\r?\n/).filter((l) => SSH_LINE.test(l));
  if (sshLines.some((l) => UNREACHABLE.some((re) => re.test(l)))) {
    return {
      kind: 'permanent',
      code: 'unreachable',
      host: blame,
      message: `cannot reach ${blame} over ssh${from}: ${detail}`,
    };
  }
  if (HANDSHAKE.some((re) => re.test(end.stderr))) {
    return {
      kind: 'permanent',
      code: 'ssh-handshake',
      host: blame,
      message: `ssh to ${blame}${from} refused (check its host key in the known-hosts file and the login key): ${detail}`,
    };
  }
  // ssh exits 255 on its own failures: the connection to `via` broke mid-copy (it stopped answering or went
  // away). Retrying may help; the host to suspect is `via`, not the receiver.
  if (outerLost) {
    return {
      kind: 'transient',
      code: 'copy-failed',
      host: ctx.via,
      message: `lost the ssh connection to ${ctx.via}: ${detail}`,
    };
  }
  const how = end.exitCode === undefined ? 'was killed' : `exited with ${end.exitCode}`;
  return {
    kind: 'transient',
    code: 'copy-failed',
    host: ctx.to,
    message: `nix copy ${how}${detail ? `: ${detail}` : ''}`,
  };
}
