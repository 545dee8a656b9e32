import { rmSync } from 'node:fs';
import { ConfigError, ExecutorError } from '../core/errors.js';
import { cmdlineOf, descendantsOf, isAlive } from './proc.js';
import { type LabState, readLabState, writeLabState } from './state.js';
import { sys, trySys } from './sys.js';

/** What {@link labDown} did. */
export interface LabDownReport {
  /** False when DIR held no lab state (nothing to do). */
  readonly found: boolean;
  readonly killed: readonly number[];
  readonly netnsDeleted: readonly string[];
  readonly linksDeleted: readonly string[];
  /** Resources still present afterwards (should be empty). */
  readonly leftovers: readonly string[];
}

/** Options of {@link labDown}. */
export interface LabDownOptions {
  /** Also delete DIR (the hosts' stores, keys, logs). @defaultValue `false` */
  readonly purge?: boolean;
}

/**
 * Tears a lab down from DIR/lab.json: stops exactly the processes it started (by pid, only while
 * /proc/<pid>/cmdline still names the lab's sshd config, together with their descendants: the sshd
 * sessions and the nix-daemons they run), then whatever still runs inside the lab's own network
 * namespaces (`ip netns pids`: only the lab's sessions can have started anything there, e.g. a
 * daemonised ssh master connection that left the sshd's process tree), deletes its links and namespaces.
 * Safe to run twice and on a half-started lab.
 */
export async function labDown(dir: string, options: LabDownOptions = {}): Promise<LabDownReport> {
  const state = readLabState(dir);
  if (!state) {
    if (options.purge) rmSync(dir, { recursive: true, force: true });
    return { found: false, killed: [], netnsDeleted: [], linksDeleted: [], leftovers: [] };
  }
  const killed = await stopProcesses(state);
  killed.push(...(await stopNamespaceProcesses(state.netns)));
  const linksDeleted: string[] = [];
  // Deleting the outer veth end removes its peer too; the bridge goes last.
  for (const link of [...state.links].reverse()) {
    if (await linkExists(link)) {
      await trySys('ip', ['link', 'del', link]);
      linksDeleted.push(link);
    }
  }
  const present = new Set(await listNetns());
  const netnsDeleted: string[] = [];
  for (const ns of state.netns) {
    if (present.has(ns)) {
      await trySys('ip', ['netns', 'del', ns]);
      netnsDeleted.push(ns);
    }
  }
  // A namespace is destroyed once its last user is gone; wait (briefly) until nothing of ours remains.
  let leftovers = await findLeftovers(state);
  for (let i = 0; i < 50 && leftovers.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    leftovers = await findLeftovers(state);
  }
  state.status = 'down';
  if (options.purge) rmSync(dir, { recursive: true, force: true });
  else writeLabState(state);
  return { found: true, killed, netnsDeleted, linksDeleted, leftovers };
}

async function stopProcesses(state: LabState): Promise<number[]> {
  const targets: number[] = [];
  for (const rec of state.pids) {
    const cmd = cmdlineOf(rec.pid);
    // The pid may have been reused by an unrelated process since: only a matching command line counts.
    if (cmd === undefined || !cmd.includes(rec.marker)) continue;
    targets.push(...descendantsOf(rec.pid), rec.pid);
  }
  await terminate(targets);
  return targets;
}

/** Pids running inside the named network namespaces (of this lab), never the caller itself. */
async function namespacePids(netns: readonly string[]): Promise<number[]> {
  const present = new Set(await listNetns());
  const pids: number[] = [];
  for (const ns of netns) {
    if (!present.has(ns)) continue;
    const out = await sys('ip', ['netns', 'pids', ns]).catch(() => '');
    for (const l of out.split('\n')) if (/^\d+$/.test(l.trim())) pids.push(Number(l.trim()));
  }
  return pids.filter((p) => p !== process.pid);
}

async function stopNamespaceProcesses(netns: readonly string[]): Promise<number[]> {
  const pids = await namespacePids(netns);
  await terminate(pids);
  return pids;
}

/**
 * Takes one lab host down the way a crashed machine goes: its sshd listener and every session it runs
 * (the recorded pid and its descendants, only while the command line still names the host's sshd config),
 * and anything else running in the host's network namespace (ssh master connections included). Its
 * namespace, address and store stay, so connecting to it is refused (`Connection refused`) from then on.
 * For fault tests.
 *
 * @returns the pids stopped. @throws ConfigError for an unknown host; ExecutorError when no lab is in DIR.
 */
export async function labKillHost(dir: string, host: string): Promise<number[]> {
  const state = readLabState(dir);
  if (!state || state.status === 'down') throw new ExecutorError(`no lab is up in ${dir}`);
  const h = state.hosts.find((x) => x.name === host);
  if (!h)
    throw new ConfigError(
      `no lab host "${host}" (hosts: ${state.hosts.map((x) => x.name).join(', ')})`,
      'host',
    );
  const targets: number[] = [];
  const cmd = h.sshdPid !== undefined ? cmdlineOf(h.sshdPid) : undefined;
  if (h.sshdPid !== undefined && cmd !== undefined && cmd.includes(h.sshdConfig))
    targets.push(h.sshdPid, ...descendantsOf(h.sshdPid));
  for (const p of await namespacePids([h.netns])) if (!targets.includes(p)) targets.push(p);
  // The listener first, so no new session starts while the others are stopped.
  await terminate(targets);
  return targets;
}

/** SIGTERM, then SIGKILL for whatever is still alive 3 s later; waits until they are gone. */
async function terminate(targets: readonly number[]): Promise<void> {
  const signal = (pids: readonly number[], sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal([...targets], 'SIGTERM');
  for (let i = 0; i < 30 && targets.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  const stubborn = targets.filter(isAlive);
  signal(stubborn, 'SIGKILL');
  for (let i = 0; i < 20 && stubborn.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
}

async function linkExists(name: string): Promise<boolean> {
  return trySys('ip', ['link', 'show', 'dev', name]);
}

async function listNetns(): Promise<string[]> {
  const out = await sys('ip', ['netns', 'list']).catch(() => '');
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/**
 * What of the lab still exists: live recorded processes, namespaces, links. (Mounts: the hosts' /nix
 * binds live in private namespaces that die with their sshd; the netns binds go with `ip netns del`.)
 */
export async function findLeftovers(state: LabState): Promise<string[]> {
  const out: string[] = [];
  for (const rec of state.pids) {
    const cmd = cmdlineOf(rec.pid);
    if (cmd !== undefined && cmd.includes(rec.marker) && isAlive(rec.pid))
      out.push(`process ${rec.pid} (${rec.what})`);
  }
  const ns = new Set(await listNetns());
  for (const n of state.netns) if (ns.has(n)) out.push(`netns ${n}`);
  for (const l of state.links) if (await linkExists(l)) out.push(`link ${l}`);
  return out;
}
