import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { copyCommand, REMOTE_WATCHDOG, validityCommand } from '../../src/remote/commands.js';
import { REMOTE_MUX_DIR, SshMux } from '../../src/remote/mux.js';
import { NixCopyExecutor } from '../../src/executor/nixCopyExecutor.js';
import { shellJoin } from '../../src/remote/quote.js';
import type { SshTarget } from '../../src/remote/ssh.js';

const P1 = '/nix/store/0iihdvh5lp4xy1l3ajc83db13icq5142-nc-smoke-toplevel';
const A: SshTarget = { id: 'a', address: '10.0.0.1', user: 'root', port: 22, options: [] };
const B: SshTarget = { id: 'b', address: '10.0.0.2', user: 'root', port: 22, options: ['ForwardAgent=yes'] };
const C: SshTarget = { id: 'c', address: '10.0.0.3', user: 'root', port: 22, options: [] };
const flags = {
  checkSigs: true,
  substituteOnDestination: false,
  strictHostKeyChecking: true,
  mode: 'push' as const,
};

/** The `-o` values of an ssh argument list. */
function optionValues(args: readonly string[]): string[] {
  return args.flatMap((a, i) => (args[i - 1] === '-o' ? [a] : []));
}

describe('SshMux', () => {
  it('deployer copies ride a master in the private directory, host keys still checked', () => {
    const mux = new SshMux();
    const opts = copyCommand('local', A, [P1], flags, mux).env['NIX_SSHOPTS']!.split(' ');
    expect(opts).toContain('ControlMaster=auto');
    expect(opts).toContain(`ControlPath=${mux.dir}/%C`);
    expect(opts.some((o) => o.startsWith('ControlPersist='))).toBe(true);
    expect(opts).toContain('StrictHostKeyChecking=yes');
    expect(validityCommand(A, [P1], true, mux).env['NIX_SSHOPTS']).toContain(`ControlPath=${mux.dir}/%C`);
  });

  it('building commands has no side effect; activate makes a private directory, close removes it', async () => {
    const mux = new SshMux();
    copyCommand(A, B, [P1], flags, mux);
    expect(existsSync(mux.dir)).toBe(false);
    mux.activate();
    expect(statSync(mux.dir).mode & 0o777).toBe(0o700);
    await mux.close({ strictHostKeyChecking: true });
    expect(existsSync(mux.dir)).toBe(false);
    // After close nothing is multiplexed any more.
    expect(mux.local(A)).toBe(A);
  });

  it('a peer copy multiplexes both hops; the nested hop uses a socket directory of its own sender', () => {
    const mux = new SshMux();
    const ab = copyCommand(A, B, [P1], flags, mux);
    const cb = copyCommand(C, B, [P1], flags, mux);
    expect(optionValues(ab.args)).toContain(`ControlPath=${mux.dir}/%C`);
    expect(ab.muxDir).toBeDefined();
    expect(cb.muxDir).toBeDefined();
    // Hosts may share /tmp (the lab does): A's connection to B must never be the deployer's or C's.
    expect(new Set([ab.muxDir, cb.muxDir, mux.dir]).size).toBe(3);
    const remote = ab.args[ab.args.length - 1]!;
    expect(
      remote.startsWith(
        shellJoin(['sh', '-c', REMOTE_WATCHDOG, 'sh', 'sh', '-c', REMOTE_MUX_DIR, 'sh', ab.muxDir!, 'env']),
      ),
    ).toBe(true);
    expect(remote).toContain(`ControlPath=${ab.muxDir}/%C`);
    // Pull: the nested ssh runs on the receiver, so the directory is the receiver's.
    const pull = copyCommand(A, B, [P1], { ...flags, mode: 'pull' }, mux);
    expect(pull.via).toBe('b');
    expect(pull.muxDir).not.toBe(ab.muxDir);
  });

  it('a host whose own options set Control* keeps them (per-host opt-out)', () => {
    const mux = new SshMux();
    const own: SshTarget = { ...B, options: ['ControlMaster=no'] };
    const c = copyCommand('local', own, [P1], flags, mux);
    expect(c.env['NIX_SSHOPTS']).not.toContain('ControlPath');
    expect(c.env['NIX_SSHOPTS']).toContain('ControlMaster=no');
    const peer = copyCommand(A, own, [P1], flags, mux);
    expect(peer.muxDir).toBeUndefined();
    expect(peer.args[peer.args.length - 1]).not.toContain('ControlPath');
  });

  it('refuses bad options', () => {
    expect(() => new SshMux({ persistSeconds: 0 })).toThrow(ConfigError);
    expect(() => new SshMux({ parentDir: 'relative' })).toThrow(ConfigError);
    expect(() => new SshMux({ parentDir: `/${'x'.repeat(31)}` })).toThrow(ConfigError);
    expect(new SshMux({ parentDir: `/${'x'.repeat(29)}` }).dir.length).toBe(30 + 19);
  });

  it('the executor multiplexes by default and not with multiplex: false', async () => {
    const host = {
      ...A,
      tags: [],
      system: 'x86_64-linux',
      profileType: 'nixos' as const,
      buildOnTarget: false,
    };
    const fleet = { deployer: { id: 'deployer' }, hosts: [host], flakeUri: '.', builders: {} };
    const on = new NixCopyExecutor({ fleet });
    expect(on.commandsFor({ from: 'deployer', to: 'a', paths: [P1] })[0]!.env['NIX_SSHOPTS']).toContain(
      'ControlMaster=auto',
    );
    const off = new NixCopyExecutor({ fleet, multiplex: false });
    expect(off.commandsFor({ from: 'deployer', to: 'a', paths: [P1] })[0]!.env['NIX_SSHOPTS']).not.toContain(
      'Control',
    );
    expect(() => new NixCopyExecutor({ fleet, multiplex: 'yes' as unknown as boolean })).toThrow(ConfigError);
    await on.close();
    await off.close();
  });
});
