import { readFileSync, readdirSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClosureGraph } from '../../src/core/closure.js';
import { ConfigError } from '../../src/core/errors.js';
import type { FailureTreeNode } from '../../src/core/coordinator.js';
import type { CascadeEvent, TransferFailedEvent, TransferStartedEvent } from '../../src/core/events.js';
import type { Outcome, Transfer } from '../../src/core/types.js';
import { pathInfoCommand } from '../../src/remote/commands.js';
import { parsePathInfo } from '../../src/remote/pathInfo.js';
import { runCommand } from '../../src/remote/process.js';
import { runRealCascade } from '../../src/executor/cascade.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { closureInfo, discoverHave } from '../../src/remote/store.js';
import { loadFleetFile } from '../../src/fleet/fleetFile.js';
import { checkHealth } from '../../src/remote/health.js';
import { openRemoteContext } from '../../src/remote/context.js';
import { buildSyntheticClosure, labDown, labKillHost, labUp, type LabState } from '../../src/lab/index.js';
import { requireLabCapabilities } from '../../src/lab/sys.js';
import { NixCopyExecutor, type NixCopyExecutorOptions } from '../../src/executor/nixCopyExecutor.js';
import type { RealFleet } from '../../src/fleet/realFleet.js';
import { acquireLabLock, LAB_TOOLS } from './labLock.js';

/*
 * A real 6-host lab (network + mount namespaces, each with its own /nix and sshd) shared by every scenario
 * below. Needs root, unshare, ip, nix and sshd: a machine without them FAILS here, naming what is missing.
 */

const HOSTS = 6;
// Real processes on a 2-core machine that other jobs share: generous per-test limits, never asserted times.
vi.setConfig({ testTimeout: 120_000 });
let release: () => void = () => undefined;
let lab: LabState;
let fleet: RealFleet;
let paths: string[];
let graph: ClosureGraph;
const dir = `/tmp/nix-cascade-test-lab-${process.pid}`;

async function copy(
  options: Partial<NixCopyExecutorOptions>,
  t: Omit<Transfer, 'id' | 'bytes' | 'round'>,
): Promise<Outcome> {
  const ex = new NixCopyExecutor({ fleet, checkSigs: false, ...options });
  // The real executor ignores `bytes` (nix copy moves what the paths are); 0 keeps this usable for any closure.
  ex.start([{ id: 7, bytes: 0, round: 0, ...t }]);
  const o = await ex.next();
  expect(ex.active).toBe(0);
  await ex.close();
  return o;
}

async function held(host: string): Promise<string[]> {
  const one = { ...fleet, hosts: fleet.hosts.filter((h) => h.id === host) };
  return (await discoverHave(one, paths, undefined, { includeDeployer: false })).have.get(host) ?? [];
}

async function freshClosure(seed: string): Promise<string> {
  return (await buildSyntheticClosure({ sizeMb: 4, paths: 6, seed, workDir: dir })).toplevel;
}

/** Runs a registered strategy on the lab and checks what only the real stores can tell. */
async function cascade(
  strategy: string,
  seed: string,
  healthCheck: boolean,
  before?: (toplevel: string) => Promise<void>,
  onEvent?: (e: CascadeEvent) => void,
) {
  const events: CascadeEvent[] = [];
  const toplevel = await freshClosure(seed);
  if (before) await before(toplevel);
  const run = await runRealCascade({
    fleet,
    strategy: getStrategy(strategy),
    paths: [toplevel],
    checkSigs: false,
    healthCheck,
    onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    },
  });
  return {
    run,
    events,
    toplevel,
    started: events.filter((e): e is TransferStartedEvent => e.type === 'transfer-started'),
  };
}

/** Per host, how many of `want` its store lists as valid, asked with `nix path-info --store ssh-ng://…`. */
async function pathInfoValid(want: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const h of fleet.hosts) {
    const r = await runCommand(pathInfoCommand(h, want, true), { timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(/error/i);
    out.set(h.id, parsePathInfo(r.stdout).filter((e) => e.valid && want.includes(e.path)).length);
  }
  return out;
}

/** The failure-tree node of `host`, wherever it hangs. */
function findNode(nodes: readonly FailureTreeNode[], host: string): FailureTreeNode | undefined {
  for (const n of nodes) {
    if (n.host === host) return n;
    const below = findNode(n.children, host);
    if (below) return below;
  }
  return undefined;
}

/** Live ssh master connections of the executor's multiplexer (`ssh: …/ncmux-… [mux]`). */
function muxMasters(): string[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })
    .filter((c) => c.includes('/ncmux-') && c.includes('[mux]'));
}

beforeAll(async () => {
  requireLabCapabilities(LAB_TOOLS);
  release = await acquireLabLock();
  lab = await labUp({ hosts: HOSTS, dir, uplink: '400mbit', downlink: '400mbit' });
  fleet = loadFleetFile(lab.fleetFile);
  const { toplevel } = await buildSyntheticClosure({ sizeMb: 6, paths: 8, seed: 'lab-test', workDir: dir });
  graph = new ClosureGraph(await closureInfo([toplevel]));
  paths = graph.closureOf([toplevel]);
}, 180_000);

afterAll(async () => {
  try {
    if (lab) await labDown(dir, { purge: true });
  } finally {
    release();
  }
}, 60_000);

describe('lab', () => {
  it('writes a fleet file with every host and a deployer', () => {
    expect(fleet.hosts.map((h) => h.id)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    expect(fleet.deployer.id).toBe('deployer');
    expect(new Set(fleet.hosts.map((h) => h.address)).size).toBe(HOSTS);
    expect(paths).toHaveLength(8);
  });

  it('copies deployer → host, then host → host (push) and host → host (pull)', async () => {
    expect(await copy({}, { from: 'deployer', to: 'h1', paths })).toMatchObject({ ok: true });
    expect(await held('h1')).toEqual(paths);
    expect(await held('h2')).toEqual([]);
    expect(await copy({ mode: 'push' }, { from: 'h1', to: 'h2', paths })).toMatchObject({ ok: true });
    expect(await copy({ mode: 'pull' }, { from: 'h2', to: 'h3', paths })).toMatchObject({ ok: true });
    const have = (await discoverHave(fleet, paths)).have;
    for (const h of ['deployer', 'h1', 'h2', 'h3']) expect(have.get(h)).toEqual(paths);
    for (const h of ['h4', 'h5', 'h6']) expect(have.get(h)).toEqual([]);
  });

  it('a transfer too long for one command line runs as several nix copies, locally and peer to peer', async () => {
    const toplevel = await freshClosure('chunks');
    const all = new ClosureGraph(await closureInfo([toplevel])).closureOf([toplevel]);
    const tiny = { maxPathCharsPerCommand: 1 };
    expect(
      new NixCopyExecutor({ fleet, ...tiny }).commandsFor({ from: 'h2', to: 'h3', paths: all }),
    ).toHaveLength(all.length);
    expect(await copy(tiny, { from: 'deployer', to: 'h2', paths: all })).toMatchObject({ ok: true });
    expect(await copy({ ...tiny, mode: 'push' }, { from: 'h2', to: 'h3', paths: all })).toMatchObject({
      ok: true,
    });
    const have = (await discoverHave(fleet, all, undefined, { includeDeployer: false })).have;
    for (const h of ['h2', 'h3']) expect(have.get(h)).toEqual(all);
  });

  it('push-parallel delivers the closure to every host, all from the deployer', async () => {
    const { run, started } = await cascade('push-parallel', 'e2e-push', false);
    expect(run.result.success).toBe(true);
    expect(run.result.hostsDone).toBe(HOSTS);
    expect([...run.verified.values()]).toEqual(Array(HOSTS).fill(true));
    expect(started.every((t) => t.from === 'deployer')).toBe(true);
    expect(run.perHostSeconds.size).toBe(HOSTS);
    // The run's ssh master connections are gone with it.
    for (let i = 0; i < 50 && muxMasters().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(muxMasters()).toEqual([]);
  });

  it('log2-fanout delivers peer to peer: the deployer sends only ⌈log₂(N+1)⌉ times', async () => {
    const { run, started } = await cascade('log2-fanout', 'e2e-log2', true);
    expect(run.unhealthy).toEqual([]);
    expect(run.result.success).toBe(true);
    expect([...run.verified.values()]).toEqual(Array(HOSTS).fill(true));
    expect(started.filter((t) => t.from === 'deployer')).toHaveLength(Math.ceil(Math.log2(HOSTS + 1)));
    expect(started.some((t) => t.from !== 'deployer' && t.to !== 'deployer')).toBe(true);
    expect(run.result.rounds).toBe(Math.ceil(Math.log2(HOSTS + 1)));
  });

  it('swarm (path-level) delivers to every host and never re-sends a path a host already holds', async () => {
    let preloaded: string[] = [];
    const {
      run,
      started,
      toplevel: top,
    } = await cascade('swarm', 'e2e-swarm', false, async (toplevel) => {
      const info = new ClosureGraph(await closureInfo([toplevel]));
      const all = info.closureOf([toplevel]);
      // h3 already holds the first two paths (in reference order, so they are a valid sub-closure).
      preloaded = all.slice(0, 2);
      expect(await copy({}, { from: 'deployer', to: 'h3', paths: preloaded })).toMatchObject({ ok: true });
    });
    expect(preloaded).toHaveLength(2);
    expect(run.result.success).toBe(true);
    expect(run.result.hostsDone).toBe(HOSTS);
    expect([...run.verified.values()]).toEqual(Array(HOSTS).fill(true));
    const sentToH3 = started.filter((t) => t.to === 'h3').flatMap((t) => t.paths);
    expect(sentToH3.length).toBeGreaterThan(0);
    for (const p of preloaded) expect(sentToH3).not.toContain(p);
    // Path-level: hosts serve each other, not only the deployer, one store path (or bundle) at a time.
    expect(started.some((t) => t.from !== 'deployer')).toBe(true);
    expect(started.some((t) => t.paths.length < run.closure.length)).toBe(true);
    // Every host's own store, asked with nix path-info, lists the whole closure as valid.
    const all = new ClosureGraph(run.closure).closureOf([top]);
    expect(all).toHaveLength(6);
    expect([...(await pathInfoValid(all)).values()]).toEqual(Array(HOSTS).fill(all.length));
  });

  it('the peer copy really runs on the sender: its own store is what it sends from', async () => {
    // h4 lacks the paths, so a push from h4 must fail inside h4's nix, not silently use the deployer's store.
    const o = await copy({ mode: 'push' }, { from: 'h4', to: 'h5', paths: paths.slice(0, 1) });
    expect(o.ok).toBe(false);
    expect(await held('h5')).toEqual([]);
  });

  it('refuses unsigned paths unless --no-check-sigs, with a cause that says what to do', async () => {
    const o = await copy({ checkSigs: true }, { from: 'deployer', to: 'h4', paths: paths.slice(0, 2) });
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.cause).toMatchObject({ kind: 'permanent', code: 'copy-failed', host: 'h4' });
    expect(o.cause.message).toMatch(/signature/);
    expect(o.cause.message).toMatch(/--no-check-sigs/);
    expect(await held('h4')).toEqual([]);
  });

  it('discoverHave reports a path already present', async () => {
    const first = paths[0]!;
    expect(await copy({}, { from: 'deployer', to: 'h5', paths: [first] })).toMatchObject({ ok: true });
    const d = await discoverHave(fleet, paths);
    expect(d.have.get('h5')).toEqual([first]);
    expect(d.errors.size).toBe(0);
  });

  it('a transfer over its time limit is a transient timeout', async () => {
    const o = await copy({ timeouts: { transfer: 0.05 } }, { from: 'deployer', to: 'h4', paths });
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.cause).toMatchObject({ kind: 'transient', code: 'timeout', host: 'h4' });
  });

  it('cancelling a peer copy stops the nix copy on the sender too, not only the local ssh', async () => {
    const h6 = fleet.hosts.find((h) => h.id === 'h6')!;
    const remoteCopies = (): string[] =>
      readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .map((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          } catch {
            return [];
          }
        })
        // The sender's own `nix … copy --to ssh-ng://root@<h6>`, not the local ssh carrying it.
        .filter(
          (argv) =>
            argv[0] === 'nix' && argv.includes('copy') && argv.includes(`ssh-ng://root@${h6.address}`),
        )
        .map((argv) => argv.join(' '));
    const ex = new NixCopyExecutor({ fleet, checkSigs: false });
    ex.start([{ id: 3, from: 'h1', to: 'h6', paths, bytes: 0, round: 0 }]);
    for (let i = 0; i < 400 && remoteCopies().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    ex.cancel(3);
    const o = await ex.next();
    await ex.close();
    for (let i = 0; i < 100 && remoteCopies().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(remoteCopies()).toEqual([]);
    if (!o.ok) expect(o.cause.code).toBe('cancelled');
  });

  it('a host whose sshd is killed mid-run ends in the failure tree with the real cause; all others finish', async () => {
    // log2-fanout reaches h6 only in round 3; its sshd (and every session it runs) is killed as soon as the
    // first copy of round 1 has finished, while the cascade is running.
    const victim = 'h6';
    let kill: Promise<number[]> | undefined;
    const { run, started } = await cascade('log2-fanout', 'e2e-dead', false, undefined, (e) => {
      if (e.type === 'transfer-finished' && kill === undefined) kill = labKillHost(dir, victim);
    });
    expect(kill).toBeDefined();
    expect((await kill!).length).toBeGreaterThan(0);
    expect(started.some((t) => t.to === victim)).toBe(true);
    expect(run.result.success).toBe(false);
    expect(run.result.hostsDone).toBe(HOSTS - 1);
    expect(run.result.failed.map((f) => [f.host, f.kind, f.code])).toEqual([
      [victim, 'permanent', 'unreachable'],
    ]);
    expect(run.result.failed[0]!.message).toMatch(/Connection refused/);
    const node = findNode(run.result.failureTree, victim);
    expect(node?.failure).toMatchObject({ host: victim, code: 'unreachable' });
    for (const h of fleet.hosts) expect(run.verified.get(h.id)).toBe(h.id !== victim);

    // Each single copy involving the dead host says so too: as receiver, as sender, and as the far end
    // of a nested peer copy.
    const toH6 = await copy({}, { from: 'deployer', to: 'h6', paths: paths.slice(1) });
    expect(toH6.ok).toBe(false);
    if (toH6.ok) return;
    expect(toH6.cause).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'h6' });
    expect(toH6.cause.message).toMatch(/Connection refused/);
    const fromH6 = await copy({ mode: 'push' }, { from: 'h6', to: 'h4', paths: paths.slice(0, 1) });
    expect(fromH6.ok).toBe(false);
    if (fromH6.ok) return;
    expect(fromH6.cause).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'h6' });
    const intoH6 = await copy({ mode: 'push' }, { from: 'h1', to: 'h6', paths: paths.slice(1) });
    expect(intoH6.ok).toBe(false);
    if (intoH6.ok) return;
    expect(intoH6.cause).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'h6' });
  });

  it('health reports the dead host with its reason and the others healthy', async () => {
    const reports = await checkHealth(fleet, undefined, { requiredBytes: graph.bytes(paths) });
    expect(reports.map((r) => r.host)).toEqual(fleet.hosts.map((h) => h.id));
    const h6 = reports.find((r) => r.host === 'h6')!;
    expect(h6.healthy).toBe(false);
    expect(h6.sshReachable).toBe(false);
    expect(h6.reasons.join(' ')).toMatch(/unreachable/);
    for (const r of reports.filter((x) => x.host !== 'h6')) {
      expect(r.reasons).toEqual([]);
      expect(r).toMatchObject({ healthy: true, sshReachable: true, storeAnswers: true, trusted: true });
      expect(r.freeBytes).toBeGreaterThan(0);
    }
    const greedy = await checkHealth({ ...fleet, hosts: fleet.hosts.slice(0, 1) }, undefined, {
      requiredBytes: 1e18,
    });
    expect(greedy[0]!.healthy).toBe(false);
    expect(greedy[0]!.reasons.join(' ')).toMatch(/free/);
  });
});

describe('bad input on a live lab', () => {
  it('a store path that is not in the deployer store is a ConfigError saying to build it', async () => {
    await expect(closureInfo(['/nix/store/00000000000000000000000000000000-not-built'])).rejects.toThrow(
      ConfigError,
    );
  });

  it('an unreachable address is a permanent failure and an unhealthy host, not a hang', async () => {
    const ghost = { ...fleet.hosts[0]!, id: 'ghost', address: lab.bridgeAddress.replace(/\.1$/, '.250') };
    const withGhost: RealFleet = { ...fleet, hosts: [...fleet.hosts.slice(0, 1), ghost] };
    const ex = new NixCopyExecutor({ fleet: withGhost, checkSigs: false, timeouts: { transfer: 60 } });
    ex.start([{ id: 1, from: 'deployer', to: 'ghost', paths: paths.slice(0, 1), bytes: 0, round: 0 }]);
    const o = await ex.next();
    await ex.close();
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.cause).toMatchObject({ kind: 'permanent', code: 'unreachable', host: 'ghost' });
    const [, report] = await checkHealth(
      withGhost,
      openRemoteContext({ multiplex: false, timeouts: { probe: 30 } }),
    );
    expect(report).toMatchObject({ host: 'ghost', healthy: false, sshReachable: false });
  });

  it('a fleet with no healthy host is a result listing them, not an exception', async () => {
    const ghost = { ...fleet.hosts[0]!, id: 'ghost', address: lab.bridgeAddress.replace(/\.1$/, '.250') };
    const run = await runRealCascade({
      fleet: { ...fleet, hosts: [ghost] },
      strategy: getStrategy('swarm'),
      paths: [await freshClosure('e2e-ghost')],
      checkSigs: false,
    });
    expect(run.unhealthy.map((r) => r.host)).toEqual(['ghost']);
    expect(run.result.hosts).toBe(0);
  });

  it('cancelling a real run stops it, keeps what arrived, and skips the verification', async () => {
    const abort = new AbortController();
    const run = await runRealCascade({
      fleet,
      strategy: getStrategy('log2-fanout'),
      paths: [await freshClosure('e2e-cancel')],
      checkSigs: false,
      healthCheck: false,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === 'transfer-started') abort.abort();
      },
    });
    expect(run.result.reason).toBe('cancelled');
    expect(run.verified.size).toBe(0);
  });

  it('Ctrl-C on the cascade command cancels the copies and still writes the report and the trace', async () => {
    // Six copies of 120 MB through the deployer's 400 Mbit/s take at least 14 s.
    const { toplevel } = await buildSyntheticClosure({
      sizeMb: 120,
      paths: 4,
      seed: 'e2e-sigint',
      workDir: dir,
    });
    const trace = `${dir}/sigint.jsonl`;
    const args = [
      'cascade',
      '--fleet',
      lab.fleetFile,
      '--paths',
      toplevel,
      '--no-check-sigs',
      '--no-health-check',
    ];
    const child = execa(
      'node',
      ['bin/nix-cascade.js', ...args, '--strategy', 'push-parallel', '--trace', trace, '--json'],
      { reject: false },
    );
    // Interrupt once a copy runs: a child `nix copy` means the CLI's handler is installed (a fixed delay
    // raced the CLI's start-up on a loaded machine, and a SIGINT before the handler kills it outright).
    const deadline = Date.now() + 60_000;
    while (!childCommands(child.pid!).some((argv) => argv.includes('copy'))) {
      if (Date.now() > deadline) throw new Error('no nix copy started within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(1); // cancelled: hosts left unreached
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'cancelled' });
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'run-finished', reason: 'cancelled' });
  }, 120_000);

  it('a run whose transfers all time out retries, then reports the hosts failed', async () => {
    const events: CascadeEvent[] = [];
    const run = await runRealCascade({
      fleet: { ...fleet, hosts: fleet.hosts.slice(0, 2) },
      strategy: getStrategy('push-parallel'),
      paths: [await freshClosure('e2e-timeout')],
      checkSigs: false,
      healthCheck: false,
      timeouts: { transfer: 0.05 },
      maxAttemptsPerHost: 2,
      onEvent: (e) => events.push(e),
    });
    expect(run.result.success).toBe(false);
    expect(run.result.hostsDone).toBe(0);
    const failedTransfers = events.filter((e): e is TransferFailedEvent => e.type === 'transfer-failed');
    expect(failedTransfers.every((e) => e.code === 'timeout' && e.kind === 'transient')).toBe(true);
    for (const h of ['h1', 'h2']) {
      // A killed copy may still land a path or two (the remote side finishes what it had), and the probe
      // after the next failure then reports it delivered: that is progress, which restarts the count at
      // that failure. So the host is given up after exactly maxAttemptsPerHost failed copies counted from
      // the last one that made progress, and a path reported delivered is never offered to it again.
      const mine = failedTransfers.filter((e) => e.to === h);
      let streak = 0;
      for (const e of mine) streak = e.delivered.length > 0 ? 1 : streak + 1;
      expect(streak).toBe(2);
      const delivered = new Set<string>();
      for (const e of events) {
        if (e.type === 'transfer-started' && e.to === h)
          expect(e.paths.filter((p) => delivered.has(p))).toEqual([]);
        if (e.type === 'transfer-failed' && e.to === h) for (const p of e.delivered) delivered.add(p);
      }
    }
    expect(run.result.failed.map((f) => f.host).sort()).toEqual(['h1', 'h2']);
    for (const f of run.result.failed) {
      expect(f.code).toBe('retries-exhausted');
      expect(f.message).toMatch(/after 2 failed attempts in a row; last: timeout: no result after 0\.05 s/);
    }
  });
});

describe('lab down', () => {
  it('leaves no process, mount, namespace or link behind, and is safe to run twice', async () => {
    const down = await labDown(dir);
    expect(down.found).toBe(true);
    expect(down.leftovers).toEqual([]);
    const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    const ours = procs.filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });
    expect(ours).toEqual([]);
    const netns = (await execa('ip', ['netns', 'list'])).stdout;
    expect(netns).not.toContain(`nc${lab.id}-`);
    const links = (await execa('ip', ['-o', 'link', 'show'])).stdout;
    expect(links).not.toContain(`nc${lab.id}`);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(dir);
    expect(mounts).not.toContain(`/run/netns/nc${lab.id}-`);
    const again = await labDown(dir);
    expect(again.killed).toEqual([]);
    expect(again.linksDeleted).toEqual([]);
    expect(again.netnsDeleted).toEqual([]);
  });
});

/** The argv of every process whose parent is `pid` (from /proc; processes that exit meanwhile are skipped). */
function childCommands(pid: number): string[][] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // `pid (comm) state ppid …`: comm may hold spaces, so read past its closing parenthesis.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
        return ppid === String(pid) ? [readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')] : [];
      } catch {
        return [];
      }
    });
}
