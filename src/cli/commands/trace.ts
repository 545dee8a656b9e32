import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { hostsCsv, transfersCsv } from '../../trace/csv.js';
import { cascadeTreeAscii, cascadeTreeDot, roundSnapshotsJson } from '../../trace/derive.js';
import { readTraceFile } from '../../trace/jsonl.js';
import { toPerfettoJson } from '../../trace/perfetto.js';

const FORMATS = ['tree', 'dot', 'perfetto', 'transfers-csv', 'hosts-csv', 'snapshots'] as const;

interface TraceArgs {
  file?: string | undefined;
  format: (typeof FORMATS)[number];
  round?: number | undefined;
}

/**
 * `nix-cascade trace FILE`: replays a JSON Lines trace (simulated or real) into another view: the cascade
 * tree (ASCII or Graphviz DOT), Perfetto trace-event JSON, CSV, or per-round snapshots.
 */
export const traceCommand: CommandModule<object, TraceArgs> = {
  command: 'trace [file]',
  describe: 'Replay a JSON Lines trace as a cascade tree, DOT, Perfetto JSON, CSV or round snapshots',
  builder: (y) =>
    y
      .positional('file', {
        type: 'string',
        describe: 'Trace written by simulate/cascade --trace',
      })
      .option('format', {
        type: 'string',
        choices: FORMATS,
        default: 'tree' as const,
        describe: 'Output format',
      })
      .option('round', {
        type: 'number',
        describe:
          'Tree/DOT as of the end of round N, counted from 0 as the tree labels them (r0…); a run of R rounds ' +
          "(the summary's count, in round and eager mode) has rounds 0 to R-1 [default: the whole run]",
      }),
  handler: (args) => {
    if (args.file === undefined) {
      throw new ConfigError(
        `name a trace file (written by simulate or cascade --trace): nix-cascade trace FILE [--format ${FORMATS.join('|')}] [--round N]`,
        'trace',
      );
    }
    const file = args.file;
    if (args.round !== undefined && !(Number.isInteger(args.round) && args.round >= 0)) {
      throw new ConfigError(`must be a non-negative integer, got ${args.round}`, '--round');
    }
    const events = readTraceFile(file);
    if (events.length === 0)
      throw new ConfigError('holds no events (is it a trace written by --trace?)', file);
    if (events[0]!.type !== 'run-started') {
      // Its hosts, targets and seeds come from run-started: without it every view would be guesswork.
      throw new ConfigError(
        `starts with ${events[0]!.type}, not run-started: the head of the trace is missing (cut, or not a --trace file)`,
        file,
      );
    }
    if (events.at(-1)!.type !== 'run-finished') {
      // Still worth replaying (a run killed midway), but not to be mistaken for a whole run.
      process.stderr.write(
        `nix-cascade: warning: ${file} ends before run-finished: the run was cut short, or the file is truncated\n`,
      );
    }
    if (args.round !== undefined) {
      // Rounds are numbered from 0, in both modes: a run of R rounds (the summary's count) has 0…R-1.
      let rounds = 0;
      for (const e of events) if (e.type === 'transfer-started') rounds = Math.max(rounds, e.round + 1);
      if (args.round >= rounds) {
        throw new ConfigError(
          `the run has ${rounds} round(s), numbered 0 to ${rounds - 1}; got ${args.round}`,
          '--round',
        );
      }
    }
    const out = {
      tree: () => cascadeTreeAscii(events, args.round),
      dot: () => cascadeTreeDot(events, args.round),
      perfetto: () => toPerfettoJson(events),
      'transfers-csv': () => transfersCsv(events),
      'hosts-csv': () => hostsCsv(events),
      snapshots: () => roundSnapshotsJson(events),
    }[args.format]();
    process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  },
};
