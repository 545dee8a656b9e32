import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorError } from '../core/errors.js';

/** One lab host as `lab up` made it. */
export interface LabHostRecord {
  readonly name: string;
  readonly address: string;
  readonly netns: string;
  /** veth end on the bridge (root namespace) / inside the host's namespace. */
  readonly vethOuter: string;
  readonly vethInner: string;
  readonly dir: string;
  readonly nixDir: string;
  readonly sshdConfig: string;
  /** The sshd listener's pid (the process `lab up` spawned, exec'd into sshd). */
  sshdPid?: number;
}

/** A process `lab up` started: `lab down` stops it only while /proc/<pid>/cmdline still contains `marker`. */
export interface LabPidRecord {
  readonly pid: number;
  readonly marker: string;
  readonly what: string;
}

/** A mount `lab up` caused, and what removes it. */
export interface LabMountRecord {
  readonly target: string;
  readonly source: string;
  /** `netns` (ip netns add's bind mount, removed by ip netns del) or `private-ns` (dies with `pid`). */
  readonly kind: 'netns' | 'private-ns';
  readonly pid?: number;
}

/** Everything `lab up` created, written to DIR/lab.json as it goes, so `lab down` can undo a partial start. */
export interface LabState {
  readonly version: 1;
  readonly id: string;
  readonly dir: string;
  status: 'starting' | 'up' | 'down';
  readonly subnet: string;
  readonly bridge: string;
  readonly bridgeAddress: string;
  readonly fleetFile: string;
  readonly keyFile: string;
  readonly knownHostsFile: string;
  readonly shaping: {
    readonly deployerUplink?: string;
    /** One rate, or a comma-separated list given to h1, h2, … in turn ({@link hostRate}). */
    readonly uplink?: string;
    readonly downlink?: string;
    readonly latency?: string;
  };
  readonly hosts: LabHostRecord[];
  readonly pids: LabPidRecord[];
  readonly netns: string[];
  /** Links in creation order; `lab down` deletes them in reverse. */
  readonly links: string[];
  readonly mounts: LabMountRecord[];
}

/** DIR/lab.json. */
export function labStateFile(dir: string): string {
  return join(dir, 'lab.json');
}

/** Writes the state atomically (write, then rename), so a crash never leaves half a record. */
export function writeLabState(state: LabState): void {
  const file = labStateFile(state.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Reads DIR/lab.json, or undefined when there is none. @throws ExecutorError when it is unreadable. */
export function readLabState(dir: string): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(labStateFile(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ExecutorError(`cannot read ${labStateFile(dir)}: ${(e as Error).message}`);
  }
  try {
    const s = JSON.parse(text) as LabState;
    if (s.version !== 1 || !Array.isArray(s.pids)) throw new Error('not a lab state file');
    return s;
  } catch (e) {
    throw new ExecutorError(`${labStateFile(dir)} is not a lab state file: ${(e as Error).message}`);
  }
}

/**
 * Host `hN`'s entry of a per-host rate option: one rate for every host, or a list whose entries go to
 * h1, h2, … in turn (h(k+1) gets the first again). Accepts the option as written or split into a list.
 */
export function hostRate(spec: string | readonly string[] | undefined, n: number): string | undefined {
  if (spec === undefined) return undefined;
  const list = typeof spec === 'string' ? spec.split(',').map((r) => r.trim()) : spec;
  return list[(n - 1) % list.length];
}
