import type { CascadeEvent } from '../../src/core/events.js';

/** The awkward message of the transient failure: a comma, quotes and a newline (CSV quoting). */
export const AWKWARD = 'copy failed: "disk", full\nretry later';

/**
 * A hand-made 4-target round-mode cascade from one deployer:
 * r0 deployer→host-001; r1 deployer→host-002 and host-001→host-003; r2 host-002→host-004 fails
 * (transient); r3 deployer→host-004 fails permanently (unreachable) and host-004 is out.
 */
export function smallCascade(): CascadeEvent[] {
  const paths = ['/nix/store/aaa-base', '/nix/store/bbb-app'];
  return [
    {
      type: 'run-started',
      t: 0,
      strategy: 'test-doubling',
      mode: 'round',
      hosts: ['deployer', 'host-001', 'host-002', 'host-003', 'host-004'],
      targets: ['host-001', 'host-002', 'host-003', 'host-004'],
      seeds: ['deployer'],
      alreadyDone: [],
      bytesWanted: 400,
    },
    { type: 'round-started', t: 0, round: 0 },
    { type: 'transfer-started', t: 0, round: 0, id: 0, from: 'deployer', to: 'host-001', bytes: 100, paths },
    { type: 'transfer-finished', t: 1, id: 0, from: 'deployer', to: 'host-001', bytes: 100 },
    { type: 'host-done', t: 1, host: 'host-001' },
    { type: 'round-finished', t: 1, round: 0 },
    { type: 'round-started', t: 1, round: 1 },
    { type: 'transfer-started', t: 1, round: 1, id: 1, from: 'deployer', to: 'host-002', bytes: 100, paths },
    { type: 'transfer-started', t: 1, round: 1, id: 2, from: 'host-001', to: 'host-003', bytes: 100, paths },
    { type: 'transfer-finished', t: 2, id: 1, from: 'deployer', to: 'host-002', bytes: 100 },
    { type: 'host-done', t: 2, host: 'host-002' },
    { type: 'transfer-finished', t: 2.5, id: 2, from: 'host-001', to: 'host-003', bytes: 100 },
    { type: 'host-done', t: 2.5, host: 'host-003' },
    { type: 'round-finished', t: 2.5, round: 1 },
    { type: 'round-started', t: 2.5, round: 2 },
    {
      type: 'transfer-started',
      t: 2.5,
      round: 2,
      id: 3,
      from: 'host-002',
      to: 'host-004',
      bytes: 100,
      paths,
    },
    {
      type: 'transfer-failed',
      t: 2.75,
      id: 3,
      from: 'host-002',
      to: 'host-004',
      kind: 'transient',
      code: 'copy-failed',
      host: 'host-004',
      message: AWKWARD,
      delivered: [],
      deliveredBytes: 0,
    },
    { type: 'round-finished', t: 2.75, round: 2 },
    { type: 'round-started', t: 2.75, round: 3 },
    {
      type: 'transfer-started',
      t: 2.75,
      round: 3,
      id: 4,
      from: 'deployer',
      to: 'host-004',
      bytes: 100,
      paths,
    },
    {
      type: 'transfer-failed',
      t: 3,
      id: 4,
      from: 'deployer',
      to: 'host-004',
      kind: 'permanent',
      code: 'unreachable',
      host: 'host-004',
      message: 'ssh: connect to host host-004: No route to host',
      delivered: [],
      deliveredBytes: 0,
    },
    {
      type: 'host-failed',
      t: 3,
      host: 'host-004',
      code: 'unreachable',
      message: 'ssh: connect to host host-004: No route to host',
    },
    { type: 'round-finished', t: 3, round: 3 },
    {
      type: 'run-finished',
      t: 3,
      reason: 'complete',
      hostsDone: 3,
      hostsFailed: 1,
      hostsUnreached: 0,
      rounds: 4,
      bytesTransferred: 300,
    },
  ];
}
