import { writeFileSync } from 'node:fs';
import { hostRate, type LabState } from './state.js';

/** Writes DIR/fleet.json: every lab host as a fleet node, the deployer, and the lab's ssh settings. */
export function writeFleetFile(state: LabState): void {
  const nodes: Record<string, unknown> = {};
  for (const [i, h] of state.hosts.entries()) {
    const uplink = hostRate(state.shaping.uplink, i + 1);
    const downlink = hostRate(state.shaping.downlink, i + 1);
    nodes[h.name] = {
      targetHost: h.address,
      targetUser: 'root',
      targetPort: 22,
      tags: ['lab'],
      system: `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux`,
      profileType: 'nixos',
      buildOnTarget: false,
      ...(uplink ? { uplink } : {}),
      ...(downlink ? { downlink } : {}),
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
