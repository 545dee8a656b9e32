/**
 * Golden traces (issue 22): the sha256 of the JSON Lines trace, and of the run's result, for a fixed
 * matrix of scenarios — every registered strategy in both coordinator modes on both network models, over
 * every preset, with failures, per-host closures and a few larger fleets. An optimisation of the
 * simulator or a strategy must leave every byte of these runs as it was; this test is what says so.
 *
 * When a change is meant to change traces (a new event field, a strategy that decides differently),
 * regenerate the file with `UPDATE_GOLDEN=1 npx vitest run test/sim/goldenTraces.test.ts` and say in the
 * commit why the traces changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/coordinator.js';
import { buildScenario, parseScenario, runScenario, type ScenarioInput } from '../../src/sim/scenario.js';
import { getStrategy, strategyNames } from '../../src/strategies/registry.js';
import { TraceHasher } from '../../src/trace/jsonl.js';

const GOLDEN_FILE = fileURLToPath(new URL('./goldenTraces.json', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

const PRESETS = ['flat', 'racks', 'regions', 'heavy-tailed', 'homelab'] as const;
type Preset = (typeof PRESETS)[number];
type Mode = 'round' | 'eager';
type Network = 'round' | 'flow';

interface GoldenCase {
  readonly name: string;
  readonly strategy: string;
  readonly input: ScenarioInput;
}

/** Small fleets: every strategy × mode × network on every preset, with failures and per-host closures. */
function matrixCase(
  strategy: string,
  preset: Preset,
  mode: Mode,
  network: Network,
  seed: number,
): GoldenCase {
  const hosts = preset === 'homelab' ? 6 : 16;
  return {
    name: `${strategy}/${preset}/${mode}/${network}`,
    strategy,
    input: {
      seed,
      topology: { preset, hosts, maxSends: 2 },
      closure: { totalMB: 40, paths: 8, roles: 2, perHost: true },
      seeds: { kind: 'fraction', fraction: 0.15 },
      failures: [
        { kind: 'random', probability: 0.1 },
        { kind: 'straggler', host: preset === 'homelab' ? 'host-3' : 'host-03', factor: 0.4 },
      ],
      network,
      mode,
    },
  };
}

/** A larger-fleet case, named `strategy/preset-hosts[-failing]/mode/network` from its input. */
function larger(
  strategy: string,
  input: ScenarioInput & { topology: { preset: string; hosts: number } },
): GoldenCase {
  const { preset, hosts } = input.topology;
  const failing = input.failures === undefined ? '' : '-failing';
  return { name: `${strategy}/${preset}-${hosts}${failing}/${input.mode}/${input.network}`, strategy, input };
}

/** Larger fleets where the scale code paths (slot reuse, bit sets, shared source lists) are exercised. */
const LARGER: readonly GoldenCase[] = [
  larger('log2-fanout', {
    seed: 1,
    topology: { preset: 'flat', hosts: 2000 },
    closure: { totalMB: 1000, paths: 20, roles: 1, perHost: false },
    network: 'round',
    mode: 'round',
  }),
  larger('log2-fanout', {
    seed: 2,
    topology: { preset: 'flat', hosts: 1000 },
    closure: { totalMB: 1000, paths: 20, roles: 3, perHost: true },
    failures: [{ kind: 'random', probability: 0.1 }],
    network: 'round',
    mode: 'round',
  }),
  larger('swarm', {
    seed: 1,
    topology: { preset: 'flat', hosts: 150 },
    closure: { totalMB: 1000, paths: 40, roles: 1, perHost: false },
    network: 'flow',
    mode: 'eager',
  }),
  larger('swarm', {
    seed: 3,
    topology: { preset: 'racks', hosts: 100 },
    closure: { totalMB: 500, paths: 20, roles: 3, perHost: true },
    failures: [
      { kind: 'random', probability: 0.05 },
      { kind: 'kill-host', host: 'host-007', atTime: 5 },
      { kind: 'straggler', host: 'host-011', factor: 0.2 },
    ],
    network: 'flow',
    mode: 'eager',
  }),
  larger('topology-aware', {
    seed: 4,
    topology: { preset: 'regions', hosts: 150 },
    closure: { totalMB: 500, paths: 30, roles: 2, perHost: true },
    network: 'flow',
    mode: 'round',
  }),
];

function cases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  let seed = 1;
  for (const strategy of strategyNames())
    for (const preset of PRESETS)
      for (const mode of ['round', 'eager'] as const)
        for (const network of ['round', 'flow'] as const)
          out.push(matrixCase(strategy, preset, mode, network, seed++));
  return [...out, ...LARGER];
}

/** The result's fields a trace does not spell out, hashed in a fixed order. */
function resultSha256(r: RunResult): string {
  const summary = {
    reason: r.reason,
    success: r.success,
    hostsDone: r.hostsDone,
    hostsFailed: r.hostsFailed,
    unreached: r.unreached,
    retiredSources: r.retiredSources,
    rounds: r.rounds,
    makespanSeconds: r.makespanSeconds,
    bytesTransferred: r.bytesTransferred,
    egressCost: r.egressCost,
    transfersStarted: r.transfersStarted,
    transfersFailed: r.transfersFailed,
    finishTimes: [...r.finishTimes],
    failureTree: r.failureTree,
  };
  return createHash('sha256').update(JSON.stringify(summary)).digest('hex').slice(0, 16);
}

interface Golden {
  readonly trace: string;
  readonly result: string;
  readonly events: number;
}

async function run(c: GoldenCase): Promise<Golden> {
  const hasher = new TraceHasher();
  const scenario = buildScenario(parseScenario(c.input));
  const result = await runScenario(scenario, getStrategy(c.strategy), { onEvent: hasher.sink });
  return { trace: hasher.digest().slice(0, 16), result: resultSha256(result), events: hasher.count };
}

function readGolden(): Record<string, Golden> {
  try {
    return JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, Golden>;
  } catch (e) {
    if (UPDATE) return {};
    throw new Error(`cannot read ${GOLDEN_FILE} (generate it with UPDATE_GOLDEN=1)`, { cause: e });
  }
}

describe('golden traces', () => {
  const golden = readGolden();
  const seen: Record<string, Golden> = {};

  afterAll(() => {
    if (UPDATE) writeFileSync(GOLDEN_FILE, `${JSON.stringify(seen, null, 2)}\n`);
  });

  it('the golden file names exactly the cases of the matrix', () => {
    if (UPDATE) return;
    expect(Object.keys(golden).sort()).toEqual(
      cases()
        .map((c) => c.name)
        .sort(),
    );
  });

  it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const got = await run(c);
    seen[c.name] = got;
    expect(got.events, 'the run recorded events').toBeGreaterThan(0);
    if (!UPDATE) expect(got).toEqual(golden[c.name]);
  });

  it('the matrix exercises failures and more than one outcome per strategy', async () => {
    // Not vacuous: the small cases' random failures do fail transfers for every strategy.
    const failing = await Promise.all(
      strategyNames().map(async (s) => {
        const hasher = new TraceHasher();
        const c = matrixCase(s, 'racks', 'eager', 'flow', 1);
        const r = await runScenario(buildScenario(parseScenario(c.input)), getStrategy(s), {
          onEvent: hasher.sink,
        });
        return r.transfersFailed;
      }),
    );
    expect(failing.every((n) => n > 0)).toBe(true);
  });
});
