/**
 * Sweep parallelism benchmark (issue 22): `compare` sweeps run with `--jobs 1`, `2`, … up to the core
 * count, each in a fresh `bin/nix-cascade.js` process (compiled when the build is fresh). Two sweeps by
 * default: many small runs (every strategy × both modes × 4 seeds on the default 100-host fleet: each
 * thread's module load and JIT warm-up weigh), and fewer longer ones (2,000 hosts). Prints wall time,
 * the speed-up over `--jobs 1` and the CPU time of the process and its workers; checks that every job
 * count prints the same bytes. Writes bench/results/compare-jobs.json. Not a test: nothing asserts on time.
 * Usage: `npx tsx bench/compare-jobs.ts` (env REPEAT=n, default 2: the fastest run counts; SWEEPS to
 * change the sweeps: their flags, sweeps separated by `;`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

const DEFAULT_SWEEPS =
  '--hosts 100 --seeds 4;--hosts 2000 --seeds 2 --strategies log2-fanout,level-tree,max-bottleneck-spanning,fastest-first,steiner-greedy,multi-target';
const sweeps = (process.env['SWEEPS'] ?? DEFAULT_SWEEPS)
  .split(';')
  .map((flags) => flags.split(/\s+/).filter((a) => a !== ''))
  .filter((flags) => flags.length > 0);
const repeat = Number(process.env['REPEAT'] ?? 2);
if (!Number.isInteger(repeat) || repeat < 1)
  throw new Error(`REPEAT must be a whole number ≥ 1, not "${process.env['REPEAT']}"`);
const cores = availableParallelism();

interface Run {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly sha256: string;
}

async function once(sweep: readonly string[], jobs: number): Promise<Run> {
  const t0 = performance.now();
  // `time -f` reports the process's CPU time including its worker threads (one process).
  const r = await execa(
    '/usr/bin/time',
    [
      '-f',
      '%U %S',
      'node',
      'bin/nix-cascade.js',
      'compare',
      ...sweep,
      '--jobs',
      String(jobs),
      '--json',
      '--no-progress',
    ],
    { maxBuffer: 1 << 30 },
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  const [user, system] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return {
    wallSeconds,
    cpuSeconds: user! + system!,
    sha256: createHash('sha256').update(r.stdout).digest('hex'),
  };
}

const results = [];
for (const sweep of sweeps) {
  const rows = [];
  let serialWall = 0;
  let serialSha = '';
  for (let jobs = 1; jobs <= cores; jobs++) {
    const runs: Run[] = [];
    for (let i = 0; i < repeat; i++) runs.push(await once(sweep, jobs));
    const wall = Math.min(...runs.map((r) => r.wallSeconds));
    const sha = runs[0]!.sha256;
    if (runs.some((r) => r.sha256 !== sha))
      throw new Error(`--jobs ${jobs}: the output differs between repeats`);
    if (jobs === 1) {
      serialWall = wall;
      serialSha = sha;
    } else if (sha !== serialSha) throw new Error(`--jobs ${jobs} printed other bytes than --jobs 1`);
    rows.push({
      jobs,
      wallSeconds: +wall.toFixed(2),
      speedup: +(serialWall / wall).toFixed(2),
      cpuSeconds: +Math.min(...runs.map((r) => r.cpuSeconds)).toFixed(2),
      output: sha.slice(0, 12),
    });
    console.error(`${sweep.join(' ')} --jobs ${jobs}: ${wall.toFixed(2)} s`);
  }
  console.log(`compare ${sweep.join(' ')} (both modes), min of ${repeat}:`);
  console.table(rows);
  results.push({ sweep: sweep.join(' '), rows });
}
mkdirSync('bench/results', { recursive: true });
const machine = { cpus: cores, cpu: cpus()[0]?.model, node: process.version, repeat };
writeFileSync('bench/results/compare-jobs.json', `${JSON.stringify({ machine, results }, null, 2)}\n`);
