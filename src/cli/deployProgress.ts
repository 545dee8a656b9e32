import cliProgress from 'cli-progress';
import { writeFileSync } from 'node:fs';
import type { DagEvent } from '../deploy/dagTypes.js';
import { type DeployReport, reportText } from '../deploy/report.js';

/**
 * The deploy's progress: on a terminal, one live line per host (its stage, what the last stage said,
 * elapsed time) drawn by cli-progress; piped or in CI, one plain line per finished stage, so logs stay
 * readable and greppable.
 */
export interface DeployProgress {
  readonly onProgress: (e: DagEvent) => void;
  /** Ends the live display (before the report is printed). */
  stop(): void;
}

/** What a finished stage says, on one line. */
function said(e: Extract<DagEvent, { type: 'stage-finished' }>): string {
  const o = e.outcome;
  if (o.kind === 'ok') return `ok${o.detail ? ` (${o.detail})` : ''}`;
  if (o.kind === 'skip-rest') return o.reason;
  return `FAILED: ${o.error.split('\n')[0] ?? ''}`;
}

/** Plain lines: `[  12.3 s] web-01  copy  ok (2.0MB by cascade)`. */
export function plainProgress(write: (line: string) => void, t0: number): DeployProgress {
  return {
    onProgress: (e) => {
      if (e.type !== 'stage-finished') return;
      write(`[${(e.at - t0).toFixed(1).padStart(6)} s] ${e.host}  ${e.stage}  ${said(e)}\n`);
    },
    stop: () => {},
  };
}

/** A live line per host on a terminal (`stream` must be a TTY). */
export function liveProgress(
  hosts: readonly string[],
  stages: number,
  stream: NodeJS.WriteStream,
): DeployProgress {
  const width = Math.max(4, ...hosts.map((h) => h.length));
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{host} [{bar}] {stage} {status}',
      barsize: 10,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(
    hosts.map((h) => [h, multi.create(stages, 0, { host: h.padEnd(width), stage: 'waiting', status: '' })]),
  );
  const done = new Map<string, number>();
  return {
    onProgress: (e) => {
      const bar = bars.get(e.host);
      if (bar === undefined) return;
      if (e.type === 'stage-started') bar.update({ stage: e.stage, status: '…' });
      else if (e.type === 'stage-finished') {
        done.set(e.host, (done.get(e.host) ?? 0) + 1);
        bar.update(done.get(e.host)!, { stage: e.stage, status: said(e).slice(0, 60) });
      } else {
        const r = e.result;
        const end =
          r.outcome === 'done'
            ? 'done'
            : r.outcome === 'skipped-early'
              ? r.reason
              : `${r.outcome} at ${r.stage}`;
        bar.update(r.outcome === 'done' || r.outcome === 'skipped-early' ? stages : (done.get(e.host) ?? 0), {
          status: end,
        });
      }
    },
    stop: () => multi.stop(),
  };
}

/**
 * The progress a command shows: none with `--json` (stdout is the report), live lines on a terminal,
 * plain lines when piped or in CI.
 */
export function progressFor(
  hosts: readonly string[],
  stages: number,
  json: boolean,
): DeployProgress | undefined {
  if (json) return undefined;
  return process.stdout.isTTY && !process.env['CI']
    ? liveProgress(hosts, stages, process.stdout)
    : plainProgress((l) => process.stdout.write(l), performance.now() / 1000);
}

/** Prints the report (a table, or one JSON object with `--json`), writes it to `--report`, sets exit 1 on failure. */
export function printReport(
  report: DeployReport,
  a: { readonly json: boolean; readonly report?: string },
): void {
  if (a.report !== undefined) writeFileSync(a.report, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(a.json ? `${JSON.stringify(report)}\n` : `\n${reportText(report)}`);
  if (!report.success) process.exitCode = 1;
}
