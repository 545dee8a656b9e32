import cliProgress from 'cli-progress';

/** Reports how far a long batch (of runs, of hosts) got, on stderr (stdout stays for results and `--json`). */
export interface Progress {
  /** `done` of `total` units are finished. */
  update(done: number, total: number): void;
  /** The batch is over (also after a failure): leaves the terminal clean. */
  stop(): void;
}

/** Where progress goes; a TTY gets a redrawn bar, anything else plain lines. */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  write(text: string): unknown;
}

/** At most this many plain lines per batch (plus the last one), so a big sweep does not flood a log. */
const PLAIN_LINES = 20;

/**
 * A progress reporter for `total` units (`runs` unless told): a `cli-progress` bar on a terminal, else one
 * line per finished unit (thinned to about {@link PLAIN_LINES} lines for big batches), each
 * `<label>: <done>/<total> <unit>`.
 */
export function progressReporter(
  label: string,
  total: number,
  stream: ProgressStream = process.stderr,
  unit = 'runs',
): Progress {
  if (stream.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit}, {percentage}% | ETA {eta_formatted}`,
        stream: stream as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      update: (done) => bar.update(done),
      stop: () => bar.stop(),
    };
  }
  let lastStep = -1;
  return {
    update: (done, n) => {
      const step = Math.floor((done * PLAIN_LINES) / n);
      if (step === lastStep && done !== n) return;
      lastStep = step;
      stream.write(`${label}: ${done}/${n} ${unit}\n`);
    },
    stop: () => undefined,
  };
}

/** A reporter that says nothing (`--no-progress`). */
export const silentProgress: Progress = { update: () => undefined, stop: () => undefined };
