/**
 * What `calibrate` prints and writes: the measured parameters, the prediction error of each strategy as a
 * text table, its JSON, and the HTML report in the `compare` report's format (each strategy's real run and
 * its prediction as two rows, with their traces) plus the predicted-vs-measured chart.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { traceSha256 } from '../trace/jsonl.js';
import { predictionSpec, type PredictionPoint } from '../trace/predictionChart.js';
import { renderPng, renderSvg, type HtmlSection } from '../trace/render.js';
import { comparisonRow, textTable, writeComparisonReport, type ComparisonRow } from '../trace/report.js';
import type { CascadeEvent } from '../core/events.js';
import { formatRate } from '../units/units.js';
import { sameOrder } from './accuracy.js';
import type { CalibrationResult } from './calibrate.js';

const ms = (s: number): string => `${(s * 1e3).toFixed(s < 0.01 ? 2 : 1)} ms`;
const secs = (s: number): string => s.toFixed(2);
const pct = (p: number | undefined): string =>
  p === undefined ? '-' : `${p >= 0 ? '+' : ''}${p.toFixed(1)} %`;
const rho = (r: number | undefined): string => (r === undefined ? '-' : r.toFixed(2));

/** The measured hosts as table cells. */
function hostCells(c: CalibrationResult): string[][] {
  return c.measurement.hosts.map((h) => [
    h.host,
    ms(h.rttSeconds),
    formatRate(h.downlink, 2),
    formatRate(h.uplink, 2),
    h.importRate === undefined ? 'too fast to tell' : formatRate(h.importRate, 2),
  ]);
}
const HOST_COLUMNS = ['host', 'round trip', 'downlink', 'uplink', 'import rate'];

/** The copy model in one line each. */
function modelLines(c: CalibrationResult): string[] {
  const m = c.measurement;
  return [
    `fixed cost per copy: deployer → host ${secs(m.setupSeconds.deployer)} s, host → host ${secs(m.setupSeconds.peer)} s ` +
      `(without ssh multiplexing ${secs(m.setupSecondsUnmultiplexed.deployer)} / ${secs(m.setupSecondsUnmultiplexed.peer)} s)`,
    `cost per store path: ${ms(m.perPathSeconds)}; deployer uplink: ${formatRate(m.deployerUplink, 2)}; probe: ${(m.probeBytes / 1e6).toFixed(1)} MB`,
  ];
}

function errorCells(c: CalibrationResult): string[][] {
  return c.runs.map((r) => [
    r.label,
    r.real.success && r.verified ? 'yes' : 'NO',
    secs(r.real.makespanSeconds),
    secs(r.predicted.makespanSeconds),
    `${r.error.seconds >= 0 ? '+' : ''}${secs(r.error.seconds)}`,
    pct(r.error.percent),
    rho(r.rankCorrelation),
  ]);
}
const ERROR_COLUMNS = [
  'strategy',
  'all done',
  'measured (s)',
  'predicted (s)',
  'error (s)',
  'error',
  'host order ρ',
];

/** Whether the simulator orders the strategies as the real runs did (by makespan); undefined for < 2. */
export function ranksAlike(c: CalibrationResult): boolean | undefined {
  if (c.runs.length < 2) return undefined;
  return sameOrder(
    c.runs.map((r) => r.real.makespanSeconds),
    c.runs.map((r) => r.predicted.makespanSeconds),
  );
}

/** The text `calibrate` prints. */
export function calibrationText(c: CalibrationResult, files: readonly string[]): string {
  const parts = [
    `measured ${c.measurement.hosts.length} host${c.measurement.hosts.length > 1 ? 's' : ''}` +
      (c.leftOut.length > 0 ? `; left out ${c.leftOut.length}:` : ''),
    ...c.leftOut.map((l) => `  ${l.host}: ${l.reasons.join('; ')}`),
    '',
    textTable(HOST_COLUMNS, hostCells(c)).trimEnd(),
    '',
    ...modelLines(c),
    '',
    ...files.map((f) => `wrote ${f}`),
  ];
  if (c.runs.length > 0) {
    const alike = ranksAlike(c);
    parts.push(
      '',
      textTable(ERROR_COLUMNS, errorCells(c), new Set([0, 1])).trimEnd(),
      ...(alike === undefined
        ? []
        : [`the simulator ranks the strategies as the real runs do: ${alike ? 'yes' : 'NO'}`]),
    );
  }
  if (c.cleanupProblems.length > 0)
    parts.push('', `probe paths left behind: ${c.cleanupProblems.join('; ')}`);
  return `${parts.join('\n')}\n`;
}

/** The JSON `calibrate --json` prints. */
export function calibrationJson(c: CalibrationResult, files: readonly string[]): Record<string, unknown> {
  return {
    measurement: c.measurement,
    model: c.model,
    leftOut: c.leftOut,
    files,
    runs: c.runs.map((r) => ({
      strategy: r.label,
      success: r.real.success,
      verified: r.verified,
      measuredSeconds: r.real.makespanSeconds,
      predictedSeconds: r.predicted.makespanSeconds,
      errorSeconds: r.error.seconds,
      errorPercent: r.error.percent ?? null,
      rankCorrelation: r.rankCorrelation ?? null,
      perHost: r.perHost,
    })),
    sameRanking: ranksAlike(c) ?? null,
    cleanupProblems: c.cleanupProblems,
  };
}

/**
 * Writes the HTML report into `dir`: the `compare` report of every run (`<strategy> (measured)` and
 * `<strategy> (predicted)`), with the measured parameters, the error table and `prediction.svg/png`.
 * @returns the files written.
 */
export async function writeCalibrationReport(dir: string, c: CalibrationResult): Promise<string[]> {
  const rows: ComparisonRow[] = [];
  const traces = new Map<string, readonly CascadeEvent[]>();
  const points: PredictionPoint[] = [];
  for (const r of c.runs) {
    for (const [kind, result, events] of [
      ['measured', r.real, r.realEvents],
      ['predicted', r.predicted, r.predictedEvents],
    ] as const) {
      const label = `${r.label} (${kind})`;
      rows.push({ ...comparisonRow(result, traceSha256(events)), strategy: label });
      traces.set(label, events);
    }
    points.push(...r.perHost.map((p) => ({ strategy: r.label, ...p })));
  }
  const chart = predictionSpec(points);
  const alike = ranksAlike(c);
  const sections: HtmlSection[] = [
    {
      heading: 'Measured hosts',
      text: modelLines(c).join('\n\n'),
      table: { columns: HOST_COLUMNS, rows: hostCells(c) },
    },
    ...(c.leftOut.length > 0
      ? [
          {
            heading: 'Left out',
            table: { columns: ['host', 'why'], rows: c.leftOut.map((l) => [l.host, l.reasons.join('; ')]) },
          },
        ]
      : []),
    {
      heading: 'Prediction error',
      text:
        'error = predicted − measured makespan; host order ρ = Spearman rank correlation of the hosts’ finish times.' +
        (alike === undefined
          ? ''
          : ` The simulator ranks the strategies as the real runs do: ${alike ? 'yes' : 'no'}.`),
      table: { columns: ERROR_COLUMNS, rows: errorCells(c), numeric: [2, 3, 4] },
    },
    { heading: 'Predicted vs measured, per host', chart },
  ];
  const written = await writeComparisonReport(dir, {
    title: 'Calibration: the simulator against real runs',
    scenario: {
      hosts: c.measurement.hosts.length,
      'left out': c.leftOut.map((l) => l.host).join(', ') || 'none',
      setupSeconds: c.model.setupSeconds,
      perPathSeconds: c.model.perPathSeconds,
      importRate: c.model.importRate === undefined ? 'not measured' : formatRate(c.model.importRate, 2),
    },
    rows,
    traces,
    sections,
  });
  const svg = await renderSvg(chart);
  for (const [name, data] of [
    ['prediction.svg', svg],
    ['prediction.png', renderPng(svg)],
  ] as const) {
    writeFileSync(join(dir, name), data);
    written.push(join(dir, name));
  }
  return written;
}
