/**
 * A tighter lower bound for a fleet whose hosts send and receive one copy at a time (`maxSends` =
 * `maxReceives` = 1), as the heavy-tailed bench preset: the fluid bound lets a 1 GB/s uplink feed many
 * slow receivers at once, which one send slot forbids. Writes the fleet's hosts to
 * `bench/results/slot-bound-hosts.json` and runs `bench/slot-bound.py` (Python 3 with SciPy; not needed by
 * the tests), which solves the linear-programming relaxation: host-seconds y(s→r) with rate
 * ≤ min(uplink s, downlink r), each host at most one send and one receive at a time, the deployer within its
 * uplink and send slots, every target receiving the closure by time T; minimise T. It ignores who holds
 * what when, so every schedule obeys it. Hosts are grouped into buckets of equal count by uplink, each
 * bucket's rates rounded up to its fastest host: coarser buckets only lower the bound.
 *
 * Usage: `npx tsx bench/slot-bound.ts [buckets]` (default 250; heavy-tailed-1000-same of bench/strategies.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { buildScenario, parseScenario } from '../src/sim/scenario.js';

/** Prints `message` and exits 2 (bad input or a missing tool; no stack trace). */
function fail(message: string): never {
  process.stderr.write(`slot-bound: ${message}\n`);
  process.exit(2);
}

const buckets = process.argv[2] ?? '250';
if (!/^[1-9][0-9]*$/.test(buckets) || Number(buckets) > 1000) {
  fail(`buckets must be an integer in [1, 1000], got ${JSON.stringify(buckets)}`);
}
const scenario = buildScenario(
  parseScenario({
    seed: 1,
    topology: { preset: 'heavy-tailed', hosts: 1000 },
    closure: { totalMB: 1000, paths: 60, roles: 1, perHost: false },
    network: 'flow',
  }),
);
for (const h of scenario.fleet.hosts) {
  if (h.role === 'target' && (h.maxSends !== 1 || h.maxReceives !== 1)) {
    fail(`${h.id}: the LP assumes one send and one receive per target`);
  }
}
mkdirSync('bench/results', { recursive: true });
const file = 'bench/results/slot-bound-hosts.json';
writeFileSync(
  file,
  JSON.stringify({
    bytes: scenario.closure.bytes([...scenario.closure.paths()].map((p) => p.id)),
    bound: scenario.lowerBound.seconds,
    hosts: scenario.fleet.hosts.map((h) => ({ role: h.role, up: h.uplink, down: h.downlink, maxSends: h.maxSends })),
  }),
);
const lp = await execa('python3', ['bench/slot-bound.py', file, buckets], { reject: false });
if (lp.failed) {
  const why = lp.code === 'ENOENT' ? 'python3 not found' : (lp.stderr.trim().split('\n').at(-1) ?? lp.shortMessage);
  fail(`bench/slot-bound.py failed (it needs Python 3 with SciPy): ${why}`);
}
console.log(lp.stdout);
