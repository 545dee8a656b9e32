import { cmdlineOf, isAlive } from './proc.js';
import { type LabState, readLabState } from './state.js';
import { sys } from './sys.js';

/** One host's live state. */
export interface LabHostStatus {
  readonly name: string;
  readonly address: string;
  readonly sshdPid: number | undefined;
  readonly sshdRunning: boolean;
  readonly netnsPresent: boolean;
}

/** The lab recorded in DIR and what of it is alive. */
export interface LabStatus {
  readonly state: LabState | undefined;
  readonly hosts: readonly LabHostStatus[];
}

/** Reads DIR/lab.json and checks each host's sshd and namespace. */
export async function labStatus(dir: string): Promise<LabStatus> {
  const state = readLabState(dir);
  if (!state) return { state: undefined, hosts: [] };
  const ns = new Set(
    (await sys('ip', ['netns', 'list']).catch(() => ''))
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean),
  );
  return {
    state,
    hosts: state.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      sshdPid: h.sshdPid,
      sshdRunning:
        h.sshdPid !== undefined && isAlive(h.sshdPid) && (cmdlineOf(h.sshdPid) ?? '').includes(h.sshdConfig),
      netnsPresent: ns.has(h.netns),
    })),
  };
}
