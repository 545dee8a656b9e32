import type { RemoteContext } from './context.js';
import type { CommandSpec } from './process.js';
import { sshCommand, type SshTarget } from './ssh.js';

/**
 * `remote` (an argument array) run on `host` over ssh, through the context's multiplexer when it has one
 * (made ready first), with its host-key policy.
 */
export function onHost(host: SshTarget, ctx: RemoteContext, remote: readonly string[]): CommandSpec {
  ctx.mux?.activate();
  const target = ctx.mux ? ctx.mux.local(host) : host;
  return { file: 'ssh', args: sshCommand(target, ctx.strictHostKeyChecking, remote), env: {} };
}
