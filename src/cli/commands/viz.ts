import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import type { Executor } from '../../core/executor.js';
import { runScenario } from '../../sim/index.js';
import { readTraceFile } from '../../trace/jsonl.js';
import { LiveCascadeView } from '../../trace/live.js';
import { buildCliScenario } from '../closureFrom.js';
import { scenarioFromFlags, scenarioOptions, type ScenarioFlags } from '../scenarioFlags.js';
import { strategyFromFlags, strategyOptions, type StrategyFlags } from '../strategyFlags.js';

interface ViewFlags {
  delay: number;
  'max-depth'?: number | undefined;
  color: boolean;
  watch?: boolean | undefined;
}

function viewOptions<T>(y: Argv<T>): Argv<T & ViewFlags> {
  return y
    .option('delay', {
      type: 'number',
      default: 250,
      describe: 'Wall-clock milliseconds to wait after each frame (the simulated clock is unaffected)',
    })
    .option('max-depth', { alias: 'L', type: 'number', describe: 'Show the tree down to this depth' })
    .option('color', { type: 'boolean', default: true, describe: 'ANSI colours (--no-color; NO_COLOR too)' })
    .option('watch', {
      type: 'boolean',
      describe: 'Redraw in place [default: when stdout is a terminal]; --no-watch prints the last frame only',
    });
}

/** Draws frames on stdout: in place on a terminal, or only the last one otherwise. */
class Screen {
  readonly #watch: boolean;
  readonly #delay: number;
  readonly #maxDepth: number | undefined;
  readonly #color: boolean;

  constructor(flags: ViewFlags) {
    if (!(Number.isFinite(flags.delay) && flags.delay >= 0))
      throw new ConfigError(`must be a number of milliseconds ≥ 0, got ${flags.delay}`, '--delay');
    const depth = flags['max-depth'];
    if (depth !== undefined && !(Number.isInteger(depth) && depth >= 0))
      throw new ConfigError(`must be a whole number ≥ 0, got ${depth}`, '--max-depth');
    const tty = process.stdout.isTTY === true;
    this.#watch = flags.watch ?? tty;
    this.#delay = flags.delay;
    this.#maxDepth = depth;
    this.#color = flags.color && tty && process.env['NO_COLOR'] === undefined;
  }

  #frame(view: LiveCascadeView, fit: boolean): string {
    return view.frame({
      rows: fit ? (process.stdout.rows ?? 40) : Infinity,
      columns: fit ? (process.stdout.columns ?? 100) : Infinity,
      maxDepth: this.#maxDepth,
      color: this.#color,
    });
  }

  /** Redraws in place and waits `--delay` (nothing without --watch). */
  async step(view: LiveCascadeView): Promise<void> {
    if (!this.#watch) return;
    process.stdout.write(`\x1b[H\x1b[2J${this.#frame(view, true)}`);
    await sleep(this.#delay);
  }

  /** The last frame: in place when watching, else the whole tree. */
  last(view: LiveCascadeView): void {
    process.stdout.write(this.#watch ? `\x1b[H\x1b[2J${this.#frame(view, true)}` : this.#frame(view, false));
  }
}

/**
 * The simulator, paused between frames: before each `next()` that follows a finished round (or host, in
 * eager mode) the frame is drawn and the wall clock waits. The simulated clock never sees the pause, so
 * the run and its trace are those of `simulate`.
 */
function paced(sim: Executor, view: LiveCascadeView, screen: Screen, due: () => boolean): Executor {
  return {
    start: (batch) => sim.start(batch),
    next: async () => {
      if (due()) await screen.step(view);
      return sim.next();
    },
    cancel: (id) => sim.cancel(id),
    now: () => sim.now(),
    get active() {
      return sim.active;
    },
  };
}

type LiveArgs = ScenarioFlags & StrategyFlags & ViewFlags;

const liveCommand: CommandModule<object, LiveArgs> = {
  command: 'live',
  describe: 'Simulate a scenario and redraw the cascade tree as it grows',
  builder: (y) =>
    viewOptions(strategyOptions(scenarioOptions(y)))
      .example('$0 viz live --hosts 30 --strategy level-tree --delay 500', '')
      .example('$0 viz live --scenario examples/racks-failures.json --mode eager -L 2', ''),
  handler: async (args) => {
    const screen = new Screen(args);
    const { spec, input } = scenarioFromFlags(args);
    const strategy = strategyFromFlags(args, spec);
    const scenario = await buildCliScenario(spec, input);
    const view = new LiveCascadeView();
    let due = false;
    const takeDue = (): boolean => {
      const d = due;
      due = false;
      return d;
    };
    await runScenario(scenario, strategy, {
      onEvent: (e) => {
        if (view.push(e)) due = true;
      },
      wrapExecutor: (sim) => paced(sim, view, screen, takeDue),
    });
    screen.last(view);
  },
};

interface ReplayArgs extends ViewFlags {
  file: string;
}

const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay <file>',
  describe: 'Redraw the cascade tree of a trace (simulated or real) as it grew',
  builder: (y) =>
    viewOptions(y).positional('file', {
      type: 'string',
      demandOption: true,
      describe: 'Trace written by simulate/cascade/deploy --trace',
    }),
  handler: async (args) => {
    const screen = new Screen(args);
    const events = readTraceFile(args.file);
    if (events.length === 0) throw new ConfigError('holds no events (is it a trace written by --trace?)', args.file);
    const view = new LiveCascadeView();
    for (const e of events) if (view.push(e) && !view.finished) await screen.step(view);
    screen.last(view);
  },
};

/** `nix-cascade viz live|replay`: the cascade tree redrawn in the terminal as it grows. */
export const vizCommand: CommandModule = {
  command: 'viz',
  describe: 'Watch a cascade grow in the terminal (live simulation or a trace replay)',
  builder: (y) => y.command(liveCommand).command(replayCommand).demandCommand(1, 'Name a viz command: live or replay.'),
  handler: () => undefined,
};
