import type { PathId } from '../core/types.js';
import type { CommandSpec } from './process.js';
import { REMOTE_MUX_DIR } from './mux.js';

export type { CommandSpec } from './process.js';
import { type SshTarget, nixSshOpts, sshCommand, storeUri } from './ssh.js';

/**
 * Pure construction of every process the executor starts: program, argument array and extra environment.
 * Nothing here runs anything, so tests can check exactly what would be executed.
 */

/**
 * Runs on the remote host around a peer copy: starts the command in the background, and a watcher that
 * reads the ssh channel's stdin and kills the command when it reaches EOF. ssh gives a remote command no
 * signal when the client goes away (no tty), so without this a cancelled or timed-out copy would keep
 * running on the sender. `nix copy` blocked writing to a throttled peer may not act on SIGTERM, so SIGKILL
 * follows 3 s later: safe, since the sender only reads its store and the receiver's daemon drops a path
 * whose import did not complete. The watcher is the subshell itself (`read` is a builtin), so killing it when the
 * command ends normally leaves nothing behind. A constant: the command arrives as positional arguments.
 */
export const REMOTE_WATCHDOG =
  // POSIX gives a background list /dev/null as stdin unless redirected explicitly, hence the fd 3 copy.
  'exec 3<&0; "$@" </dev/null 3<&- & c=$!; (read -r _ <&3; kill $c; sleep 3; kill -9 $c) >/dev/null 2>&1 & w=$!; exec 3<&-; wait $c; s=$?; kill $w 2>/dev/null; exit $s';

/**
 * Most characters of store paths one command carries. A peer copy's remote command travels as a single
 * argument (to the local `ssh`, then to the remote `sh -c`), and Linux refuses any one argument over
 * 128 KiB (E2BIG): about 1,900 store paths, fewer than many NixOS system closures. Half of that leaves room
 * for the rest of the command; local commands, whose paths are separate arguments, stay far below the
 * 2 MiB total.
 */
export const MAX_PATH_CHARS_PER_COMMAND = 64 * 1024;

/**
 * `paths` cut, in order, into runs whose characters (one separator each included) stay within `maxChars`,
 * so each run fits one command (see {@link MAX_PATH_CHARS_PER_COMMAND}). A path longer than the limit on
 * its own still gets a run.
 */
export function pathChunks(paths: readonly PathId[], maxChars = MAX_PATH_CHARS_PER_COMMAND): PathId[][] {
  const chunks: PathId[][] = [];
  let chunk: PathId[] = [];
  let chars = 0;
  for (const p of paths) {
    if (chunk.length > 0 && chars + p.length + 1 > maxChars) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(p);
    chars += p.length + 1;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Flags every `nix` call gets, so the new CLI works without touching the host's nix.conf. */
export const NIX_FLAGS: readonly string[] = ['--extra-experimental-features', 'nix-command'];

/**
 * Connection multiplexing as commands see it ({@link SshMux} implements it): the target with options for
 * the deployer's own ssh, and for a nested hop run on `via`, the target with options for `via`'s ssh plus
 * the socket directory to create there first (undefined: that hop is not multiplexed).
 */
export interface MuxPlan {
  /** Must be called before a command built with this plan runs (makes the local socket directory). */
  activate(via?: SshTarget, muxDir?: string): void;
  local(target: SshTarget): SshTarget;
  nested(via: SshTarget, target: SshTarget): { readonly target: SshTarget; readonly dir: string } | undefined;
}

/** The knobs of one copy. */
export interface CopyFlags {
  /** Require valid signatures on the receiving side (`false` adds `--no-check-sigs`). */
  readonly checkSigs: boolean;
  /** Let the receiver fetch paths from its own substituters first (`-s`). */
  readonly substituteOnDestination: boolean;
  readonly strictHostKeyChecking: boolean;
  /** Peer copies: the sender pushes (`ssh A nix copy --to B`) or the receiver pulls (`ssh B nix copy --from A`). */
  readonly mode: 'push' | 'pull';
}

function copyFlags(f: CopyFlags): string[] {
  const args: string[] = [];
  if (!f.checkSigs) args.push('--no-check-sigs');
  if (f.substituteOnDestination) args.push('--substitute-on-destination');
  return args;
}

/**
 * The command that copies `paths` from `from` to `to`, where `'local'` is the deployer's own store.
 * - local → B: `nix copy --to ssh-ng://B …` with `NIX_SSHOPTS` = B's ssh options;
 * - A → local: `nix copy --from ssh-ng://A …`;
 * - A → B, push: `ssh A -- env NIX_SSHOPTS=<B's options> nix copy --to ssh-ng://B …` (bytes go A → B);
 * - A → B, pull: `ssh B -- env NIX_SSHOPTS=<A's options> nix copy --from ssh-ng://A …`.
 * Paths must already be validated store paths; the remote part is POSIX-quoted word by word.
 * With `mux`, every ssh hop (the deployer's, and the nested one on the sender) reuses a master connection;
 * a multiplexed nested hop first creates its private socket directory ({@link REMOTE_MUX_DIR}).
 */
export function copyCommand(
  from: SshTarget | 'local',
  to: SshTarget | 'local',
  paths: readonly PathId[],
  f: CopyFlags,
  mux?: MuxPlan,
): CommandSpec {
  const strict = f.strictHostKeyChecking;
  if (from === 'local' && to === 'local') throw new TypeError('copy from the local store to itself');
  if (from === 'local') {
    const target = mux ? mux.local(to as SshTarget) : (to as SshTarget);
    return {
      file: 'nix',
      args: [...NIX_FLAGS, 'copy', ...copyFlags(f), '--to', storeUri(target), ...paths],
      env: { NIX_SSHOPTS: nixSshOpts(target, strict) },
    };
  }
  if (to === 'local') {
    const source = mux ? mux.local(from) : from;
    return {
      file: 'nix',
      args: [...NIX_FLAGS, 'copy', ...copyFlags(f), '--from', storeUri(source), ...paths],
      env: { NIX_SSHOPTS: nixSshOpts(source, strict) },
    };
  }
  const [outer, inner, direction] = f.mode === 'push' ? [from, to, '--to'] : [to, from, '--from'];
  const hop = mux?.nested(outer, inner);
  const innerT = hop?.target ?? inner;
  const copy = [
    'env',
    `NIX_SSHOPTS=${nixSshOpts(innerT, strict)}`,
    'nix',
    ...NIX_FLAGS,
    'copy',
    ...copyFlags(f),
    direction,
    storeUri(innerT),
    ...paths,
  ];
  const prepared = hop ? ['sh', '-c', REMOTE_MUX_DIR, 'sh', hop.dir, ...copy] : copy;
  const remote = ['sh', '-c', REMOTE_WATCHDOG, 'sh', ...prepared];
  const args = sshCommand(mux ? mux.local(outer) : outer, strict, remote);
  return {
    file: 'ssh',
    args,
    env: {},
    via: outer.id,
    keepStdinOpen: true,
    ...(hop ? { muxDir: hop.dir } : {}),
  };
}

/**
 * `nix path-info --json` of `paths` in `store` (`'local'` = the deployer's store). Nix 2.8 answers
 * `{"path": …, "valid": false}` for a path the store lacks and still exits 0, so one call per host tells
 * which wanted paths it holds.
 */
export function pathInfoCommand(
  store: SshTarget | 'local',
  paths: readonly PathId[],
  strictHostKeyChecking: boolean,
  recursive = false,
): CommandSpec {
  const args = [...NIX_FLAGS, 'path-info', '--json'];
  if (recursive) args.push('--recursive');
  if (store === 'local') return { file: 'nix', args: [...args, ...paths], env: {} };
  return {
    file: 'nix',
    args: [...args, '--store', storeUri(store), ...paths],
    env: { NIX_SSHOPTS: nixSshOpts(store, strictHostKeyChecking) },
  };
}

/**
 * `nix-store --check-validity --print-invalid` of `paths` in `store`: prints the paths the store lacks,
 * exits 0. Used for have sets and delivered paths instead of `nix path-info`, because Nix 2.8's ssh-ng
 * client drops and re-opens its daemon connection after every invalid path that `path-info` asks about
 * (seconds per missing path), while `isValidPath` answers on one connection.
 */
export function validityCommand(
  store: SshTarget | 'local',
  paths: readonly PathId[],
  strictHostKeyChecking: boolean,
  mux?: MuxPlan,
): CommandSpec {
  const check = ['--check-validity', '--print-invalid', ...paths];
  if (store === 'local') return { file: 'nix-store', args: check, env: {} };
  const target = mux ? mux.local(store) : store;
  return {
    file: 'nix-store',
    args: ['--store', storeUri(target), ...check],
    env: { NIX_SSHOPTS: nixSshOpts(target, strictHostKeyChecking) },
  };
}

/** The paths of `asked` that a {@link validityCommand}'s output does not list as invalid. */
export function validFromOutput(asked: readonly PathId[], stdout: string): PathId[] {
  const invalid = new Set(
    stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return asked.filter((p) => !invalid.has(p));
}
