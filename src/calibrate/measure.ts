/**
 * Measures a real fleet's parameters for the simulator, each by the copy that isolates it (see the
 * README's `calibrate` section for the model every number feeds):
 *
 * 1. round trip deployer → host: TCP connects to its ssh port;
 * 2. the fixed cost of one copy, deployer → host and host → host, with and without ssh multiplexing:
 *    medians of copies of one tiny new path each;
 * 3. the cost per store path: one copy of many tiny paths against one of a single path;
 * 4. each host's downlink: a probe closure of one big path copied from the deployer, host by host;
 * 5. each host's uplink: its probe sent to a peer, in two or three phases of {@link uplinkPhases} (half the
 *    hosts send while the other half receive, then the other way round): no link is shared, and no host
 *    sends and receives at once (its outgoing acknowledgements would queue behind its own data);
 * 6. the deployer's uplink: one probe copied to up to 16 hosts at once;
 * 7. each host's import rate: the host copies its probe into a scratch store of its own, no network.
 *
 * Every transfer time is then read with the simulator's own model, `latency + setup + paths × perPath +
 * bytes ÷ rate`, so the scenario written from these numbers reproduces the probes it was measured by.
 */
import { ConfigError } from '../core/errors.js';
import type { HostId, PathId } from '../core/types.js';
import { NixCopyExecutor } from '../executor/index.js';
import type { RealFleet, RealHost } from '../fleet/realFleet.js';
import type { RemoteContext } from '../remote/context.js';
import { onHost, queryValidity, runCommand } from '../remote/index.js';
import { pathChunks } from '../remote/commands.js';
import { buildProbe, median, type Probe, tcpRoundTrip, timeCopies, timeLocalImport } from './probes.js';

/** What {@link measureFleet} measured of one target. */
export interface HostMeasurement {
  readonly host: HostId;
  /** Round trip deployer → host, seconds (the model's one-way latency is half of it). */
  readonly rttSeconds: number;
  /** Bytes per second a copy from the deployer reached (its link, or the deployer's if slower). */
  readonly downlink: number;
  /**
   * Bytes per second a copy from this host to its peer of {@link uplinkPhases} reached: its uplink, or the
   * peer's downlink when that is slower (a lower bound then). A fleet of one target has no peer: its downlink.
   */
  readonly uplink: number;
  /** Bytes per second the host imports at without a network (CPU and disk); undefined when too fast to tell. */
  readonly importRate: number | undefined;
}

/** Fixed seconds per copy by sender kind. */
export interface SetupCost {
  readonly deployer: number;
  readonly peer: number;
}

/** Everything {@link measureFleet} measured. */
export interface FleetMeasurement {
  readonly hosts: readonly HostMeasurement[];
  /** Bytes per second the deployer sent at to several hosts at once (at least its fastest single copy). */
  readonly deployerUplink: number;
  /** Fixed seconds per copy with ssh multiplexing (after a pair's first copy). */
  readonly setupSeconds: SetupCost;
  /** Fixed seconds per copy without multiplexing (and of a pair's first copy). */
  readonly setupSecondsUnmultiplexed: SetupCost;
  /** Seconds each store path of a copy adds. */
  readonly perPathSeconds: number;
  /** Bytes of each bulk probe. */
  readonly probeBytes: number;
  /** The raw wall times behind every number, seconds. */
  readonly raw: Readonly<Record<string, number | readonly number[]>>;
}

/** Options of {@link measureFleet}. */
export interface MeasureOptions {
  /** The hosts to measure (reachable ones: `calibrate` leaves the others out first). */
  readonly fleet: RealFleet;
  /** The multiplexed context the cascades will use. */
  readonly remote: RemoteContext;
  /** A context without multiplexing, for the unmultiplexed fixed cost. */
  readonly unmultiplexed: RemoteContext;
  /** Bytes of each bulk probe: big enough that its bytes, not the fixed cost, dominate its copy. */
  readonly probeBytes: number;
  /** Tiny copies per median. @defaultValue 5 */
  readonly samples?: number;
  /** Unique to this calibration: part of every probe path's name, so no host holds a probe already. */
  readonly tag: string;
  readonly checkSigs: boolean;
  /** Called with a line per step. */
  readonly progress?: (line: string) => void;
}

/** Hosts a shared probe goes to at once to find the deployer's uplink. */
const FAN_OUT = 16;
/** Tiny paths copied in one transfer to find the cost per path. */
const PER_PATH_BATCH = 20;

/**
 * The copies that measure uplinks, as phases of `[sender, receiver]` fleet positions: every host sends
 * once, and within a phase no host both sends and receives, nor receives twice. The first half sends to
 * the second, then the second to the first; with an odd count the first half's extra host sends last.
 * On a machine whose hosts share its CPU this also halves the copies at once (the lab's eight-at-once
 * ring read uplinks 18–41 % low).
 */
export function uplinkPhases(hosts: number): (readonly [number, number])[][] {
  if (hosts < 2) return [];
  const half = Math.floor(hosts / 2);
  const second = hosts - half;
  const pairs = Array.from({ length: half }, (_, i) => i);
  const phases = [pairs.map((i) => [i, second + i] as const), pairs.map((i) => [second + i, i] as const)];
  if (hosts % 2 === 1) phases.push([[half, second]]);
  return phases;
}

/**
 * Measures the fleet (see the file comment). Leaves probe paths on the hosts and the deployer (returned:
 * {@link deletePaths} removes them).
 * @throws ConfigError when a probe is too small to measure a rate; ExecutorError when a probe copy fails.
 */
export async function measureFleet(
  o: MeasureOptions,
): Promise<{ measurement: FleetMeasurement; probes: Probe[] }> {
  const { fleet, remote } = o;
  const say = o.progress ?? ((): void => undefined);
  const samples = o.samples ?? 5;
  const hosts = fleet.hosts;
  if (hosts.length === 0) throw new ConfigError('no host to measure', 'fleet');
  const d = fleet.deployer.id;
  const raw: Record<string, number | number[]> = {};
  const probes: Probe[] = [];
  const probe = async (name: string, bytes: number, paths: number): Promise<Probe> => {
    const p = await buildProbe(`${o.tag}-${name}`, bytes, paths, remote);
    probes.push(p);
    return p;
  };
  const executor = (ctx: RemoteContext): NixCopyExecutor =>
    new NixCopyExecutor({ fleet, checkSigs: o.checkSigs, remote: ctx });

  say('round trips (TCP connect to each ssh port)');
  const rtt = new Map<HostId, number>();
  for (const h of hosts) rtt.set(h.id, await tcpRoundTrip(h, samples));
  const latency = (a: HostId, b: HostId): number => ((rtt.get(a) ?? 0) + (rtt.get(b) ?? 0)) / 2;

  // Tiny paths in reference order: copied one by one, each copy brings exactly one new path.
  const tinyCount = 4 * samples + PER_PATH_BATCH + 1;
  const tiny = await probe('tiny', tinyCount * 1024, tinyCount);
  const [a, b] = [hosts[0]!.id, hosts[1]?.id];
  const oneByOne = async (
    ex: NixCopyExecutor,
    from: HostId,
    to: HostId,
    paths: readonly PathId[],
  ): Promise<number[]> => {
    const xs: number[] = [];
    for (const p of paths) xs.push(...(await timeCopies(ex, [{ from, to, paths: [p], bytes: 0 }])));
    return xs;
  };
  /** Median wall seconds of one tiny copy deployer → a and a → b (the deployer's again without b). */
  const fixed = async (ctx: RemoteContext, set: readonly PathId[], rawSuffix: string): Promise<SetupCost> => {
    const how = rawSuffix === '' ? 'multiplexed' : 'unmultiplexed';
    say(`fixed cost per copy (${how}): ${samples} tiny copies deployer → ${a}${b ? ` and ${a} → ${b}` : ''}`);
    const ex = executor(ctx);
    try {
      const toA = await oneByOne(ex, d, a, set);
      raw[`tinyDeployer${rawSuffix}`] = toA;
      if (b === undefined) return { deployer: median(toA), peer: median(toA) };
      const toB = await oneByOne(ex, a, b, set);
      raw[`tinyPeer${rawSuffix}`] = toB;
      return { deployer: median(toA), peer: median(toB) };
    } finally {
      await ex.close();
    }
  };
  const tinyPaths = tiny.paths;
  // Paths 2·samples .. 4·samples−1 are left for the uplink copies' warm-up (untimed, below).
  const warmup = (i: number): PathId => tinyPaths[2 * samples + (i % (2 * samples))]!;
  const mux = await fixed(remote, tinyPaths.slice(0, samples), '');
  const unmux = await fixed(o.unmultiplexed, tinyPaths.slice(samples, 2 * samples), 'Unmultiplexed');

  say(`cost per store path: one copy of ${PER_PATH_BATCH} tiny paths deployer → ${a}`);
  const ex = executor(remote);
  let perPathSeconds: number;
  let downTimes: number[];
  let uplinkTimes: number[] = [];
  const uplinkPeer: number[] = [];
  let fanTimes: number[];
  const bulk: Probe[] = [];
  let fan: Probe;
  try {
    // First everything the batch references (untimed), then the batch: PER_PATH_BATCH new paths.
    const batchStart = tinyCount - 1 - PER_PATH_BATCH;
    await timeCopies(ex, [{ from: d, to: a, paths: tinyPaths.slice(0, batchStart), bytes: 0 }]);
    const [batch] = await timeCopies(ex, [
      { from: d, to: a, paths: tinyPaths.slice(batchStart, batchStart + PER_PATH_BATCH), bytes: 0 },
    ]);
    raw['tinyBatch'] = batch!;
    perPathSeconds = Math.max(0, (batch! - mux.deployer) / (PER_PATH_BATCH - 1));

    say(`downlinks: a ${formatMB(o.probeBytes)} probe deployer → each host in turn`);
    for (let i = 0; i < hosts.length; i++) bulk.push(await probe(`down${i}`, o.probeBytes, 1));
    downTimes = [];
    for (const [i, h] of hosts.entries())
      downTimes.push(
        ...(await timeCopies(ex, [{ from: d, to: h.id, paths: bulk[i]!.paths, bytes: bulk[i]!.bytes }])),
      );
    raw['downlink'] = downTimes;

    // A tiny path for every host (the import measurement subtracts a tiny import), sent on to its uplink
    // peer untimed first: a pair's first copy opens its ssh connection, which the timed copies must not pay.
    await timeCopies(
      ex,
      hosts.map((h, i) => ({ from: d, to: h.id, paths: [warmup(i)], bytes: 0 })),
    );
    const phases = uplinkPhases(hosts.length);
    const peerCopy = ([from, to]: readonly [number, number], paths: readonly PathId[], bytes: number) => ({
      from: hosts[from]!.id,
      to: hosts[to]!.id,
      paths,
      bytes,
    });
    if (phases.length > 0) {
      // Phase by phase, as timed: all at once, an odd count's extra host and its phase-1 sender would both
      // copy into one store the chain of tiny paths their warm-up paths share, and two imports of one path
      // at once make nix fail ("not an absolute path: 'nix-archive-1'").
      for (const phase of phases)
        await timeCopies(
          ex,
          phase.map((pair) => peerCopy(pair, [warmup(pair[0])], 0)),
        );
      say(`uplinks: each host sends its probe to a peer, half the hosts at a time (${phases.length} phases)`);
      uplinkTimes = new Array<number>(hosts.length);
      for (const phase of phases) {
        const times = await timeCopies(
          ex,
          phase.map((pair) => peerCopy(pair, bulk[pair[0]]!.paths, bulk[pair[0]]!.bytes)),
        );
        phase.forEach(([from, to], k) => {
          uplinkTimes[from] = times[k]!;
          uplinkPeer[from] = to;
        });
      }
      raw['uplink'] = uplinkTimes;
    }

    const fanHosts = hosts.slice(0, FAN_OUT);
    say(`deployer uplink: one probe to ${fanHosts.length} host${fanHosts.length > 1 ? 's' : ''} at once`);
    fan = await probe('fan', o.probeBytes, 1);
    fanTimes = await timeCopies(
      ex,
      fanHosts.map((h) => ({ from: d, to: h.id, paths: fan.paths, bytes: fan.bytes })),
    );
    raw['fan'] = fanTimes;
  } finally {
    await ex.close();
  }

  // A tiny copy's wall time less what the model charges besides the fixed cost: one path, the route.
  const setupOf = (t: SetupCost): SetupCost => ({
    deployer: Math.max(0, t.deployer - perPathSeconds - latency(d, a)),
    peer: Math.max(0, t.peer - perPathSeconds - (b === undefined ? latency(d, a) : latency(a, b))),
  });
  const setupSeconds = setupOf(mux);
  const setupSecondsUnmultiplexed = setupOf(unmux);
  /** Bytes per second of a copy of `bytes` that took `seconds`, read with the model's fixed costs. */
  const rate = (bytes: number, seconds: number, fixedSeconds: number, what: string): number => {
    const moving = seconds - fixedSeconds;
    if (!(moving > 0.05 * seconds))
      throw new ConfigError(
        `${what}: the probe's ${formatMB(bytes)} took ${seconds.toFixed(3)} s, almost all of it the fixed cost of a copy (${fixedSeconds.toFixed(3)} s): too small to measure a rate; raise --probe-size`,
        'calibrate.probeSize',
      );
    return bytes / moving;
  };
  const copyFixed = (kind: keyof SetupCost, from: HostId, to: HostId): number =>
    setupSeconds[kind] + perPathSeconds + latency(from, to);
  const downlink = hosts.map((h, i) =>
    rate(bulk[i]!.bytes, downTimes[i]!, copyFixed('deployer', d, h.id), `downlink of ${h.id}`),
  );
  const uplink = hosts.map((h, i) => {
    if (hosts.length === 1) return downlink[0]!;
    const peer = hosts[uplinkPeer[i]!]!.id;
    return rate(
      bulk[i]!.bytes,
      uplinkTimes[i]!,
      copyFixed('peer', h.id, peer),
      `uplink of ${h.id} (copy to ${peer})`,
    );
  });
  const slowestFan = Math.max(...fanTimes);
  const fanFixed = Math.max(...hosts.slice(0, FAN_OUT).map((h) => copyFixed('deployer', d, h.id)));
  const aggregate = rate(fan.bytes * fanTimes.length, slowestFan, fanFixed, 'deployer uplink');
  const deployerUplink = Math.max(aggregate, ...downlink);

  say('import rates: each host copies its probe into a scratch store of its own');
  const importRate: (number | undefined)[] = [];
  const importTimes: number[] = [];
  for (const [i, h] of hosts.entries()) {
    const scratch = `/tmp/nix-cascade-calibrate-${o.tag}-${i}`;
    const small = await timeLocalImport(h, [warmup(i)], scratch, remote);
    const big = await timeLocalImport(h, bulk[i]!.paths, scratch, remote);
    importTimes.push(small, big);
    importRate.push(big - small > 0.05 * big ? bulk[i]!.bytes / (big - small) : undefined);
  }
  raw['import'] = importTimes;

  return {
    measurement: {
      hosts: hosts.map((h, i) => ({
        host: h.id,
        rttSeconds: rtt.get(h.id)!,
        downlink: downlink[i]!,
        uplink: uplink[i]!,
        importRate: importRate[i],
      })),
      deployerUplink,
      setupSeconds,
      setupSecondsUnmultiplexed,
      perPathSeconds,
      probeBytes: o.probeBytes,
      raw,
    },
    probes,
  };
}

function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * Deletes paths from hosts (and the deployer, when asked): on each store only those of `pathsOf(store)` it
 * holds, with `nix-store --delete`, which never removes a path still in use (a live path stays, and the
 * failure is reported). Best effort: returns one line per store where it failed.
 */
export async function deletePaths(
  hosts: readonly RealHost[],
  pathsOf: (host: HostId) => readonly PathId[],
  ctx: RemoteContext,
  deployer?: { readonly id: HostId },
): Promise<string[]> {
  const problems: string[] = [];
  const lastLine = (r: { spawnError?: string | undefined; stderr: string }): string =>
    r.spawnError ?? r.stderr.trim().split('\n').pop() ?? '';
  const stores: (RealHost | 'local')[] = [...hosts, ...(deployer ? ['local' as const] : [])];
  for (const store of stores) {
    const name = store === 'local' ? deployer!.id : store.id;
    const paths = pathsOf(name);
    if (paths.length === 0) continue;
    const held = await queryValidity(store, paths, ctx);
    if (held.failure) {
      problems.push(`${name}: ${lastLine(held.failure)}`);
      continue;
    }
    for (const chunk of pathChunks(held.valid)) {
      const cmd = ['nix-store', '--delete', ...chunk];
      const spec =
        store === 'local' ? { file: cmd[0]!, args: cmd.slice(1), env: {} } : onHost(store, ctx, cmd);
      const r = await runCommand(spec, ctx.run(ctx.timeouts.query));
      if (!r.ok) problems.push(`${name}: ${lastLine(r)}`);
    }
  }
  return problems;
}
