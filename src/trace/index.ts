/**
 * Traces of cascade runs: recording, JSON Lines / Perfetto / CSV exports, derived views (finish times,
 * completion curve, cascade tree, round snapshots), Vega-Lite charts, rendering and the comparison report.
 */
export { TraceRecorder, fanOut, nullSink } from './recorder.js';
export {
  JsonlFileSink,
  parseJsonLines,
  readTraceFile,
  toJsonLine,
  toJsonLines,
  traceSha256,
  TraceHasher,
  type JsonlFileSinkOptions,
} from './jsonl.js';
export { cascadeEventSchema } from './schema.js';
export {
  toPerfetto,
  toPerfettoJson,
  type PerfettoEvent,
  type PerfettoOptions,
  type PerfettoTrace,
} from './perfetto.js';
export {
  csvCell,
  hostsCsv,
  toCsv,
  transfersCsv,
  HOST_COLUMNS,
  TRANSFER_COLUMNS,
  type CsvCell,
} from './csv.js';
export {
  bytesPerGroup,
  bytesPerLink,
  cascadeTree,
  cascadeTreeAscii,
  cascadeTreeDot,
  completionCurve,
  downsampleCurve,
  hostFinishTimes,
  hostOrder,
  hostSummaries,
  roundSnapshots,
  roundSnapshotsJson,
  runFinished,
  runStarted,
  sortHosts,
  transferSpans,
  type CascadeTree,
  type CompletionPoint,
  type HostStatus,
  type HostSummary,
  type LinkBytes,
  type RoundSnapshot,
  type SnapshotOutcome,
  type SpanFailure,
  type TransferSpan,
} from './derive.js';
export {
  bytesSpec,
  comparisonSpec,
  completionSpec,
  timelineSpec,
  type BytesOptions,
  type BytesRow,
  type ChartOptions,
  type ComparisonBar,
  type CompletionOptions,
  type CompletionRow,
  type SeriesOptions,
  type TimelineOptions,
  type TimelineRow,
} from './charts.js';
export {
  scalingSpec,
  uplinkSpec,
  type ScalingPoint,
  type UplinkOptions,
  type UplinkRow,
} from './trendCharts.js';
export {
  heatMapData,
  senderKind,
  timelineData,
  uplinkSeries,
  type HeatMapData,
  type HostInfo,
  type RatePoint,
  type SenderKind,
  type TimelineData,
} from './chartData.js';
export { rankRows, reportCharts, type ReportChart, type ReportChartSettings } from './reportCharts.js';
export {
  escapeHtml,
  renderHtml,
  renderPng,
  renderSvg,
  scriptJson,
  type HtmlSection,
  type HtmlTable,
  type PngOptions,
} from './render.js';
export {
  bestRow,
  fileSafe,
  formatTable,
  writeComparisonReport,
  type ComparisonReportInput,
  type ComparisonRow,
  type ReportOptions,
} from './report.js';
