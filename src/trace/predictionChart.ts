/**
 * Predicted against measured: one point per host and strategy (its finish time in the real run and in the
 * simulator), with the diagonal where a perfect prediction lies and a ±15 % band around it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, type ChartOptions, finite, header, PALETTE } from './chartStyle.js';

/** One host of one strategy's run. */
export interface PredictionPoint {
  readonly strategy: string;
  readonly host: string;
  readonly measured: number;
  readonly predicted: number;
}

/**
 * A scatter of predicted vs measured seconds. Strategies beyond the palette's nine colours share the
 * last one (a calibration checks a handful).
 */
export function predictionSpec(points: readonly PredictionPoint[], options: ChartOptions = {}): TopLevelSpec {
  const strategies = [...new Set(points.map((p) => p.strategy))];
  const top =
    Math.max(1e-3, ...points.flatMap((p) => [p.measured, p.predicted]).filter(Number.isFinite)) * 1.05;
  const diagonal = [
    { measured: 0, predicted: 0, lo: 0, hi: 0 },
    { measured: top, predicted: top, lo: top * 0.85, hi: top * 1.15 },
  ];
  const axis = (title: string): object => ({
    type: 'quantitative',
    title,
    scale: { domain: [0, top], nice: false },
  });
  return {
    ...header({
      title: 'Predicted vs measured finish time per host',
      subtitle: 'diagonal: exact; band: ±15 %',
      ...options,
    }),
    height: Math.min(480, options.width ?? 640),
    config: CONFIG,
    layer: [
      {
        data: { values: diagonal },
        mark: { type: 'area', color: '#999', opacity: 0.15 },
        encoding: {
          x: { field: 'measured', ...axis('measured (s)') },
          y: { field: 'lo', ...axis('predicted (s)') },
          y2: { field: 'hi' },
        },
      },
      {
        data: { values: diagonal },
        mark: { type: 'line', color: '#777', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'measured', ...axis('measured (s)') },
          y: { field: 'predicted', ...axis('predicted (s)') },
        },
      },
      {
        data: {
          values: points.map((p) => ({ ...p, measured: finite(p.measured), predicted: finite(p.predicted) })),
        },
        mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
        encoding: {
          x: { field: 'measured', ...axis('measured (s)') },
          y: { field: 'predicted', ...axis('predicted (s)') },
          color: {
            field: 'strategy',
            type: 'nominal',
            title: 'strategy',
            scale: {
              domain: strategies,
              range: strategies.map((_, i) => PALETTE[Math.min(i, PALETTE.length - 1)]!),
            },
          },
          shape: { field: 'strategy', type: 'nominal', legend: null },
          tooltip: [
            { field: 'strategy', type: 'nominal' },
            { field: 'host', type: 'nominal' },
            { field: 'measured', type: 'quantitative', format: '.2f' },
            { field: 'predicted', type: 'quantitative', format: '.2f' },
          ],
        },
      },
    ],
  };
}
