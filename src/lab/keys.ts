import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabHostRecord } from './state.js';
import { sys } from './sys.js';

/** The lab's ssh keys: the deployer's key pair, each host's host key, and the deployer's known_hosts lines. */

/** Makes an ed25519 key pair without a passphrase at `file` (and `file.pub`). */
export async function keygen(file: string, comment: string): Promise<void> {
  await sys('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** The host key file of a lab host whose configuration lives in `etc`. */
export function hostKeyFile(etc: string): string {
  return join(etc, 'ssh_host_ed25519_key');
}

/** The known_hosts line of a lab host: its address and its public host key (type and key, no comment). */
export function knownHostLine(host: LabHostRecord): string {
  const pub = readFileSync(`${hostKeyFile(join(host.dir, 'etc'))}.pub`, 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
  return `${host.address} ${pub}`;
}
