import { describe, expect, it } from 'vitest';
import { ConfigError, ExecutorError } from '../../src/core/errors.js';
import {
  copyCommand,
  MAX_PATH_CHARS_PER_COMMAND,
  pathChunks,
  pathInfoCommand,
  REMOTE_WATCHDOG,
  validFromOutput,
  validityCommand,
} from '../../src/remote/commands.js';
import { NixCopyExecutor } from '../../src/executor/nixCopyExecutor.js';
import { runCommand } from '../../src/remote/process.js';
import type { RemoteHosts, SshTarget } from '../../src/remote/ssh.js';

const P1 = '/nix/store/0iihdvh5lp4xy1l3ajc83db13icq5142-nc-smoke-toplevel';
const P2 = '/nix/store/zpvy945lffn0kcz0xc5x59j321k2avjq-nc-smoke-p0';
const A: SshTarget = {
  id: 'a',
  address: '10.0.0.1',
  user: 'root',
  port: 2222,
  identityFile: '/k/id',
  knownHostsFile: '/k/kh',
  options: [],
};
const B: SshTarget = {
  id: 'b',
  address: 'b.example.org',
  user: 'deploy',
  port: 22,
  options: ['ForwardAgent=yes'],
};
const flags = {
  checkSigs: true,
  substituteOnDestination: false,
  strictHostKeyChecking: true,
  mode: 'push' as const,
};

describe('copyCommand', () => {
  it('deployer to host: local nix copy --to ssh-ng with NIX_SSHOPTS', () => {
    const c = copyCommand('local', A, [P2, P1], flags);
    expect(c.file).toBe('nix');
    expect(c.args).toEqual([
      '--extra-experimental-features',
      'nix-command',
      'copy',
      '--to',
      'ssh-ng://root@10.0.0.1',
      P2,
      P1,
    ]);
    expect(c.env['NIX_SSHOPTS']).toBe(
      '-p 2222 -i /k/id -o IdentitiesOnly=yes -o UserKnownHostsFile=/k/kh -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3',
    );
    expect(c.via).toBeUndefined();
  });

  it('adds --no-check-sigs and -s only when asked', () => {
    expect(copyCommand('local', A, [P1], flags).args).not.toContain('--no-check-sigs');
    const c = copyCommand('local', A, [P1], { ...flags, checkSigs: false, substituteOnDestination: true });
    expect(c.args).toContain('--no-check-sigs');
    expect(c.args).toContain('--substitute-on-destination');
  });

  it('host to host, push: ssh A with a quoted remote nix copy --to B', () => {
    const c = copyCommand(A, B, [P1], flags);
    expect(c.file).toBe('ssh');
    expect(c.via).toBe('a');
    const dashdash = c.args.indexOf('--');
    expect(c.args[dashdash - 1]).toBe('root@10.0.0.1');
    expect(c.args.slice(0, dashdash)).toContain('StrictHostKeyChecking=yes');
    expect(c.args).toHaveLength(dashdash + 2);
    expect(c.keepStdinOpen).toBe(true);
    expect(c.args[dashdash + 1]).toBe(
      `sh -c '${REMOTE_WATCHDOG.replaceAll("'", `'\\''`)}' sh ` +
        "env 'NIX_SSHOPTS=-o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o ForwardAgent=yes' " +
        `nix --extra-experimental-features nix-command copy --to ssh-ng://deploy@b.example.org ${P1}`,
    );
  });

  it('host to host, pull: ssh B with nix copy --from A', () => {
    const c = copyCommand(A, B, [P1], { ...flags, mode: 'pull', checkSigs: false });
    expect(c.via).toBe('b');
    const remote = c.args[c.args.length - 1]!;
    expect(c.args[c.args.length - 3]).toBe('deploy@b.example.org');
    expect(remote).toContain('copy --no-check-sigs --from ssh-ng://root@10.0.0.1');
    expect(remote).toContain("'NIX_SSHOPTS=-p 2222 -i /k/id");
  });

  it('host to deployer: local nix copy --from', () => {
    const c = copyCommand(A, 'local', [P1], flags);
    expect(c.args).toContain('--from');
    expect(c.args).not.toContain('--to');
  });

  it('turning host-key checking off is explicit', () => {
    expect(
      copyCommand('local', A, [P1], { ...flags, strictHostKeyChecking: false }).env['NIX_SSHOPTS'],
    ).toContain('StrictHostKeyChecking=no');
  });

  it('path-info: local without --store, remote with --store', () => {
    expect(pathInfoCommand('local', [P1], true).args).toEqual([
      '--extra-experimental-features',
      'nix-command',
      'path-info',
      '--json',
      P1,
    ]);
    const r = pathInfoCommand(B, [P1], true, true);
    expect(r.args).toEqual([
      '--extra-experimental-features',
      'nix-command',
      'path-info',
      '--json',
      '--recursive',
      '--store',
      'ssh-ng://deploy@b.example.org',
      P1,
    ]);
    expect(r.env['NIX_SSHOPTS']).toContain('ForwardAgent=yes');
  });
});

describe('NixCopyExecutor validation', () => {
  const fleet = (hosts: RemoteHosts['hosts']): RemoteHosts => ({ deployer: { id: 'deployer' }, hosts });
  const host = (id: string, address: string) => ({
    ...A,
    id,
    address,
    tags: [],
    system: 'x86_64-linux',
    profileType: 'nixos' as const,
    buildOnTarget: false,
  });

  it('refuses bad addresses, duplicate hosts and bad options', () => {
    expect(() => new NixCopyExecutor({ fleet: fleet([host('a', 'x;rm -rf /')]) })).toThrow(ConfigError);
    expect(
      () => new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1'), host('a', '10.0.0.2')]) }),
    ).toThrow(ConfigError);
    expect(
      () => new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1')]), timeouts: { transfer: 0 } }),
    ).toThrow(ConfigError);
    expect(
      () => new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1')]), mode: 'sideways' as 'push' }),
    ).toThrow(ConfigError);
  });

  it('refuses unknown hosts and malformed store paths before starting anything', () => {
    const ex = new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1'), host('b', 'fe80::1')]) });
    expect(() =>
      ex.start([{ id: 0, from: 'deployer', to: 'nope', paths: [P1], bytes: 1, round: 0 }]),
    ).toThrow(ConfigError);
    expect(() =>
      ex.start([{ id: 0, from: 'deployer', to: 'a', paths: ['/nix/store/x; reboot'], bytes: 1, round: 0 }]),
    ).toThrow(ConfigError);
    expect(() =>
      ex.start([{ id: 0, from: 'deployer', to: 'a', paths: [`${P1} --to evil`], bytes: 1, round: 0 }]),
    ).toThrow(ConfigError);
    expect(ex.active).toBe(0);
    expect(ex.commandsFor({ from: 'a', to: 'b', paths: [P1] })[0]!.args).toContain('root@10.0.0.1');
  });

  it('refuses a batch that repeats a transfer id before starting any of it', () => {
    const ex = new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1'), host('b', '10.0.0.2')]) });
    const t = { id: 7, from: 'deployer', to: 'a', paths: [P1], bytes: 1, round: 0 };
    expect(() => ex.start([t, { ...t, to: 'b' }])).toThrow(ExecutorError);
    expect(ex.active).toBe(0);
  });

  it('cuts a large closure into commands that each fit one argument (Linux: 128 KiB)', () => {
    // A NixOS system closure has 1,500–3,000 paths; in one peer copy its remote command was 140 KB: E2BIG.
    const paths = Array.from(
      { length: 3000 },
      (_, i) => `/nix/store/${String(i).padStart(32, '0')}-package-${i}-1.2.3`,
    );
    const isPath = new Set(paths);
    // Local copies pass paths as arguments; a peer copy's remote command is one argument of words.
    const carried = (c: { args: readonly string[] }) =>
      c.args
        .join(' ')
        .split(' ')
        .filter((w) => isPath.has(w));
    const ex = new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1'), host('b', '10.0.0.2')]) });
    for (const [from, to] of [
      ['a', 'b'],
      ['deployer', 'a'],
    ] as const) {
      const cmds = ex.commandsFor({ from, to, paths });
      expect(cmds.length).toBeGreaterThan(1);
      for (const c of cmds)
        expect(Math.max(...c.args.map((a) => Buffer.byteLength(a)))).toBeLessThan(128 * 1024);
      expect(cmds.flatMap(carried)).toEqual(paths);
    }
  });

  it('uses the injected clock', () => {
    const ex = new NixCopyExecutor({ fleet: fleet([host('a', '10.0.0.1')]), clock: () => 42 });
    expect(ex.now()).toBe(42);
  });
});

describe('pathChunks', () => {
  it('keeps the order, stays within the limit, and gives an oversized path a run of its own', () => {
    const paths = [
      '/nix/store/a',
      '/nix/store/bb',
      '/nix/store/ccc',
      '/nix/store/' + 'd'.repeat(40),
      '/nix/store/e',
    ];
    const chunks = pathChunks(paths, 30);
    expect(chunks.flat()).toEqual(paths);
    for (const c of chunks)
      expect(c.length === 1 || c.reduce((n, p) => n + p.length + 1, 0) <= 30).toBe(true);
    expect(chunks).toContainEqual([paths[3]]);
    expect(pathChunks([P1, P2])).toEqual([[P1, P2]]);
    expect(pathChunks([])).toEqual([]);
    expect(MAX_PATH_CHARS_PER_COMMAND).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('validityCommand', () => {
  it('asks one store for invalid paths and derives the valid ones', () => {
    expect(validityCommand('local', [P1, P2], true).args).toEqual([
      '--check-validity',
      '--print-invalid',
      P1,
      P2,
    ]);
    const r = validityCommand(A, [P1], true);
    expect(r.file).toBe('nix-store');
    expect(r.args.slice(0, 2)).toEqual(['--store', 'ssh-ng://root@10.0.0.1']);
    expect(r.env['NIX_SSHOPTS']).toContain('-p 2222');
    expect(validFromOutput([P1, P2], `${P2}\n`)).toEqual([P1]);
    expect(validFromOutput([P1, P2], '')).toEqual([P1, P2]);
  });
});

describe('runCommand', () => {
  it('says which program could not start, without repeating its arguments', async () => {
    const r = await runCommand({ file: 'nix-cascade-no-such-program', args: ['x'.repeat(10_000)], env: {} });
    expect(r.ok).toBe(false);
    expect(r.spawnError).toContain('nix-cascade-no-such-program');
    expect(r.spawnError!.length).toBeLessThan(200);
  });
});
