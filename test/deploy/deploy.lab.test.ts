/**
 * `nix-cascade deploy` on a real 6-host lab (each host its own /nix, /run and sshd in namespaces), from a
 * local flake without inputs whose hosts look like nixosSystem's (nix/lab/flake.nix): real evaluation,
 * real offline builds, real cascades and real `switch-to-configuration` runs over ssh. Needs root,
 * unshare, ip, nix and sshd: a machine without them FAILS here, naming what is missing.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CascadeEvent } from '../../src/core/events.js';
import type { DeployAction } from '../../src/deploy/actions.js';
import { queryCurrentSystem } from '../../src/deploy/activate.js';
import { evaluateFleet } from '../../src/deploy/eval.js';
import { type DeployOptions, deploy } from '../../src/deploy/pipeline.js';
import type { DeployReport } from '../../src/deploy/report.js';
import { labDown, labKillHost, labUp, type LabState } from '../../src/lab/index.js';
import { requireLabCapabilities } from '../../src/lab/sys.js';
import { type LabFlakeSpec, writeLabFlake } from '../../src/lab/flake.js';
import { type RemoteContext, openRemoteContext } from '../../src/remote/context.js';
import { OFFLINE_NIX_CONFIG } from '../../src/remote/nixEnv.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { main } from '../../src/cli/main.js';
import { acquireLabLock } from '../executor/labLock.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const dir = `/tmp/nix-cascade-test-deploy-${process.pid}`;
const flake = join(dir, 'flake');
const stateDir = join(dir, 'state');
let release: () => void = () => undefined;
let lab: LabState;
let remote: RemoteContext;
let spec: LabFlakeSpec;
const savedNixConfig = process.env['NIX_CONFIG'];

/** The lab flake at `generation`, with per-host overrides. */
function writeFlake(
  generation: string,
  over: Record<string, Partial<LabFlakeSpec['hosts'][number]>> = {},
): void {
  writeLabFlake(flake, { ...spec, generation, hosts: spec.hosts.map((h) => ({ ...h, ...over[h.name] })) });
}

async function run(action: DeployAction, extra: Partial<DeployOptions> = {}, on?: (n: string) => boolean) {
  const source = await evaluateFleet(flake, remote);
  const fleet = { ...source.fleet, hosts: source.fleet.hosts.filter((h) => on?.(h.id) ?? true) };
  const events: CascadeEvent[] = [];
  const report = await deploy({
    action,
    fleet,
    flake,
    broken: source.broken,
    remote,
    strategy: getStrategy('swarm'),
    checkSigs: false,
    stateDir,
    onCascadeEvent: (e) => events.push(e),
    ...extra,
  });
  return { report, events };
}

const hostDir = (name: string): string => lab.hosts.find((h) => h.name === name)!.dir;
const activations = (name: string): string[] => {
  const log = join(hostDir(name), 'nix/var/nix-cascade-lab/activations.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
};
const link = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};
/** The store path the host's system profile points at (profile → system-N-link → store path). */
const profileOf = (name: string): string | undefined => {
  const profiles = join(hostDir(name), 'nix/var/nix/profiles');
  const gen = link(join(profiles, 'system'));
  return gen === undefined ? undefined : link(join(profiles, gen));
};
const runningOf = (name: string): string | undefined => link(join(hostDir(name), 'run/current-system'));
const inStore = (name: string, path: string): boolean => existsSync(join(hostDir(name), path));
const byHost = (r: DeployReport) => Object.fromEntries(r.hosts.map((h) => [h.host, h]));

/** Whether something accepts TCP connections on `address:port` (a lab host's own address). */
function listens(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** What the last CLI run printed (stdout and stderr). */
let printed = '';
/** Runs the CLI quietly; its exit code. */
async function main_(...args: string[]): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  printed = '';
  const keep = (chunk: unknown): boolean => {
    printed += String(chunk);
    return true;
  };
  process.stdout.write = keep;
  process.stderr.write = keep;
  try {
    return await main(args);
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    process.exitCode = undefined;
  }
}
const cli = (...args: string[]): Promise<number> =>
  main_('deploy', ...args, '--state-dir', stateDir, '--no-check-sigs');

beforeAll(async () => {
  requireLabCapabilities(['ip', 'tc', 'unshare', 'sshd', 'ssh', 'ssh-keygen', 'nix', 'nix-daemon']);
  release = await acquireLabLock();
  lab = await labUp({ hosts: 6, dir: join(dir, 'lab') });
  // The deployer's own builds run offline, unsandboxed, without build users (see src/remote/nixEnv.ts);
  // the CLI runs below inherit it.
  process.env['NIX_CONFIG'] = OFFLINE_NIX_CONFIG;
  remote = openRemoteContext({ nixConfig: OFFLINE_NIX_CONFIG });
  const sshOptions = [
    '-i',
    lab.keyFile,
    '-o',
    `UserKnownHostsFile=${lab.knownHostsFile}`,
    '-o',
    'KexAlgorithms=curve25519-sha256',
  ];
  spec = {
    system: 'x86_64-linux',
    salt: `deploy-${process.pid}`,
    generation: 'g1',
    fill: 'random',
    roles: { web: { paths: 6, sizeBytes: 3_000_000 }, db: { paths: 4, sizeBytes: 2_000_000 } },
    hosts: lab.hosts.map((h, i) => ({
      name: h.name,
      role: i % 2 === 0 ? 'web' : 'db',
      profileType: 'nixos',
      deployment: { targetHost: h.address, sshOptions, tags: ['lab', i % 2 === 0 ? 'web' : 'db'] },
      brokenEval: false,
      brokenBuild: false,
      activationExit: 0,
      hostPlatform: 'x86_64-linux',
    })),
  };
  mkdirSync(flake, { recursive: true });
  writeFlake('g1');
});

afterAll(async () => {
  if (savedNixConfig === undefined) delete process.env['NIX_CONFIG'];
  else process.env['NIX_CONFIG'] = savedNixConfig;
  await remote?.close();
  if (lab) await labDown(lab.dir);
  rmSync(dir, { recursive: true, force: true });
  release();
});

describe('deploy switch on the lab', () => {
  let first: Awaited<ReturnType<typeof run>>;

  it('evaluates, builds, delivers each host its own toplevel by cascade and activates each once', async () => {
    first = await run('switch');
    const r = first.report;
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual(lab.hosts.map((h) => [h.name, 'activated']));
    expect(r.success).toBe(true);
    for (const h of r.hosts) {
      expect(h.toplevel).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nixos-system-/);
      expect(activations(h.host)).toEqual([`switch ${h.toplevel}`]);
      expect(profileOf(h.host)).toBe(h.toplevel);
      expect(runningOf(h.host)).toBe(h.toplevel);
      expect(h.bytesReceived).toBeGreaterThan(0);
      expect(h.stages.map((s) => s.stage)).toEqual(['eval', 'check', 'build', 'copy', 'activate']);
    }
    // GC roots keep every built system on the deployer.
    for (const h of r.hosts) expect(readlinkSync(join(stateDir, 'gcroots', h.host))).toBe(h.toplevel);
  });

  it('shared paths cross to each host once, and hosts forwarded them to each other', () => {
    const started = first.events.filter((e) => e.type === 'transfer-started');
    const finished = new Set(first.events.filter((e) => e.type === 'transfer-finished').map((e) => e.id));
    const seen = new Set<string>();
    for (const t of started.filter((t) => finished.has(t.id))) {
      for (const p of t.paths) {
        expect(seen.has(`${t.to} ${p}`)).toBe(false);
        seen.add(`${t.to} ${p}`);
      }
    }
    expect(started.some((t) => t.from !== 'deployer')).toBe(true);
    expect(first.report.cascade?.strategy).toBe('swarm');
  });

  it('a second identical run reports every host unchanged, copies nothing, activates nothing', async () => {
    const again = await run('switch');
    expect(again.report.hosts.every((h) => h.outcome === 'unchanged')).toBe(true);
    expect(again.events).toEqual([]);
    expect(again.report.cascade).toBeUndefined();
    for (const h of again.report.hosts) expect(activations(h.host)).toHaveLength(1);
  });
});

describe('each action does what its name says', () => {
  it('boot, test, dry-activate, build and push, one host each, on a new generation', async () => {
    writeFlake('g2');
    const [boot, test, dry, build, push, pushMode] = lab.hosts.map((h) => h.name);
    const before = Object.fromEntries(
      lab.hosts.map((h) => [
        h.name,
        { profile: profileOf(h.name), running: runningOf(h.name), log: activations(h.name).length },
      ]),
    );
    const results: Record<string, DeployReport> = {};
    for (const [action, host] of [
      ['boot', boot],
      ['test', test],
      ['dry-activate', dry],
      ['build', build],
      ['push', push],
    ] as const) {
      results[host!] = (await run(action, {}, (n) => n === host)).report;
    }
    const top = (h: string): string => results[h]!.hosts[0]!.toplevel!;
    // boot: the profile is the new system, the running one is not; the script ran with `boot`.
    expect(profileOf(boot!)).toBe(top(boot!));
    expect(runningOf(boot!)).toBe(before[boot!]!.running);
    expect(activations(boot!).at(-1)).toBe(`boot ${top(boot!)}`);
    // test: runs the new system, the profile stays.
    expect(runningOf(test!)).toBe(top(test!));
    expect(profileOf(test!)).toBe(before[test!]!.profile);
    expect(activations(test!).at(-1)).toBe(`test ${top(test!)}`);
    // dry-activate: only the script, with its argument.
    expect(profileOf(dry!)).toBe(before[dry!]!.profile);
    expect(runningOf(dry!)).toBe(before[dry!]!.running);
    expect(activations(dry!).at(-1)).toBe(`dry-activate ${top(dry!)}`);
    // build: built on the deployer (its GC root), nothing copied, nothing run.
    expect(results[build!]!.hosts[0]!.outcome).toBe('built');
    expect(readlinkSync(join(stateDir, 'gcroots', build!))).toBe(top(build!));
    expect(inStore(build!, top(build!))).toBe(false);
    expect(activations(build!)).toHaveLength(before[build!]!.log);
    // push: copied, nothing run, profile unchanged.
    expect(results[push!]!.hosts[0]!.outcome).toBe('pushed');
    expect(inStore(push!, top(push!))).toBe(true);
    expect(profileOf(push!)).toBe(before[push!]!.profile);
    expect(activations(push!)).toHaveLength(before[push!]!.log);
    // --copy push (colmena's way) switches too.
    const pushed = (await run('switch', { copy: 'push', parallel: 2 }, (n) => n === pushMode)).report;
    expect(pushed.hosts[0]).toMatchObject({ outcome: 'activated' });
    expect(pushed.hosts[0]!.bytesReceived).toBeGreaterThan(0);
    expect(runningOf(pushMode!)).toBe(pushed.hosts[0]!.toplevel);
  });
});

describe('nix-darwin', () => {
  it('a nix-darwin host: its profile set, then activate-user and activate, as darwin-rebuild runs them', async () => {
    const mac = 'h6';
    writeLabFlake(flake, {
      ...spec,
      generation: 'd1',
      hosts: spec.hosts.map((h) =>
        h.name === mac
          ? { ...h, profileType: 'nix-darwin', deployment: { ...h.deployment, targetUser: 'root' } }
          : h,
      ),
    });
    const { report } = await run('switch', { confirmSeconds: 5 }, (n) => n === mac);
    const top = report.hosts[0]!.toplevel!;
    expect(report.hosts[0]).toMatchObject({ host: mac, outcome: 'activated', system: 'new' });
    expect(top).toMatch(/-darwin-system-h6-lab-d1$/);
    expect(activations(mac).slice(-2)).toEqual([`darwin-activate-user ${top}`, `darwin-activate ${top}`]);
    expect(profileOf(mac)).toBe(top);
    expect(runningOf(mac)).toBe(top);
    writeFlake('g2');
  });
});

describe('magic rollback', () => {
  /** Every host's activation knows its sshd's pid (to resume it), plus per-host overrides. */
  const withSshd = (over: Record<string, Partial<LabFlakeSpec['hosts'][number]>> = {}) =>
    Object.fromEntries(lab.hosts.map((h) => [h.name, { sshdPid: h.sshdPid!, ...over[h.name] }]));
  const [locked, failing, fine, unguarded] = ['h1', 'h2', 'h3', 'h4'];
  let previous: Record<string, string>;

  it('a host that locks ssh out and one whose activation fails go back by themselves; the others are confirmed', async () => {
    writeFlake('r1', withSshd());
    const r1 = (await run('switch', { confirmSeconds: 5 })).report;
    expect(r1.hosts.every((h) => h.outcome === 'activated')).toBe(true);
    for (const h of r1.hosts) expect(h.stages.at(-1)!.detail).toMatch(/confirmed$/);
    previous = Object.fromEntries(r1.hosts.map((h) => [h.host, h.toplevel!]));

    writeFlake('r2', withSshd({ [locked]: { locksOut: true }, [failing]: { activationExit: 1 } }));
    const { report } = await run('switch', { confirmSeconds: 5 }, (n) => [locked, failing, fine].includes(n));
    const by = byHost(report);
    expect(by[locked]).toMatchObject({
      outcome: 'failed',
      stage: 'activate',
      rollback: 'rolled back (not confirmed in 5 s)',
    });
    expect(by[failing]).toMatchObject({
      outcome: 'failed',
      stage: 'activate',
      rollback: 'rolled back (activation failed (exit 1))',
    });
    expect(by[fine]).toMatchObject({ outcome: 'activated' });
    expect(runningOf(fine)).toBe(by[fine]!.toplevel);
    for (const h of [locked, failing]) {
      const bad = by[h]!.toplevel!;
      expect(bad).toMatch(/-lab-r2$/);
      // Back on the old system: profile, running system, and the old system's own activation ran last.
      expect(profileOf(h)).toBe(previous[h]);
      expect(runningOf(h)).toBe(previous[h]);
      expect(activations(h).slice(-2)).toEqual([`switch ${bad}`, `switch ${previous[h]}`]);
      // The bad generation is gone from the profile, so a later rollback cannot return to it.
      const profiles = readdirSync(join(hostDir(h), 'nix/var/nix/profiles'));
      const targets = profiles.map((p) => link(join(hostDir(h), 'nix/var/nix/profiles', p)));
      expect(targets).not.toContain(bad);
    }
    // The locked-out host lets ssh in again (its old system resumed sshd).
    const host = (await evaluateFleet(flake, remote)).fleet.hosts.find((x) => x.id === locked)!;
    expect(await queryCurrentSystem(host, remote)).toMatchObject({
      ok: true,
      current: { running: previous[locked] },
    });
  });

  it('nix-cascade rollback returns a host to its previous generation and activates it', async () => {
    const reportFile = join(dir, 'rollback.json');
    expect(await main_('rollback', '--flake', flake, '--on', fine, '--report', reportFile)).toBe(0);
    const r = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    expect(r.action).toBe('rollback');
    expect(r.hosts).toMatchObject([{ host: fine, outcome: 'rolled-back', toplevel: previous[fine] }]);
    expect(profileOf(fine)).toBe(previous[fine]);
    expect(runningOf(fine)).toBe(previous[fine]);
    expect(activations(fine).at(-1)).toBe(`switch ${previous[fine]}`);
    // An unknown host is bad input: exit 2, nothing touched.
    expect(await main_('rollback', '--flake', flake, '--on', 'nosuchhost')).toBe(2);
  });

  it('--no-rollback leaves a failed activation as it is', async () => {
    writeFlake('r3', withSshd({ [unguarded]: { activationExit: 1 } }));
    const { report } = await run('switch', { rollback: false }, (n) => n === unguarded);
    expect(report.hosts[0]).toMatchObject({ outcome: 'failed', stage: 'activate' });
    expect(report.hosts[0]!.rollback).toBeUndefined();
    expect(profileOf(unguarded)).toBe(report.hosts[0]!.toplevel);
    writeFlake('g2');
  });
});

describe('remote builders', () => {
  it("builds through the fleet's healthy builder (a lab host), and says which it used and left out", async () => {
    const target = lab.hosts[4]!;
    const builder = lab.hosts[5]!;
    const known = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${builder.address} `))!;
    const publicHostKey = Buffer.from(known.split(' ').slice(1).join(' ')).toString('base64');
    const common = { user: 'root', sshKey: lab.keyFile, knownHostsFile: lab.knownHostsFile, publicHostKey };
    writeLabFlake(flake, {
      ...spec,
      generation: 'gb',
      builders: {
        labbuilder: { ...common, host: builder.address, speedFactor: 2 },
        gone: { ...common, host: '10.255.255.1' },
      },
    });
    const { report } = await run('switch', {}, (n) => n === target.name);
    expect(report.hosts[0]).toMatchObject({ host: target.name, outcome: 'activated' });
    const top = report.hosts[0]!.toplevel!;
    expect(inStore(builder.name, top)).toBe(true); // built there, not only copied to the target
    expect(report.notes.some((n) => n.startsWith('building through labbuilder'))).toBe(true);
    expect(report.notes.some((n) => n.startsWith('builder gone left out'))).toBe(true);
    writeFlake('g2');
  });
});

describe('keys', () => {
  const [h5, h6] = ['h5', 'h6'];
  const keyFile = join(dir, 'db-secret');
  const [a, b] = [3000 + (process.pid % 1000), 4000];
  const secrets = {
    text: `text-secret-${process.pid}-tls`,
    file: `file-secret-${process.pid}-db`,
    // The command computes its output: the secret never appears in its argv.
    command: `cmd-secret-${a + b}`,
  };
  const withKeys = (gen: string, text: string): void => {
    const keys = {
      tls: { text, user: 'nobody', group: 'nogroup', permissions: '0640' },
      db: { keyFile, destDir: '/run/keys/db' },
      api: { keyCommand: ['sh', '-c', `printf "cmd-secret-%s" $((${a}+${b}))`], uploadAt: 'post-activation' },
    };
    writeLabFlake(flake, {
      ...spec,
      generation: gen,
      hosts: spec.hosts.map((h) =>
        [h5, h6].includes(h.name) ? { ...h, deployment: { ...h.deployment, keys } } : h,
      ),
    });
  };
  /** Every process's argv and environment seen while `body` runs, sampled every few ms. */
  const watchProcesses = async (body: () => Promise<void>): Promise<string[]> => {
    const seen = new Set<string>();
    const sample = (): void => {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        for (const f of ['cmdline', 'environ']) {
          try {
            seen.add(readFileSync(`/proc/${pid}/${f}`, 'latin1'));
          } catch {
            // gone, or not ours to read
          }
        }
      }
    };
    const timer = setInterval(sample, 5);
    try {
      await body();
    } finally {
      clearInterval(timer);
    }
    return [...seen];
  };
  /** Files under `root` that contain `needle` (grep -rlF; none is exit 1). */
  const grepTree = (root: string, needle: string): string[] => {
    try {
      return execFileSync('grep', ['-rlF', '--', needle, root], { encoding: 'utf8' }).trim().split('\n');
    } catch (e) {
      if ((e as { status?: number }).status === 1) return [];
      throw e;
    }
  };

  it('text, file and command keys land with their owner, group, mode and content, and nowhere else', async () => {
    writeFileSync(keyFile, secrets.file);
    withKeys('k1', secrets.text);
    const reportFile = join(dir, 'keys-report.json');
    const control = `0.0${process.pid}`;
    const traceFile = join(dir, 'keys-trace.jsonl');
    let code = -1;
    const processes = await watchProcesses(async () => {
      code = await cli(
        'switch',
        '--flake',
        flake,
        '--on',
        'h5,h6',
        '--report',
        reportFile,
        '--trace',
        traceFile,
      );
      // A positive control: the sampler does see a short-lived process's argv.
      await new Promise((resolve) => execFile('sleep', ['0.3', control], resolve));
    });
    expect(processes.some((p) => p.includes(control))).toBe(true);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    for (const h of report.hosts) {
      expect(h.outcome).toBe('activated');
      expect(h.stages.map((s) => s.stage)).toEqual([
        'eval',
        'check',
        'build',
        'copy',
        'keys',
        'activate',
        'post-keys',
      ]);
      const keys = join(hostDir(h.host), 'run/keys');
      const tls = statSync(join(keys, 'tls'));
      expect([tls.uid, tls.gid, tls.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
      expect(readFileSync(join(keys, 'tls'), 'utf8')).toBe(secrets.text);
      const db = statSync(join(keys, 'db/db'));
      expect([db.uid, db.gid, db.mode & 0o7777]).toEqual([0, 0, 0o600]);
      expect(readFileSync(join(keys, 'db/db'), 'utf8')).toBe(secrets.file);
      expect(readFileSync(join(keys, 'api'), 'utf8')).toBe(secrets.command);
      // Written atomically: no temporary file is left behind.
      expect(readdirSync(keys).sort()).toEqual(['api', 'db', 'tls']);
      expect(readdirSync(join(keys, 'db'))).toEqual(['db']);
    }
    const outputs = [readFileSync(reportFile, 'utf8'), readFileSync(traceFile, 'utf8'), printed];
    for (const secret of Object.values(secrets)) {
      for (const text of [...outputs, ...processes]) expect(text.includes(secret)).toBe(false);
      for (const h of [h5, h6]) expect(grepTree(join(hostDir(h), 'nix/store'), secret)).toEqual([]);
      // The deployer's store: only the flake's own source copy (its lab.json) may hold a `text` key.
      const hits = grepTree('/nix/store', secret).filter(
        (f) => !/^\/nix\/store\/[^/]+-source\/lab\.json$/.test(f),
      );
      expect(hits).toEqual([]);
    }
  });

  it('deploy keys uploads the keys again and activates nothing', async () => {
    const changed = `text-secret-${process.pid}-rotated`;
    withKeys('k1', changed);
    const before = activations(h5).length;
    const reportFile = join(dir, 'keys-only.json');
    expect(await cli('keys', '--flake', flake, '--on', h5, '--report', reportFile)).toBe(0);
    const r = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    expect(r.hosts).toMatchObject([{ host: h5, outcome: 'keys-uploaded' }]);
    expect(r.hosts[0]!.stages.map((s) => s.stage)).toEqual(['keys']);
    expect(readFileSync(join(hostDir(h5), 'run/keys/tls'), 'utf8')).toBe(changed);
    expect(activations(h5)).toHaveLength(before);
    // A key that cannot be read fails its host, naming the key; the content of the others stays put.
    rmSync(keyFile);
    expect(await cli('keys', '--flake', flake, '--on', h5, '--report', reportFile)).toBe(1);
    const failed = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    expect(failed.hosts[0]).toMatchObject({ outcome: 'failed', stage: 'keys' });
    expect(failed.hosts[0]!.error).toContain('key db');
    expect(readFileSync(join(hostDir(h5), 'run/keys/db/db'), 'utf8')).toBe(secrets.file);
    writeFlake('g2');
  });
});

describe('health checks and a staged rollout', () => {
  it('--batch 2 --max-failures 1: a failing health check in the second wave stops the rollout before the third', async () => {
    const sick = 'h3';
    writeLabFlake(flake, {
      ...spec,
      generation: 'w1',
      hosts: spec.hosts.map((h) => ({
        ...h,
        deployment: {
          ...h.deployment,
          healthChecks: {
            tcp: [{ port: 22, timeout: 5, period: 0, retries: 0 }],
            // Nothing listens on port 9999 of the sick host: refused at once.
            http: h.name === sick ? [{ port: 9999, path: '/health', timeout: 2, period: 0, retries: 1 }] : [],
          },
        },
      })),
    });
    const before = Object.fromEntries(
      lab.hosts.map((h) => [
        h.name,
        { running: runningOf(h.name), profile: profileOf(h.name), log: activations(h.name).length },
      ]),
    );
    const { report } = await run('switch', {
      confirmSeconds: 5,
      rollout: { batch: { count: 2 }, maxFailures: { count: 1 } },
      rollbackOnHealthFailure: true,
    });
    const by = byHost(report);
    for (const h of ['h1', 'h2', 'h4']) {
      expect(by[h]).toMatchObject({ outcome: 'activated' });
      expect(by[h]!.stages.at(-1)).toMatchObject({ stage: 'health', detail: '1 health check passed' });
      expect(runningOf(h)).toBe(by[h]!.toplevel);
    }
    expect(by[sick]).toMatchObject({
      outcome: 'failed',
      stage: 'health',
      rollback: 'rolled back (health check failed)',
    });
    expect(by[sick]!.error).toContain(':9999/health: ECONNREFUSED');
    // --rollback-on-health-failure: back on what it ran before, the bad generation gone from its profile.
    expect(runningOf(sick)).toBe(before[sick]!.running);
    expect(profileOf(sick)).toBe(before[sick]!.profile);
    for (const h of ['h5', 'h6']) {
      expect(by[h]).toMatchObject({ outcome: 'skipped', reason: 'rollout stopped' });
      // Copied (the cascade runs fleet-wide first) but untouched: nothing ran, nothing changed.
      expect(inStore(h, by[h]!.toplevel!)).toBe(true);
      expect(activations(h)).toHaveLength(before[h]!.log);
      expect(runningOf(h)).toBe(before[h]!.running);
    }
    expect(report.notes).toContain('rollout in waves of 2, 2, 2 hosts');
    expect(report.notes).toContain('rollout stopped after wave 2: 1 hosts had failed');
    expect(report.success).toBe(false);
    writeFlake('g2');
  });
});

describe('--reboot', () => {
  it('boot --reboot waits for the new boot and checks the system; a host not back in time fails', async () => {
    writeFlake('rb1');
    const bootId = (h: string): string => readFileSync(join(hostDir(h), 'boot_id'), 'utf8').trim();
    const [back, slow] = ['h4', 'h5'];
    const before = bootId(back);
    const ok = (await run('boot', { reboot: true, rebootTimeout: 60 }, (n) => n === back)).report;
    expect(ok.hosts[0]).toMatchObject({ host: back, outcome: 'activated' });
    const stages = ok.hosts[0]!.stages;
    expect(stages.map((s) => s.stage)).toEqual(['eval', 'check', 'build', 'copy', 'activate', 'reboot']);
    expect(stages.at(-1)!.detail).toMatch(/^rebooted in \d+\.\d s$/);
    expect(bootId(back)).not.toBe(before);
    // After the reboot it runs what the profile says: the new system.
    expect(runningOf(back)).toBe(ok.hosts[0]!.toplevel);
    expect(profileOf(back)).toBe(ok.hosts[0]!.toplevel);
    // The lab host stays down LAB_REBOOT_SECONDS: a 2 s timeout is too short.
    const late = (await run('boot', { reboot: true, rebootTimeout: 2 }, (n) => n === slow)).report;
    expect(late.hosts[0]).toMatchObject({ host: slow, outcome: 'failed', stage: 'reboot' });
    expect(late.hosts[0]!.error).toMatch(/did not come back within 2 s/);
    // It does come back (and later tests use it): its running system is set at once, its sshd listens
    // again only after the reboot's delay, so wait for that too (a quick run of the later tests used to
    // find it still refusing connections).
    await vi.waitFor(() => expect(runningOf(slow)).toBe(late.hosts[0]!.toplevel), {
      timeout: 30_000,
      interval: 500,
    });
    const address = lab.hosts.find((h) => h.name === slow)!.address;
    await vi.waitFor(async () => expect(await listens(address, 22)).toBe(true), {
      timeout: 60_000,
      interval: 500,
    });
    writeFlake('g2');
  });
});

describe('Ctrl-C', () => {
  it('during the second wave: the report names what every host runs, and it is so', async () => {
    writeFlake('cc1');
    const before = Object.fromEntries(lab.hosts.map((h) => [h.name, runningOf(h.name)]));
    const abort = new AbortController();
    const interruptible = openRemoteContext({ nixConfig: OFFLINE_NIX_CONFIG, signal: abort.signal });
    try {
      const { report } = await run('switch', {
        remote: interruptible,
        confirmSeconds: 5,
        rollout: { batch: { count: 2 } },
        onProgress: (e) => {
          if (e.type === 'stage-started' && e.stage === 'activate' && e.host === 'h3') abort.abort();
        },
      });
      const by = byHost(report);
      expect(['h1', 'h2'].map((h) => by[h]!.system)).toEqual(['new', 'new']);
      expect(['h5', 'h6'].map((h) => by[h]!.system)).toEqual(['old', 'old']);
      for (const h of report.hosts) {
        if (h.system === 'new') expect(runningOf(h.host)).toBe(h.toplevel);
        if (h.system === 'old') expect(runningOf(h.host)).toBe(before[h.host]);
        expect(h.system).toBeDefined();
      }
      expect(report.success).toBe(false);
    } finally {
      await interruptible.close();
    }
    writeFlake('g2');
  });
});

describe('the CLI on the lab', () => {
  it('bad input exits 2 and touches nothing: a bad filter, an unknown action, a directory without a flake', async () => {
    const logs = lab.hosts.map((h) => activations(h.name).length);
    expect(await cli('switch', '--flake', flake, '--on', 'nosuchhost')).toBe(2);
    expect(await cli('switch', '--flake', flake, '--on', 'h[1-9]')).toBe(2);
    expect(await cli('apply', '--flake', flake)).toBe(2);
    expect(await cli('switch', '--flake', dir)).toBe(2);
    const badFleet = join(dir, 'bad-fleet.json');
    writeFileSync(badFleet, JSON.stringify({ nodes: { a: { targetHost: 'x', targetPort: 70000 } } }));
    expect(await cli('switch', '--fleet', badFleet)).toBe(2);
    // colmena's meta.allowApplyAll = false: the whole fleet only by naming it.
    writeLabFlake(flake, { ...spec, generation: 'g2', meta: { allowApplyAll: false } });
    expect(await cli('switch', '--flake', flake)).toBe(2);
    writeFlake('g2');
    expect(lab.hosts.map((h) => activations(h.name).length)).toEqual(logs);
  });

  it('--on with names, ranges and tags selects exactly those hosts', async () => {
    const reportFile = join(dir, 'selected.json');
    expect(await cli('build', '--flake', flake, '--on', 'h1,h[2-3],@db', '--report', reportFile)).toBe(0);
    const r = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    // db hosts are the even-numbered ones (h2, h4, h6); `build` touches no host.
    expect(r.hosts.map((h) => h.host)).toEqual(['h1', 'h2', 'h3', 'h4', 'h6']);
    expect(r.hosts.every((h) => h.outcome === 'built')).toBe(true);
  });

  it('one host whose evaluation fails, one whose build fails, one unreachable: the others deploy, exit 1', async () => {
    const [evalFails, buildFails, gone] = lab.hosts.map((h) => h.name);
    writeFlake('g3', { [evalFails!]: { brokenEval: true }, [buildFails!]: { brokenBuild: true } });
    await labKillHost(lab.dir, gone!);
    const reportFile = join(dir, 'report.json');
    expect(await cli('switch', '--flake', flake, '--report', reportFile, '--timeout', '30')).toBe(1);
    const r = JSON.parse(readFileSync(reportFile, 'utf8')) as DeployReport;
    const by = byHost(r);
    expect(by[evalFails!]).toMatchObject({ outcome: 'failed', stage: 'eval' });
    expect(by[evalFails!]!.error).toContain('fails on purpose (brokenEval)');
    expect(by[buildFails!]).toMatchObject({ outcome: 'failed', stage: 'build' });
    expect(by[buildFails!]!.error).toContain('fails on purpose (brokenBuild)');
    expect(by[gone!]).toMatchObject({ outcome: 'failed', stage: 'check' });
    expect(by[gone!]!.error).toMatch(/unreachable|ssh/);
    const others = lab.hosts.map((h) => h.name).slice(3);
    for (const h of others) {
      expect(by[h]!.outcome).toBe('activated');
      expect(runningOf(h)).toBe(by[h]!.toplevel);
      expect(by[h]!.toplevel).toMatch(/-lab-g3$/);
    }
    expect(r.totals).toMatchObject({ hosts: 6, failed: 3, activated: 3 });
  });
});
