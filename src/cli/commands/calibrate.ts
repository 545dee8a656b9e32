import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { calibrate, type StrategyRun } from '../../calibrate/index.js';
import { calibrationJson, calibrationText, writeCalibrationReport } from '../../calibrate/report.js';
import { ConfigError } from '../../core/errors.js';
import { loadFleetFile } from '../../fleet/fleetFile.js';
import { validateStorePath } from '../../remote/validate.js';
import { getStrategy } from '../../strategies/registry.js';
import { ensureDirectory, ensureWritableFile } from '../../trace/outputPaths.js';
import { parseBytes } from '../../units/units.js';
import { withFlagNames } from '../flagErrors.js';
import { openRemoteFromFlags, type RemoteFlags, withRemoteFlags, withRemoteRun } from '../remoteFlags.js';

interface CalibrateArgs extends RemoteFlags {
  fleet: string;
  strategies: string;
  run: boolean;
  'closure-from'?: string;
  'closure-size': string;
  'closure-paths': number;
  'probe-size': string;
  samples: number;
  out: string;
  report?: string;
  json: boolean;
}

/** `a,b:eager,c:round` → strategy runs, each name checked against the registry. */
export function parseStrategyRuns(list: string): StrategyRun[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const [name, mode, extra] = entry.split(':');
      if (extra !== undefined || (mode !== undefined && mode !== 'round' && mode !== 'eager'))
        throw new ConfigError(`"${entry}": expected NAME or NAME:round or NAME:eager`, '--strategies');
      withFlagNames(new Map([['strategy', '--strategies']]), () => getStrategy(name!));
      return { name: name!, options: {}, mode: mode === 'eager' ? 'eager' : 'round' };
    });
}

/**
 * `nix-cascade calibrate`: measures a real fleet, writes the calibrated scenarios, runs each strategy for
 * real and in the simulator, and reports the prediction error.
 */
export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe:
    "Measure a real fleet's links and copy costs, write them as a scenario, and check the simulator's predictions against real runs",
  builder: (y) =>
    withRemoteFlags(y)
      .option('fleet', { type: 'string', demandOption: true, describe: 'Fleet file' })
      .option('strategies', {
        type: 'string',
        default: 'push-parallel,log2-fanout,level-tree,swarm:eager',
        describe: 'Strategies to run for real and predict, NAME or NAME:eager, comma-separated',
      })
      .option('run', {
        type: 'boolean',
        default: true,
        describe: 'Run the strategies; --no-run measures and writes the scenarios only',
      })
      .option('closure-from', {
        type: 'string',
        describe:
          "A store path in the deployer's store whose closure the runs deliver (paths a host lacked are deleted from it after each run); default: a fresh synthetic closure per run",
      })
      .option('closure-size', { type: 'string', default: '64MB', describe: 'Size of the synthetic closure' })
      .option('closure-paths', {
        type: 'number',
        default: 40,
        describe: 'Store paths of the synthetic closure',
      })
      .option('probe-size', {
        type: 'string',
        default: '8MB',
        describe: 'Size of each bulk probe (big enough that its bytes dominate its copy)',
      })
      .option('samples', { type: 'number', default: 5, describe: 'Tiny copies (and connects) per median' })
      .option('out', {
        type: 'string',
        default: 'calibrated.json',
        describe:
          'The scenario to write (any size); FILE.hosts.json (this fleet) and FILE.closure.json beside it',
      })
      .option('report', {
        type: 'string',
        describe: 'Report directory [default: OUT without .json, then -report]',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print exactly one JSON object',
      }) as Argv<CalibrateArgs>,
  handler: async (a) => {
    const fleet = loadFleetFile(a.fleet);
    const strategies = a.run ? parseStrategyRuns(a.strategies) : [];
    const closureBytes = parseBytes(a['closure-size'], '--closure-size');
    const probeBytes = parseBytes(a['probe-size'], '--probe-size');
    if (!Number.isInteger(a['closure-paths']) || a['closure-paths'] < 2 || a['closure-paths'] > 5000)
      throw new ConfigError(`must be an integer in 2..5000, got ${a['closure-paths']}`, '--closure-paths');
    if (!Number.isInteger(a.samples) || a.samples < 1 || a.samples > 50)
      throw new ConfigError(`must be an integer in 1..50, got ${a.samples}`, '--samples');
    if (a['closure-from'] !== undefined) validateStorePath(a['closure-from'], '--closure-from');
    const base = a.out.replace(/\.json$/, '');
    const files = {
      reusable: a.out,
      hosts: `${base}.hosts.json`,
      closure: `${base}.closure.json`,
    };
    const report = a.report ?? `${base}-report`;
    // Before minutes of measuring: a path that cannot be written fails now.
    ensureDirectory(dirname(a.out), '--out');
    // The closure file exists only when runs delivered a closure (or one was given): no empty file else.
    const writesClosure = strategies.length > 0 || a['closure-from'] !== undefined;
    for (const f of [files.reusable, files.hosts, ...(writesClosure ? [files.closure] : [])])
      ensureWritableFile(f, '--out');
    ensureDirectory(report, '--report');
    const result = await withRemoteRun(a, async (remote, signal) => {
      const unmultiplexed = openRemoteFromFlags({ ...a, multiplex: false }, signal);
      try {
        return await calibrate(
          {
            fleet,
            fleetFile: basename(a.fleet),
            remote,
            unmultiplexed,
            multiplex: a.multiplex,
            checkSigs: a['check-sigs'],
            strategies,
            ...(a['closure-from'] !== undefined ? { closureFrom: a['closure-from'] } : {}),
            closureBytes,
            closurePaths: a['closure-paths'],
            probeBytes,
            samples: a.samples,
            tag: `c${process.pid.toString(36)}${Date.now().toString(36)}`,
            date: new Date().toISOString().slice(0, 10),
            ...(a.json
              ? {}
              : { progress: (line: string) => void process.stderr.write(`calibrate: ${line}\n`) }),
          },
          basename(files.closure),
        );
      } finally {
        await unmultiplexed.close();
      }
    });
    const written = [files.reusable, files.hosts];
    writeFileSync(files.reusable, `${JSON.stringify(result.reusableScenario, null, 2)}\n`);
    writeFileSync(files.hosts, `${JSON.stringify(result.hostsScenario, null, 2)}\n`);
    if (result.closureFile !== undefined) {
      writeFileSync(files.closure, `${JSON.stringify(result.closureFile, null, 2)}\n`);
      written.push(files.closure);
    }
    if (result.runs.length > 0) {
      await writeCalibrationReport(report, result);
      written.push(join(report, 'index.html'));
    }
    process.stdout.write(
      a.json ? `${JSON.stringify(calibrationJson(result, written))}\n` : calibrationText(result, written),
    );
    const failed = result.runs.some((r) => !r.real.success || !r.verified);
    if (result.leftOut.length > 0 || failed) process.exitCode = 1;
  },
};
