import { ExecutorError } from '../core/errors.js';
import { shape } from './shape.js';
import { type LabHostRecord, type LabState, writeLabState } from './state.js';
import { sys } from './sys.js';

/**
 * The lab's network: a subnet of 10.213.X.0/24 no route uses, the bridge in the root namespace, and per
 * host a network namespace joined to the bridge by a veth pair, optionally shaped with tc. Each namespace
 * and link is recorded in the lab state as soon as it exists, so a failed bring-up can tear it down.
 */

/** A host's link shaping: tc rates (uplink, downlink) and added latency; each unshaped when absent. */
export interface LinkShaping {
  readonly up: string | undefined;
  readonly down: string | undefined;
  readonly latency: string | undefined;
}

/** A third octet for 10.213.X.0/24 that no route or address on the machine uses yet. */
export async function freeOctet(id: string): Promise<number> {
  const used =
    (await sys('ip', ['-4', 'route', 'show', 'table', 'all'])) + (await sys('ip', ['-4', 'addr', 'show']));
  const start = (parseInt(id, 36) % 250) + 1;
  for (let i = 0; i < 250; i++) {
    const x = ((start + i - 1) % 250) + 1;
    if (!used.includes(`10.213.${x}.`)) return x;
  }
  throw new ExecutorError('no free 10.213.X.0/24 subnet for the lab');
}

/** Makes the lab's bridge with the deployer's address, its uplink shaped to `deployerUp` when given. */
export async function addBridge(state: LabState, deployerUp: string | undefined): Promise<void> {
  await sys('ip', ['link', 'add', state.bridge, 'type', 'bridge']);
  state.links.push(state.bridge);
  writeLabState(state);
  await sys('ip', ['addr', 'add', `${state.bridgeAddress}/24`, 'dev', state.bridge]);
  await sys('ip', ['link', 'set', state.bridge, 'up']);
  if (deployerUp !== undefined) await shape((a) => sys('tc', a), state.bridge, deployerUp, undefined);
}

/** Makes `host`'s network namespace and its veth pair to the bridge, addressed, up and shaped. */
export async function addHostNetwork(state: LabState, host: LabHostRecord, s: LinkShaping): Promise<void> {
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
}
