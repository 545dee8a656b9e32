import { rmSync } from 'node:fs';
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
 * sessions and the nix-daemons they run), deletes its links and namespaces. Safe to run twice and on a
 * half-started lab.
 */
export async function labDown(dir: string, options: LabDownOptions = {}): Promise<LabDownReport> {
  const state = readLabState(dir);
  if (!state) {
    if (options.purge) rmSync(dir, { recursive: true, force: true });
    return { found: false, killed: [], netnsDeleted: [], linksDeleted: [], leftovers: [] };
  }
  const killed = await stopProcesses(state);
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
  const signal = (pids: number[], sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal(targets, 'SIGTERM');
  for (let i = 0; i < 30 && targets.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  const stubborn = targets.filter(isAlive);
  signal(stubborn, 'SIGKILL');
  for (let i = 0; i < 20 && stubborn.some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
  return targets;
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
    if (cmd !== undefined && cmd.includes(rec.marker) && isAlive(rec.pid)) out.push(`process ${rec.pid} (${rec.what})`);
  }
  const ns = new Set(await listNetns());
  for (const n of state.netns) if (ns.has(n)) out.push(`netns ${n}`);
  for (const l of state.links) if (await linkExists(l)) out.push(`link ${l}`);
  return out;
}
